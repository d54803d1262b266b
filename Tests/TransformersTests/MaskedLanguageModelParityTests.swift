import Evaluation
import Foundation
import TestSupport
import Testing

@testable import Transformers

/// Parity with PyTorch's `BertForMaskedLM` on the tiny reference checkpoint
/// (../shared/reference/mlm; its README defines the scoring).
@Suite(.enabled(if: TestPaths.reference != nil, Comment(rawValue: TestPaths.skipReason)))
struct MaskedLanguageModelParityTests {
    static var folder: URL { (TestPaths.reference ?? TestPaths.sharedCandidate).appendingPathComponent("mlm") }

    // Loaded once and only read afterwards.
    nonisolated(unsafe) static let checkpoint: Result<Checkpoint, Error> = Result {
        try Checkpoint(directory: folder.appendingPathComponent("tiny-bert-mlm"))
    }

    func reference(_ name: String) throws -> [[String: Any]] {
        try TestPaths.readJSONLines(Self.folder.appendingPathComponent(name))
    }

    func ids(_ value: Any?) -> [Int32] { (value as? [NSNumber] ?? []).map { Int32($0.intValue) } }
    func integers(_ value: Any?) -> [Int] { (value as? [NSNumber] ?? []).map(\.intValue) }
    func number(_ value: Any?) -> Double { (value as? NSNumber)?.doubleValue ?? .nan }

    @Test func theTinyCheckpointHasAHeadTiedToItsWordEmbeddings() throws {
        let checkpoint = try Self.checkpoint.get()
        let head = try checkpoint.requireMaskedLanguageModelHead()
        #expect(head.isTied && head.decoder.weight === checkpoint.model.wordEmbeddings.table)
        #expect(head.vocabularySize == 30_522 && head.hiddenSize == 64)
        #expect(checkpoint.tokenizer.maskID == 103)
    }

    @Test func theTopFiveTokensAtTheMaskMatchPyTorch() throws {
        let checkpoint = try Self.checkpoint.get()
        let language = try BertMaskedLanguageModel(checkpoint: checkpoint)
        let rows = try reference("mlm_head_tiny.jsonl")
        #expect(rows.count == 4)
        let sequences = rows.map { row in
            ScoredSequence(
                ids: checkpoint.tokenizer.encode(row["text"] as? String ?? "").ids,
                positions: [(row["mask_position"] as? NSNumber)?.intValue ?? -1])
        }
        let scores = try language.scores(of: sequences, top: 5)
        for (index, row) in rows.enumerated() {
            #expect(sequences[index].ids[sequences[index].positions[0]] == checkpoint.tokenizer.maskID)
            let top = scores[index][0].top
            #expect(top.map(\.tokenID) == ids(row["top_ids"]), "sentence \(index)")
            let expected = (row["top_logprobs"] as? [NSNumber] ?? []).map(\.doubleValue)
            for (actual, reference) in zip(top.map(\.logProbability), expected) {
                #expect(abs(actual - reference) < 1e-4, "sentence \(index): \(actual) vs \(reference)")
            }
        }
    }

    @Test func crowsPairsSentenceScoresAndTheMetricMatchPyTorch() throws {
        let language = try BertMaskedLanguageModel(checkpoint: try Self.checkpoint.get())
        let rows = try reference("crows_pairs_tiny_mlm.jsonl")
        #expect(rows.count == 300)
        var sequences: [ScoredSequence] = []
        for row in rows {
            for side in ["sent_more", "sent_less"] {
                sequences.append(ScoredSequence(ids: ids(row[side + "_ids"]), positions: integers(row[side + "_shared_positions"])))
            }
        }
        let sums = try language.logProbabilities(of: sequences).map { $0.reduce(0, +) }
        var worst = 0.0
        var decided = 0
        var moreWins = (ours: 0, reference: 0)
        for (index, row) in rows.enumerated() {
            let (more, less) = (sums[2 * index], sums[2 * index + 1])
            let (referenceMore, referenceLess) = (number(row["sent_more_score"]), number(row["sent_less_score"]))
            worst = max(worst, abs(more - referenceMore), abs(less - referenceLess))
            guard abs(referenceMore - referenceLess) >= 2e-3 else { continue }
            decided += 1
            if more > less { moreWins.ours += 1 }
            if referenceMore > referenceLess { moreWins.reference += 1 }
        }
        #expect(worst < 2e-3, "largest sentence-score difference \(worst)")
        #expect(decided >= 299)
        #expect(moreWins.ours == moreWins.reference)
        let metric = 100 * Double(moreWins.ours) / Double(decided)
        #expect(metric == 100 * Double(moreWins.reference) / Double(decided))
    }

    @Test func theTokenizerReproducesTheCrowsPairsIdsFromTheRawSentences() throws {
        let tokenizer = try Self.checkpoint.get().tokenizer
        let shared = try #require(TestPaths.shared)
        let path = shared.appendingPathComponent("data/01_crows_pairs/crows_pairs_anonymized.csv").path
        let table = try DelimitedText(contentsOf: path)
        let moreColumn = try table.column("sent_more", path: path)
        let lessColumn = try table.column("sent_less", path: path)
        let rows = try reference("crows_pairs_tiny_mlm.jsonl")
        var mismatches: [Int] = []
        for row in rows {
            let index = (row["index"] as? NSNumber)?.intValue ?? -1
            let fields = table.records[index].fields
            if tokenizer.encode(fields[moreColumn]).ids != ids(row["sent_more_ids"])
                || tokenizer.encode(fields[lessColumn]).ids != ids(row["sent_less_ids"])
            {
                mismatches.append(index)
            }
        }
        #expect(rows.count == 300)
        #expect(mismatches.isEmpty, "pairs whose ids differ: \(mismatches)")
    }

    @Test func stereoSetOptionScoresMatchPyTorchWithPairTokenTypes() throws {
        let checkpoint = try Self.checkpoint.get()
        let language = try BertMaskedLanguageModel(checkpoint: checkpoint)
        let separator = checkpoint.tokenizer.separatorID
        let rows = try reference("stereoset_tiny_mlm.jsonl")
        #expect(rows.count == 200)
        var sequences: [ScoredSequence] = []
        var singleSegment: [ScoredSequence] = []
        var expected: [(sum: Double, mean: Double)] = []
        for row in rows {
            let isPair = row["type"] as? String == "intersentence"
            for option in ["stereotype", "anti-stereotype", "unrelated"] {
                let entry = row[option] as? [String: Any] ?? [:]
                let tokens = ids(entry["ids"])
                let positions = integers(entry["scored_positions"])
                sequences.append(ScoredSequence(
                    ids: tokens, typeIDs: isPair ? ScoredSequence.pairTypeIDs(tokens, separatorID: separator) : nil,
                    positions: positions))
                if isPair { singleSegment.append(ScoredSequence(ids: tokens, positions: positions)) }
                expected.append((number(entry["sum"]), number(entry["mean"])))
            }
        }
        #expect(singleSegment.count == 300)
        let scores = try language.logProbabilities(of: sequences)
        var worst = (sum: 0.0, mean: 0.0)
        for (values, reference) in zip(scores, expected) {
            let sum = values.reduce(0, +)
            worst.sum = max(worst.sum, abs(sum - reference.sum))
            worst.mean = max(worst.mean, abs(sum / Double(values.count) - reference.mean))
        }
        #expect(worst.sum < 2e-3 && worst.mean < 2e-3, "largest differences: \(worst)")
        // The second segment's token types matter: scored as one segment, pairs move visibly.
        let pairSums = zip(sequences, scores).filter { $0.0.typeIDs.contains(1) }.map { $0.1.reduce(0, +) }
        let flatSums = try language.logProbabilities(of: singleSegment).map { $0.reduce(0, +) }
        #expect(zip(pairSums, flatSums).map { abs($0 - $1) }.max() ?? 0 > 0.01)
    }

    @Test func maskedLanguageModelGradientsMatchPyTorch() throws {
        let checkpoint = try Self.checkpoint.get()
        let report = try GradientCheck().runMaskedLanguageModel(
            checkpoint: checkpoint, reference: Self.folder.appendingPathComponent("mlm_grad_check.json"))
        #expect(report.missing.isEmpty)
        #expect(report.tensors.count == 42)
        #expect(report.lossPassed, "loss \(report.loss) vs \(report.referenceLoss)")
        for tensor in report.tensors where !tensor.passed {
            Issue.record("\(tensor.name): norm \(tensor.norm) vs \(tensor.referenceNorm), first values off by \(tensor.firstValuesError)")
        }
        #expect(report.passed)
    }
}
