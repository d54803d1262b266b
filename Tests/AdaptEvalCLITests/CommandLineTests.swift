import Foundation
import TestSupport
import Testing
import Transformers

@Suite struct CommandLineTests {
    @Test(arguments: [
        ("help.txt", ["--help"]),
        ("embed-help.txt", ["embed", "--help"]),
        ("tokenize-help.txt", ["tokenize", "--help"]),
        ("bench-forward-help.txt", ["bench", "forward", "--help"]),
        ("train-help.txt", ["train", "--help"]),
        ("check-gradients-help.txt", ["check-gradients", "--help"]),
        ("run-help.txt", ["run", "--help"]),
        ("runs-show-help.txt", ["runs", "show", "--help"]),
        ("export-help.txt", ["export", "--help"]),
        ("merge-help.txt", ["merge", "--help"]),
        ("diverge-help.txt", ["diverge", "--help"]),
        ("transferability-help.txt", ["transferability", "--help"]),
        ("recommend-help.txt", ["recommend", "--help"]),
        ("generate-help.txt", ["generate", "--help"]),
        ("probe-help.txt", ["probe", "--help"]),
        ("probe-seat-help.txt", ["probe", "seat", "--help"]),
        ("probe-crows-pairs-help.txt", ["probe", "crows-pairs", "--help"]),
        ("probe-identity-terms-help.txt", ["probe", "identity-terms", "--help"]),
        ("probe-counterfactual-help.txt", ["probe", "counterfactual", "--help"]),
        ("toxicity-train-help.txt", ["toxicity", "train", "--help"]),
        ("toxicity-score-help.txt", ["toxicity", "score", "--help"]),
        ("gate-help.txt", ["gate", "--help"]),
        ("compare-help.txt", ["compare", "--help"]),
        ("runs-tag-help.txt", ["runs", "tag", "--help"]),
        ("pretrain-help.txt", ["pretrain", "--help"]),
        ("evaluate-embeddings-help.txt", ["evaluate-embeddings", "--help"]),
    ])
    func helpTextMatchesItsGoldenFile(golden: String, arguments: [String]) throws {
        let result = try CommandRunner.run(arguments)
        #expect(result.status == 0)
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Golden").appendingPathComponent(golden)
        if ProcessInfo.processInfo.environment["ADAPTEVAL_UPDATE_GOLDEN"] == "1" {
            try result.standardOutput.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(result.standardOutput == expected)
    }

    @Test func tokenizeWritesTheLibraryEncodingForEachLine() throws {
        let model = try TinyCheckpoint.make()
        let input = try TinyCheckpoint.jsonl([#"{"text": "Hello, cats!"}"#, "", #"{"text": "the \"cat\"\n"}"#], in: model)
        let result = try CommandRunner.run(["tokenize", "--model", model.path, "--input", input.path, "--tokens"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(lines.count == 2)
        #expect(lines[0]["text"] as? String == "Hello, cats!")
        #expect((lines[0]["input_ids"] as? [Int]) == [2, 5, 7, 10, 11, 8, 3])
        #expect((lines[0]["tokens"] as? [String]) == ["[CLS]", "hello", ",", "cat", "##s", "!", "[SEP]"])
        #expect(lines[1]["text"] as? String == "the \"cat\"\n")
    }

    @Test func embedWritesOneVectorPerTextInInputOrderFromStandardInput() throws {
        let model = try TinyCheckpoint.make()
        let texts = ["the cat", "hello world, hello cats", "a"]
        let input = texts.map { #"{"text": "\#($0)"}"# }.joined(separator: "\n")
        let result = try CommandRunner.run(
            ["embed", "--model", model.path, "--input", "-", "--batch-size", "2", "--normalize", "--threads", "1"],
            input: Data(input.utf8))
        #expect(result.status == 0, "\(result.standardError)")
        let checkpoint = try Checkpoint(directory: model)
        let expected = try SentenceEmbedder(checkpoint: checkpoint, normalize: true).embed(texts)
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 3)
        for (index, line) in lines.enumerated() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(object["text"] as? String == texts[index])
            let vector = (object["embedding"] as! [NSNumber]).map(\.floatValue)
            // The CLI may run other OpenBLAS kernels than this process (see BLASRuntime), so the
            // last bits can differ.
            #expect(vector.count == 16)
            #expect(zip(vector, expected.row(index)).allSatisfy { abs($0 - $1) < 1e-6 })
        }
    }

    @Test func aMalformedLineIsReportedWithItsFileAndLineNumberAndExitCode2() throws {
        let model = try TinyCheckpoint.make()
        let input = try TinyCheckpoint.jsonl([#"{"text": "ok"}"#, #"{"text": "fine"}"#, "{broken"], in: model)
        let result = try CommandRunner.run(["embed", "--model", model.path, "--input", input.path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("\(input.path):3: not a JSON object"))
        #expect(result.standardOutput.isEmpty)
    }

    @Test func aLineWithoutTextOrWithInvalidUTF8IsRejected() throws {
        let model = try TinyCheckpoint.make()
        let missing = try TinyCheckpoint.jsonl([#"{"label": 1}"#], in: model)
        let result = try CommandRunner.run(["tokenize", "--model", model.path, "--input", missing.path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("\(missing.path):1: missing string field \"text\""))
        let invalid = model.appendingPathComponent("bad.jsonl")
        try Data(#"{"text": "a"}"#.utf8 + [0x0A, 0x7B, 0xC3, 0x28, 0x7D, 0x0A]).write(to: invalid)
        let second = try CommandRunner.run(["tokenize", "--model", model.path, "--input", invalid.path])
        #expect(second.status == 2)
        #expect(second.standardError.contains("\(invalid.path):2: not valid UTF-8"))
    }

    @Test func aCorruptCheckpointFailsWithExitCode2NamingTheFile() throws {
        let model = try TinyCheckpoint.make()
        let weights = model.appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes.replaceSubrange(8..<12, with: Data("XXXX".utf8))
        try bytes.write(to: weights)
        let result = try CommandRunner.run(["model", "info", model.path])
        #expect(result.status == 2)
        #expect(result.standardError.contains(weights.path))
        #expect(result.standardError.contains("not valid JSON"))
    }

    @Test func modelInfoReportsArchitectureParametersAndHash() throws {
        let model = try TinyCheckpoint.make()
        let result = try CommandRunner.run(["model", "info", model.path, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [String: Any]
        let checkpoint = try Checkpoint(directory: model)
        #expect(object["parameters"] as? Int == checkpoint.model.parameterCount)
        #expect(object["sha256"] as? String == (try checkpoint.weightsSHA256()))
        #expect(object["layers"] as? Int == 2)
        #expect((object["tensors"] as? [Any])?.count == checkpoint.model.parameters.count)
    }

    @Test func badArgumentsAndMissingFilesExitWith2() throws {
        let model = try TinyCheckpoint.make()
        let unknown = try CommandRunner.run(["embed", "--model", model.path, "--input", "x", "--frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("--frobnicate"))
        let threads = try CommandRunner.run(["embed", "--model", model.path, "--input", "x", "--threads", "0"])
        #expect(threads.status == 2)
        #expect(threads.standardError.contains("--threads must be at least 1"))
        let noModel = try CommandRunner.run(["model", "info", "/nonexistent/model"])
        #expect(noModel.status == 2)
        #expect(noModel.standardError.contains("/nonexistent/model: no such file"))
        let noInput = try CommandRunner.run(["tokenize", "--model", model.path, "--input", "/nonexistent/in.jsonl"])
        #expect(noInput.status == 2)
        #expect(noInput.standardError.contains("/nonexistent/in.jsonl: no such file"))
    }

    @Test func benchForwardReportsTimingsAsJSON() throws {
        let model = try TinyCheckpoint.make()
        let result = try CommandRunner.run(
            ["bench", "forward", "--model", model.path, "--batch", "4", "--seq", "16", "--repeats", "3", "--warmup", "1", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [String: Any]
        #expect(object["batch"] as? Int == 4 && object["seq"] as? Int == 16)
        #expect((object["seconds"] as? [Double])?.count == 3)
        let median = object["median_seconds"] as? Double ?? 0
        #expect(median > 0)
        #expect(abs((object["tokens_per_second"] as? Double ?? 0) - 64 / median) < 1e-6 * 64 / median)
    }

    @Test(.enabled(if: TestPaths.referenceAndModelAvailable, Comment(rawValue: TestPaths.skipReason)))
    func tokenizeOnTheDefaultModelReproducesTheReferenceIds() throws {
        let reference = TestPaths.reference!.appendingPathComponent("minilm_tokenization.jsonl")
        let rows = try TestPaths.readJSONLines(reference)
        let directory = try TestPaths.temporaryDirectory()
        let lines = try rows.map { row -> String in
            String(decoding: try JSONSerialization.data(withJSONObject: ["text": row["text"]!]), as: UTF8.self)
        }
        let input = try TinyCheckpoint.jsonl(lines, in: directory)
        let result = try CommandRunner.run(["tokenize", "--model", TestPaths.model!.path, "--input", input.path])
        #expect(result.status == 0, "\(result.standardError)")
        let output = result.standardOutput.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(output.count == rows.count)
        for (row, line) in zip(rows, output) {
            #expect((line["input_ids"] as? [Int]) == (row["input_ids"] as? [Int]))
        }
    }
}
