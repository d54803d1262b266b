/// The paired permutation (sign-flip) test of a mean difference (Fisher 1935, §21; Good,
/// "Permutation, Parametric and Bootstrap Tests of Hypotheses", 3rd ed. 2005, §3.1).
///
/// Under H₀ the two systems are exchangeable on each example, so each per-example
/// difference dᵢ = candidateᵢ − baselineᵢ is as likely to have the opposite sign. The
/// statistic is the mean difference T = (1/n)·Σ dᵢ; its null distribution is that of
/// (1/n)·Σ εᵢdᵢ over sign vectors ε ∈ {−1, +1}ⁿ, and the two-sided p-value is the share of
/// sign vectors with |T*| ≥ |T|:
/// - exact, over all 2ⁿ sign vectors, when n ≤ 20: p = #{|T*| ≥ |T|} / 2ⁿ;
/// - otherwise from P seeded random sign vectors: p = (1 + #{|T*| ≥ |T|}) / (1 + P), which
///   counts the observed vector once and so never returns 0 (Phipson and Smyth 2010, "Permutation
///   p-values should never be zero", Stat. Appl. Genet. Mol. Biol. 9(1)).
/// Range (0, 1].
public struct PairedPermutationTest: Sendable, Equatable {
    /// The largest n enumerated exactly (2²⁰ ≈ 10⁶ sign vectors).
    public static let largestExactCount = 20

    /// T, the observed mean of candidate − baseline.
    public var meanDifference: Double
    public var pValue: Double
    /// How many sign vectors the null distribution holds: 2ⁿ when exact, else P.
    public var permutations: Int
    /// Whether every sign vector was enumerated.
    public var isExact: Bool

    /// The test of per-example differences (candidate − baseline).
    ///
    /// - Parameters:
    ///   - permutations: random sign vectors when n > 20 (≥ 1).
    ///   - seed: the `SplitMix64` seed of those sign vectors.
    /// - Throws: `EvaluationError.invalidArgument` for no differences, a non-finite one, or
    ///   `permutations` < 1.
    public init(differences: [Double], permutations: Int = 10_000, seed: UInt64 = 0) throws {
        guard !differences.isEmpty else {
            throw EvaluationError.invalidArgument(reason: "the permutation test needs at least one paired difference")
        }
        guard differences.allSatisfy(\.isFinite) else {
            throw EvaluationError.invalidArgument(reason: "every paired difference must be finite (one is NaN or infinite)")
        }
        guard permutations >= 1 else {
            throw EvaluationError.invalidArgument(reason: "permutations must be at least 1, got \(permutations)")
        }
        let n = differences.count
        let observedSum = differences.reduce(0, +)
        meanDifference = observedSum / Double(n)
        // Sums of the same values with other signs can land a few ulps off a sum they equal
        // exactly; counting those as ties (extreme) keeps the p-value conservative.
        let threshold = abs(observedSum) - 1e-12 * differences.reduce(0) { $0 + abs($1) }
        if n <= Self.largestExactCount {
            let vectors = 1 << n
            var extreme = 0
            for mask in 0..<vectors where abs(Self.signedSum(differences, signs: UInt64(mask))) >= threshold {
                extreme += 1
            }
            pValue = Double(extreme) / Double(vectors)
            self.permutations = vectors
            isExact = true
        } else {
            var generator = SplitMix64(seed: seed)
            var extreme = 0
            for _ in 0..<permutations {
                var sum = 0.0
                var start = 0
                while start < n {
                    let signs = generator.next()
                    let end = min(start + 64, n)
                    sum += Self.signedSum(differences[start..<end], signs: signs)
                    start = end
                }
                if abs(sum) >= threshold { extreme += 1 }
            }
            pValue = Double(1 + extreme) / Double(1 + permutations)
            self.permutations = permutations
            isExact = false
        }
    }

    /// The test of candidate − baseline scores on the same examples in the same order.
    public init(candidate: [Double], baseline: [Double], permutations: Int = 10_000, seed: UInt64 = 0) throws {
        guard candidate.count == baseline.count else {
            throw EvaluationError.invalidArgument(
                reason: "candidate has \(candidate.count) scores but baseline has \(baseline.count); pair them example by example")
        }
        try self.init(differences: zip(candidate, baseline).map { $0 - $1 }, permutations: permutations, seed: seed)
    }

    /// Σ ±dᵢ in index order, with dᵢ negated where bit i (from the slice's start) of `signs` is set.
    private static func signedSum(_ values: ArraySlice<Double>, signs: UInt64) -> Double {
        var sum = 0.0
        var bits = signs
        for value in values {
            sum += bits & 1 == 1 ? -value : value
            bits >>= 1
        }
        return sum
    }

    private static func signedSum(_ values: [Double], signs: UInt64) -> Double {
        signedSum(values[...], signs: signs)
    }
}
