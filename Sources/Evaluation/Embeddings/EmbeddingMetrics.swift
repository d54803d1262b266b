import Foundation

/// The scores of embedding tasks as MTEB computes them (Muennighoff et al. 2023, "MTEB:
/// Massive Text Embedding Benchmark", EACL), so that figures compare with its leaderboard:
/// semantic textual similarity, pair classification and retrieval. docs/metrics.md gives each
/// formula with its source.
public enum EmbeddingMetrics {
    /// cos(a, b) = a·b / (‖a‖·‖b‖) of each pair of rows, in Double; a zero vector has
    /// similarity 0 with everything (as scikit-learn's `paired_cosine_distances`, which
    /// normalises a zero row to itself). Range [−1, 1].
    public static func pairedCosineSimilarities(_ a: [[Float]], _ b: [[Float]]) throws -> [Double] {
        guard a.count == b.count else {
            throw EvaluationError.invalidArgument(reason: "paired cosine similarity needs as many rows on each side, got \(a.count) and \(b.count)")
        }
        return zip(a, b).map { cosine($0, $1) }
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0
        var normA = 0.0
        var normB = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            normA += Double(x) * Double(x)
            normB += Double(y) * Double(y)
        }
        let denominator = normA.squareRoot() * normB.squareRoot()
        return denominator > 0 ? dot / denominator : 0
    }

    /// Semantic textual similarity (Cer et al. 2017; MTEB's `STSEvaluator`): Spearman's ρ and
    /// Pearson's r between the cosine similarity of each pair's embeddings and its gold score,
    /// both × 100, in [−100, 100]. MTEB's main score is the Spearman value.
    public struct SemanticSimilarity: Sendable, Equatable {
        public var spearman: Double
        public var pearson: Double
        public var count: Int
    }

    /// STS scores of cosine similarities against gold scores (same order).
    public static func semanticSimilarity(similarities: [Double], gold: [Double]) throws -> SemanticSimilarity {
        let spearman = try RankCorrelation.spearman(similarities, gold)
        let pearson = try RankCorrelation.pearson(similarities, gold)
        return SemanticSimilarity(spearman: 100 * spearman.coefficient, pearson: 100 * pearson.coefficient, count: gold.count)
    }

    /// 100 × `correlation` of similarities with gold scores, as MTEB reports STS; 0 where no
    /// correlation is defined (a side with one value, as a bootstrap resample of ties can be).
    public static func correlationPercent(
        _ correlation: ([Double], [Double]) throws -> RankCorrelation, similarities: [Double], gold: [Double]
    ) -> Double {
        100 * ((try? correlation(similarities, gold))?.coefficient ?? 0)
    }

    /// Whether a pair-classification label marks a positive pair: `1` or `true`, any case.
    public static func isPositivePair(_ label: String) -> Bool { ["1", "true"].contains(label.lowercased()) }

    /// Average precision of scores for binary labels, as scikit-learn's
    /// `average_precision_score`: AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the distinct score thresholds in
    /// decreasing order, with Pₙ and Rₙ the precision and recall of "score ≥ threshold n" (tied
    /// scores enter together; no interpolation) (Manning, Raghavan and Schütze 2008, §8.4; MTEB's
    /// `PairClassificationEvaluator`, whose `cos_sim` AP is this on cosine similarities).
    /// Range [0, 1]; the fraction of positives for uninformative scores.
    ///
    /// - Throws: `EvaluationError.invalidArgument` for different lengths, a NaN score, or no
    ///   positive label (AP is undefined).
    public static func averagePrecision(scores: [Double], labels: [Bool]) throws -> Double {
        guard scores.count == labels.count else {
            throw EvaluationError.invalidArgument(reason: "average precision needs one label per score, got \(scores.count) scores and \(labels.count) labels")
        }
        guard !scores.contains(where: \.isNaN) else { throw EvaluationError.invalidArgument(reason: "average precision: a score is NaN") }
        let positives = labels.filter { $0 }.count
        guard positives > 0 else {
            throw EvaluationError.invalidArgument(reason: "average precision is undefined without a positive pair (label 1)")
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var truePositives = 0
        var retrieved = 0
        var previousRecall = 0.0
        var precisionSum = 0.0
        var position = 0
        while position < order.count {
            // Every pair with this score passes the threshold together.
            let threshold = scores[order[position]]
            while position < order.count, scores[order[position]] == threshold {
                if labels[order[position]] { truePositives += 1 }
                retrieved += 1
                position += 1
            }
            let recall = Double(truePositives) / Double(positives)
            precisionSum += (recall - previousRecall) * Double(truePositives) / Double(retrieved)
            previousRecall = recall
        }
        return precisionSum
    }
}
