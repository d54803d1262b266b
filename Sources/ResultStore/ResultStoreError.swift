import Evaluation
import Foundation

/// What can go wrong with a results database; every message names the file.
public enum ResultStoreError: CategorizedError, Equatable, LocalizedError {
    /// The file could not be opened or is not an AdaptEval database.
    case cannotOpen(path: String, reason: String)
    /// The database was written by a newer AdaptEval (it has migrations this build does not know).
    case newerSchema(path: String, unknown: [String])
    /// A run id that the database does not hold.
    case noSuchRun(path: String, id: Int64)
    /// A command that must write was given a file it may not write (the file, its folder or
    /// its file system is read-only).
    case readOnly(path: String, reason: String)
    /// A write or read failed after opening.
    case failed(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .cannotOpen(let path, let reason):
            return "\(path): cannot open the results database: \(reason)"
        case .newerSchema(let path, let unknown):
            return "\(path): written by a newer AdaptEval (unknown migrations \(unknown.joined(separator: ", "))); upgrade AdaptEval to read it"
        case .noSuchRun(let path, let id):
            return "\(path): no run with id \(id) (see `adapteval runs list --db \(path)`)"
        case .readOnly(let path, let reason):
            return "\(path) is read-only (the file or its folder): \(reason); commands that only read it work, "
                + "and one that writes needs a database in a writable folder (a copy, or a new file)"
        case .failed(let path, let reason):
            return "\(path): \(reason)"
        }
    }

    /// The user's database or run id (exit 2), or a failure while using it (exit 3).
    public var category: ErrorCategory {
        switch self {
        case .cannotOpen, .newerSchema, .noSuchRun, .readOnly: return .invalidInput
        case .failed: return .runtimeFailure
        }
    }
}
