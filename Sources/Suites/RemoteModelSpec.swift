import Backends
import Foundation

/// `model: {name: …, remote: {…}}`: a model served over the OpenAI-compatible API (vLLM,
/// llama.cpp's server, TGI, Ollama). A served LoRA adapter is just another `model` name.
public struct RemoteModelSpec: Decodable, Sendable, Equatable, Placeholder {
    public var baseURL: String
    public var model: String
    public var embeddingModel: String?
    /// The served name of the model `model` adapts (the base of a served LoRA adapter): SEAT
    /// probes it too and stores each test's drift from it.
    public var baseModel: String?
    public var api: RemoteEndpoint.API
    /// The environment variable holding the API key (never the key itself).
    public var apiKeyEnv: String?
    public var concurrency: Int
    public var timeout: Double
    public var retries: Int
    public var sampling: SamplingSpec

    enum CodingKeys: String, CodingKey, CaseIterable {
        case baseURL = "base_url", model, embeddingModel = "embedding_model", baseModel = "base_model", api, apiKeyEnv = "api_key_env"
        case concurrency, timeout, retries, sampling
    }

    static var placeholder: RemoteModelSpec {
        RemoteModelSpec(baseURL: "", model: "", api: .completions, concurrency: 4, timeout: 60, retries: 4, sampling: SamplingSpec())
    }

    init(baseURL: String, model: String, embeddingModel: String? = nil, api: RemoteEndpoint.API, apiKeyEnv: String? = nil,
         concurrency: Int, timeout: Double, retries: Int, sampling: SamplingSpec) {
        self.baseURL = baseURL
        self.model = model
        self.embeddingModel = embeddingModel
        self.api = api
        self.apiKeyEnv = apiKeyEnv
        self.concurrency = concurrency
        self.timeout = timeout
        self.retries = retries
        self.sampling = sampling
    }

    public init(from decoder: Decoder) throws {
        let defaults = Self.placeholder
        let c = try decoder.container(keyedBy: CodingKeys.self)
        baseURL = try c.decode(String.self, forKey: .baseURL)
        model = try c.decode(String.self, forKey: .model)
        embeddingModel = try c.decodeIfPresent(String.self, forKey: .embeddingModel)
        baseModel = try c.decodeIfPresent(String.self, forKey: .baseModel)
        api = try c.decodeKeyword(RemoteEndpoint.API.self, forKey: .api, noun: "api", decoder: decoder) ?? defaults.api
        apiKeyEnv = try c.decodeIfPresent(String.self, forKey: .apiKeyEnv)
        concurrency = try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? defaults.concurrency
        timeout = try c.decodeIfPresent(Double.self, forKey: .timeout) ?? defaults.timeout
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? defaults.retries
        sampling = try c.decodeIfPresent(SamplingSpec.self, forKey: .sampling) ?? defaults.sampling
    }

    /// The endpoint these settings describe; errors name the setting neutrally.
    func endpoint() throws -> RemoteEndpoint {
        let endpoint = RemoteEndpoint(
            baseURL: try RemoteEndpoint.parseBaseURL(baseURL), model: model, embeddingModel: embeddingModel, api: api,
            apiKeyVariable: apiKeyEnv, concurrency: concurrency, timeout: timeout, retries: retries)
        try endpoint.validate()
        return endpoint
    }

    /// The base model's endpoint (`base_model` on the same server), or nil without one.
    func baseEndpoint() throws -> RemoteEndpoint? {
        guard let baseModel else { return nil }
        var endpoint = try endpoint()
        endpoint.model = baseModel
        endpoint.embeddingModel = nil
        do {
            try endpoint.validate()
        } catch RemoteModelError.invalidSetting(let setting, let reason) where setting == "model" {
            throw RemoteModelError.invalidSetting(setting: "base_model", reason: reason)
        }
        return endpoint
    }
}

/// Sampling settings of a remote model's generation probes (RealToxicityPrompts' defaults:
/// 20 tokens, nucleus p = 0.9, temperature 1; Gehman et al. 2020).
public struct SamplingSpec: Codable, Sendable, Equatable, Placeholder {
    public var maxTokens: Int
    public var temperature: Double
    public var topP: Double
    /// The first sample's seed; a cell's seed is added to it.
    public var seed: UInt64

    enum CodingKeys: String, CodingKey, CaseIterable { case maxTokens = "max_tokens", temperature, topP = "top_p", seed }

    static var placeholder: SamplingSpec { SamplingSpec() }

    init(maxTokens: Int = 20, temperature: Double = 1, topP: Double = 0.9, seed: UInt64 = 0) {
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
    }

    public init(from decoder: Decoder) throws {
        let defaults = SamplingSpec()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens) ?? defaults.maxTokens
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature) ?? defaults.temperature
        topP = try c.decodeIfPresent(Double.self, forKey: .topP) ?? defaults.topP
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
    }

    /// Problems with the values, by key.
    var problems: [(key: String, message: String)] {
        var found: [(String, String)] = []
        if !(1...4096).contains(maxTokens) { found.append(("max_tokens", "must be between 1 and 4096, got \(maxTokens)")) }
        if !(temperature >= 0 && temperature <= 5) { found.append(("temperature", "must be between 0 and 5, got \(temperature)")) }
        if !(topP > 0 && topP <= 1) { found.append(("top_p", "must be in (0, 1], got \(topP)")) }
        return found
    }
}

extension RemoteEndpoint.API: Placeholder {
    static var placeholder: RemoteEndpoint.API { .completions }
}
