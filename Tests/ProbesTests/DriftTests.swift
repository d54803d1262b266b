import Evaluation
import Foundation
import Testing

@testable import Probes

@Suite("Bootstrap and drift")
struct DriftTests {
    @Test("without strata the bootstrap draws Bootstrap.percentileInterval's resamples")
    func sameResamplesAsTheProjectBootstrap() throws {
        let values = (0..<57).map { Double(($0 * 37) % 11) / 3 }
        let reference = try Bootstrap.percentileInterval(count: values.count, resamples: 400, confidence: 0.9, seed: 5) { indices in
            indices.reduce(0) { $0 + values[$1] } / Double(indices.count)
        }
        let interval = try ProbeBootstrap(resamples: 400, confidence: 0.9, seed: 5).intervals(
            itemCount: values.count, strata: nil, components: 1
        ) { weights in [zip(weights, values).reduce(0) { $0 + $1.0 * $1.1 } / weights.reduce(0, +)] }[0]
        #expect(abs(try #require(interval).low - reference.low) < 1e-12)
        #expect(abs(try #require(interval).high - reference.high) < 1e-12)
    }

    @Test("stratified resamples keep every stratum's size")
    func strataKeepTheirSizes() throws {
        let strata = [0, 0, 0, 1, 1, 2]
        _ = try ProbeBootstrap(resamples: 50, seed: 3).intervals(itemCount: 6, strata: strata, components: 1) { weights in
            #expect(weights[0..<3].reduce(0, +) == 3 && weights[3..<5].reduce(0, +) == 2 && weights[5] == 1)
            return [0]
        }
    }

    func toxigen(_ scores: [Double]) -> ProbeResult {
        let items = scores.enumerated().map { index, score in
            ProbeItem(id: "s\(index)", attributes: ["group": index % 2 == 0 ? "a" : "b", "label": index % 4 < 2 ? "hate" : "neutral"],
                      values: ["toxicity": score])
        }
        return ProbeResult(
            kind: .toxigen, measurements: (try? ToxiGenProbe.statistics(items: items).measurements(bootstrap: nil)) ?? [], items: items)
    }

    @Test("drift is adapted − base, harm drift the change of distance from the ideal, paired on shared items")
    func pairedDrift() throws {
        // 16 statements; the base model gets every one right, the adapted model misses the
        // hateful statements of group a (scores 0.3): group a's accuracy drops from 1 to 1/2.
        let base = (0..<16).map { $0 % 4 < 2 ? 0.9 : 0.1 }
        var adapted = base
        for index in 0..<16 where index % 4 < 2 && index % 2 == 0 { adapted[index] = 0.3 }
        let drift = try ProbeDrift.compare(base: toxigen(base), adapted: toxigen(adapted), bootstrap: try ProbeBootstrap(resamples: 300))
        let groupA = try #require(drift.first { $0.metric.name == "accuracy" && $0.metric.group == "a" })
        #expect(groupA.base == 1 && groupA.adapted == 0.5 && groupA.drift == -0.5)
        #expect(groupA.harmDrift == 0.5 && groupA.paired && groupA.items == 16)
        // Within (group, label) strata every resample of group a keeps its 4 hateful statements,
        // all now missed: the paired interval is the point.
        #expect(groupA.low == -0.5 && groupA.high == -0.5 && groupA.harmLow == 0.5)
        let gap = try #require(drift.first { $0.metric.name == "accuracy_gap" })
        #expect(gap.harmDrift == 0.5 && gap.drift == 0.5)
        let groupB = try #require(drift.first { $0.metric.name == "accuracy" && $0.metric.group == "b" })
        #expect(groupB.drift == 0 && groupB.harmDrift == 0)
    }

    @Test("different items give an unpaired interval from each model's own resamples")
    func unpairedDrift() throws {
        var other = toxigen((0..<16).map { $0 % 4 < 2 ? 0.9 : 0.1 })
        other.items = other.items.map { item in
            var renamed = item
            renamed.id = "other-" + item.id
            return renamed
        }
        let drift = try ProbeDrift.compare(
            base: toxigen((0..<16).map { $0 % 4 < 2 ? 0.7 : 0.45 }), adapted: other, bootstrap: try ProbeBootstrap(resamples: 200))
        let overall = try #require(drift.first { $0.metric.name == "accuracy" && $0.metric.group.isEmpty })
        #expect(!overall.paired && overall.drift == 0 && overall.harmDrift == 0)
    }
}
