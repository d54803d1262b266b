import Evaluation
import Foundation

/// A model served over the OpenAI-compatible API, as a `ModelUnderTest`: it generates
/// (`/v1/completions` or `/v1/chat/completions`), scores continuations (`/v1/completions` with
/// `echo` and `logprobs`) and embeds (`/v1/embeddings`). One request per prompt, sample, scored
/// text or embedded text, so the response cache holds each on its own and an interrupted
/// batch resends only what it lacks.
public final class RemoteModel: ModelUnderTest, TextGenerator, CausalLanguageModel, TextEmbedder {
    public let client: RemoteClient
    public let identity: ModelIdentity
    /// Whether generation asks for the log-probability of each generated token.
    public var requestsLogProbabilities = false

    public var endpoint: RemoteEndpoint { client.endpoint }

    public init(client: RemoteClient) {
        self.client = client
        identity = client.endpoint.identity
    }

    public convenience init(endpoint: RemoteEndpoint, environment: [String: String] = ProcessInfo.processInfo.environment,
                            cache: (any ResponseCache)? = nil) throws {
        self.init(client: try RemoteClient(endpoint: endpoint, environment: environment, cache: cache))
    }

    public var embedder: (any TextEmbedder)? { self }
    public var generator: (any TextGenerator)? { self }
    /// Only the completions API echoes a prompt's token log-probabilities.
    public var causalLanguageModel: (any CausalLanguageModel)? { endpoint.api == .completions ? self : nil }

    // MARK: generation

    /// `settings.samples` continuations per prompt. Sample j of a prompt is its own request,
    /// seeded `seed + j` when a seed is given (servers that honour seeds then repeat it exactly;
    /// the cache repeats it in any case).
    public func generate(_ prompts: [String], settings: GenerationSettings) throws -> [[Generation]] {
        guard settings.samples >= 1, settings.maxTokens >= 1 else {
            throw RemoteModelError.invalidSetting(
                setting: "sampling", reason: "needs samples ≥ 1 and max_tokens ≥ 1, got \(settings.samples) and \(settings.maxTokens)")
        }
        var calls: [RemoteClient.Call] = []
        calls.reserveCapacity(prompts.count * settings.samples)
        for (index, prompt) in prompts.enumerated() {
            for sample in 0..<settings.samples {
                let seed = settings.seed.map { $0 &+ UInt64(sample) }
                let label = "\(endpoint.api == .chat ? "chat" : "completions") request for prompt \(index + 1) of \(prompts.count)"
                    + (settings.samples > 1 ? " (sample \(sample + 1) of \(settings.samples))" : "")
                calls.append(generationCall(prompt: prompt, settings: settings, seed: seed, label: label, variant: sample))
            }
        }
        let wantsLogProbabilities = requestsLogProbabilities
        let api = endpoint.api
        let flat = try client.perform(calls) { body in
            try Self.decodeGeneration(body, api: api, wantsLogProbabilities: wantsLogProbabilities)
        }
        return stride(from: 0, to: flat.count, by: settings.samples).map { Array(flat[$0..<($0 + settings.samples)]) }
    }

    func generationCall(prompt: String, settings: GenerationSettings, seed: UInt64?, label: String, variant: Int) -> RemoteClient.Call {
        let stop = settings.stop.isEmpty ? nil : settings.stop
        switch endpoint.api {
        case .completions:
            let body = OpenAIMessages.CompletionRequest(
                model: endpoint.model, prompt: prompt, maxTokens: settings.maxTokens, temperature: settings.temperature,
                topP: settings.topP, seed: seed, stop: stop, logprobs: requestsLogProbabilities ? 1 : nil, echo: nil)
            return RemoteClient.Call(path: "completions", body: OpenAIMessages.encode(body), label: label, variant: variant)
        case .chat:
            let body = OpenAIMessages.ChatRequest(
                model: endpoint.model, messages: [OpenAIMessages.ChatMessage(role: "user", content: prompt)],
                maxTokens: settings.maxTokens, temperature: settings.temperature, topP: settings.topP, seed: seed, stop: stop,
                logprobs: requestsLogProbabilities ? true : nil)
            return RemoteClient.Call(path: "chat/completions", body: OpenAIMessages.encode(body), label: label, variant: variant)
        }
    }

    static func decodeGeneration(_ body: Data, api: RemoteEndpoint.API, wantsLogProbabilities: Bool) throws -> Generation {
        switch api {
        case .completions:
            let response = try OpenAIMessages.decode(OpenAIMessages.CompletionResponse.self, from: body)
            guard let choice = response.choices.first else { throw RemoteClient.ShapeError.invalid("choices is empty") }
            guard wantsLogProbabilities else { return Generation(text: choice.text) }
            guard let values = choice.logprobs?.tokenLogprobs else { throw RemoteClient.ShapeError.noLogProbabilities }
            return Generation(text: choice.text, tokenLogProbabilities: try values.enumerated().map { index, value in
                guard let value, value.isFinite || value == -.infinity else {
                    throw RemoteClient.ShapeError.invalid("choices[0].logprobs.token_logprobs[\(index)] is not a log-probability")
                }
                return value
            })
        case .chat:
            let response = try OpenAIMessages.decode(OpenAIMessages.ChatResponse.self, from: body)
            guard let choice = response.choices.first else { throw RemoteClient.ShapeError.invalid("choices is empty") }
            let text = choice.message.content ?? ""
            guard wantsLogProbabilities else { return Generation(text: text) }
            guard let tokens = choice.logprobs?.content else { throw RemoteClient.ShapeError.noLogProbabilities }
            return Generation(text: text, tokenLogProbabilities: tokens.map(\.logprob))
        }
    }

    // MARK: likelihood

    /// Log-probabilities of each continuation's tokens: the prompt and continuation are sent as
    /// one text with `echo` and `logprobs`, and the tokens that cover the continuation are
    /// picked by their character offsets (`EchoAlignment`).
    public func continuationLogProbabilities(_ requests: [(prompt: String, continuation: String)]) throws -> [[Double]] {
        guard endpoint.api == .completions else {
            throw RemoteModelError.invalidSetting(
                setting: "api", reason: "log-likelihoods need the completions API (echo), but the model is set to chat")
        }
        let calls = requests.enumerated().map { index, request in
            // One generated token: some servers read max_tokens 0 as "no limit".
            let body = OpenAIMessages.CompletionRequest(
                model: endpoint.model, prompt: request.prompt + request.continuation, maxTokens: 1, temperature: 0, topP: nil,
                seed: nil, stop: nil, logprobs: 1, echo: true)
            return RemoteClient.Call(
                path: "completions", body: OpenAIMessages.encode(body),
                label: "log-likelihood request \(index + 1) of \(requests.count)")
        }
        let pairs = requests.map { (prompt: $0.prompt, continuation: $0.continuation) }
        let echoed = try client.perform(calls) { body in try Self.decodeEcho(body) }
        return try zip(pairs, zip(echoed, calls)).map { pair, answer in
            do {
                return try EchoAlignment.continuationLogProbabilities(
                    prompt: pair.prompt, continuation: pair.continuation, echoed: answer.0)
            } catch RemoteClient.ShapeError.invalid(let reason) {
                throw RemoteModelError.invalidResponse(
                    endpoint: endpoint.url("completions").absoluteString,
                    request: "\(answer.1.label) [\(client.digest(of: answer.1).prefix(12))]", reason: reason)
            }
        }
    }

    static func decodeEcho(_ body: Data) throws -> EchoAlignment.Echo {
        let response = try OpenAIMessages.decode(OpenAIMessages.CompletionResponse.self, from: body)
        guard let choice = response.choices.first else { throw RemoteClient.ShapeError.invalid("choices is empty") }
        guard let logprobs = choice.logprobs else { throw RemoteClient.ShapeError.noLogProbabilities }
        guard let offsets = logprobs.textOffset else {
            throw RemoteClient.ShapeError.invalid("choices[0].logprobs.text_offset is missing (needed to find the continuation's tokens)")
        }
        guard offsets.count == logprobs.tokenLogprobs.count else {
            throw RemoteClient.ShapeError.invalid(
                "choices[0].logprobs has \(logprobs.tokenLogprobs.count) token_logprobs but \(offsets.count) text_offset entries")
        }
        return EchoAlignment.Echo(text: choice.text, offsets: offsets, logProbabilities: logprobs.tokenLogprobs)
    }

    // MARK: embeddings

    /// One vector per input from `/v1/embeddings`. A server that returns one vector per token
    /// (llama.cpp's without pooling) gets them averaged here: the mean over tokens, as the
    /// native encoders pool. A pair is embedded as "text\npair".
    public func embed(_ inputs: [TextInput]) throws -> [[Float]] {
        let model = endpoint.embeddingModel ?? endpoint.model
        let calls = inputs.enumerated().map { index, input in
            let text = input.pair.map { input.text + "\n" + $0 } ?? input.text
            return RemoteClient.Call(
                path: "embeddings", body: OpenAIMessages.encode(OpenAIMessages.EmbeddingRequest(model: model, input: text)),
                label: "embeddings request \(index + 1) of \(inputs.count)")
        }
        let vectors = try client.perform(calls) { body in try Self.decodeEmbedding(body) }
        if let width = vectors.first?.count, let other = vectors.firstIndex(where: { $0.count != width }) {
            throw RemoteModelError.invalidResponse(
                endpoint: endpoint.url("embeddings").absoluteString, request: calls[other].label,
                reason: "a vector of \(vectors[other].count) numbers where the first request got \(width)")
        }
        return vectors
    }

    static func decodeEmbedding(_ body: Data) throws -> [Float] {
        let response = try OpenAIMessages.decode(OpenAIMessages.EmbeddingResponse.self, from: body)
        guard let item = response.data.first else { throw RemoteClient.ShapeError.invalid("data is empty") }
        let vector: [Double]
        switch item.embedding {
        case .pooled(let values):
            vector = values
        case .perToken(let rows):
            guard let width = rows.first?.count, width > 0 else {
                throw RemoteClient.ShapeError.invalid("data[0].embedding has no token vectors")
            }
            guard rows.allSatisfy({ $0.count == width }) else {
                throw RemoteClient.ShapeError.invalid("data[0].embedding has token vectors of different lengths")
            }
            var sum = [Double](repeating: 0, count: width)
            for row in rows {
                for column in 0..<width { sum[column] += row[column] }
            }
            vector = sum.map { $0 / Double(rows.count) }
        }
        guard !vector.isEmpty else { throw RemoteClient.ShapeError.invalid("data[0].embedding is empty") }
        guard vector.allSatisfy(\.isFinite) else { throw RemoteClient.ShapeError.invalid("data[0].embedding has a non-finite number") }
        return vector.map { Float($0) }
    }
}
