import Foundation

/// Problems with evaluation data and inputs; every message names the file and, where there is
/// one, the line or column.
public enum EvaluationError: CategorizedError, Equatable, LocalizedError {
    case fileNotFound(path: String)
    case malformedFile(path: String, line: Int?, reason: String)
    case missingColumn(path: String, column: String, available: [String])
    case invalidArgument(reason: String)

    /// Every case is a problem with data or arguments the user gave (exit 2).
    public var category: ErrorCategory { .invalidInput }

    public var errorDescription: String? {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .malformedFile(let path, let line, let reason):
            return line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)"
        case .missingColumn(let path, let column, let available):
            return "\(path): no column '\(column)' (columns: \(available.joined(separator: ", ")))"
        case .invalidArgument(let reason):
            return reason
        }
    }
}
