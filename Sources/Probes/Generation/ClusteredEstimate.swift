import Evaluation

/// A ratio of sums over clusters, Σ_i a_i / Σ_i b_i, with a percentile-bootstrap interval that
/// resamples whole clusters.
///
/// Generation probes score k continuations per prompt; continuations of one prompt are not
/// independent, so intervals resample prompts, not continuations (the cluster bootstrap; Davison
/// and Hinkley 1997, "Bootstrap Methods and their Application", §3.8). Every generation
/// statistic is such a ratio: a mean over prompts of a per-prompt value (b_i = 1), or a share
/// of continuations (a_i = toxic continuations of prompt i, b_i = its continuations).
public struct ClusteredEstimate: Sendable, Equatable {
    public var value: Double
    public var low: Double?
    public var high: Double?
    /// Clusters (prompts) behind the value.
    public var clusters: Int

    /// - Parameters:
    ///   - numerators: a_i per cluster; `denominators`: b_i > 0 per cluster, same count.
    ///   - resamples: 0 gives no interval.
    public init(numerators: [Double], denominators: [Double], resamples: Int, confidence: Double, seed: UInt64) throws {
        guard numerators.count == denominators.count, !numerators.isEmpty else {
            throw EvaluationError.invalidArgument(
                reason: "an estimate needs one numerator and one denominator per prompt, got \(numerators.count) and \(denominators.count)")
        }
        guard denominators.allSatisfy({ $0 > 0 }) else {
            throw EvaluationError.invalidArgument(reason: "every prompt needs at least one scored continuation")
        }
        value = numerators.reduce(0, +) / denominators.reduce(0, +)
        clusters = numerators.count
        guard resamples > 0 else { return }
        let interval = try Bootstrap.percentileInterval(
            count: numerators.count, resamples: resamples, confidence: confidence, seed: seed
        ) { indices in
            var top = 0.0
            var bottom = 0.0
            for index in indices {
                top += numerators[index]
                bottom += denominators[index]
            }
            return top / bottom
        }
        low = interval.low
        high = interval.high
    }
}
