import Foundation
import TestSupport
import Testing

/// JSON Lines of a small task the tiny checkpoint's vocabulary covers.
func taskLines(count: Int, offset: Int = 0) -> [String] {
    let positive = ["good", "great", "sun", "dog"]
    let negative = ["bad", "awful", "not", "cat"]
    return (0..<count).map { index in
        let label = index % 2 == 0 ? "positive" : "negative"
        let words = label == "positive" ? positive : negative
        let text = "the \(words[(index + offset) % 4]) movie was \(words[(index + offset + 1) % 4])"
        return #"{"text": "\#(text)", "label": "\#(label)"}"#
    }
}

@Suite struct TrainCommandTests {
    @Test func trainWritesTheAdaptedCheckpointAndMetrics() throws {
        let model = try TinyCheckpoint.make()
        let train = try TinyCheckpoint.jsonl(taskLines(count: 24), in: model, name: "train.jsonl")
        let validation = try TinyCheckpoint.jsonl(taskLines(count: 8, offset: 1), in: model, name: "validation.jsonl")
        let output = model.appendingPathComponent("adapted")
        let result = try CommandRunner.run([
            "train", "--model", model.path, "--train", train.path, "--validation", validation.path, "--test", validation.path,
            "--strategy", "lora", "--lora-rank", "2", "--epochs", "3", "--batch-size", "8", "--output", output.path, "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("metrics.json"))) as! [String: Any]
        #expect(metrics["strategy"] as? String == "lora")
        #expect((metrics["epochs"] as? [Any])?.count == 3)
        #expect(metrics["labels"] as? [String] == ["negative", "positive"])
        #expect((metrics["trainable_parameters"] as? Int ?? 0) < (metrics["total_parameters"] as? Int ?? 0))
        #expect((metrics["test"] as? [String: Any])?["accuracy"] != nil)
        #expect((metrics["stop_reason"] as? String)?.contains("epoch") == true)
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("adapter.safetensors").path))
        let adaptation = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("adaptation.json"))) as! [String: Any]
        #expect(adaptation["base_model_sha256"] as? String == metrics["base_model_sha256"] as? String)
        // --json prints the same metrics on standard output.
        let printed = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [String: Any]
        #expect(printed["strategy"] as? String == "lora")
    }

    @Test func aTestLabelNeverSeenInTrainingIsReportedWithItsLine() throws {
        let model = try TinyCheckpoint.make()
        let train = try TinyCheckpoint.jsonl(taskLines(count: 8), in: model, name: "train.jsonl")
        let validation = try TinyCheckpoint.jsonl(taskLines(count: 2) + [#"{"text": "a", "label": "neutral"}"#], in: model, name: "v.jsonl")
        let result = try CommandRunner.run([
            "train", "--model", model.path, "--train", train.path, "--validation", validation.path, "--strategy", "full",
            "--output", model.appendingPathComponent("out").path,
        ])
        #expect(result.status == 2)
        #expect(result.standardError.contains("\(validation.path):3: label 'neutral' does not occur in the training data"))
    }

    @Test func unknownStrategiesAndBadOptionsExitWith2() throws {
        let model = try TinyCheckpoint.make()
        let train = try TinyCheckpoint.jsonl(taskLines(count: 8), in: model, name: "train.jsonl")
        let common = ["train", "--model", model.path, "--train", train.path, "--validation", train.path,
                      "--output", model.appendingPathComponent("out").path]
        let unknown = try CommandRunner.run(common + ["--strategy", "telepathy"])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("unknown strategy 'telepathy'"))
        let accumulate = try CommandRunner.run(common + ["--strategy", "full", "--accumulate", "0"])
        #expect(accumulate.status == 2)
        #expect(accumulate.standardError.contains("--accumulate: must be at least 1"))
    }

    @Test func csvAndTsvFilesAreReadByColumnName() throws {
        let model = try TinyCheckpoint.make()
        let rows = (0..<16).map { index in index % 2 == 0 ? "the good movie,\"a, great sun\",yes" : "the bad movie,\"a, not cat\",no" }
        let csv = model.appendingPathComponent("data.csv")
        try (["review,summary,verdict"] + rows).joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        let output = model.appendingPathComponent("out")
        let result = try CommandRunner.run([
            "train", "--model", model.path, "--format", "csv", "--train", csv.path, "--validation", csv.path,
            "--text-column", "review", "--pair-column", "summary", "--label-column", "verdict", "--strategy", "linear-probe",
            "--epochs", "1", "--output", output.path, "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let metrics = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [String: Any]
        #expect(metrics["labels"] as? [String] == ["no", "yes"])
        let missing = try CommandRunner.run([
            "train", "--model", model.path, "--format", "csv", "--train", csv.path, "--validation", csv.path,
            "--strategy", "full", "--output", output.path,
        ])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("\(csv.path): no column 'text' (columns: review, summary, verdict)"))
    }

    @Test func sst2FilesTrainWithTheirNamedLabels() throws {
        let model = try TinyCheckpoint.make()
        let lines = ["sentence\tlabel"] + (0..<12).map { $0 % 2 == 0 ? "a good movie \t1" : "a bad movie \t0" }
        let tsv = model.appendingPathComponent("train.tsv")
        try lines.joined(separator: "\n").write(to: tsv, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run([
            "train", "--model", model.path, "--format", "sst2", "--train", tsv.path, "--validation", tsv.path,
            "--strategy", "bitfit", "--epochs", "1", "--output", model.appendingPathComponent("out").path, "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let metrics = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [String: Any]
        #expect(metrics["labels"] as? [String] == ["negative", "positive"])
    }

    @Test func aDivergingRunExitsWith3AndNamesTheStep() throws {
        let model = try TinyCheckpoint.make()
        let train = try TinyCheckpoint.jsonl(taskLines(count: 16), in: model, name: "train.jsonl")
        let result = try CommandRunner.run([
            "train", "--model", model.path, "--train", train.path, "--validation", train.path, "--strategy", "full",
            "--lr", "1e30", "--max-grad-norm", "0", "--warmup", "0", "--epochs", "3", "--batch-size", "4",
            "--output", model.appendingPathComponent("out").path,
        ])
        #expect(result.status == 3, "\(result.standardError)")
        #expect(result.standardError.contains("training diverged at step"))
    }
}

@Suite(.enabled(if: TestPaths.referenceAndModelAvailable, Comment(rawValue: TestPaths.skipReason)))
struct CheckGradientsCommandTests {
    @Test func theSharedPyTorchReferencePasses() throws {
        let reference = TestPaths.reference!.appendingPathComponent("minilm_grad_check.json")
        let result = try CommandRunner.run(["check-gradients", "--model", TestPaths.model!.path, "--reference", reference.path, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [String: Any]
        #expect(report["passed"] as? Bool == true)
        #expect((report["tensors"] as? [Any])?.count == 103)
        #expect(abs((report["loss"] as! Double) - (report["reference_loss"] as! Double)) < 1e-4)
    }

    @Test func aReferenceWithATransposedGradientFailsWithExitCode1() throws {
        // Swap the first six values' order for one tensor: the norm is unchanged, the layout is not.
        let source = TestPaths.reference!
        let directory = try TestPaths.temporaryDirectory()
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("minilm_grad_check.json"))) as! [String: Any]
        var gradients = object["grads"] as! [String: Any]
        var entry = gradients["encoder.layer.2.attention.self.query.weight"] as! [String: Any]
        entry["first"] = Array((entry["first"] as! [Double]).reversed())
        gradients["encoder.layer.2.attention.self.query.weight"] = entry
        object["grads"] = gradients
        try JSONSerialization.data(withJSONObject: object).write(to: directory.appendingPathComponent("doctored.json"))
        try FileManager.default.copyItem(at: source.appendingPathComponent("minilm_grad_head.safetensors"),
                                         to: directory.appendingPathComponent("minilm_grad_head.safetensors"))
        let result = try CommandRunner.run([
            "check-gradients", "--model", TestPaths.model!.path, "--reference", directory.appendingPathComponent("doctored.json").path,
        ])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("encoder.layer.2.attention.self.query.weight"))
        #expect(result.standardOutput.contains("FAILED (1 tensors)"))
    }
}
