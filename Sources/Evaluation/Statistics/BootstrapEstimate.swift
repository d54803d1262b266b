/// A statistic with its bootstrap interval, standard error and p-values.
///
/// Made by `PairedBootstrap`; keeps the sorted bootstrap replicates so that a non-inferiority
/// test at any margin can be asked for afterwards.
public struct BootstrapEstimate: Sendable, Equatable {
    /// The statistic on the data as observed, θ̂.
    public var estimate: Double
    public var interval: ConfidenceInterval
    /// The standard deviation of the replicates, √(Σ(θ*_b − θ̄*)² / (B − 1)) (Efron and
    /// Tibshirani 1993, eq. 6.6); 0 with a single resample.
    public var standardError: Double
    /// The value of "no effect" the p-values test against: 0 for differences, 1 for ratios.
    public var noEffect: Double
    /// Two-sided p-value of H₀: θ = `noEffect`, from the null-shifted bootstrap distribution:
    /// p = (1 + #{|θ*_b − θ̂| ≥ |θ̂ − θ₀|}) / (B + 1); range (0, 1].
    public var pValue: Double
    /// B, the number of bootstrap resamples.
    public var resamples: Int
    /// The replicates θ*_1 … θ*_B in ascending order.
    public var replicates: [Double]

    init(estimate: Double, interval: ConfidenceInterval, noEffect: Double, sortedReplicates: [Double]) {
        self.estimate = estimate
        self.interval = interval
        self.noEffect = noEffect
        self.replicates = sortedReplicates
        resamples = sortedReplicates.count
        standardError = Self.standardDeviation(sortedReplicates)
        pValue = Self.twoSidedPValue(sortedReplicates, estimate: estimate, noEffect: noEffect)
    }

    /// One-sided p-value of the non-inferiority null H₀: θ ≤ θ₀ − margin against
    /// H₁: θ > θ₀ − margin, from the bootstrap distribution shifted to the null boundary
    /// (Efron and Tibshirani 1993, ch. 16; Walker and Nowacki 2011, "Understanding
    /// equivalence and noninferiority testing", J Gen Intern Med 26(2)):
    /// p = (1 + #{θ*_b − θ̂ ≥ θ̂ − θ₀ + margin}) / (B + 1); range (0, 1].
    ///
    /// For a difference (θ₀ = 0) and margin 0.01, a small p says the candidate is at most one
    /// point worse than the baseline; for a ratio (θ₀ = 1), margin 0.04 asks whether it keeps
    /// at least 96% of the baseline's score.
    public func nonInferiorityPValue(margin: Double) throws -> Double {
        try Self.checkMargin(margin)
        let threshold = estimate + (estimate - noEffect + margin)
        let count = Self.countAtLeast(replicates, threshold - Self.tieTolerance(estimate, noEffect, margin))
        return Double(1 + count) / Double(resamples + 1)
    }

    /// Two-sided p-value of H₀: θ = `value` from the bootstrap distribution shifted to it, the
    /// same rule as `pValue` with `value` in place of `noEffect`: p = (1 + #{|θ*_b − θ̂| ≥
    /// |θ̂ − value|}) / (B + 1); range (0, 1]. Tests a claim such as "keeps 96%" (value 0.96).
    public func pValue(against value: Double) -> Double {
        Self.twoSidedPValue(replicates, estimate: estimate, noEffect: value)
    }

    /// Whether the interval's lower end lies above θ₀ − margin: the confidence-interval rule of
    /// CONSORT for non-inferiority trials (Piaggio et al. 2012, JAMA 308(24), fig. 1). The low
    /// end of a two-sided interval at confidence c is a one-sided bound at (1 + c)/2, so a
    /// 95% interval tests non-inferiority at the one-sided 2.5% level.
    public func isNonInferior(margin: Double) throws -> Bool {
        try Self.checkMargin(margin)
        return interval.low > noEffect - margin
    }

    private static func checkMargin(_ margin: Double) throws {
        guard margin >= 0, margin.isFinite else {
            throw EvaluationError.invalidArgument(
                reason: "margin must be a finite number ≥ 0 (how much worse still counts as not worse), got \(margin)")
        }
    }

    private static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let mean = values.reduce(0, +) / Double(values.count)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(values.count - 1)).squareRoot()
    }

    /// Values this close to a threshold count as reaching it: replicates that equal the
    /// threshold in exact arithmetic (accuracy differences are multiples of 1/n) may differ
    /// from it by rounding, and counting them as extreme keeps the p-value conservative.
    static func tieTolerance(_ values: Double...) -> Double {
        1e-12 * max(1, values.map(abs).max() ?? 0)
    }

    static func twoSidedPValue(_ sorted: [Double], estimate: Double, noEffect: Double) -> Double {
        let distance = abs(estimate - noEffect)
        let tolerance = tieTolerance(estimate, noEffect)
        guard distance > tolerance else { return 1 }
        let extreme = countAtLeast(sorted, estimate + distance - tolerance)
            + countAtMost(sorted, estimate - distance + tolerance)
        return Double(1 + extreme) / Double(sorted.count + 1)
    }

    /// #{v ≥ threshold} in ascending `sorted`, by binary search.
    static func countAtLeast(_ sorted: [Double], _ threshold: Double) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < threshold { low = middle + 1 } else { high = middle }
        }
        return sorted.count - low
    }

    /// #{v ≤ threshold} in ascending `sorted`, by binary search.
    static func countAtMost(_ sorted: [Double], _ threshold: Double) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] <= threshold { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
