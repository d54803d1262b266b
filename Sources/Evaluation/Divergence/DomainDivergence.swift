import Foundation

/// Divergences between two domains (corpora or sets of embeddings): Kullback–Leibler and
/// Jensen–Shannon divergence of unigram distributions in bits, and the cosine similarity of
/// mean embeddings (see also `MaximumMeanDiscrepancy` and `ProxyADistance`).
public enum DomainDivergence {
    /// ε of the add-ε smoothing of unigram counts (why 1e-6: `UnigramDistribution`).
    public static let defaultSmoothing = 1e-6

    /// KL(p ‖ q) = Σᵢ pᵢ·log₂(pᵢ / qᵢ) in bits (Cover and Thomas, *Elements of Information
    /// Theory*, 2nd ed., 2006, eq. 2.26); range [0, ∞], 0 only when p = q, asymmetric. Terms
    /// with pᵢ = 0 are 0; a qᵢ = 0 under pᵢ > 0 gives ∞ (smoothed distributions never do).
    /// Both vectors are normalised to sum 1 first, as `scipy.stats.entropy` does.
    public static func kullbackLeibler(_ p: [Double], _ q: [Double]) throws -> Double {
        let (p, q) = try normalizedPair(p, q)
        var sum = 0.0
        for (pi, qi) in zip(p, q) where pi > 0 {
            if qi == 0 { return .infinity }
            sum += pi * log2(pi / qi)
        }
        return max(sum, 0)
    }

    /// JS(p, q) = ½·KL(p ‖ m) + ½·KL(q ‖ m) with m = (p + q)/2, in bits (Lin 1991,
    /// "Divergence measures based on the Shannon entropy", IEEE Trans. Inf. Theory 37(1));
    /// symmetric, in [0, 1]: 0 for equal distributions, 1 for disjoint supports. It equals
    /// `scipy.spatial.distance.jensenshannon(p, q, base=2) ** 2`.
    public static func jensenShannonDivergence(_ p: [Double], _ q: [Double]) throws -> Double {
        let (p, q) = try normalizedPair(p, q)
        var sum = 0.0
        for (pi, qi) in zip(p, q) {
            let mi = (pi + qi) / 2
            // One commutative addition per outcome keeps JS(p, q) == JS(q, p) exactly.
            sum += (pi > 0 ? pi * log2(pi / mi) : 0) + (qi > 0 ? qi * log2(qi / mi) : 0)
        }
        return min(max(sum / 2, 0), 1)
    }

    /// KL(p ‖ q) in bits of two distributions over the same vocabulary.
    public static func kullbackLeibler<Token: Hashable & Comparable & Sendable>(_ p: UnigramDistribution<Token>, _ q: UnigramDistribution<Token>) throws
        -> Double
    {
        try requireSameVocabulary(p, q)
        return try kullbackLeibler(p.probabilities, q.probabilities)
    }

    /// JS(p, q) in bits of two distributions over the same vocabulary.
    public static func jensenShannonDivergence<Token: Hashable & Comparable & Sendable>(
        _ p: UnigramDistribution<Token>, _ q: UnigramDistribution<Token>
    ) throws -> Double {
        try requireSameVocabulary(p, q)
        return try jensenShannonDivergence(p.probabilities, q.probabilities)
    }

    /// The unigram divergences DESIGN.md defines between corpora P and Q, from token counts:
    /// KL in both directions and JS, all in bits, after add-ε smoothing over the union vocabulary.
    public static func unigram<Token: Hashable & Comparable & Sendable>(
        _ first: [Token: Int], _ second: [Token: Int], smoothing: Double = defaultSmoothing
    ) throws -> UnigramDivergences {
        let (p, q) = try UnigramDistribution.smoothedPair(first, second, smoothing: smoothing)
        return UnigramDivergences(
            firstToSecond: try kullbackLeibler(p, q), secondToFirst: try kullbackLeibler(q, p),
            jensenShannon: try jensenShannonDivergence(p, q))
    }

    /// cos(μ_a, μ_b) = μ_a·μ_b / (‖μ_a‖·‖μ_b‖) of the mean rows of two embedding sets; in
    /// [−1, 1], 1 when the means point the same way. Undefined (an error) when a mean is 0.
    public static func cosineSimilarityOfMeans(_ a: Matrix, _ b: Matrix) throws -> Double {
        try Matrix.requireComparable(a, b, "embedding set", names: ("a", "b"))
        let (meanA, meanB) = (a.columnMeans(), b.columnMeans())
        let (normA, normB) = (VectorOperations.dot(meanA, meanA).squareRoot(), VectorOperations.dot(meanB, meanB).squareRoot())
        guard normA > 0, normB > 0 else {
            throw EvaluationError.invalidArgument(
                reason: "the mean embedding of set \(normA > 0 ? "b" : "a") is the zero vector; its cosine similarity is undefined")
        }
        return min(max(VectorOperations.dot(meanA, meanB) / (normA * normB), -1), 1)
    }

    private static func normalizedPair(_ p: [Double], _ q: [Double]) throws -> ([Double], [Double]) {
        guard p.count == q.count else {
            throw EvaluationError.invalidArgument(
                reason: "p has \(p.count) probabilities but q has \(q.count); both must cover the same outcomes")
        }
        func normalized(_ values: [Double], _ name: String) throws -> [Double] {
            guard values.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw EvaluationError.invalidArgument(reason: "\(name) has a negative or non-finite probability")
            }
            let total = values.reduce(0, +)
            guard total > 0 else {
                throw EvaluationError.invalidArgument(reason: "\(name) is empty or all zero; an empty distribution is an error, not a NaN")
            }
            return values.map { $0 / total }
        }
        return (try normalized(p, "p"), try normalized(q, "q"))
    }

    private static func requireSameVocabulary<Token: Hashable & Comparable & Sendable>(_ p: UnigramDistribution<Token>, _ q: UnigramDistribution<Token>)
        throws
    {
        guard p.vocabulary == q.vocabulary else {
            throw EvaluationError.invalidArgument(
                reason: "p and q are over different vocabularies; build them together with UnigramDistribution.smoothedPair")
        }
    }
}

/// Unigram divergences between two corpora, in bits.
public struct UnigramDivergences: Sendable, Equatable {
    /// KL(P ‖ Q).
    public let firstToSecond: Double
    /// KL(Q ‖ P).
    public let secondToFirst: Double
    /// JS(P, Q), in [0, 1].
    public let jensenShannon: Double
}
