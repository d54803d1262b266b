import Evaluation
import Foundation

/// Where a model is served and how to talk to it: an OpenAI-compatible API (vLLM, llama.cpp's
/// server, TGI, Ollama, OpenAI itself) at `baseURL`, serving `model` by name. A LoRA adapter
/// served by name is just another `model`.
///
/// Only `baseURL`, the model names and `api` decide what the server answers, so only they
/// enter the fingerprint; how hard to push the server (concurrency, timeouts, retries) and
/// where the key lives do not.
public struct RemoteEndpoint: Sendable, Hashable, Codable {
    /// Which API generates text.
    public enum API: String, Sendable, Hashable, Codable, CaseIterable {
        /// `/v1/completions`: the prompt is continued as text.
        case completions
        /// `/v1/chat/completions`: the prompt is one user message and the answer is generated.
        case chat
    }

    /// The API root, ending in `/v1` (`http://host:8000` is read as `http://host:8000/v1`).
    public var baseURL: URL
    /// The served model name for generation and log-likelihoods.
    public var model: String
    /// The served model name for `/v1/embeddings`; nil uses `model`.
    public var embeddingModel: String?
    public var api: API
    /// The environment variable holding the API key; nil reads `OPENAI_API_KEY` when it is set
    /// and sends no key otherwise (local servers need none).
    public var apiKeyVariable: String?
    /// Requests in flight at once.
    public var concurrency: Int
    /// Seconds one attempt may take, from sending the request to the last byte of the answer.
    public var timeout: Double
    /// Attempts after the first for one request, on 429, 5xx, connection errors and timeouts.
    public var retries: Int
    /// The first backoff, in seconds; each retry doubles it, up to `maximumBackoff`.
    public var initialBackoff: Double
    public var maximumBackoff: Double

    public static let defaultAPIKeyVariable = "OPENAI_API_KEY"

    public init(
        baseURL: URL, model: String, embeddingModel: String? = nil, api: API = .completions, apiKeyVariable: String? = nil,
        concurrency: Int = 4, timeout: Double = 60, retries: Int = 4, initialBackoff: Double = 0.5, maximumBackoff: Double = 30
    ) {
        self.baseURL = baseURL
        self.model = model
        self.embeddingModel = embeddingModel
        self.api = api
        self.apiKeyVariable = apiKeyVariable
        self.concurrency = concurrency
        self.timeout = timeout
        self.retries = retries
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// Reads a base URL as given by a user, refusing what cannot work: another scheme, no
    /// host, or credentials in the URL (they would end up in logs and databases; the key
    /// belongs in the environment).
    public static func parseBaseURL(_ text: String) throws -> URL {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard var components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty
        else {
            throw RemoteModelError.invalidSetting(
                setting: "base_url", reason: "'\(Self.withoutCredentials(trimmed))' is not an http(s) URL with a host, e.g. http://127.0.0.1:8000/v1")
        }
        guard components.user == nil, components.password == nil else {
            throw RemoteModelError.invalidSetting(
                setting: "base_url",
                reason: "the URL carries credentials; remove them and put the API key in an environment variable (api_key_env)")
        }
        guard components.query == nil, components.fragment == nil else {
            throw RemoteModelError.invalidSetting(setting: "base_url", reason: "give the API root without a query or fragment")
        }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        if path.isEmpty { path = "/v1" }
        components.path = path
        guard let url = components.url else {
            throw RemoteModelError.invalidSetting(setting: "base_url", reason: "'\(trimmed)' is not a valid URL")
        }
        return url
    }

    /// `text` with anything between `//` and `@` removed, for messages about a bad URL.
    static func withoutCredentials(_ text: String) -> String {
        guard let start = text.range(of: "//"), let at = text[start.upperBound...].firstIndex(of: "@") else { return text }
        return String(text[..<start.upperBound]) + "…@" + text[text.index(after: at)...]
    }

    /// Checks the numbers; names the setting that is out of range.
    public func validate() throws {
        if model.trimmingCharacters(in: .whitespaces).isEmpty {
            throw RemoteModelError.invalidSetting(setting: "model", reason: "name the served model (the server's model id)")
        }
        if let embeddingModel, embeddingModel.trimmingCharacters(in: .whitespaces).isEmpty {
            throw RemoteModelError.invalidSetting(setting: "embedding_model", reason: "give a served model name or leave it out")
        }
        if !(1...256).contains(concurrency) {
            throw RemoteModelError.invalidSetting(setting: "concurrency", reason: "must be between 1 and 256, got \(concurrency)")
        }
        if !(timeout > 0 && timeout <= 3600) {
            throw RemoteModelError.invalidSetting(setting: "timeout", reason: "must be between 0 and 3600 seconds, got \(timeout)")
        }
        if !(0...100).contains(retries) {
            throw RemoteModelError.invalidSetting(setting: "retries", reason: "must be between 0 and 100, got \(retries)")
        }
        if !(initialBackoff >= 0 && maximumBackoff >= initialBackoff && maximumBackoff <= 3600) {
            throw RemoteModelError.invalidSetting(
                setting: "backoff", reason: "needs 0 ≤ initial ≤ maximum ≤ 3600 seconds, got \(initialBackoff) and \(maximumBackoff)")
        }
        if let apiKeyVariable, !Self.isVariableName(apiKeyVariable) {
            throw RemoteModelError.invalidSetting(
                setting: "api_key_env",
                reason: "'\(apiKeyVariable.prefix(40))' is not an environment variable name (letters, digits and _); give the variable's name, not the key")
        }
    }

    /// Whether `name` can name an environment variable. A value that cannot (a key pasted
    /// by mistake, say) is refused and never echoed whole.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !CharacterSet.decimalDigits.contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
    }

    /// The URL of an API path under the base URL (`completions`, `chat/completions`, `embeddings`).
    public func url(_ path: String) -> URL {
        baseURL.appendingPathComponent(path)
    }

    /// The key from `environment`: the named variable (which must be set), or
    /// `OPENAI_API_KEY` when no variable is named and it is set, or none.
    public func apiKey(in environment: [String: String]) throws -> String? {
        if let apiKeyVariable {
            guard let key = environment[apiKeyVariable], !key.isEmpty else { throw RemoteModelError.missingAPIKey(variable: apiKeyVariable) }
            return key
        }
        guard let key = environment[Self.defaultAPIKeyVariable], !key.isEmpty else { return nil }
        return key
    }

    /// What decides the server's answers, as canonical JSON: the fingerprint of `ModelIdentity`
    /// hashes it, and suites key cells by it.
    public var identityJSON: String {
        var object: [String: String] = ["base_url": baseURL.absoluteString, "model": model, "api": api.rawValue]
        if let embeddingModel { object["embedding_model"] = embeddingModel }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The model's name and fingerprint for results.
    public var identity: ModelIdentity {
        ModelIdentity(name: model, fingerprint: SHA256.hex(of: Array(identityJSON.utf8)))
    }
}
