import Evaluation
import Foundation

/// What can go wrong talking to a served model. Every message names the endpoint (a URL
/// without credentials) and, for a failed request, which request it was; none ever contains
/// the API key (`RemoteClient` redacts it from anything a server sends back).
public enum RemoteModelError: CategorizedError, LocalizedError, Equatable {
    /// A setting of the remote model is unusable (exit 2); `setting` is its neutral name
    /// (`base_url`, `concurrency`, …), which the suite or command line renders as a key or flag.
    case invalidSetting(setting: String, reason: String)
    /// The environment variable that should hold the API key is not set (exit 2).
    case missingAPIKey(variable: String)
    /// Every attempt failed with a retryable error (429, 5xx, a connection error or a timeout)
    /// and the retry budget is spent (exit 3).
    case retriesExhausted(endpoint: String, request: String, attempts: Int, lastError: String)
    /// The server refused the request with a status that retrying cannot change (exit 3).
    case rejected(endpoint: String, request: String, status: Int, message: String)
    /// The body is not JSON, is cut short, or lacks what the request asked for (exit 3).
    case invalidResponse(endpoint: String, request: String, reason: String)
    /// The server answered without the token log-probabilities the request asked for (exit 3);
    /// prompt scoring then falls back to parsing generated answers.
    case noLogProbabilities(endpoint: String, request: String)

    public var category: ErrorCategory {
        switch self {
        case .invalidSetting, .missingAPIKey: return .invalidInput
        case .retriesExhausted, .rejected, .invalidResponse, .noLogProbabilities: return .runtimeFailure
        }
    }

    public var errorDescription: String? {
        switch self {
        case .invalidSetting(let setting, let reason):
            return "\(setting): \(reason)"
        case .missingAPIKey(let variable):
            return "the API key variable \(variable) is not set in the environment; export it, or name another "
                + "variable (api_key_env in a suite, --api-key-env on the command line)"
        case .retriesExhausted(let endpoint, let request, let attempts, let lastError):
            return "\(endpoint): \(request) failed \(attempts) time(s), which spends the retry budget; last error: \(lastError)"
        case .rejected(let endpoint, let request, let status, let message):
            let detail = message.isEmpty ? "" : ": \(message)"
            return "\(endpoint): \(request) was refused with HTTP \(status)\(detail)\(Self.hint(status: status))"
        case .invalidResponse(let endpoint, let request, let reason):
            return "\(endpoint): \(request) got an unusable response: \(reason)"
        case .noLogProbabilities(let endpoint, let request):
            return "\(endpoint): \(request) asked for token log-probabilities and the server gave none; "
                + "score prompts by their generated answers instead (scoring: generation)"
        }
    }

    /// Whether the failure concerns the server as a whole (unreachable, overloaded, refusing
    /// the key or the model), so that a run of many cells should stop instead of failing each.
    public var endsRun: Bool {
        switch self {
        case .retriesExhausted: return true
        case .rejected(_, _, let status, _): return [401, 403, 404].contains(status)
        default: return false
        }
    }

    /// What a refusal usually means.
    static func hint(status: Int) -> String {
        switch status {
        case 401, 403: return " (check the API key in the variable the suite or --api-key-env names)"
        case 404: return " (check the base URL and the served model name)"
        default: return ""
        }
    }
}
