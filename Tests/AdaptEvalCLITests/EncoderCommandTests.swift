import Foundation
import TestSupport
import Testing
import Transformers

@Suite struct EncoderCommandTests {
    /// Unlabelled texts over the tiny vocabulary.
    static func texts(in folder: URL) throws -> URL {
        let words = ["good", "bad", "great", "awful", "dog", "cat", "sun", "food", "movie"]
        let lines = (0..<40).map { #"{"text": "the \#(words[$0 % 9]) was very \#(words[($0 * 5 + 2) % 9])"}"# }
        return try TinyCheckpoint.jsonl(lines, in: folder, name: "texts.jsonl")
    }

    @Test("pretrain writes a BertForMaskedLM folder that loads with its head and scores masked tokens", arguments: ["full", "lora"])
    func pretrainWritesAMaskedLanguageModelFolder(strategy: String) throws {
        let model = try TinyCheckpoint.make()
        let output = model.deletingLastPathComponent().appendingPathComponent("pretrained-\(UUID().uuidString)")
        let result = try CommandRunner.run([
            "pretrain", "--model", model.path, "--text", try Self.texts(in: model).path, "--output", output.path,
            "--epochs", "1", "--batch-size", "8", "--max-length", "16", "--strategy", strategy, "--threads", "1", "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let metrics = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect(metrics?["fresh_head"] as? Bool == true && metrics?["training_texts"] as? Int == 36)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("config.json"))) as? [String: Any]
        #expect(config?["architectures"] as? [String] == ["BertForMaskedLM"])
        let names = try SafetensorsFile(contentsOf: output.appendingPathComponent("model.safetensors")).names
        #expect(names.contains("bert.embeddings.word_embeddings.weight") && names.contains("cls.predictions.bias"))
        #expect(!names.contains { $0.contains("lora") } && !names.contains("cls.predictions.decoder.weight"))
        let written = try Checkpoint(directory: output)
        let language = try BertMaskedLanguageModel(checkpoint: written)
        let ids = written.tokenizer.encode("the cat was good").ids
        let scores = try language.logProbabilities(of: [ScoredSequence(ids: ids, positions: Array(1..<(ids.count - 1)))])
        #expect(scores[0].count == ids.count - 2 && scores[0].allSatisfy { $0 < 0 && $0.isFinite })
        #expect(written.model.wordEmbeddings.table.value != (try Checkpoint(directory: model)).model.wordEmbeddings.table.value
            || strategy == "lora")
    }

    @Test("evaluate-embeddings scores STS pairs as the library does and names a bad line with exit 2")
    func evaluateEmbeddingsOnSTS() throws {
        let model = try TinyCheckpoint.make()
        let words = ["good", "bad", "great", "awful", "dog", "cat"]
        let lines = (0..<12).map { "g\tf\t2012\t\($0)\t\(Double($0 % 5))\tthe \(words[$0 % 6]) is good\ta \(words[($0 * 5) % 6]) was bad" }
        let sts = model.appendingPathComponent("sts.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: sts, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["evaluate-embeddings", "--model", model.path, "--sts", sts.path, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let scores = try #require(object?["scores"] as? [String: Double])
        #expect(object?["pairs"] as? Int == 12)
        #expect((-100...100).contains(try #require(scores["spearman"])) && scores["pearson"] != nil)

        try (lines[0] + "\n" + "g\tf\t2012\t99\tn/a\ta\tb\n").write(to: sts, atomically: true, encoding: .utf8)
        let bad = try CommandRunner.run(["evaluate-embeddings", "--model", model.path, "--sts", sts.path])
        #expect(bad.status == 2)
        #expect(bad.standardError.contains("\(sts.path):2: the score (field 5) 'n/a' is not a number"))
        let both = try CommandRunner.run(["evaluate-embeddings", "--model", model.path, "--sts", sts.path, "--pairs", sts.path])
        #expect(both.status == 2 && both.standardError.contains("give exactly one of"))
    }

    @Test("evaluate-embeddings ranks a BEIR folder and scores binary pairs")
    func evaluateEmbeddingsOnRetrievalAndPairs() throws {
        let model = try TinyCheckpoint.make()
        let folder = model.appendingPathComponent("beir")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("qrels"), withIntermediateDirectories: true)
        try (#"{"_id": "d1", "text": "the cat"}"# + "\n" + #"{"_id": "d2", "text": "a good dog"}"# + "\n")
            .write(to: folder.appendingPathComponent("corpus.jsonl"), atomically: true, encoding: .utf8)
        try (#"{"_id": "q1", "text": "the cat"}"# + "\n").write(to: folder.appendingPathComponent("queries.jsonl"), atomically: true, encoding: .utf8)
        try "query-id\tcorpus-id\tscore\nq1\td1\t1\n".write(to: folder.appendingPathComponent("qrels/test.tsv"), atomically: true, encoding: .utf8)
        let retrieval = try CommandRunner.run(["evaluate-embeddings", "--model", model.path, "--retrieval", folder.path, "--json"])
        #expect(retrieval.status == 0, "\(retrieval.standardError)")
        let scores = (try JSONSerialization.jsonObject(with: Data(retrieval.standardOutput.utf8)) as? [String: Any])?["scores"] as? [String: Double]
        // The query is the first document's text, so it ranks that document first.
        #expect(scores?["ndcg@10"] == 1 && scores?["mrr@10"] == 1 && scores?["recall@1"] == 1)

        let pairs = try TinyCheckpoint.jsonl([
            #"{"sentence1": "the cat", "sentence2": "the cat", "label": 1}"#, #"{"sentence1": "the cat", "sentence2": "awful movie", "label": 0}"#,
        ], in: model, name: "pairs.jsonl")
        let classified = try CommandRunner.run(["evaluate-embeddings", "--model", model.path, "--pairs", pairs.path, "--json"])
        #expect(classified.status == 0, "\(classified.standardError)")
        let ap = (try JSONSerialization.jsonObject(with: Data(classified.standardOutput.utf8)) as? [String: Any])?["scores"] as? [String: Double]
        #expect(ap?["average_precision"] == 1)
    }
}
