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
        case .failed(let path, let reason):
            return "\(path): \(reason)"
        }
    }

    /// The user's database or run id (exit 2), or a failure while using it (exit 3).
    public var category: ErrorCategory {
        switch self {
        case .cannotOpen, .newerSchema, .noSuchRun: return .invalidInput
        case .failed: return .runtimeFailure
        }
    }
}
