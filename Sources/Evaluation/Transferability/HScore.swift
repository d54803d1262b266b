/// The H-score of features for a classification task (Bao, Li, Huang, Zheng, Tan and Zhao
/// 2019, "An Information-theoretic Approach to Transferability in Task Transfer Learning", ICIP):
///
///     H(f) = tr(cov(f)⁺ · cov(E[f | y]))
///
/// with cov the sample covariance (divisor n − 1 in both, which cancels) and E[f | y] each
/// row's class mean, so cov(E[f | y]) = Σ_c n_c/(n − 1)·(μ_c − μ)(μ_c − μ)ᵀ. It is the
/// between-class variance measured in units of the feature covariance (Fisher's discriminant
/// ratio summed over directions): 0 when class means coincide, at most the number of classes − 1
/// when cov(f) has full rank, higher for more separable features.
///
/// cov(f)⁺ is the Moore–Penrose pseudo-inverse from `SymmetricEigendecomposition`: eigenvalues
/// at or below `relativeCutoff` × the largest count as zero (as `np.linalg.pinv(…, rcond=…)`).
/// The default 1e-10 treats as empty the directions whose variance is below 10⁻¹⁰ of the
/// largest: there the eigenvalues of a rank-deficient covariance are rounding noise (about
/// d·10⁻¹⁶ relative), whose inverse would dominate the score; numpy's own default 1e-15 keeps them.
public enum HScore {
    public static let defaultRelativeCutoff = 1e-10

    /// H(f) of `data.features` for its labels.
    public static func score(_ data: LabelledFeatures, relativeCutoff: Double = defaultRelativeCutoff) throws -> Double {
        try data.requireEveryClass("the H-score data")
        guard relativeCutoff >= 0, relativeCutoff < 1 else {
            throw EvaluationError.invalidArgument(reason: "relativeCutoff must be in [0, 1), got \(relativeCutoff)")
        }
        let features = data.features
        let (n, d) = (features.rows, features.columns)
        guard n >= 2 else {
            throw EvaluationError.invalidArgument(reason: "the H-score needs at least 2 examples for a covariance, got \(n)")
        }
        let mean = features.columnMeans()
        var centred = features.values
        for i in 0..<n {
            for j in 0..<d { centred[i * d + j] -= mean[j] }
        }
        let scatter = Matrix(rows: n, columns: d, unchecked: centred).gram()
        let covariance = Matrix(rows: d, columns: d, unchecked: scatter.values.map { $0 / Double(n - 1) })
        let decomposition = try SymmetricEigendecomposition(covariance)
        let cutoff = relativeCutoff * (decomposition.eigenvalues.last ?? 0)

        let classSums = data.classSums()
        // Σ_c n_c/(n − 1) · Σ_j (vⱼᵀ(μ_c − μ))² / λⱼ over the kept eigenpairs.
        var score = 0.0
        for (label, size) in data.classSizes.enumerated() {
            let offset = (0..<d).map { classSums[label][$0] / Double(size) - mean[$0] }
            for (index, eigenvalue) in decomposition.eigenvalues.enumerated() where eigenvalue > cutoff {
                let projection = VectorOperations.dot(Array(decomposition.eigenvector(index)), offset)
                score += Double(size) / Double(n - 1) * projection * projection / eigenvalue
            }
        }
        return score
    }
}
