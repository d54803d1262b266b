import Evaluation
import Foundation

/// What can go wrong while adapting a model: bad data or options (exit 2) or a run that
/// diverged (exit 3).
public enum AdaptationError: CategorizedError, Equatable, LocalizedError {
    case invalidData(path: String, line: Int?, reason: String)
    case invalidOption(name: String, reason: String)
    case diverged(step: Int, reason: String)
    case checkpointMismatch(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .invalidData(let path, let line, let reason):
            return line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)"
        case .invalidOption(let name, let reason):
            return "\(name): \(reason)"
        case .diverged(let step, let reason):
            return "training diverged at step \(step): \(reason); lower the learning rate or enable clipping"
        case .checkpointMismatch(let path, let reason):
            return "\(path): \(reason)"
        }
    }

    /// The user's data or options (exit 2), or a run that diverged (exit 3).
    public var category: ErrorCategory {
        if case .diverged = self { return .runtimeFailure }
        return .invalidInput
    }
}
