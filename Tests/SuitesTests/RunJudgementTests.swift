import Evaluation
import Foundation
import ResultStore
import Suites
import TestSupport
import Testing

@Suite struct RunJudgementTests {
    /// The judged numbers agree with the stored per-cell scores they come from, every tested
    /// comparison has an interval around its value, a label that matches the interval and a
    /// Holm-adjusted p no smaller than its own.
    @Test func aRunStoresTransferGainsForgettingRetentionAndPretrainingGainsWithHolmAdjustedLabels() throws {
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["full", "lora", "scratch"], seeds: [1, 2]))
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let outcome = try runSuite(fixture, database: database)
        #expect(outcome.failed == 0)
        let verdicts = try database.verdicts(ofRun: outcome.runID)
        let cells = try database.cells(ofRun: outcome.runID)
        func meanAccuracy(strategy: String, chain: [String], task: String, stage: Int) -> Double {
            let values = cells.filter { $0.cell.strategy == strategy && $0.cell.chainTasks == chain }.compactMap { detail in
                detail.metrics.first { $0.stage == stage && $0.task == task && $0.split == "test" && $0.name == "accuracy" }?.value
            }
            return values.reduce(0, +) / Double(values.count)
        }
        func row(_ kind: String, _ strategy: String) throws -> TransferResultRow {
            try #require(verdicts.transfer.first { $0.kind == kind && $0.strategy == strategy }, "\(kind) \(strategy)")
        }
        for strategy in ["full", "lora"] {
            let gain = try row("transfer_gain", strategy)
            #expect(gain.chain == #"["food","movies"]"# && gain.reference == #"["movies"]"#)
            let expected = meanAccuracy(strategy: strategy, chain: ["food", "movies"], task: "movies", stage: 1)
                - meanAccuracy(strategy: strategy, chain: ["movies"], task: "movies", stage: 0)
            #expect(abs(try #require(gain.value) - expected) < 1e-9)
            #expect(gain.seeds == 2 && gain.examples == 8)
            let forgetting = try row("forgetting", strategy)
            #expect(forgetting.task == "food")
            let own = meanAccuracy(strategy: strategy, chain: ["food", "movies"], task: "food", stage: 0)
            let after = meanAccuracy(strategy: strategy, chain: ["food", "movies"], task: "food", stage: 1)
            #expect(abs(try #require(forgetting.value) - (own - after)) < 1e-9)
            let pretraining = try row("pretraining_gain", strategy)
            #expect(pretraining.reference == "scratch")
            #expect(abs(try #require(pretraining.value) - (meanAccuracy(strategy: strategy, chain: ["movies"], task: "movies", stage: 0)
                - meanAccuracy(strategy: "scratch", chain: ["movies"], task: "movies", stage: 0))) < 1e-9)
        }
        let retention = try row("retention", "lora")
        #expect(retention.reference == "full")
        #expect(abs(try #require(retention.value) - meanAccuracy(strategy: "lora", chain: ["movies"], task: "movies", stage: 0)
            / meanAccuracy(strategy: "full", chain: ["movies"], task: "movies", stage: 0)) < 1e-9)
        #expect(!verdicts.transfer.contains { $0.kind == "retention" && $0.strategy == "full" })

        let tested = verdicts.transfer.filter { $0.pValue != nil && !$0.kind.hasPrefix("transferability") }
        // Retention has no interval when full scored 0 on some resample (8 test examples here).
        #expect(tested.count == 7 || (tested.count == 6 && retention.low == nil && retention.label == "inconclusive"))
        for result in tested {
            let (low, high, value) = (try #require(result.low), try #require(result.high), try #require(result.value))
            #expect(low <= value + 1e-12 && value <= high + 1e-12, "\(result.kind) \(result.strategy)")
            let noEffect = result.kind == "retention" ? 0.96 : 0
            let label = low > noEffect ? "positive" : high < noEffect ? "negative" : "inconclusive"
            #expect(result.label == label)
            let (raw, adjusted) = (try #require(result.pValue), try #require(result.pHolm))
            #expect(adjusted >= raw)
        }
        // Holm's smallest adjusted p is the smallest raw p times the family size (capped at 1).
        let smallest = try #require(tested.min { ($0.pValue ?? 1) < ($1.pValue ?? 1) })
        #expect(abs(try #require(smallest.pHolm) - min(1, Double(tested.count) * (smallest.pValue ?? 1))) < 1e-12)
        // Measured, not tested: efficiency per million trainable parameters.
        let efficiency = try #require(verdicts.transfer.first { $0.kind == "efficiency_per_million_parameters" && $0.strategy == "lora" })
        let lora = cells.filter { $0.cell.strategy == "lora" && $0.cell.chainTasks == ["movies"] }
        let parameters = lora.compactMap(\.cell.trainableParameters).map(Double.init).reduce(0, +) / Double(lora.count)
        #expect(abs(try #require(efficiency.value) - meanAccuracy(strategy: "lora", chain: ["movies"], task: "movies", stage: 0)
            / (parameters / 1_000_000)) < 1e-9)

        // One audit per trained stage, its kept epoch the one early stopping marked.
        for detail in cells where !detail.epochs.isEmpty {
            let cellID = try #require(detail.cell.id)
            let audits = try #require(verdicts.audits[cellID])
            #expect(audits.count == detail.cell.chainTasks.count)
            for audit in audits {
                let best = try #require(detail.epochs.first { $0.stage == audit.stage && $0.isBest })
                #expect(audit.keptEpoch == best.epoch)
                #expect(["overfitting", "no-overfitting", "too-few-evaluations"].contains(audit.verdict))
            }
        }
        // The chain's domains are measured once and a second run reuses the stored divergence.
        let divergence = try #require(verdicts.divergences.first)
        #expect(verdicts.divergences.count == 1 && divergence.sourceTask == "food" && divergence.targetTask == "movies")
        #expect(divergence.divergence.jensenShannon > 0 && divergence.divergence.jensenShannon <= 1)
        let again = try runSuite(fixture, database: database)
        let reused = try #require(try database.verdicts(ofRun: again.runID).divergences.first)
        #expect(reused.divergence.id == divergence.divergence.id)
        // Judged from stored cells with seeded bootstraps: the reused run gets identical verdicts.
        let second = try database.verdicts(ofRun: again.runID).transfer
        #expect(second.map(\.value) == verdicts.transfer.map(\.value))
        #expect(second.map(\.low) == verdicts.transfer.map(\.low) && second.map(\.pHolm) == verdicts.transfer.map(\.pHolm))
    }

    @Test func aChainWithoutADirectCounterpartIsReportedAsNoBaseline() throws {
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["lora"], extra: "chains: [[food, movies]]\n"))
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let outcome = try runSuite(fixture, database: database)
        let verdicts = try database.verdicts(ofRun: outcome.runID)
        let gain = try #require(verdicts.transfer.first { $0.kind == "transfer_gain" })
        #expect(gain.label == "no-baseline" && gain.value == nil && gain.pValue == nil)
    }
}
