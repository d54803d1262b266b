/// Holm's step-down adjustment of p-values for a family of comparisons (Holm 1979, "A simple
/// sequentially rejective multiple test procedure", Scand. J. Statist. 6(2), 65–70).
///
/// It controls the family-wise error rate at α under any dependence between the tests and
/// rejects at least what Bonferroni rejects.
public enum HolmBonferroni {
    /// Holm-adjusted p-values, in input order.
    ///
    /// With the m p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎, the adjusted value of the i-th is
    /// p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎): monotone in the sorted order, capped at 1,
    /// and rejecting H₍ᵢ₎ when p̃₍ᵢ₎ ≤ α is Holm's procedure. Range [0, 1]. An empty family
    /// gives an empty result.
    ///
    /// - Throws: `EvaluationError.invalidArgument` when a p-value is outside [0, 1] or NaN.
    public static func adjusted(_ pValues: [Double]) throws -> [Double] {
        if let bad = pValues.firstIndex(where: { !(0...1).contains($0) }) {
            throw EvaluationError.invalidArgument(reason: "p-value \(bad) is \(pValues[bad]); p-values must lie in [0, 1]")
        }
        let count = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
        var adjusted = [Double](repeating: 0, count: count)
        var runningMaximum = 0.0
        for (rank, index) in order.enumerated() {
            runningMaximum = max(runningMaximum, min(1, Double(count - rank) * pValues[index]))
            adjusted[index] = runningMaximum
        }
        return adjusted
    }
}
