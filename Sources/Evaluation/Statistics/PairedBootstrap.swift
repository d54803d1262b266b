import Foundation

/// Paired bootstrap intervals and p-values for a statistic of two systems scored on the same
/// test examples, over one or several training seeds.
///
/// Each resample draws example indices with replacement and hands the SAME indices to the
/// statistic for both systems, so per-example agreement between them is kept (paired
/// bootstrap; Efron and Tibshirani 1993, ch. 6 and 13; Koehn 2004 for system comparison).
/// With several seeds the seed indices are resampled first, then the examples (hierarchical
/// bootstrap). Seeds and examples are crossed here (every seed is scored on every example),
/// so one example resample serves every chosen seed; resampling both factors is Owen's
/// "pigeonhole" bootstrap for crossed designs (Owen 2007, Ann. Appl. Stat. 1(2)), slightly
/// conservative, and it makes the interval reflect seed-to-seed variation that resampling
/// examples alone would hide.
///
/// Seeded with `SplitMix64`: the same seed, data and statistic give bit-identical results.
public struct PairedBootstrap: Sendable {
    /// B, the number of resamples.
    public let resamples: Int
    /// Coverage of the interval, in (0, 1).
    public let confidence: Double
    public let method: ConfidenceInterval.Method
    public let seed: UInt64

    /// - Throws: `EvaluationError.invalidArgument` when `resamples` < 1 or `confidence` is not
    ///   in (0, 1).
    public init(resamples: Int = 10_000, confidence: Double = 0.95, method: ConfidenceInterval.Method = .bca, seed: UInt64 = 0) throws {
        guard resamples >= 1 else {
            throw EvaluationError.invalidArgument(reason: "bootstrap resamples must be at least 1, got \(resamples)")
        }
        guard confidence > 0, confidence < 1 else {
            throw EvaluationError.invalidArgument(reason: "confidence must be in (0, 1), e.g. 0.95, got \(confidence)")
        }
        self.resamples = resamples
        self.confidence = confidence
        self.method = method
        self.seed = seed
    }

    /// The bootstrap estimate of `statistic`, computed by the caller for both systems at once
    /// on the seed and example indices it is given (indices may repeat).
    ///
    /// The point estimate is the statistic on all seeds and examples. With `seeds` == 1 no
    /// seed indices are drawn (the argument is always [0]), so a single-seed run draws exactly
    /// the example indices `Bootstrap.percentileInterval` always drew.
    ///
    /// - Parameters:
    ///   - seeds: how many training seeds the statistic averages over (≥ 1).
    ///   - examples: how many test examples each seed was scored on (≥ 1; ≥ 2 for BCa).
    ///   - noEffect: the value of "no difference" for the p-values: 0 for a difference, 1 for
    ///     a ratio.
    ///   - statistic: the statistic on the chosen seeds and examples; must be finite.
    /// - Throws: `EvaluationError.invalidArgument` for counts below those limits or a
    ///   non-finite statistic.
    public func estimate(
        seeds: Int, examples: Int, noEffect: Double = 0,
        statistic: (_ seedIndices: [Int], _ exampleIndices: [Int]) -> Double
    ) throws -> BootstrapEstimate {
        guard seeds >= 1 else {
            throw EvaluationError.invalidArgument(reason: "bootstrap needs at least 1 seed, got seeds = \(seeds)")
        }
        guard examples >= (method == .bca ? 2 : 1) else {
            throw EvaluationError.invalidArgument(
                reason: "bootstrap needs at least \(method == .bca ? 2 : 1) examples for a \(method.rawValue) interval, got examples = \(examples)")
        }
        let allSeeds = Array(0..<seeds)
        let observed = statistic(allSeeds, Array(0..<examples))
        try Self.checkFinite(observed, "on the observed data")

        var generator = SplitMix64(seed: seed)
        var seedIndices = allSeeds
        var exampleIndices = [Int](repeating: 0, count: examples)
        var replicates = [Double]()
        replicates.reserveCapacity(resamples)
        for resample in 0..<resamples {
            if seeds > 1 {
                for position in 0..<seeds { seedIndices[position] = generator.below(seeds) }
            }
            for position in 0..<examples { exampleIndices[position] = generator.below(examples) }
            let value = statistic(seedIndices, exampleIndices)
            try Self.checkFinite(value, "on resample \(resample + 1)")
            replicates.append(value)
        }
        replicates.sort()

        var lowQuantile = (1 - confidence) / 2
        var highQuantile = (1 + confidence) / 2
        if method == .bca {
            let bias = Self.biasCorrection(replicates, observed: observed)
            let acceleration = Self.jackknifeAcceleration(seeds: allSeeds, examples: examples, statistic: statistic)
            lowQuantile = Self.adjustedQuantile(lowQuantile, bias: bias, acceleration: acceleration)
            highQuantile = Self.adjustedQuantile(highQuantile, bias: bias, acceleration: acceleration)
        }
        let interval = ConfidenceInterval(
            low: Bootstrap.quantile(replicates, lowQuantile), high: Bootstrap.quantile(replicates, highQuantile),
            confidence: confidence, method: method)
        return BootstrapEstimate(estimate: observed, interval: interval, noEffect: noEffect, sortedReplicates: replicates)
    }

    private static func checkFinite(_ value: Double, _ context: String) throws {
        guard value.isFinite else {
            throw EvaluationError.invalidArgument(
                reason: "the bootstrap statistic is \(value) \(context); a ratio needs a baseline that scores above 0 on every resample (use the difference instead)")
        }
    }

    /// ẑ₀ = Φ⁻¹(#{θ*_b < θ̂}/B + ½·#{θ*_b = θ̂}/B) (Efron and Tibshirani 1993, eq. 14.14, with
    /// ties counted half, as scipy.stats.bootstrap does: accuracy differences take few values
    /// and many replicates equal θ̂). The fraction is kept within [1/(2B), 1 − 1/(2B)] so that a
    /// degenerate distribution gives the extreme replicates rather than an infinite ẑ₀.
    static func biasCorrection(_ sorted: [Double], observed: Double) -> Double {
        let count = Double(sorted.count)
        let below = count - Double(BootstrapEstimate.countAtLeast(sorted, observed))
        let atMost = Double(BootstrapEstimate.countAtMost(sorted, observed))
        let fraction = min(max((below + atMost) / (2 * count), 0.5 / count), 1 - 0.5 / count)
        return SpecialFunctions.inverseStandardNormalCDF(fraction)
    }

    /// â = Σ(θ̄₍.₎ − θ₍ᵢ₎)³ / (6·[Σ(θ̄₍.₎ − θ₍ᵢ₎)²]^{3/2}) over the n leave-one-example-out
    /// statistics θ₍ᵢ₎ on all seeds (Efron and Tibshirani 1993, eq. 14.15); 0 when every
    /// θ₍ᵢ₎ is equal. Costs n evaluations of the statistic on n − 1 examples.
    static func jackknifeAcceleration(seeds: [Int], examples: Int, statistic: ([Int], [Int]) -> Double) -> Double {
        // Leaving out example i, the buffer holds 0..<i then i+1..<n; moving on to i + 1 only
        // position i changes.
        var kept = Array(1..<examples)
        var values = [Double](repeating: 0, count: examples)
        for left in 0..<examples {
            if left > 0 { kept[left - 1] = left - 1 }
            values[left] = statistic(seeds, kept)
        }
        let mean = values.reduce(0, +) / Double(examples)
        var cubes = 0.0
        var squares = 0.0
        for value in values {
            let deviation = mean - value
            squares += deviation * deviation
            cubes += deviation * deviation * deviation
        }
        guard squares > 0 else { return 0 }
        return cubes / (6 * pow(squares, 1.5))
    }

    /// α' = Φ(ẑ₀ + (ẑ₀ + z_α) / (1 − â(ẑ₀ + z_α))) (Efron and Tibshirani 1993, eq. 14.10).
    static func adjustedQuantile(_ alpha: Double, bias: Double, acceleration: Double) -> Double {
        let shifted = bias + SpecialFunctions.inverseStandardNormalCDF(alpha)
        let denominator = 1 - acceleration * shifted
        // Past the pole of the acceleration correction the quantile runs to the end it
        // approaches; only a wildly skewed jackknife gets there.
        guard denominator > 0 else { return shifted > 0 ? 1 : 0 }
        return SpecialFunctions.standardNormalCDF(bias + shifted / denominator)
    }
}
