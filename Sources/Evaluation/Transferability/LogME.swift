import Foundation

/// LogME, the logarithm of the maximum evidence of a Bayesian linear model on frozen features
/// (You, Liu, Wang and Long 2021, "LogME: Practical Assessment of Pre-trained Models for
/// Transfer Learning", ICML; the fixed-point form of You et al. 2022, "Ranking and Tuning
/// Pre-trained Models", JMLR 23, Alg. 2). Higher means the features suit the task better.
///
/// Each target dimension y (a one-hot column of the labels) gets the model y = Fw + noise with
/// prior w ~ N(0, α⁻¹I) and noise N(0, β⁻¹). With σⱼ the nonzero eigenvalues of FᵀF (the squared
/// singular values of F), uⱼ the matching left singular vectors, xⱼ = uⱼᵀy and t = α/β, the
/// fixed point repeats
///
///     γ = Σⱼ σⱼ/(σⱼ + t),  m² = Σⱼ σⱼxⱼ²/(σⱼ + t)²,  r² = Σⱼ xⱼ²/(1 + σⱼ/t)² + (‖y‖² − Σⱼ xⱼ²),
///     α = γ/(m² + 10⁻⁵),   β = (n − γ)/(r² + 10⁻⁵)
///
/// from α = β = 1, at most 11 times, until |Δt|/t ≤ 10⁻³, and the evidence per example is
///
///     L/n = [d/2·log α + n/2·log β − ½Σⱼ log(α + βσⱼ) − β/2·r² − α/2·m² − n/2·log 2π] / n.
///
/// The score is the mean of L/n over the target dimensions, exactly as the authors' code
/// (thuml/LogME, `LogME.py`, `_fit_fixed_point`) computes it, including its 10⁻⁵ guards and
/// stopping rule. FᵀF (d × d) is decomposed by `SymmetricEigendecomposition` instead of an SVD
/// of F; σⱼ counts as zero below d·u·σ_max (u the unit roundoff), the rounding level of the
/// eigenvalues (the authors keep √σ > 10⁻¹⁰, which keeps rounding noise for rank-deficient F).
public struct LogME: Sendable, Equatable {
    /// The evidence maximisation of one target dimension.
    public struct Target: Sendable, Equatable {
        /// The prior precision α at the fixed point.
        public let alpha: Double
        /// The noise precision β at the fixed point.
        public let beta: Double
        /// log p(y | F, α, β) / n.
        public let evidence: Double
    }

    /// The mean of `targets[i].evidence`.
    public let score: Double
    /// One per class (one-hot target column).
    public let targets: [Target]

    /// LogME of `data.features` for its class labels.
    public init(_ data: LabelledFeatures) throws {
        try data.requireEveryClass("the LogME data")
        let features = data.features
        let (n, d) = (features.rows, features.columns)
        let decomposition = try SymmetricEigendecomposition(features.gram())
        let largest = decomposition.eigenvalues.last ?? 0
        let cutoff = Double(d) * Double.ulpOfOne * largest
        let kept = decomposition.eigenvalues.indices.filter { decomposition.eigenvalues[$0] > cutoff }
        guard !kept.isEmpty else {
            throw EvaluationError.invalidArgument(
                reason: "the LogME features are all zero (rank 0); their evidence is not defined")
        }
        let sigma = kept.map { decomposition.eigenvalues[$0] }

        // Fᵀy for a one-hot column is the sum of the class's rows; xⱼ = vⱼᵀFᵀy / √σⱼ.
        let classSums = data.classSums()
        let sizes = data.classSizes
        targets = (0..<data.classCount).map { label in
            let squaredProjections = zip(kept, sigma).map { index, value in
                let projection = VectorOperations.dot(Array(decomposition.eigenvector(index)), classSums[label])
                return projection * projection / value
            }
            return Self.maximizeEvidence(
                sigma: sigma, squaredProjections: squaredProjections, targetNorm: Double(sizes[label]),
                count: Double(n), dimension: Double(d))
        }
        score = targets.reduce(0) { $0 + $1.evidence } / Double(targets.count)
    }

    /// The fixed-point iteration and the evidence of one target with ‖y‖² = `targetNorm`.
    static func maximizeEvidence(
        sigma: [Double], squaredProjections x2: [Double], targetNorm: Double, count n: Double, dimension d: Double
    ) -> Target {
        let residualOutside = targetNorm - x2.reduce(0, +)
        var alpha = 1.0
        var beta = 1.0
        var t = 1.0
        var m2 = 0.0
        var r2 = 0.0
        for _ in 0..<11 {
            t = alpha / beta
            var gamma = 0.0
            m2 = 0
            r2 = residualOutside
            for (s, x) in zip(sigma, x2) {
                gamma += s / (s + t)
                m2 += s * x / ((t + s) * (t + s))
                r2 += x / ((1 + s / t) * (1 + s / t))
            }
            alpha = gamma / (m2 + 1e-5)
            beta = (n - gamma) / (r2 + 1e-5)
            if abs(alpha / beta - t) / t <= 1e-3 { break }
        }
        var logDeterminant = 0.0
        for s in sigma { logDeterminant += log(alpha + beta * s) }
        let evidence =
            d / 2 * log(alpha) + n / 2 * log(beta) - logDeterminant / 2 - beta / 2 * r2 - alpha / 2 * m2
            - n / 2 * log(2 * Double.pi)
        return Target(alpha: alpha, beta: beta, evidence: evidence / n)
    }
}
