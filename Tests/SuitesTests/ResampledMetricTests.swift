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
            let metric = try #require(ResampledMetric(name, rows: [data.rows], labelNames: labels, calibrationBins: 10), "\(name)")
            #expect(abs(metric.value(0, all) - value) < 1e-12, "\(name): \(metric.value(0, all)) against \(value)")
        }
        // A resample is scored as if its examples were the test set, repeats counted.
        let resample = [0, 0, 1, 5, 5, 5, 9]
        let subset = try ClassificationMetrics(
            gold: resample.map { data.gold[$0] }, predicted: resample.map { data.predicted[$0] }, labelNames: labels)
        let weighted = try #require(ResampledMetric("weighted_f1", rows: [data.rows], labelNames: labels, calibrationBins: 10))
        #expect(weighted.value(0, resample) == subset.weightedF1)
        #expect(ResampledMetric("bleu", rows: [data.rows], labelNames: labels, calibrationBins: 10) == nil)
        #expect(ResampledMetric("f1[d]", rows: [data.rows], labelNames: labels, calibrationBins: 10) == nil)
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
        let spearman = try #require(ResampledMetric("spearman", rows: [rows], labelNames: [], calibrationBins: 15))
        let pearson = try #require(ResampledMetric("pearson", rows: [rows], labelNames: [], calibrationBins: 15))
        let all = Array(gold.indices)
        #expect(abs(spearman.value(0, all) - 100 * (try RankCorrelation.spearman(stored, gold).coefficient)) < 1e-9)
        #expect(abs(pearson.value(0, all) - 100 * (try RankCorrelation.pearson(stored, gold).coefficient)) < 1e-9)

        let perQuery: [[Double]] = [[1, 1, 1, 1], [0.5, 0.5, 0, 1], [0, 0, 0, 0]]
        let retrieval = perQuery.enumerated().map { index, values in
            PredictionRow(
                stage: 0, task: "r", split: "test", position: index, exampleID: "q\(index)", gold: "d1", predicted: "d2",
                probabilities: values)
        }
        for (column, name) in RetrievalMetrics.Scores.metricNames.enumerated() {
            let metric = try #require(ResampledMetric(name, rows: [retrieval], labelNames: [], calibrationBins: 15))
            #expect(abs(metric.value(0, [0, 1, 2]) - perQuery.map { $0[column] }.reduce(0, +) / 3) < 1e-12, "\(name)")
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
