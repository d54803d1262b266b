import Evaluation
import Foundation
import Reports
import ResultStore
@testable import Suites
import Testing

@Suite struct ResampledMetricTests {
    /// Three-class predictions with seeded probabilities, as `CellExecutor` stores them.
    static func classificationRows(count: Int, seed: UInt64) -> (rows: [PredictionRow], gold: [Int], predicted: [Int], probabilities: [[Double]]) {
        var generator = SplitMix64(seed: seed)
        var rows: [PredictionRow] = []
        var gold: [Int] = []
        var predicted: [Int] = []
        var probabilities: [[Double]] = []
        for index in 0..<count {
            let weights = (0..<3).map { _ in Double(generator.below(1000) + 1) }
            let total = weights.reduce(0, +)
            // Rounded as the database stores them, so both sides read the same numbers.
            let row = weights.map { Double(String(format: "%.6g", $0 / total)) ?? 0 }
            let guess = row.indices.max { row[$0] < row[$1] } ?? 0
            let truth = generator.below(4) == 0 ? generator.below(3) : guess
            gold.append(truth)
            predicted.append(guess)
            probabilities.append(row)
            rows.append(PredictionRow(
                stage: 0, task: "t", split: "test", position: index, exampleID: "e\(index)", gold: ["a", "b", "c"][truth],
                predicted: ["a", "b", "c"][guess], probabilities: row))
        }
        return (rows, gold, predicted, probabilities)
    }

    @Test("every stored classification metric recomputed from the stored predictions equals the value the run stored")
    func classificationMetricsMatchTheStoredDefinition() throws {
        let data = Self.classificationRows(count: 300, seed: 5)
        let labels = ["a", "b", "c"]
        let expected = try ClassificationMetrics(
            gold: data.gold, predicted: data.predicted, labelNames: labels, probabilities: data.probabilities, bins: 10)
        var reference: [String: Double] = [
            "accuracy": expected.accuracy, "macro_f1": expected.macroF1, "weighted_f1": expected.weightedF1,
            "ece": try #require(expected.expectedCalibrationError),
            "loss": zip(data.probabilities, data.gold).reduce(0) { $0 - log($1.0[$1.1]) } / 300,
        ]
        for entry in expected.perClass {
            reference["precision[\(entry.label)]"] = entry.precision
            reference["recall[\(entry.label)]"] = entry.recall
            reference["f1[\(entry.label)]"] = entry.f1
        }
        let all = Array(0..<300)
        for (name, value) in reference {
            #expect(ResampledMetric.supports(name))
            let metric = try #require(ResampledMetric(name, rows: [data.rows], labelNames: labels, probabilityLabels: labels, calibrationBins: 10), "\(name)")
            #expect(abs(metric.value(0, all) - value) < 1e-12, "\(name): \(metric.value(0, all)) against \(value)")
        }
        // A resample is scored as if its examples were the test set, repeats counted.
        let resample = [0, 0, 1, 5, 5, 5, 9]
        let subset = try ClassificationMetrics(
            gold: resample.map { data.gold[$0] }, predicted: resample.map { data.predicted[$0] }, labelNames: labels)
        let weighted = try #require(ResampledMetric("weighted_f1", rows: [data.rows], labelNames: labels, probabilityLabels: labels, calibrationBins: 10))
        #expect(weighted.value(0, resample) == subset.weightedF1)
        #expect(ResampledMetric("bleu", rows: [data.rows], labelNames: labels, probabilityLabels: labels, calibrationBins: 10) == nil)
        #expect(ResampledMetric("f1[d]", rows: [data.rows], labelNames: labels, probabilityLabels: labels, calibrationBins: 10) == nil)
    }

    @Test("embedding rows keep their scores exactly, so cosines that agree to six digits still rank apart")
    func embeddingScoresRoundTripExactly() throws {
        // Cosines that differ only past the sixth significant digit, with gold in the same order.
        let similarities = (0..<20).map { 0.91234 + Double($0) * 1e-9 }
        let gold = (0..<20).map { Double($0) / 4 }
        let rows = similarities.indices.map { index in
            PredictionRow(
                stage: 0, task: "sts", split: "test", position: index, exampleID: "p\(index)", gold: String(gold[index]),
                predicted: "", scores: [similarities[index]])
        }
        #expect(rows[3].probabilities == "[\(similarities[3])]")
        let spearman = try #require(ResampledMetric("spearman", rows: [rows], labelNames: [], probabilityLabels: nil, calibrationBins: 15))
        #expect(abs(spearman.value(0, Array(0..<20)) - 100) < 1e-9, "the exact order is kept")
        let rounded = similarities.indices.map { index in
            PredictionRow(
                stage: 0, task: "sts", split: "test", position: index, exampleID: "p\(index)", gold: String(gold[index]),
                predicted: "", probabilities: [similarities[index]])
        }
        let tied = try #require(ResampledMetric("spearman", rows: [rounded], labelNames: [], probabilityLabels: nil, calibrationBins: 15))
        #expect(!(tied.value(0, Array(0..<20)) > 99), "six significant digits tie them all")
    }

    @Test("STS correlations and retrieval means recomputed from the stored rows equal the stored scores")
    func embeddingMetricsMatchTheStoredDefinition() throws {
        var generator = SplitMix64(seed: 9)
        let gold = (0..<50).map { _ in Double(generator.below(50)) / 10 }
        let similarity = gold.map { $0 / 5 + Double(generator.below(100)) / 250 }
        let rows = gold.indices.map { index in
            PredictionRow(
                stage: 0, task: "sts", split: "test", position: index, exampleID: "p\(index)",
                gold: String(gold[index]), predicted: String(format: "%.6f", similarity[index]),
                probabilities: [similarity[index]])
        }
        let stored = similarity.map { Double(String(format: "%.6g", $0)) ?? 0 }
        let spearman = try #require(ResampledMetric("spearman", rows: [rows], labelNames: [], probabilityLabels: nil, calibrationBins: 15))
        let pearson = try #require(ResampledMetric("pearson", rows: [rows], labelNames: [], probabilityLabels: nil, calibrationBins: 15))
        let all = Array(gold.indices)
        #expect(abs(spearman.value(0, all) - 100 * (try RankCorrelation.spearman(stored, gold).coefficient)) < 1e-9)
        #expect(abs(pearson.value(0, all) - 100 * (try RankCorrelation.pearson(stored, gold).coefficient)) < 1e-9)

        let pairs = (0..<6).map { index in
            PredictionRow(
                stage: 0, task: "p", split: "test", position: index, exampleID: "p\(index)", gold: index % 3 == 0 ? "1" : "0",
                predicted: "", probabilities: [Double(index) / 10])
        }
        let precision = try #require(ResampledMetric("average_precision", rows: [pairs], labelNames: [], probabilityLabels: nil, calibrationBins: 15))
        #expect(precision.value(0, Array(0..<6)) == (try EmbeddingMetrics.averagePrecision(
            scores: (0..<6).map { Double($0) / 10 }, labels: (0..<6).map { $0 % 3 == 0 })))
        #expect(precision.value(0, [1, 2]).isNaN, "a resample without a positive pair has no average precision")

        let perQuery: [[Double]] = [[1, 1, 1, 1], [0.5, 0.5, 0, 1], [0, 0, 0, 0]]
        let retrieval = perQuery.enumerated().map { index, values in
            PredictionRow(
                stage: 0, task: "r", split: "test", position: index, exampleID: "q\(index)", gold: "d1", predicted: "d2",
                probabilities: values)
        }
        for (column, name) in RetrievalMetrics.Scores.metricNames.enumerated() {
            let metric = try #require(ResampledMetric(name, rows: [retrieval], labelNames: [], probabilityLabels: nil, calibrationBins: 15))
            #expect(abs(metric.value(0, [0, 1, 2]) - perQuery.map { $0[column] }.reduce(0, +) / 3) < 1e-12, "\(name)")
        }
    }

    /// Stores a finished run of one cell whose predictions and metrics are what `CellExecutor`
    /// writes for a three-class task labelled [a, b, c], with the task's label order in the
    /// cell's configuration.
    static func storeRun(_ database: ResultDatabase, label: String, rows: [PredictionRow], labels: [String]) throws -> Int64 {
        let run = try database.startRun(RunRecord(
            suiteName: "three-class", suiteVersion: "1", suitePath: "/s.yaml", suiteSHA256: "0", config: "{}", tag: nil,
            gitRevision: nil, adaptEvalVersion: "test", host: "test", processID: 1, threads: 1, shard: nil, plannedCells: 1))
        let runID = try #require(run.id)
        let config = #"{"adaptation":{"stages":[{"data":{"label_names":["a","b","c"]}}]},"evaluation":{"calibration_bins":10}}"#
        let cell = CellRecord(
            key: label, model: "m", modelSHA256: "0", strategy: "s", options: "{}", seed: 1, chain: #"["t"]"#, targetTask: "t", config: config)
        let cellID = try #require(try database.beginCell(cell, runID: runID, position: 0).cell.id)
        let index = Dictionary(labels.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let gold = rows.map { index[$0.gold] ?? 0 }
        let predicted = rows.map { index[$0.predicted] ?? 0 }
        let probabilities = rows.map { row in
            row.probabilities.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",").map { Double($0) ?? 0 }
        }
        let scores = try ClassificationMetrics(gold: gold, predicted: predicted, labelNames: labels, probabilities: probabilities, bins: 10)
        let columns = ["a": 0, "b": 1, "c": 2]
        let loss = zip(rows, probabilities).reduce(0) { sum, pair in
            sum + ClassificationMetrics.crossEntropy(probabilityOfGold: pair.1[columns[pair.0.gold] ?? 0])
        } / Double(rows.count)
        var metrics = [("accuracy", scores.accuracy), ("macro_f1", scores.macroF1), ("weighted_f1", scores.weightedF1),
                       ("ece", try #require(scores.expectedCalibrationError)), ("loss", loss)]
        for entry in scores.perClass where entry.label != "(no answer)" { metrics.append(("f1[\(entry.label)]", entry.f1)) }
        try database.finishCell(id: cellID, result: CellResult(
            trainableParameters: 1, totalParameters: 1, bestEpoch: 1, stopReason: "completed", wallSeconds: 1, epochs: [],
            metrics: metrics.map { MetricRow(stage: 0, task: "t", split: "test", name: $0.0, value: $0.1) },
            predictions: rows, artifacts: []))
        try database.finishRun(id: runID, status: .finished)
        return runID
    }

    @Test("compare's paired difference of every metric equals the difference of the stored values, whatever the label order of the test split and with a '(no answer)' class on one side")
    func pairedDifferencesMatchTheStoredValues() throws {
        let store = try database()
        let data = Self.classificationRows(count: 200, seed: 17)
        // The first test example's gold label is c, so first-appearance order is not the task's order.
        var baseline = data.rows
        baseline[0].gold = "c"
        var candidate = baseline
        for index in stride(from: 0, to: 200, by: 7) { candidate[index].predicted = "(no answer)" }
        for index in stride(from: 3, to: 200, by: 11) { candidate[index].predicted = candidate[index].gold }
        let baselineRun = try Self.storeRun(store, label: "baseline", rows: baseline, labels: ["a", "b", "c"])
        let candidateRun = try Self.storeRun(store, label: "candidate", rows: candidate, labels: ["a", "b", "c", "(no answer)"])
        let comparison = try RunComparison(database: store, candidateRunID: candidateRun, baselineRunID: baselineRun)
        #expect(comparison.rows.count == 8)
        for row in comparison.rows {
            let difference = try #require(row.difference, "\(row.metric): \(row.note ?? "")")
            #expect(abs(difference.estimate - (row.candidate - row.baseline)) < 1e-9,
                    "\(row.metric): paired \(difference.estimate) against stored \(row.candidate - row.baseline)")
            #expect(difference.interval.low <= difference.estimate && difference.estimate <= difference.interval.high)
        }
    }

    func database() throws -> ResultDatabase {
        try ResultDatabase(path: FileManager.default.temporaryDirectory.appendingPathComponent("resampled-\(UUID().uuidString).sqlite").path)
    }

    @Test("a group of several seeds gets a score interval over seeds and examples, wider when the seeds disagree")
    func scoreTableIntervalsCarrySeedVariation() throws {
        let store = try database()
        // Three seeds at 60%, 75% and 90% accuracy against three identical seeds at 75%, on 400 examples.
        func seed(_ accuracy: Double, offset: Int) -> [Bool] { (0..<400).map { Double(($0 + offset) % 100) < accuracy * 100 } }
        let runID = try SyntheticRuns.store(
            store, label: "seeds",
            correctness: ["agreeing": [seed(0.75, offset: 0), seed(0.75, offset: 0), seed(0.75, offset: 0)],
                          "spread": [seed(0.6, offset: 0), seed(0.75, offset: 7), seed(0.9, offset: 13)],
                          "single": [seed(0.75, offset: 0)]])
        let content = try RunReport.content(database: store, runID: runID)
        func estimate(_ strategy: String) throws -> ReportContent.Estimate {
            try #require(content.scores.rows.first { $0.strategy == strategy }?.scores.first ?? nil)
        }
        let agreeing = try estimate("agreeing")
        let spread = try estimate("spread")
        let agreeingInterval = try #require(agreeing.interval)
        let spreadInterval = try #require(spread.interval)
        #expect(abs(spread.value - 0.75) < 1e-12 && spread.seedCount == 3)
        #expect(spreadInterval.low < spread.value && spread.value < spreadInterval.high)
        #expect(agreeingInterval.low < 0.75 && 0.75 < agreeingInterval.high)
        #expect(spreadInterval.high - spreadInterval.low > 1.5 * (agreeingInterval.high - agreeingInterval.low),
                "seed spread widens the interval: \(spreadInterval) against \(agreeingInterval)")
        // One seed shows the interval the run stored, and these synthetic runs stored none.
        #expect(try estimate("single").interval == nil)
    }
}
