import Evaluation
import Foundation

/// Everything that can be wrong with a checkpoint, its configuration or its tokenizer.
///
/// Each message names the file (and tensor or key) and says what to change.
public enum TransformersError: CategorizedError, Equatable, LocalizedError {
    case fileNotFound(path: String)
    case unreadableFile(path: String, reason: String)
    case malformedSafetensors(path: String, reason: String)
    case malformedTensorEntry(path: String, tensor: String, reason: String)
    case unsupportedDType(path: String, tensor: String, dtype: String)
    case invalidConfiguration(path: String, reason: String)
    case unsupportedArchitecture(path: String, name: String, supported: [String])
    case invalidTokenizer(path: String, reason: String)
    case missingWeights(path: String, names: [String])
    case unexpectedWeights(path: String, names: [String])
    case weightShapeMismatch(path: String, tensor: String, expected: [Int], actual: [Int])
    case invalidInput(reason: String)

    /// Every case is a problem with the checkpoint or input the user gave (exit 2).
    public var category: ErrorCategory { .invalidInput }

    public var errorDescription: String? {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot be read: \(reason)"
        case .malformedSafetensors(let path, let reason):
            return "\(path): not a valid safetensors file: \(reason)"
        case .malformedTensorEntry(let path, let tensor, let reason):
            return "\(path): tensor '\(tensor)': \(reason)"
        case .unsupportedDType(let path, let tensor, let dtype):
            return "\(path): tensor '\(tensor)' has dtype \(dtype); only F32, F16, BF16 and F64 "
                + "can be read as floating point"
        case .invalidConfiguration(let path, let reason):
            return "\(path): \(reason)"
        case .unsupportedArchitecture(let path, let name, let supported):
            return "\(path): model type '\(name)' is not supported "
                + "(supported: \(supported.joined(separator: ", ")))"
        case .invalidTokenizer(let path, let reason):
            return "\(path): \(reason)"
        case .missingWeights(let path, let names):
            return "\(path): missing weights \(Self.list(names))"
        case .unexpectedWeights(let path, let names):
            return "\(path): unexpected weights \(Self.list(names)); is this a BERT-layout checkpoint?"
        case .weightShapeMismatch(let path, let tensor, let expected, let actual):
            return "\(path): tensor '\(tensor)' has shape \(actual) but config.json implies \(expected)"
        case .invalidInput(let reason):
            return reason
        }
    }

    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(8).joined(separator: ", ")
        return names.count > 8 ? "\(shown) and \(names.count - 8) more" : shown
    }
}
