import Foundation
import TestSupport
import Testing

@testable import Transformers

/// Parity with PyTorch outputs for the default model (../shared/reference).
@Suite(.enabled(if: TestPaths.referenceAndModelAvailable, Comment(rawValue: TestPaths.skipReason)))
struct ReferenceParityTests {
    // Loaded once and only read afterwards.
    nonisolated(unsafe) static let checkpoint: Result<Checkpoint, Error> = Result {
        try Checkpoint(directory: TestPaths.model ?? TestPaths.modelCandidate)
    }

    func reference(_ name: String) throws -> [[String: Any]] {
        try TestPaths.readJSONLines((TestPaths.reference ?? TestPaths.sharedCandidate).appendingPathComponent(name))
    }

    @Test func everyReferenceTextTokenizesToTheSameIds() throws {
        let tokenizer = try Self.checkpoint.get().tokenizer
        let rows = try reference("minilm_tokenization.jsonl")
        #expect(rows.count == 140)
        var mismatches: [String] = []
        for row in rows {
            let text = row["text"] as! String
            let expected = (row["input_ids"] as! [NSNumber]).map { Int32($0.intValue) }
            let encoding = tokenizer.encode(text, maxLength: 128)
            if encoding.ids != expected { mismatches.append(text) }
            #expect(encoding.tokens == row["tokens"] as! [String])
        }
        #expect(mismatches.isEmpty, "mismatched: \(mismatches)")
    }

    @Test(arguments: [1, 7, 16, 140])
    func meanPooledEmbeddingsMatchPyTorchInMixedLengthBatches(batchSize: Int) throws {
        let checkpoint = try Self.checkpoint.get()
        let rows = try reference("minilm_embeddings.jsonl")
        let texts = rows.map { $0["text"] as! String }
        // Reverse order so that every batch mixes lengths differently from the reference run.
        let embedder = SentenceEmbedder(checkpoint: checkpoint, maxLength: 128, batchSize: batchSize)
        let vectors = try embedder.embed(texts.reversed())
        var worstDifference: Float = 0
        var worstCosine: Double = 1
        for (index, row) in rows.enumerated() {
            let expected = (row["mean_pooled"] as! [NSNumber]).map(\.floatValue)
            let actual = Array(vectors.row(texts.count - 1 - index))
            var dot = 0.0, a2 = 0.0, b2 = 0.0
            for (a, b) in zip(actual, expected) {
                worstDifference = max(worstDifference, abs(a - b))
                dot += Double(a) * Double(b); a2 += Double(a) * Double(a); b2 += Double(b) * Double(b)
            }
            worstCosine = min(worstCosine, dot / (a2 * b2).squareRoot())
        }
        #expect(worstDifference < 1e-4)
        #expect(worstCosine >= 0.99999)
    }

    @Test func normalizedEmbeddingsMatchPyTorch() throws {
        let checkpoint = try Self.checkpoint.get()
        let rows = try reference("minilm_embeddings.jsonl")
        let vectors = try SentenceEmbedder(checkpoint: checkpoint, normalize: true).embed(rows.map { $0["text"] as! String })
        for (index, row) in rows.enumerated() {
            let expected = (row["normalized"] as! [NSNumber]).map(\.floatValue)
            let worst = zip(vectors.row(index), expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-5, "text \(index)")
        }
    }

    @Test func theDefaultModelHasTheDocumentedShapeAndHash() throws {
        let checkpoint = try Self.checkpoint.get()
        #expect(checkpoint.configuration.layerCount == 6 && checkpoint.configuration.hiddenSize == 384)
        #expect(checkpoint.model.parameterCount == 22_713_216)
        #expect(try checkpoint.weightsSHA256() == "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db")
    }
}
