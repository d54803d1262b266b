import Foundation
import TestSupport
import Testing

@Suite struct ProbeCommandTests {
    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func seatWritesOneRecordPerTestWithEffectSizeAndExactPValue() throws {
        guard let model = TestPaths.model, let shared = TestPaths.shared else { return }
        let tests = shared.appendingPathComponent("data/03_seat/tests")
        let result = try CommandRunner.run([
            "probe", "seat", "--model", model.path, "--tests", tests.appendingPathComponent("weat6.jsonl").path,
            tests.appendingPathComponent("weat7.jsonl").path, "--resamples", "100", "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let records = try Self.jsonLines(result.standardOutput)
        #expect(records.map { $0["test"] as? String } == ["weat6.jsonl", "weat7.jsonl"])
        let first = try #require(records.first)
        // bench/torch_seat.py: 1.0210992770189207 (NativeModelTests holds the three-test comparison).
        #expect(abs(try #require(first["effect_size"] as? Double) - 1.0210992770189207) < 0.01)
        #expect(first["exact"] as? Bool == true)
        let p = try #require(first["p_value"] as? Double)
        let holm = try #require(first["p_holm"] as? Double)
        #expect(p > 0 && p <= holm && holm <= 1)
    }

    @Test func aMaskedLMProbeOnACheckpointWithoutAHeadExitsTwoSayingWhatIsNeeded() throws {
        let model = try TinyCheckpoint.make()
        let data = try TinyCheckpoint.jsonl([], in: model, name: "pairs.csv")
        try ",sent_more,sent_less,stereo_antistereo,bias_type\n0,the cat was bad,the dog was bad,stereo,age\n"
            .write(to: data, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["probe", "crows-pairs", "--model", model.path, "--data", data.path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("masked-LM head") && result.standardError.contains("CrowS-Pairs"))
        #expect(result.standardOutput.isEmpty)
    }

    @Test func aSEATFileMissingAKeyExitsTwoNamingTheFileAndKey() throws {
        let model = try TinyCheckpoint.make()
        let test = try TinyCheckpoint.jsonl(
            [#"{"targ1": {"category": "a", "examples": ["cat", "dog"]}, "targ2": {"category": "b", "examples": ["sun", "world"]}, "attr1": {"category": "c", "examples": ["good"]}}"#],
            in: model, name: "broken.jsonl")
        let result = try CommandRunner.run(["probe", "seat", "--model", model.path, "--tests", test.path])
        #expect(result.status == 2)
        #expect(result.standardError.contains(test.path) && result.standardError.contains("\"attr2\""))
    }

    /// A tiny toxicity scorer trained through the command line on toy texts.
    static func trainScorer() throws -> (folder: URL, scorer: URL) {
        let model = try TinyCheckpoint.make(seed: 4)
        let rows = (0..<60).map { index in index % 2 == 0 ? "the dog is bad,toxic" : "the cat is good,nontoxic" }
        let data = try TinyCheckpoint.jsonl(["text,label"] + rows, in: model, name: "toy.csv")
        let scorer = model.deletingLastPathComponent().appendingPathComponent("scorer-\(UUID().uuidString)")
        let result = try CommandRunner.run([
            "toxicity", "train", "--model", model.path, "--train", data.path, "--test", data.path, "--output", scorer.path,
            "--epochs", "1", "--identity-limit", "100", "--threads", "1", "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let metrics = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let heldOut = try #require(metrics["held_out"] as? [String: Any])
        #expect(heldOut["texts"] as? Int == 60 && heldOut["toxic"] as? Int == 30)
        #expect((metrics["identity_terms"] as? [String: Any])?["templates"] as? Int == 100)
        return (model, scorer)
    }

    @Test func toxicityScoresOneLinePerTextInInputOrderAndSummarisesPerLabel() throws {
        guard TestPaths.shared != nil else { return }
        let (folder, scorer) = try Self.trainScorer()
        let texts = ["the dog is bad", "hello world", "the cat is good"]
        let input = try TinyCheckpoint.jsonl(
            texts.enumerated().map { #"{"text": "\#($0.element)", "label": "\#($0.offset == 0 ? "x" : "y")"}"# }, in: folder,
            name: "texts.jsonl")
        let result = try CommandRunner.run(["toxicity", "score", "--scorer", scorer.path, "--input", input.path])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = try Self.jsonLines(result.standardOutput)
        #expect(lines.map { $0["line"] as? Int } == [1, 2, 3])
        for line in lines {
            let toxicity = try #require(line["toxicity"] as? Double)
            #expect((0...1).contains(toxicity) && (line["toxic"] as? Bool) == (toxicity >= 0.5))
            #expect(line["text"] == nil, "texts are not echoed")
        }
        let summary = try CommandRunner.run(["toxicity", "score", "--scorer", scorer.path, "--input", input.path, "--summary", "--json"])
        #expect(summary.status == 0, "\(summary.standardError)")
        let labels = try Self.jsonLines(summary.standardOutput)
        #expect(labels.map { $0["label"] as? String } == ["x", "y"] && labels.map { $0["texts"] as? Int } == [1, 2])
    }

    @Test func identityTemplatesWithoutTermsExitTwoWithTheFile() throws {
        guard TestPaths.shared != nil else { return }
        let (folder, scorer) = try Self.trainScorer()
        let templates = try TinyCheckpoint.jsonl(["Text,Label", "hug everyone,NOT_BAD", "hate everyone,BAD"], in: folder, name: "t.csv")
        let result = try CommandRunner.run(["probe", "identity-terms", "--model", scorer.path, "--templates", templates.path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("\(templates.path): ") && result.standardError.contains("identity terms"))
    }
}
