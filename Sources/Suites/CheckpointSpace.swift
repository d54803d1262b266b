import Adaptation
import Evaluation
import Foundation
import Transformers

/// Room for an adapted checkpoint before it is written, and plain words when writing failed:
/// which file could not be written, why, and, on a full disk, how much space it needed.
enum CheckpointSpace {
    /// About how many bytes `AdaptedCheckpoint.save` writes for `classifier`: 4 per value of
    /// every tensor it saves (the trained encoder weights, or all of them with `wholeEncoder`,
    /// and the head, as `save` selects them), plus room for the safetensors header and
    /// `adaptation.json`.
    static func estimatedBytes(_ classifier: Classifier, wholeEncoder: Bool) -> Int64 {
        let saved = classifier.model.parameters.filter { $0.isTrainable || wholeEncoder } + classifier.head.parameters
        return saved.reduce(Int64(16_384)) { $0 + 4 * Int64($1.count) + 256 }
    }

    /// Fails before anything is written when the file system holding `folder` has less room
    /// than `needed` (a full disk found mid-write leaves the same error, later).
    static func ensureRoom(_ needed: Int64, in folder: URL, for file: URL) throws {
        guard let available = FileSystemErrorDescription.availableBytes(near: folder.path), available < needed else { return }
        throw SuiteError.cannotWrite(path: file.path, reason: noSpace(needed: needed, available: available, folder: folder))
    }

    /// The error for a save into `temporary` (to be moved to `destination`) that failed: it
    /// names the file that could not be written where the checkpoint belongs, since the
    /// temporary folder is removed.
    static func failure(_ error: Error, writing temporary: URL, to destination: URL, needed: Int64) -> Error {
        if let error = error as? SuiteError { return error }
        var path: String
        var reason: String
        let folder = destination.deletingLastPathComponent()
        if case TransformersError.unreadableFile(let file, let message) = error {
            // The safetensors writer reports a failed write with Foundation's sentence only;
            // an unwritable folder is the likely cause when it is not a full disk.
            path = file
            reason = access(folder.path, W_OK) == 0 ? message : FileSystemErrorDescription.reason(forCode: errno)
        } else {
            path = FileSystemErrorDescription.path(of: error) ?? destination.path
            reason = FileSystemErrorDescription.reasonOrDescription(of: error)
        }
        if path.hasPrefix(temporary.path) { path = destination.path + path.dropFirst(temporary.path.count) }
        let available = FileSystemErrorDescription.availableBytes(near: folder.path)
        if FileSystemErrorDescription.posixCode(of: error) == ENOSPC || available.map({ $0 < needed }) == true {
            reason = noSpace(needed: needed, available: available, folder: folder)
        }
        return SuiteError.cannotWrite(path: path, reason: reason)
    }

    static func noSpace(needed: Int64, available: Int64?, folder: URL) -> String {
        "no space left on device (the adapted checkpoint needs about \(FileSystemErrorDescription.byteCount(needed))"
            + (available.map { "; \(FileSystemErrorDescription.byteCount($0)) free" } ?? "")
            + " where \(folder.path) is)"
    }
}
