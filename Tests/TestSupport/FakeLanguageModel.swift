import Foundation

/// The deterministic "model" behind `FaultInjectingServer`: OpenAI-compatible answers whose
/// values a test can work out by hand.
///
/// - Tokens are whitespace-led words (`" the"`, `" food"`), with offsets in Unicode scalars.
/// - Echo log-probabilities: null for the first token (no beginning-of-text token), then −0.25
///   for a word already in the text's last `Text:` block and −2.5 − 0.01·(letters) otherwise;
///   the one generated token is `" ok"` at −0.7. So the verbaliser a prompt's input contains is
///   the likelier answer, and a prompt classifier built on it labels texts by the word they hold.
/// - Generation: after `Answer:`, the last word of the last `Text:` line; otherwise
///   `max_tokens` words picked by an FNV-1a hash of the prompt, seed and sample, from
///   `vocabulary`; each generated token has log-probability −1.
/// - Embeddings: 16 numbers, word counts hashed into buckets plus 0.01 in the first (so never
///   zero); with `perTokenEmbeddings`, one such vector per word, which the client must average.
///   Models named `…-adapter` shift part of each word into the next bucket.
public struct FakeLanguageModel: Sendable {
    public var vocabulary = ["the", "a", "day", "was", "nice", "awful", "people", "are", "kind", "rude", "really", "quite"]
    /// When set, requests without `Authorization: Bearer <key>` get 401.
    public var requiredKey: String?
    /// Put the Authorization header into generated text and 401 messages (a leaky server, for
    /// tests that the key never reaches a database or a log).
    public var echoesAuthorization = false
    public var perTokenEmbeddings = false
    /// Answer completions without `logprobs` (a server that gives none).
    public var omitsLogProbabilities = false
    public static let embeddingWidth = 16

    public init(requiredKey: String? = nil, echoesAuthorization: Bool = false, perTokenEmbeddings: Bool = false,
                omitsLogProbabilities: Bool = false) {
        self.requiredKey = requiredKey
        self.echoesAuthorization = echoesAuthorization
        self.perTokenEmbeddings = perTokenEmbeddings
        self.omitsLogProbabilities = omitsLogProbabilities
    }

    /// Status and JSON body for a request.
    public func answer(_ request: FaultInjectingServer.Request) -> (Int, Data) {
        let authorization = request.headers["authorization"] ?? ""
        if let requiredKey, authorization != "Bearer \(requiredKey)" {
            let shown = echoesAuthorization ? " (got '\(authorization)')" : ""
            return (401, Self.json(["error": ["message": "invalid API key\(shown)", "type": "invalid_request_error"]]))
        }
        guard let body = request.json, let model = body["model"] as? String else {
            return (400, Self.json(["error": ["message": "the body must be a JSON object with a model"]]))
        }
        switch request.path {
        case "/v1/completions":
            return (200, completion(body, model: model, authorization: authorization))
        case "/v1/chat/completions":
            return (200, chat(body, model: model, authorization: authorization))
        case "/v1/embeddings":
            guard let input = body["input"] as? String else { return (400, Self.json(["error": ["message": "input must be a string"]])) }
            let rows = perTokenEmbeddings ? Self.words(input).map { Self.embedding(of: $0, model: model) } : nil
            let item: [String: Any] = ["object": "embedding", "index": 0, "embedding": rows ?? Self.embedding(of: input, model: model)]
            return (200, Self.json(["object": "list", "model": model, "data": [item]]))
        default:
            return (404, Self.json(["error": ["message": "no route \(request.path)"]]))
        }
    }

    func completion(_ body: [String: Any], model: String, authorization: String) -> Data {
        let prompt = body["prompt"] as? String ?? ""
        let wantsLogprobs = body["logprobs"] != nil && !omitsLogProbabilities
        var choice: [String: Any] = ["index": 0, "finish_reason": "length"]
        if body["echo"] as? Bool == true {
            let tokens = Self.tokens(prompt)
            choice["text"] = prompt + " ok"
            if wantsLogprobs {
                choice["logprobs"] = [
                    "tokens": tokens.map(\.text) + [" ok"],
                    "text_offset": tokens.map(\.offset) + [prompt.unicodeScalars.count],
                    "token_logprobs": tokens.enumerated().map { index, token -> Any in
                        index == 0 ? NSNull() : Self.echoLogProbability(token.text, before: String(prompt.unicodeScalars.prefix(token.offset)))
                    } + [-0.7],
                ]
            }
        } else {
            let text = continuation(prompt, body: body, authorization: authorization)
            choice["text"] = text
            if wantsLogprobs {
                let tokens = Self.tokens(text)
                choice["logprobs"] = [
                    "tokens": tokens.map(\.text), "text_offset": tokens.map { $0.offset + prompt.unicodeScalars.count },
                    "token_logprobs": tokens.map { _ in -1.0 },
                ]
            }
        }
        return Self.json(["id": "cmpl-fake", "object": "text_completion", "model": model, "choices": [choice]])
    }

    func chat(_ body: [String: Any], model: String, authorization: String) -> Data {
        let messages = body["messages"] as? [[String: Any]] ?? []
        let prompt = messages.last?["content"] as? String ?? ""
        let text = continuation(prompt, body: body, authorization: authorization).trimmingCharacters(in: .whitespaces)
        var choice: [String: Any] = ["index": 0, "finish_reason": "stop", "message": ["role": "assistant", "content": text]]
        if body["logprobs"] as? Bool == true, !omitsLogProbabilities {
            choice["logprobs"] = ["content": Self.tokens(text).map { ["token": $0.text, "logprob": -1.0] }]
        }
        return Self.json(["id": "chat-fake", "object": "chat.completion", "model": model, "choices": [choice]])
    }

    /// The generated text for a prompt (see the type's description).
    public func continuation(_ prompt: String, body: [String: Any], authorization: String = "") -> String {
        if echoesAuthorization { return " \(authorization)" }
        if prompt.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("Answer:") {
            let lines = prompt.components(separatedBy: "\n").filter { $0.hasPrefix("Text: ") }
            return " " + (Self.words(lines.last ?? "").last ?? "")
        }
        let count = min(max(body["max_tokens"] as? Int ?? 16, 1), 64)
        let seed = (body["seed"] as? NSNumber)?.uint64Value ?? 0
        var state = Self.fnv1a(prompt) ^ (seed &* 0x9E37_79B9_7F4A_7C15)
        return (0..<count).map { _ -> String in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return " " + vocabulary[Int((state >> 33) % UInt64(vocabulary.count))]
        }.joined()
    }

    /// Whitespace-led words with their offsets (Unicode scalars).
    public static func tokens(_ text: String) -> [(text: String, offset: Int)] {
        var result: [(String, Int)] = []
        var current = ""
        var start = 0
        var sawWord = false
        for (index, scalar) in text.unicodeScalars.enumerated() {
            let isSpace = CharacterSet.whitespacesAndNewlines.contains(scalar)
            if isSpace, sawWord {
                result.append((current, start))
                current = ""
                start = index
                sawWord = false
            }
            current.unicodeScalars.append(scalar)
            if !isSpace { sawWord = true }
        }
        if !current.isEmpty { result.append((current, start)) }
        return result
    }

    /// −0.25 when the token's word is already in the last `Text:` block before it, else
    /// −2.5 − 0.01·(its letters).
    public static func echoLogProbability(_ token: String, before context: String) -> Double {
        let word = token.lowercased().filter { $0.isLetter || $0.isNumber }
        let block = context.components(separatedBy: "Text:").last ?? ""
        if !word.isEmpty, words(block).contains(word) { return -0.25 }
        return -2.5 - 0.01 * Double(word.count)
    }

    public static func words(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    /// Writes `served_weat.jsonl` into `folder`: a SEAT test (May et al.'s JSON layout) over
    /// the fake vocabulary, whose effect size differs between a model and its `-adapter`.
    @discardableResult
    public static func writeSEATTest(in folder: URL) throws -> URL {
        try SEATTestFile.write(
            in: folder, name: "served_weat",
            targets: (["nice day", "kind people", "nice people", "kind day"], ["awful day", "rude people", "awful people", "rude day"]),
            attributes: (["really", "quite really", "really really"], ["the", "a", "the a"]))
    }

    /// Hashed word counts in `embeddingWidth` buckets, plus 0.01 in the first. A model whose
    /// name ends in `-adapter` (a served adapter of the plain model) also adds 0.5 per word to
    /// the bucket after the word's own, so its embeddings, and their associations, differ.
    public static func embedding(of text: String, model: String = "") -> [Double] {
        var vector = [Double](repeating: 0, count: embeddingWidth)
        vector[0] = 0.01
        for word in words(text) {
            let bucket = Int(fnv1a(word) % UInt64(embeddingWidth))
            vector[bucket] += 1
            if model.hasSuffix("-adapter") { vector[(bucket + 1) % embeddingWidth] += 0.5 }
        }
        return vector
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    static func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }
}
