import Foundation

/// Problems with what the user passed on the command line or in input files.
enum CommandLineError: Error, LocalizedError {
    case inputNotFound(path: String)
    case malformedLine(path: String, line: Int, reason: String)
    case invalidOption(name: String, reason: String)
    case outputFailed(reason: String)

    var errorDescription: String? {
        switch self {
        case .inputNotFound(let path):
            return "\(path): no such file"
        case .malformedLine(let path, let line, let reason):
            return "\(path):\(line): \(reason)"
        case .invalidOption(let name, let reason):
            return "\(name): \(reason)"
        case .outputFailed(let reason):
            return "cannot write output: \(reason)"
        }
    }

    var exitCode: Int32 {
        switch self {
        case .outputFailed: return ExitStatus.runtimeFailure
        default: return ExitStatus.invalidInput
        }
    }
}
