import Evaluation
import Foundation
import ResultStore

/// A stored test metric recomputed from a group's stored predictions on any multiset of test
/// examples: what the paired comparisons (`compare`, the report's baseline section) and the
/// score table's seed-and-example intervals resample.
///
/// It recomputes what `CellExecutor` stored, from the rows it stored and with the same
/// definitions: classification metrics from the confusion matrix over the labels the cell
/// scored (`ClassificationMetrics`), ECE with the cell's bins, loss as the mean
/// `ClassificationMetrics.crossEntropy` of the stored probabilities (six significant digits, so
/// it agrees with the stored loss to about 1e-6); STS correlations
/// (`EmbeddingMetrics.correlationPercent`), average precision and retrieval per-query means from
/// the similarity or per-query values each row holds. A resample the metric is undefined on
/// (average precision without a positive pair) gives NaN, which the bootstrap reports.
struct ResampledMetric {
    /// How many seeds and examples the aligned rows hold.
    let seeds: Int
    let examples: Int
    /// The metric on seed `seed`'s predictions of the chosen example indices (which may repeat).
    let value: (_ seed: Int, _ exampleIndices: [Int]) -> Double

    /// Names of the embedding-task metrics and how each is computed from the stored rows.
    private static let correlations = ["spearman": RankCorrelation.spearman, "pearson": RankCorrelation.pearson]

    /// Classification metrics of the whole confusion matrix.
    private static let classificationMetrics: Set = ["accuracy", "macro_f1", "weighted_f1"]

    /// Whether `metric` is stored × 100 (a correlation) rather than as a fraction.
    static func isPercent(_ metric: String) -> Bool { correlations[metric] != nil }

    /// Whether `metric` can be recomputed from stored predictions.
    static func supports(_ metric: String) -> Bool {
        classificationMetrics.contains(metric) || perClassLabel(metric) != nil || ["ece", "loss", "average_precision"].contains(metric)
            || correlations[metric] != nil || RetrievalMetrics.Scores.metricNames.contains(metric)
    }

    /// The metric over a group's stored predictions, or nil when `metric` is not one they can
    /// give (ECE and loss also need the order of the stored probabilities).
    init?(_ metric: String, group: GroupPredictions) {
        self.init(
            metric, rows: group.rows, labelNames: group.labelNames, probabilityLabels: group.probabilityLabels,
            calibrationBins: group.calibrationBins)
    }

    /// The metric over `rows` (per seed, one row per example, every seed in the same example
    /// order), or nil when `metric` is not one the rows can give.
    ///
    /// - Parameters:
    ///   - labelNames: the labels the stored metric was computed over, in index order.
    ///   - probabilityLabels: the label of each column of a row's probabilities.
    ///   - calibrationBins: the bins ECE was stored with.
    init?(_ metric: String, rows: [[PredictionRow]], labelNames: [String], probabilityLabels: [String]?, calibrationBins: Int) {
        guard let first = rows.first, !first.isEmpty else { return nil }
        seeds = rows.count
        examples = first.count
        // The stored numbers, parsed only by the metrics that read them (not the label-only ones).
        func numbers() -> [[[Double]]] { rows.map { $0.map(Self.values) } }
        if let correlation = Self.correlations[metric] {
            let values = numbers()
            let gold = first.map { Double($0.gold) ?? .nan }
            value = { seed, indices in
                EmbeddingMetrics.correlationPercent(
                    correlation, similarities: indices.map { values[seed][$0].first ?? .nan }, gold: indices.map { gold[$0] })
            }
            return
        }
        if metric == "average_precision" {
            let values = numbers()
            let relevant = first.map { EmbeddingMetrics.isPositivePair($0.gold) }
            value = { seed, indices in
                (try? EmbeddingMetrics.averagePrecision(
                    scores: indices.map { values[seed][$0].first ?? .nan }, labels: indices.map { relevant[$0] })) ?? .nan
            }
            return
        }
        if let column = RetrievalMetrics.Scores.metricNames.firstIndex(of: metric) {
            let values = numbers()
            value = { seed, indices in
                indices.reduce(0) { $0 + (values[seed][$1].indices.contains(column) ? values[seed][$1][column] : .nan) }
                    / Double(max(indices.count, 1))
            }
            return
        }
        switch metric {
        case "ece", "loss":
            // The column of each example's gold label among the stored probabilities (-1: none).
            guard let probabilityLabels else { return nil }
            let column = Dictionary(probabilityLabels.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            let goldColumn = first.map { column[$0.gold] ?? -1 }
            let values = numbers()
            if metric == "ece" {
                value = { seed, indices in
                    (try? ClassificationMetrics.expectedCalibrationError(
                        probabilities: indices.map { values[seed][$0] }, gold: indices.map { goldColumn[$0] }, bins: calibrationBins)) ?? .nan
                }
            } else {
                value = { seed, indices in
                    indices.reduce(0) { sum, example in
                        let row = values[seed][example]
                        let probability = row.indices.contains(goldColumn[example]) ? row[goldColumn[example]] : 0
                        return sum + ClassificationMetrics.crossEntropy(probabilityOfGold: probability)
                    } / Double(max(indices.count, 1))
                }
            }
        default:
            let perClass = Self.perClassLabel(metric)
            guard Self.classificationMetrics.contains(metric) || perClass.map({ labelNames.contains($0.label) }) == true
            else { return nil }
            let index = Dictionary(labelNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            let gold = first.map { index[$0.gold] ?? 0 }
            let predicted = rows.map { $0.map { index[$0.predicted] ?? 0 } }
            let classCount = labelNames.count
            value = { seed, indices in
                var confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
                for example in indices { confusion[gold[example]][predicted[seed][example]] += 1 }
                let scores = ClassificationMetrics(confusion: confusion, labelNames: labelNames)
                return Self.classificationValue(metric, of: scores, label: perClass?.label ?? "") ?? .nan
            }
        }
    }

    /// candidate − baseline (or candidate / baseline) of one metric on the same seeds and
    /// examples, each side recomputed from its own rows on every paired resample.
    ///
    /// - Throws: `EvaluationError.invalidArgument` when the metric is undefined on the data or
    ///   on some resample (a NaN), as `PairedBootstrap.estimate` reports it.
    static func compare(_ candidate: ResampledMetric, _ baseline: ResampledMetric, bootstrap: PairedBootstrap, ratio: Bool = false) throws
        -> BootstrapEstimate
    {
        try bootstrap.estimate(seeds: candidate.seeds, examples: candidate.examples) { seeds, examples in
            let a = candidate.mean(seeds: seeds, examples: examples)
            let b = baseline.mean(seeds: seeds, examples: examples)
            return ratio ? a / b : a - b
        }
    }

    /// The mean over the chosen seeds of the metric on the chosen examples.
    func mean(seeds seedIndices: [Int], examples exampleIndices: [Int]) -> Double {
        seedIndices.reduce(0) { $0 + value($1, exampleIndices) } / Double(max(seedIndices.count, 1))
    }

    /// "precision[positive]" → ("precision", "positive").
    private static func perClassLabel(_ metric: String) -> (measure: String, label: String)? {
        guard metric.hasSuffix("]"), let open = metric.firstIndex(of: "[") else { return nil }
        let measure = String(metric[..<open])
        guard ["precision", "recall", "f1"].contains(measure) else { return nil }
        return (measure, String(metric[metric.index(after: open)..<metric.index(before: metric.endIndex)]))
    }

    /// The named value of `scores`, as `CellExecutor` names the stored rows.
    private static func classificationValue(_ metric: String, of scores: ClassificationMetrics, label: String) -> Double? {
        switch metric {
        case "accuracy": return scores.accuracy
        case "macro_f1": return scores.macroF1
        case "weighted_f1": return scores.weightedF1
        default:
            guard let (measure, _) = perClassLabel(metric), let entry = scores.perClass.first(where: { $0.label == label })
            else { return nil }
            switch measure {
            case "precision": return entry.precision
            case "recall": return entry.recall
            default: return entry.f1
            }
        }
    }

    /// A row's stored numbers: class probabilities, or the similarity or per-query values.
    private static func values(_ row: PredictionRow) -> [Double] {
        row.probabilities.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
            .split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) ?? .nan }
    }
}
