import Evaluation
import Foundation

/// Problems with what the user gave the command line that no library module owns.
enum CommandLineError: CategorizedError, LocalizedError, Equatable {
    /// An output path (`-o FILE`) that cannot be written.
    case output(option: String, path: String, reason: String, category: ErrorCategory = .invalidInput)

    var errorDescription: String? {
        switch self {
        case .output(let option, let path, let reason, _):
            return "\(option) \(path): \(reason)"
        }
    }

    var category: ErrorCategory {
        switch self {
        case .output(_, _, _, let category): return category
        }
    }
}
