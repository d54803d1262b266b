import Foundation
import TestSupport
import Testing

/// `embed`, `diverge` and `probe seat` on a served model's embeddings endpoint
/// (`FaultInjectingServer`), beside the same commands on a checkpoint.
@Suite struct ServedEmbeddingCommandTests {
    static let texts = ["the day was nice", "people are kind", "a \"quoted\"\nline", "really rude people", "the food was awful"]

    static func lines(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    static func input(_ texts: [String], name: String) throws -> URL {
        let folder = try TestPaths.temporaryDirectory("adapteval-served-embeddings")
        let lines = try texts.map { String(decoding: try JSONSerialization.data(withJSONObject: ["text": $0]), as: UTF8.self) }
        return try TinyCheckpoint.jsonl(lines, in: folder, name: name)
    }

    @Test("embed --endpoint prints the server's vectors in input order, unit length with --normalize, and from the cache again")
    func embedThroughTheEndpoint() throws {
        let server = try FaultInjectingServer(model: FakeLanguageModel(perTokenEmbeddings: true))
        defer { server.stop() }
        let input = try Self.input(Self.texts, name: "texts.jsonl")
        let cache = input.deletingLastPathComponent().appendingPathComponent("cache.sqlite").path
        let arguments = ["embed", "--endpoint", server.baseURL.absoluteString, "--remote-model", "fake", "--input", input.path,
                         "--cache", cache, "--concurrency", "3"]
        let result = try CommandRunner.run(arguments)
        #expect(result.status == 0, "\(result.standardError)")
        let lines = try Self.lines(result.standardOutput)
        #expect(lines.map { $0["text"] as? String } == Self.texts)
        for (text, line) in zip(Self.texts, lines) {
            // Per-token vectors averaged by the client.
            let words = FakeLanguageModel.words(text)
            let expected = (0..<FakeLanguageModel.embeddingWidth).map { column in
                words.map { FakeLanguageModel.embedding(of: $0)[column] }.reduce(0, +) / Double(words.count)
            }
            let vector = try #require(line["embedding"] as? [Double])
            #expect(vector.count == expected.count && zip(vector, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(text)")
        }
        #expect(server.requestCount == Self.texts.count)

        let normalized = try CommandRunner.run(arguments + ["--normalize"])
        #expect(normalized.status == 0)
        #expect(server.requestCount == Self.texts.count, "answered from the cache")
        for line in try Self.lines(normalized.standardOutput) {
            let vector = try #require(line["embedding"] as? [Double])
            #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
        }
    }

    @Test("embed, diverge and probe seat take --model or --endpoint, not both and not neither (exit 2)")
    func oneSourceOfEmbeddings() throws {
        let input = try Self.input(Self.texts, name: "one.jsonl")
        let endpoint = ["--endpoint", "http://127.0.0.1:9"]
        for (arguments, message) in [
            (["embed", "--input", input.path], "give --model (a checkpoint folder) or --endpoint"),
            (["embed", "--input", input.path, "--model", "m", "--remote-model", "x"] + endpoint, "not both"),
            (["embed", "--input", input.path] + endpoint, "--endpoint needs --remote-model"),
            (["embed", "--input", input.path, "--remote-model", "x", "--model", "m"], "--remote-model needs --endpoint"),
            (["embed", "--input", input.path, "--remote-model", "x", "--pooling", "cls"] + endpoint, "a served model's server pools"),
            (["diverge", input.path, input.path, "--model", "m", "--remote-model", "x"] + endpoint, "not both"),
            (["diverge", input.path, input.path, "--remote-model", "x", "--tokens", "wordpiece"] + endpoint, "counted in words"),
            (["probe", "seat"], "give --model (a checkpoint folder) or --endpoint"),
            (["probe", "seat", "--model", "m", "--remote-model", "x"] + endpoint, "not both"),
            (["probe", "seat", "--remote-model", "x", "--base", "b"] + endpoint, "--base belongs to an adapted --model"),
        ] {
            let result = try CommandRunner.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
        }
    }

    @Test("diverge --endpoint counts words as the checkpoint path does and embeds each sampled text once")
    func divergeThroughTheEndpoint() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let source = try Self.input(Self.texts, name: "source.jsonl")
        let target = try Self.input(["the day was awful", "people are rude", "a quite nice day", "kind people", "the food"], name: "target.jsonl")
        let served = try CommandRunner.run([
            "diverge", source.path, target.path, "--endpoint", server.baseURL.absoluteString, "--remote-model", "fake", "--json",
            "--permutations", "20",
        ])
        #expect(served.status == 0, "\(served.standardError)")
        let measured = try #require(try JSONSerialization.jsonObject(with: Data(served.standardOutput.utf8)) as? [String: Any])
        #expect(measured["tokens"] as? String == "words")
        #expect(server.requestCount == 10)
        let cosine = try #require(measured["cosine"] as? Double)
        #expect((-1...1).contains(cosine) && (measured["proxy_a_distance"] as? Double).map { (0...2).contains($0) } == true)
        let model = try TinyCheckpoint.make()
        let native = try CommandRunner.run([
            "diverge", source.path, target.path, "--model", model.path, "--tokens", "words", "--json", "--permutations", "20",
        ])
        #expect(native.status == 0, "\(native.standardError)")
        let local = try #require(try JSONSerialization.jsonObject(with: Data(native.standardOutput.utf8)) as? [String: Any])
        for key in ["jensen_shannon", "kl_source_target", "kl_target_source"] {
            #expect((measured[key] as? Double) == (local[key] as? Double), "\(key)")
        }
    }

    @Test("probe seat --endpoint with --drift-from probes the served adapter and its base on the same items; drift is their difference")
    func seatDriftBetweenServedModels() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let folder = try TestPaths.temporaryDirectory("adapteval-served-seat")
        let file = try FakeLanguageModel.writeSEATTest(in: folder)
        func seat(_ extra: [String]) throws -> [[String: Any]] {
            let result = try CommandRunner.run([
                "probe", "seat", "--endpoint", server.baseURL.absoluteString, "--tests", file.path, "--resamples", "200", "--json",
                "--cache", folder.appendingPathComponent("cache.sqlite").path,
            ] + extra)
            #expect(result.status == 0, "\(result.standardError)")
            return try Self.lines(result.standardOutput)
        }
        let base = try #require(try seat(["--remote-model", "fake"]).first)
        let adapter = try seat(["--remote-model", "fake-adapter", "--drift-from", "fake"])
        #expect(adapter.count == 2, "one record for the test, one for mean |d|")
        let record = try #require(adapter.first)
        let (d, baseD) = (try #require(record["effect_size"] as? Double), try #require(base["effect_size"] as? Double))
        #expect(d != baseD, "the adapter's embeddings differ")
        #expect(record["base_effect_size"] as? Double == baseD)
        #expect(abs(try #require(record["drift"] as? Double) - (d - baseD)) < 1e-12)
        #expect(abs(try #require(record["harm_drift"] as? Double) - (abs(d) - abs(baseD))) < 1e-12)
        let (low, high) = (try #require(record["drift_low"] as? Double), try #require(record["drift_high"] as? Double))
        #expect(low <= d - baseD && d - baseD <= high)
        // A model compared with itself has not drifted.
        let itself = try #require(try seat(["--remote-model", "fake", "--drift-from", "fake"]).first)
        #expect(itself["drift"] as? Double == 0)
    }

    @Test("probe seat --model with --drift-from a checkpoint pairs the two checkpoints' SEAT on the same items")
    func seatDriftBetweenCheckpoints() throws {
        let folder = try TestPaths.temporaryDirectory("adapteval-checkpoint-seat")
        let file = try SEATTestFile.write(
            in: folder, name: "tiny_weat",
            targets: (["good movie", "great food", "good food", "great movie"], ["bad movie", "awful food", "bad food", "awful movie"]),
            attributes: (["cat", "the cat", "cats"], ["dog", "the dog", "a dog"]))
        let (adapted, base) = (try TinyCheckpoint.make(seed: 3), try TinyCheckpoint.make(seed: 4))
        func seat(_ model: URL, _ extra: [String] = []) throws -> [String: Any] {
            let result = try CommandRunner.run(
                ["probe", "seat", "--model", model.path, "--tests", file.path, "--resamples", "100", "--json"] + extra)
            #expect(result.status == 0, "\(result.standardError)")
            return try #require(try Self.lines(result.standardOutput).first)
        }
        let baseD = try #require(try seat(base)["effect_size"] as? Double)
        let record = try seat(adapted, ["--drift-from", base.path])
        let d = try #require(record["effect_size"] as? Double)
        #expect(record["base_effect_size"] as? Double == baseD && d != baseD)
        #expect(abs(try #require(record["drift"] as? Double) - (d - baseD)) < 1e-12)
    }
}
