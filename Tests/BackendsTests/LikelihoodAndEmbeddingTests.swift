import Evaluation
import Foundation
import Testing
import TestSupport

@testable import Backends

@Suite("Echo log-probabilities and embeddings")
struct LikelihoodAndEmbeddingTests {
    static func echo(_ tokens: [(String, Double?)], generated: Int = 1) -> EchoAlignment.Echo {
        var offsets: [Int] = []
        var position = 0
        var text = ""
        for (token, _) in tokens {
            offsets.append(position)
            position += token.unicodeScalars.count
            text += token
        }
        // Generated tokens start at the end of the echoed text.
        for index in 0..<generated { offsets.append(position + index) }
        return EchoAlignment.Echo(text: text, offsets: offsets, logProbabilities: tokens.map(\.1) + Array(repeating: -0.5, count: generated))
    }

    @Test("the continuation's tokens are picked by offset, and the generated token is left out")
    func picksContinuationTokens() throws {
        let echoed = Self.echo([("The", nil), (" cat", -1.5), (" sat", -2.0), (" down", -0.25)])
        let values = try EchoAlignment.continuationLogProbabilities(prompt: "The cat", continuation: " sat down", echoed: echoed)
        #expect(values == [-2.0, -0.25])
    }

    @Test("a token straddling the prompt's end counts with the continuation")
    func straddlingToken() throws {
        // Prompt "The cat " ends in a space that the tokenizer glues to "sat".
        let echoed = Self.echo([("The", nil), (" cat", -1.5), (" sat", -2.0)])
        let values = try EchoAlignment.continuationLogProbabilities(prompt: "The cat ", continuation: "sat", echoed: echoed)
        #expect(values == [-2.0])
    }

    @Test("an empty prompt scores the whole text except a first token nothing conditions")
    func wholeText() throws {
        let echoed = Self.echo([("The", nil), (" cat", -1.5)])
        #expect(try EchoAlignment.continuationLogProbabilities(prompt: "", continuation: "The cat", echoed: echoed) == [-1.5])
        let withBOS = EchoAlignment.Echo(text: "The cat", offsets: [0, 0, 3, 7], logProbabilities: [nil, -3.0, -1.5, -0.1])
        #expect(try EchoAlignment.continuationLogProbabilities(prompt: "", continuation: "The cat", echoed: withBOS) == [-3.0, -1.5])
    }

    @Test("offsets count Unicode scalars, as Python's len does")
    func unicodeOffsets() throws {
        let echoed = Self.echo([("Caf", nil), ("é", -1.0), (" 👍", -2.0)])
        let values = try EchoAlignment.continuationLogProbabilities(prompt: "Café", continuation: " 👍", echoed: echoed)
        #expect(values == [-2.0])
    }

    @Test("null inside the text, decreasing offsets and positive log-probabilities are errors, not crashes")
    func malformedEchoes() {
        let cases: [(EchoAlignment.Echo, String)] = [
            (Self.echo([("a", nil), (" b", nil)]), "is null inside the text"),
            (EchoAlignment.Echo(text: "a b", offsets: [0, 2, 1, 3], logProbabilities: [nil, -1, -1, -1]), "decreases"),
            (Self.echo([("a", nil), (" b", 0.5)]), "is not a log-probability"),
            (EchoAlignment.Echo(text: "", offsets: [10], logProbabilities: [-1]), "echoed no tokens"),
        ]
        for (echoed, expected) in cases {
            do {
                _ = try EchoAlignment.continuationLogProbabilities(prompt: "a", continuation: " b", echoed: echoed)
                Issue.record("expected an error containing '\(expected)'")
            } catch RemoteClient.ShapeError.invalid(let reason) {
                #expect(reason.contains(expected), "\(reason)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test("log-likelihoods over HTTP equal the fake model's hand-worked values")
    func likelihoodOverHTTP() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let model = try RemoteClientFaultTests.model(server)
        let values = try model.continuationLogProbabilities([
            (prompt: "Text: the food was good\nAnswer:", continuation: " good"),
            (prompt: "Text: the food was good\nAnswer:", continuation: " very bad"),
            (prompt: "", continuation: "the day was nice"),
        ])
        #expect(values[0] == [-0.25])
        // A word not in the input block: −2.5 − 0.01·(its letters), as the fake model computes it.
        func unseen(_ letters: Int) -> Double { -2.5 - 0.01 * Double(letters) }
        #expect(values[1] == [unseen(4), unseen(3)])
        #expect(values[2] == [unseen(3), unseen(3), unseen(4)])
        let request = try #require(server.requests.first?.json)
        #expect(request["echo"] as? Bool == true)
        #expect(request["logprobs"] as? Int == 1)
        #expect(request["prompt"] as? String == "Text: the food was good\nAnswer: good")
    }

    @Test("per-token embeddings are averaged into one vector")
    func perTokenEmbeddingsArePooled() throws {
        let pooledServer = try FaultInjectingServer()
        let tokenServer = try FaultInjectingServer(model: FakeLanguageModel(perTokenEmbeddings: true))
        defer {
            pooledServer.stop()
            tokenServer.stop()
        }
        let text = "the day was nice nice"
        let perToken = try RemoteClientFaultTests.model(tokenServer).embed([TextInput(text)])[0]
        let words = FakeLanguageModel.words(text)
        let expected = (0..<FakeLanguageModel.embeddingWidth).map { column in
            words.map { FakeLanguageModel.embedding(of: $0)[column] }.reduce(0, +) / Double(words.count)
        }
        #expect(perToken.count == FakeLanguageModel.embeddingWidth)
        for (value, reference) in zip(perToken, expected) { #expect(abs(Double(value) - reference) < 1e-6) }
        let pooled = try RemoteClientFaultTests.model(pooledServer).embed([TextInput(text), TextInput("a", pair: "b")])
        #expect(pooled[0].map(Double.init) == FakeLanguageModel.embedding(of: text).map { Double(Float($0)) })
        #expect(pooledServer.requests.last?.json?["input"] as? String == "a\nb")
    }
}
