import Evaluation
import Foundation
import ResultStore
import Testing
@testable import Suites

/// Runs written straight into a results database with chosen per-example correctness, so gate
/// tests can plant exact effects (a real run cannot be told to lose two points).
enum SyntheticRuns {
    /// Gold labels alternate positive, negative; a wrong prediction is the other label.
    static func gold(_ index: Int) -> String { index % 2 == 0 ? "positive" : "negative" }

    /// Stores a finished run with one cell per (strategy, seed): `correctness[strategy][seed][example]`.
    @discardableResult
    static func store(
        _ database: ResultDatabase, label: String, correctness: [String: [[Bool]]], task: String = "gadgets",
        chain: [String] = ["gadgets"], gates: [GateSpec]? = nil, tag: String? = nil
    ) throws -> Int64 {
        struct Config: Encodable { var gates: [GateSpec]? }
        let config = String(decoding: try JSONEncoder().encode(Config(gates: gates)), as: UTF8.self)
        let run = try database.startRun(RunRecord(
            suiteName: "synthetic", suiteVersion: "1", suitePath: "/synthetic.yaml", suiteSHA256: "0", config: config, tag: tag,
            gitRevision: nil, adaptEvalVersion: "test", host: "test", processID: 1, threads: 1, shard: nil,
            plannedCells: correctness.values.map(\.count).reduce(0, +)))
        let runID = try #require(run.id)
        let chainJSON = String(decoding: try JSONEncoder().encode(chain), as: UTF8.self)
        var position = 0
        for (strategy, seeds) in correctness.sorted(by: { $0.key < $1.key }) {
            for (seed, correct) in seeds.enumerated() {
                let cell = CellRecord(
                    key: "\(label)-\(strategy)-\(seed)", model: "synthetic", modelSHA256: "0", strategy: strategy, options: "{}",
                    seed: Int64(seed + 1), chain: chainJSON, targetTask: task, config: "{}")
                let cellID = try #require(try database.beginCell(cell, runID: runID, position: position).cell.id)
                position += 1
                let predictions = correct.enumerated().map { index, right in
                    let gold = gold(index)
                    return PredictionRow(
                        stage: chain.count - 1, task: task, split: "test", position: index, exampleID: "example-\(index)",
                        gold: gold, predicted: right ? gold : (gold == "positive" ? "negative" : "positive"),
                        probabilities: [0.5, 0.5])
                }
                let accuracy = Double(correct.count { $0 }) / Double(correct.count)
                try database.finishCell(id: cellID, result: CellResult(
                    trainableParameters: 1000, totalParameters: 10_000, bestEpoch: 1, stopReason: "completed", wallSeconds: 1,
                    epochs: [],
                    metrics: [
                        MetricRow(stage: chain.count - 1, task: task, split: "test", name: "accuracy", value: accuracy),
                        MetricRow(stage: chain.count - 1, task: task, split: "test", name: "loss", value: 1 - accuracy),
                    ],
                    predictions: predictions, artifacts: []))
            }
        }
        try database.finishRun(id: runID, status: .finished)
        return runID
    }

    /// A baseline's correctness and a candidate's: the candidate re-draws each example's
    /// correctness with probability `noise` (seed-to-seed disagreement of equally good models),
    /// then loses `drop` examples it had right (a planted regression).
    static func pair(
        examples: Int = 1000, accuracy: Double = 0.85, noise: Double, drop: Int, seed: UInt64
    ) -> (baseline: [Bool], candidate: [Bool]) {
        var generator = SplitMix64(seed: seed)
        func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
        let baseline = (0..<examples).map { _ in uniform() < accuracy }
        var candidate = baseline.map { right in uniform() < noise ? uniform() < accuracy : right }
        var right = candidate.indices.filter { candidate[$0] }
        generator.shuffle(&right)
        for index in right.prefix(drop) { candidate[index] = false }
        return (baseline, candidate)
    }

    /// Aligned predictions of one seed from correctness vectors (gold alternating 0, 1).
    static func predictions(baseline: [Bool], candidate: [Bool]) -> PairedPredictions {
        let gold = baseline.indices.map { $0 % 2 }
        func predicted(_ correct: [Bool]) -> [Int] { zip(gold, correct).map { $1 ? $0 : 1 - $0 } }
        return PairedPredictions(gold: gold, candidate: [predicted(candidate)], baseline: [predicted(baseline)], classCount: 2)
    }
}
