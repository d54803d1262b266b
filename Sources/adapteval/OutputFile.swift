import Evaluation
import Foundation

/// A file the command line writes because the user named it (`export -o`). The path is the
/// user's input: a missing folder, a folder given as the file, or a place they may not write
/// is exit 2 with the path named, checked before any work is done; a full disk is exit 3.
struct OutputFile {
    /// The path as given (for messages).
    let path: String
    /// The option that named it, e.g. `-o`.
    let option: String

    /// Checks that `path` can be written as a file.
    init(_ path: String, option: String) throws {
        self.path = path
        self.option = option
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) {
            if isFolder.boolValue {
                throw CommandLineError.output(option: option, path: path, reason: "is a folder; give a file name")
            }
            if access(url.path, W_OK) != 0 {
                throw CommandLineError.output(option: option, path: path, reason: FileSystemErrorDescription.reason(forCode: errno))
            }
            return
        }
        let folder = url.deletingLastPathComponent()
        var parentIsFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &parentIsFolder) else {
            throw CommandLineError.output(option: option, path: path, reason: "no such folder: \(Self.folderAsGiven(path))")
        }
        guard parentIsFolder.boolValue else {
            throw CommandLineError.output(option: option, path: path, reason: "\(Self.folderAsGiven(path)) is a file, not a folder")
        }
        if access(folder.path, W_OK) != 0 {
            throw CommandLineError.output(
                option: option, path: path,
                reason: "cannot create a file in \(Self.folderAsGiven(path)): \(FileSystemErrorDescription.reason(forCode: errno))")
        }
    }

    /// Writes the bytes (to a temporary file renamed into place, so a failed write leaves no
    /// half-written file).
    func write(_ data: Data) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandLineError.output(
                option: option, path: path, reason: "cannot write it: \(FileSystemErrorDescription.reasonOrDescription(of: error))",
                category: FileSystemErrorDescription.category(of: error) ?? .runtimeFailure)
        }
    }

    /// The folder part of a path as the user wrote it ("some/missing dir" for "some/missing dir/x.csv").
    static func folderAsGiven(_ path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }
}
