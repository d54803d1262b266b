import Adaptation
import Evaluation
import Foundation
import ResultStore
import Transformers

/// Scoring embedding tasks (`type: sts | retrieval | pair-classification`) on an encoder, as
/// MTEB scores them (`EmbeddingEvaluator`); docs/schema.md lists the rows written.
extension CellExecutor {
    /// The task's metrics on its test split, each main score with a percentile-bootstrap
    /// interval over the pairs or queries, and one prediction row per pair or query.
    func scoreEmbeddings(_ task: TaskData, encoder: FrozenEncoder, cell: PlannedCell, stage: Int) throws
        -> (metrics: [MetricRow], predictions: [PredictionRow])
    {
        let training = cell.training[cell.chain.firstIndex(of: task.name) ?? stage]
        let evaluator = EmbeddingEvaluator(
            encoder: encoder, cache: features, pooling: training.pooling, maxLength: training.configuration.maxLength)
        let settings = suite.definition.evaluation
        var metrics: [MetricRow] = []
        var predictions: [PredictionRow] = []
        /// A test-split row; `statistic` over resampled indices gives its interval.
        func add(_ name: String, _ value: Double, count: Int, statistic: (([Int]) -> Double)? = nil) throws {
            var row = MetricRow(stage: stage, task: task.name, split: "test", name: name, value: value)
            if let statistic, settings.bootstrapResamples > 0, count > 0 {
                let bounds = try Bootstrap.percentileInterval(
                    count: count, resamples: settings.bootstrapResamples, confidence: settings.confidence,
                    seed: cell.seed &+ UInt64(stage), statistic: statistic)
                (row.low, row.high) = (bounds.low, bounds.high)
            }
            metrics.append(row)
        }
        func predict(_ position: Int, _ id: String, gold: String, predicted: String, values: [Double]) {
            predictions.append(PredictionRow(
                stage: stage, task: task.name, split: "test", position: position, exampleID: id, gold: gold, predicted: predicted,
                scores: values))
        }
        switch task.kind {
        case .sts:
            let (scores, similarities) = try evaluator.semanticSimilarity(task.test)
            let gold = task.test.map { $0.score ?? .nan }
            func correlation(_ function: @escaping ([Double], [Double]) throws -> RankCorrelation) -> ([Int]) -> Double {
                { indices in
                    EmbeddingMetrics.correlationPercent(function, similarities: indices.map { similarities[$0] }, gold: indices.map { gold[$0] })
                }
            }
            try add("spearman", scores.spearman, count: gold.count, statistic: correlation(RankCorrelation.spearman))
            try add("pearson", scores.pearson, count: gold.count, statistic: correlation(RankCorrelation.pearson))
            for (position, sample) in task.test.enumerated() {
                predict(position, sample.id, gold: sample.label, predicted: String(format: "%.6f", similarities[position]),
                        values: [similarities[position]])
            }
        case .pairClassification:
            let (averagePrecision, similarities) = try evaluator.pairClassification(task.test)
            let labels = task.test.map { EmbeddingMetrics.isPositivePair($0.label) }
            try add("average_precision", averagePrecision, count: labels.count) { indices in
                (try? EmbeddingMetrics.averagePrecision(scores: indices.map { similarities[$0] }, labels: indices.map { labels[$0] })) ?? 0
            }
            for (position, sample) in task.test.enumerated() {
                predict(position, sample.id, gold: sample.label, predicted: String(format: "%.6f", similarities[position]),
                        values: [similarities[position]])
            }
        case .retrieval:
            guard let collection = task.retrieval else {
                throw SuiteError.invalidArgument(name: "tasks.\(task.name)", reason: "has no retrieval collection")
            }
            let scores = try evaluator.retrieval(collection)
            for (name, values) in scores.named {
                try add(name, values.reduce(0, +) / Double(max(values.count, 1)), count: values.count) { indices in
                    indices.reduce(0) { $0 + values[$1] } / Double(indices.count)
                }
            }
            for (position, query) in scores.queryIDs.enumerated() {
                let relevant = (collection.judgements[query] ?? [:]).filter { $0.value > 0 }.keys.sorted()
                predict(position, query, gold: relevant.joined(separator: ","), predicted: scores.topDocuments[position],
                        values: scores.named.map { $0.values[position] })
            }
        case .classification, .text, .pairs:
            throw SuiteError.invalidArgument(name: "tasks.\(task.name)", reason: "is not an embedding task")
        }
        return (metrics, predictions)
    }
}
