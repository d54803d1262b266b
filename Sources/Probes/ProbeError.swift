import Evaluation
import Foundation

/// What can go wrong while probing a model; every case is something the user gave (a probe
/// file, a setting, a model without the capability a probe needs), so every case exits 2.
public enum ProbeError: CategorizedError, Equatable, LocalizedError {
    /// A probe data file is unreadable or lacks what the probe needs; names the file and line.
    case malformedFile(path: String, line: Int?, reason: String)
    /// A setting is out of range or does not fit the model (named as the library knows it; the
    /// command line and suites render it as their flag or key).
    case invalidSetting(name: String, reason: String)
    /// The model cannot do what the probe needs (a masked-LM head, a classifier, toxic labels).
    case missingCapability(model: String, reason: String)

    public var category: ErrorCategory { .invalidInput }

    public var errorDescription: String? {
        switch self {
        case .malformedFile(let path, let line, let reason):
            return line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)"
        case .invalidSetting(let name, let reason):
            return "\(name): \(reason)"
        case .missingCapability(let model, let reason):
            return "\(model): \(reason)"
        }
    }
}
