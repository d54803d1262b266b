import Evaluation
import Foundation
import Testing
import TestSupport

@testable import Backends

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The remote backend against a real OpenAI-compatible server: llama.cpp's, serving a tiny
/// random llama model the test writes (scripts/make-tiny-gguf.py). One server for the suite.
@Suite("llama.cpp's server", .enabled(if: LlamaCppServer.isInstalled, Comment(rawValue: LlamaCppServer.skipReason)))
struct LlamaServerTests {
    @Test("generation, echo log-probabilities and embeddings of a real llama.cpp server agree with each other")
    func realServer() throws {
        let server = try LlamaCppServer()
        defer { server.stop() }
        let endpoint = RemoteEndpoint(
            baseURL: server.baseURL, model: "tiny", embeddingModel: "tiny-embed", concurrency: 2, timeout: 60, retries: 1)
        let model = try RemoteModel(endpoint: endpoint, environment: [:])
        model.requestsLogProbabilities = true

        // Greedy generation repeats, writes printable ASCII (one token per character) and
        // reports each generated token's log-probability.
        let prompt = "The cat sat on the"
        let greedy = GenerationSettings(maxTokens: 8, temperature: 0, topP: 1, samples: 1, seed: 1)
        let first = try model.generate([prompt, "Hello"], settings: greedy)
        let again = try model.generate([prompt, "Hello"], settings: greedy)
        // The server may batch the two requests differently each time, which moves the
        // log-probabilities in the sixth digit but never the greedy text.
        #expect(first.map { $0.map(\.text) } == again.map { $0.map(\.text) })
        for (a, b) in zip(first.flatMap { $0 }, again.flatMap { $0 }) {
            for (x, y) in zip(a.tokenLogProbabilities ?? [], b.tokenLogProbabilities ?? []) { #expect(abs(x - y) < 1e-3) }
        }
        let generated = first[0][0]
        #expect(generated.text.unicodeScalars.count == 8, "\(generated.text.debugDescription)")
        #expect(generated.text.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) })
        let reported = try #require(generated.tokenLogProbabilities)
        #expect(reported.count == 8)
        #expect(reported.allSatisfy { $0 <= 0 })

        // The same continuation scored through echo: token by token what generation reported.
        let echoed = try model.continuationLogProbabilities([(prompt: prompt, continuation: generated.text)])[0]
        #expect(echoed.count == reported.count)
        for (index, (score, generatedScore)) in zip(echoed, reported).enumerated() {
            #expect(abs(score - generatedScore) < 1e-3, "token \(index): echo \(score), generation \(generatedScore)")
        }
        #expect(abs(echoed.reduce(0, +) - reported.reduce(0, +)) < 1e-3)

        // The chain rule across two requests: log P(prompt + continuation) − log P(prompt).
        let whole = try model.continuationLogProbabilities([
            (prompt: "", continuation: prompt + generated.text), (prompt: "", continuation: prompt),
        ]).map { $0.reduce(0, +) }
        #expect(abs(whole[0] - whole[1] - echoed.reduce(0, +)) < 1e-3)
        // With a beginning-of-text token the whole text's first character is scored too; a
        // vocabulary that adds none leaves the first character without a log-probability.
        let bare = try model.continuationLogProbabilities([(prompt: "", continuation: "Hi")])[0]
        #expect((1...2).contains(bare.count), "\(bare)")
        #expect(bare.allSatisfy { $0 <= 0 && $0.isFinite })

        // Embeddings: one vector per text, the width of the model; when the server returns one
        // vector per token, the client's vector is their mean.
        let texts = ["hello world", "a different text"]
        let vectors = try model.embed(texts.map { TextInput($0) })
        #expect(vectors.count == 2 && vectors.allSatisfy { $0.count == 64 })
        #expect(vectors[0] != vectors[1])
        let raw = try Self.rawEmbedding(server.baseURL, text: texts[0])
        let expected: [Double]
        if let rows = raw as? [[Double]] {
            expected = (0..<rows[0].count).map { column in rows.map { $0[column] }.reduce(0, +) / Double(rows.count) }
        } else {
            expected = try #require(raw as? [Double])
        }
        for (value, reference) in zip(vectors[0], expected) { #expect(abs(Double(value) - reference) <= 1e-5 * max(1, abs(reference))) }

        // Prompt scoring on the real server: probabilities over the verbalisers sum to one.
        let classifier = try PromptClassifier(
            model: model, labelNames: ["negative", "positive"], template: PromptTemplate(verbalizers: ["bad", "good"]),
            demonstrations: [], scoring: .likelihood)
        let probabilities = try classifier.probabilities([TextInput("the food was good")])[0]
        #expect(abs(probabilities.reduce(0, +) - 1) < 1e-9)
    }

    /// The server's own `embedding` field for one text: an array of numbers, or of arrays.
    static func rawEmbedding(_ baseURL: URL, text: String) throws -> Any {
        var request = URLRequest(url: baseURL.appendingPathComponent("embeddings"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["model": "tiny-embed", "input": text])
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var body: Data?
        URLSession.shared.dataTask(with: request) { data, _, _ in
            body = data
            done.signal()
        }.resume()
        done.wait()
        let received = try #require(body)
        let object = try #require(try JSONSerialization.jsonObject(with: received) as? [String: Any])
        let data = try #require(object["data"] as? [[String: Any]])
        return try #require(data.first?["embedding"])
    }
}
