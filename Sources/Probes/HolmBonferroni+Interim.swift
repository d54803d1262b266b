import Evaluation

/// Holm's step-down adjustment (Holm 1979, Scand. J. Statist. 6(2)), until the statistics work
/// that defines it in Evaluation lands on main; then this file goes and Evaluation's is used.
enum HolmBonferroni {
    /// p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎) over the p-values sorted ascending, in input order.
    static func adjusted(_ pValues: [Double]) throws -> [Double] {
        if let bad = pValues.firstIndex(where: { !(0...1).contains($0) }) {
            throw EvaluationError.invalidArgument(reason: "p-value \(bad) is \(pValues[bad]); p-values must lie in [0, 1]")
        }
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
        var adjusted = [Double](repeating: 0, count: pValues.count)
        var runningMaximum = 0.0
        for (rank, index) in order.enumerated() {
            runningMaximum = max(runningMaximum, min(1, Double(pValues.count - rank) * pValues[index]))
            adjusted[index] = runningMaximum
        }
        return adjusted
    }
}
