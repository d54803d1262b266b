import Backends
import Evaluation
import Foundation
import Probes
import TestSupport
import Testing
import Transformers

/// CrowS-Pairs and StereoSet through the native masked LM against PyTorch's scores of the tiny
/// BERT in ../shared/reference/mlm (its README defines them): per sentence within 2e-3, the
/// same aggregates, ignoring comparisons whose two reference scores are closer than 2e-3.
@Suite("Masked-LM probes against PyTorch")
struct MaskedLanguageModelProbeParityTests {
    static func model() throws -> NativeModel? {
        guard let reference = TestPaths.reference else { return nil }
        return try NativeModel(checkpoint: Checkpoint(directory: reference.appendingPathComponent("mlm/tiny-bert-mlm")))
    }

    @Test("CrowS-Pairs: the first 300 pairs tokenize, align and score as PyTorch did")
    func crowsPairs() throws {
        guard let model = try Self.model(), let reference = TestPaths.reference, let shared = TestPaths.shared else { return }
        let rows = try TestPaths.readJSONLines(reference.appendingPathComponent("mlm/crows_pairs_tiny_mlm.jsonl"))
        let pairs = Array(try CrowSPair.read(path: shared.appendingPathComponent("data/01_crows_pairs/crows_pairs_anonymized.csv").path)
            .prefix(300))
        let masked = try #require(model.maskedLanguageModel)
        for (pair, row) in zip(pairs, rows).prefix(20) {
            #expect(try masked.tokenize(TextInput(pair.sentMore)).ids == row["sent_more_ids"] as? [Int])
            #expect(try masked.tokenize(TextInput(pair.sentLess)).ids == row["sent_less_ids"] as? [Int])
        }
        let probe = try CrowSPairsProbe(pairs: pairs)
        let scores = try probe.scores(masked)
        var worst = 0.0
        var kept: [ProbeItem] = []
        var referenceItems: [ProbeItem] = []
        for (index, (score, row)) in zip(scores, rows).enumerated() {
            let more = try #require(row["sent_more_score"] as? Double)
            let less = try #require(row["sent_less_score"] as? Double)
            worst = max(worst, abs(score.more - more), abs(score.less - less))
            guard abs(more - less) >= 2e-3 else { continue }
            kept += CrowSPairsProbe.items(pairs: [pairs[index]], scores: [score])
            referenceItems += CrowSPairsProbe.items(pairs: [pairs[index]], scores: [(more, less)])
        }
        #expect(worst < 2e-3, "largest difference \(worst)")
        let ours = try CrowSPairsProbe.statistics(items: kept).measurements(bootstrap: nil)
        let theirs = try CrowSPairsProbe.statistics(items: referenceItems).measurements(bootstrap: nil)
        #expect(ours.map(\.value) == theirs.map(\.value) && ours.count > 10)
    }

    @Test("StereoSet: every option of the 200 items scores as PyTorch did, with the same LMS, SS and ICAT")
    func stereoSet() throws {
        guard let model = try Self.model(), let reference = TestPaths.reference, let shared = TestPaths.shared else { return }
        let rows = try TestPaths.readJSONLines(reference.appendingPathComponent("mlm/stereoset_tiny_mlm.jsonl"))
        let items = try StereoSetItem.read(path: shared.appendingPathComponent("data/02_stereoset/stereoset_dev_sample200.jsonl").path)
        let scores = try StereoSetProbe(items: items).scores(try #require(model.maskedLanguageModel))
        var worstSum = 0.0
        var worstMean = 0.0
        var oursKept: [ProbeItem] = []
        var theirsKept: [ProbeItem] = []
        for (index, (optionScores, row)) in zip(scores, rows).enumerated() {
            var referenceScores: [StereoSetProbe.OptionScore] = []
            for (option, score) in zip(items[index].options, optionScores) {
                let expected = try #require(row[option.key] as? [String: Any])
                let sum = try #require(expected["sum"] as? Double)
                let mean = try #require(expected["mean"] as? Double)
                worstSum = max(worstSum, abs(score.sum - sum))
                worstMean = max(worstMean, abs(score.mean - mean))
                referenceScores.append(.init(sum: sum, mean: mean))
            }
            // Comparisons the reference cannot settle within the tolerance are left out.
            let means = referenceScores.map(\.mean)
            guard abs(means[0] - means[1]) >= 2e-3, abs(means[0] - means[2]) >= 2e-3, abs(means[1] - means[2]) >= 2e-3 else {
                continue
            }
            oursKept += StereoSetProbe.items([items[index]], scores: [optionScores])
            theirsKept += StereoSetProbe.items([items[index]], scores: [referenceScores])
        }
        #expect(worstSum < 2e-3 && worstMean < 2e-3, "largest differences: sum \(worstSum), mean \(worstMean)")
        let ours = try StereoSetProbe.statistics(items: oursKept).measurements(bootstrap: nil)
        let theirs = try StereoSetProbe.statistics(items: theirsKept).measurements(bootstrap: nil)
        #expect(ours.map(\.value) == theirs.map(\.value) && oursKept.count > 150)
    }

    @Test("both probes run end to end on a checkpoint with a masked-LM head")
    func endToEnd() throws {
        guard let model = try Self.model(), let shared = TestPaths.shared else { return }
        let crows = try CrowSPairsProbe(pairs: Array(try CrowSPair.read(
            path: shared.appendingPathComponent("data/01_crows_pairs/crows_pairs_anonymized.csv").path).prefix(40)))
        let result = try crows.run(on: model, bootstrap: try ProbeBootstrap(resamples: 100))
        let overall = try #require(result.measurement("percent_stereotyping"))
        #expect((0...100).contains(overall.value) && overall.count == 40 && overall.low != nil)
    }
}
