import Evaluation
import Foundation

/// What can be wrong with the inputs of a layer or loss; every message names the value.
public enum NNError: CategorizedError, Equatable, LocalizedError {
    /// A label index outside the classifier's classes (a label a backend or file supplied).
    case labelOutOfRange(label: Int, row: Int, classes: Int)
    /// Two inputs that must agree in size do not.
    case sizeMismatch(what: String, expected: Int, actual: Int)

    public var category: ErrorCategory { .invalidInput }

    public var errorDescription: String? {
        switch self {
        case .labelOutOfRange(let label, let row, let classes):
            return "example \(row) has label index \(label), outside the classifier's \(classes) classes (0..<\(classes))"
        case .sizeMismatch(let what, let expected, let actual):
            return "\(what): expected \(expected), got \(actual)"
        }
    }
}
