/// The exact McNemar test of two classifiers scored on the same examples (McNemar 1947;
/// Dietterich 1998, "Approximate statistical tests for comparing supervised classification
/// learning algorithms", Neural Computation 10(7), recommends it for one test set).
///
/// Only the discordant examples carry information: b where the reference is right and the
/// candidate wrong, c where the candidate is right and the reference wrong. Under H₀ (equal
/// error rates) each discordant example goes either way with probability ½, so
/// X = b ~ Binomial(b + c, ½) given b + c. The exact (binomial) form is used at every size:
/// its tails are computed in log space, so b + c in the thousands does not underflow.
public struct McNemarTest: Sendable, Equatable {
    /// b: examples the reference gets right and the candidate wrong.
    public var referenceOnlyCorrect: Int
    /// c: examples the candidate gets right and the reference wrong.
    public var candidateOnlyCorrect: Int
    /// p = min(1, 2·P[X ≤ min(b, c)]), X ~ Binomial(b + c, ½); 1 when b + c = 0.
    public var twoSidedPValue: Double
    /// One-sided p for H₁ "the candidate is worse than the reference" (b > c):
    /// p = P[X ≥ b] = P[X ≤ c] by symmetry; 1 when b + c = 0.
    public var candidateWorsePValue: Double

    /// The test from the discordant counts.
    ///
    /// - Throws: `EvaluationError.invalidArgument` when a count is negative.
    public init(referenceOnlyCorrect b: Int, candidateOnlyCorrect c: Int) throws {
        guard b >= 0, c >= 0 else {
            throw EvaluationError.invalidArgument(
                reason: "McNemar counts must be ≥ 0, got referenceOnlyCorrect = \(b), candidateOnlyCorrect = \(c)")
        }
        referenceOnlyCorrect = b
        candidateOnlyCorrect = c
        let discordant = b + c
        twoSidedPValue = min(1, 2 * SpecialFunctions.binomialCDF(min(b, c), trials: discordant, probability: 0.5))
        candidateWorsePValue = SpecialFunctions.binomialCDF(c, trials: discordant, probability: 0.5)
    }

    /// The test from per-example correctness of the two classifiers on the same examples in
    /// the same order.
    ///
    /// - Throws: `EvaluationError.invalidArgument` when the lengths differ or are 0.
    public init(reference: [Bool], candidate: [Bool]) throws {
        guard !reference.isEmpty, reference.count == candidate.count else {
            throw EvaluationError.invalidArgument(
                reason: "McNemar needs correctness for the same non-empty examples: reference has \(reference.count), candidate has \(candidate.count)")
        }
        var b = 0
        var c = 0
        for (referenceRight, candidateRight) in zip(reference, candidate) where referenceRight != candidateRight {
            if referenceRight { b += 1 } else { c += 1 }
        }
        try self.init(referenceOnlyCorrect: b, candidateOnlyCorrect: c)
    }
}
