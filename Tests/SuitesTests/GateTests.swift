import Evaluation
import Foundation
import Reports
import ResultStore
@testable import Suites
import TestSupport
import Testing

@Suite struct GateSpecTests {
    @Test("a suite's gates are read with their defaults, and a bad gate is reported at its line")
    func gatesParseAndValidate() throws {
        let gates = """
            gates:
              - {kind: threshold, task: movies, metric: accuracy, minimum: 0.6}
              - {kind: non-inferiority, margin: 0.02}
              - {kind: no-negative-transfer}
              - {kind: safety-drift, limit: 0.05, groups: overall}
            """
        let fixture = try TinySuite.make(yaml: TinySuite.yaml() + gates + "\n")
        let suite = try SuiteLoader(environment: [:]).load(path: fixture.suite.path)
        let loaded = try #require(suite.definition.gates)
        #expect(loaded.map(\.kind) == [.threshold, .nonInferiority, .noNegativeTransfer, .safetyDrift])
        #expect(loaded[0].minimum == 0.6 && loaded[0].task == "movies")
        #expect(loaded[1].metric == "accuracy" && loaded[1].margin == 0.02 && loaded[1].confidence == 0.95 && loaded[1].test == .mcnemar)
        #expect(GateSpec.defaultGates.allSatisfy { $0.test == .mcnemar } && GateSpec(kind: .nonInferiority, metric: "macro_f1").test == .bootstrap)
        #expect(loaded[3].groups == .overall && loaded[3].limit == 0.05)

        try fixture.rewrite(TinySuite.yaml() + """
            gates:
              - {kind: threshold, task: films, metric: accuracy}
              - {kind: non-inferiority, metric: ece, test: mcnemar}
              - {kind: safety-drift}
              - {kind: best-effort}

            """)
        #expect {
            try SuiteLoader(environment: [:]).load(path: fixture.suite.path)
        } throws: { error in
            guard case SuiteError.invalidSuite(_, let problems) = error else { return false }
            let text = problems.map(\.description).joined(separator: "\n")
            return text.contains("gates[0].task: no task 'films'") && text.contains("gates[0].minimum: a threshold gate needs")
                && text.contains("gates[1].test: the McNemar test compares accuracy only")
                && text.contains("gates[1].metric: non-inferiority is tested on per-example predictions")
                && text.contains("gates[2].limit: a safety-drift gate needs limit")
                && text.contains("unknown gate kind 'best-effort'")
                && problems.first { $0.field == "gates[0].task" }?.line == 20
        }
    }
}

@Suite struct GateEvaluationTests {
    func database() throws -> ResultDatabase {
        try ResultDatabase(path: TestPaths.temporaryDirectory("adapteval-gate").appendingPathComponent("results.sqlite").path)
    }

    @Test("the default gate passes a candidate equal to the baseline and fails a planted three-point drop")
    func defaultGateOnPlantedDrop() throws {
        let store = try database()
        let same = SyntheticRuns.pair(noise: 0, drop: 0, seed: 1)
        let dropped = SyntheticRuns.pair(noise: 0, drop: 30, seed: 1)
        let baseline = try SyntheticRuns.store(store, label: "b", correctness: ["lora": [same.baseline], "full": [same.baseline]], tag: "v1")
        let equal = try SyntheticRuns.store(store, label: "c", correctness: ["lora": [same.candidate], "full": [same.candidate]])
        let worse = try SyntheticRuns.store(
            store, label: "d", correctness: ["lora": [dropped.candidate], "full": [same.candidate]])
        let evaluator = GateEvaluator(database: store)

        let pass = try evaluator.evaluate(candidateRunID: equal, baselineRunID: baseline)
        #expect(pass.usesDefaultGates && pass.outcome == .passed)
        #expect(pass.gates.count == 1 && pass.gates[0].checks.count == 2)
        #expect(pass.gates[0].checks.allSatisfy { $0.value == 0 && $0.limit == -0.01 })

        let fail = try evaluator.evaluate(candidateRunID: worse, baselineRunID: baseline)
        #expect(fail.outcome == .failed)
        let lora = try #require(fail.gates[0].checks.first { $0.strategy == "lora" })
        #expect(lora.outcome == "failed")
        #expect(abs((lora.value ?? 0) + 0.030) < 1e-12, "the difference is exactly the 30 planted examples of 1,000")
        #expect((lora.high ?? 0) < 0 && (lora.low ?? 0) < -0.01)
        #expect(fail.gates[0].checks.first { $0.strategy == "full" }?.outcome == "passed")
        #expect(fail.changes.first?.key.strategy == "lora", "the largest change leads")

        let id = try store.storeGateVerdict(fail.record)
        let stored = try #require(try store.latestGateVerdict(candidateRunID: worse))
        #expect(stored.id == id && stored.outcome == "failed" && stored.baselineRunID == baseline)
        #expect(stored.results.map(\.outcome) == fail.gates[0].checks.map(\.outcome))

        let junit = JUnitXML.render(fail.reportContent)
        #expect(junit.components(separatedBy: "<testcase ").count == 2, "one test case per gate")
        #expect(junit.components(separatedBy: "<failure ").count == 2)
        #expect(MarkdownSummary.render(fail.reportContent).contains("❌"))
    }

    @Test("McNemar non-inferiority fails a significant drop beyond the margin and passes noise")
    func mcNemarGate() throws {
        let spec = GateSpec(kind: .nonInferiority, metric: "accuracy", margin: 0.01, test: .mcnemar)
        let key = CellGroupKey(task: "t", strategy: "s", chain: "t")
        let bootstrap = try RunComparison.defaultBootstrap()
        let dropped = SyntheticRuns.pair(noise: 0.02, drop: 30, seed: 7)
        let comparison = try MetricComparison.paired(
            "accuracy", key: key, predictions: SyntheticRuns.predictions(baseline: dropped.baseline, candidate: dropped.candidate),
            bootstrap: bootstrap)
        let result = try GateEvaluator.nonInferiority(spec, comparison: comparison)
        #expect(result.outcome == "failed" && (result.pValue ?? 1) < 1e-4)
        let same = SyntheticRuns.pair(noise: 0.02, drop: 0, seed: 7)
        let aa = try MetricComparison.paired(
            "accuracy", key: key, predictions: SyntheticRuns.predictions(baseline: same.baseline, candidate: same.candidate),
            bootstrap: bootstrap)
        #expect(try GateEvaluator.nonInferiority(spec, comparison: aa).outcome == "passed")
    }

    @Test("a threshold gate checks the stored mean over seeds; unknown tasks and metrics are input errors")
    func thresholdAndBadInput() throws {
        let store = try database()
        let run = SyntheticRuns.pair(noise: 0, drop: 0, seed: 3)
        let seeds = [run.baseline, Array(run.baseline.reversed())]
        let id = try SyntheticRuns.store(store, label: "a", correctness: ["lora": seeds])
        let accuracy = Double(run.baseline.count { $0 }) / 1000
        let evaluator = GateEvaluator(database: store)
        let high = try evaluator.evaluate(
            candidateRunID: id, baselineRunID: id, gates: [GateSpec(kind: .threshold, metric: "accuracy", minimum: accuracy + 0.001)])
        #expect(high.outcome == .failed && high.gates[0].checks[0].value == accuracy)
        let low = try evaluator.evaluate(
            candidateRunID: id, baselineRunID: id, gates: [GateSpec(kind: .threshold, metric: "loss", maximum: 1 - accuracy)])
        #expect(low.outcome == .passed)
        for gate in [GateSpec(kind: .threshold, metric: "bleu", minimum: 0), GateSpec(kind: .threshold, task: "films", minimum: 0),
                     GateSpec(kind: .safetyDrift, limit: 0.1), GateSpec(kind: .noNegativeTransfer)] {
            #expect {
                try evaluator.evaluate(candidateRunID: id, baselineRunID: id, gates: [gate])
            } throws: { error in
                (error as? SuiteError)?.category == .invalidInput
            }
        }
    }

    @Test("gates declared with the run are the ones evaluated")
    func declaredGatesTravelWithTheRun() throws {
        let store = try database()
        let run = SyntheticRuns.pair(noise: 0, drop: 0, seed: 4)
        let gates = [GateSpec(kind: .threshold, metric: "accuracy", minimum: 0.5)]
        let id = try SyntheticRuns.store(store, label: "a", correctness: ["lora": [run.baseline]], gates: gates)
        let verdict = try GateEvaluator(database: store).evaluate(candidateRunID: id, baselineRunID: id)
        #expect(!verdict.usesDefaultGates && verdict.gates.map(\.spec) == gates && verdict.outcome == .passed)
    }

    @Test("a gate fails closed: unfinished candidates and unreadable stored gates are input errors, a baseline cell the candidate lacks fails, and a moved tag moves")
    func gatesFailClosed() throws {
        let store = try database()
        let run = SyntheticRuns.pair(noise: 0, drop: 0, seed: 5)
        let baseline = try SyntheticRuns.store(store, label: "b", correctness: ["lora": [run.baseline], "full": [run.baseline]], tag: "v1")
        let evaluator = GateEvaluator(database: store)

        // The candidate dropped a strategy the baseline had: that cell's quality went unchecked.
        let partial = try SyntheticRuns.store(store, label: "c", correctness: ["lora": [run.candidate]])
        let verdict = try evaluator.evaluate(candidateRunID: partial, baselineRunID: baseline)
        #expect(verdict.outcome == .failed)
        #expect(verdict.gates[0].checks.contains { $0.strategy == "full" && $0.outcome == "failed" && $0.detail.contains("candidate run does not") })

        // An interrupted candidate is not judged on the cells that happened to finish.
        let interrupted = try SyntheticRuns.store(store, label: "d", correctness: ["lora": [run.candidate], "full": [run.candidate]])
        try store.finishRun(id: interrupted, status: .interrupted)
        #expect { try evaluator.evaluate(candidateRunID: interrupted, baselineRunID: baseline) } throws: { error in
            (error as? CategorizedError)?.category == .invalidInput && error.localizedDescription.contains("interrupted")
        }

        // A stored gate this version cannot read is refused, never replaced by the default gate.
        var record = try store.run(id: baseline)
        record.config = #"{"gates": [{"kind": "perplexity-ceiling", "maximum": 3}]}"#
        #expect(throws: SuiteError.self) { try GateEvaluator.declaredGates(of: record) }

        // Tagging an older run moves the tag there, although a newer run carried it.
        let newer = try SyntheticRuns.store(store, label: "e", correctness: ["lora": [run.candidate]], tag: "release")
        try store.setTag("release", runID: baseline)
        #expect(try store.latestRunID(tagged: "release") == baseline)
        #expect(try store.run(id: newer).tag == nil)
    }
}
