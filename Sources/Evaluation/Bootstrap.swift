/// Percentile bootstrap confidence intervals over examples (Efron and Tibshirani 1993, ch. 13).
///
/// Each resample draws n example indices with replacement; the interval is the
/// ((1 − c)/2, (1 + c)/2) quantiles of the statistic over resamples (linear interpolation
/// between order statistics). Seeded, so intervals repeat exactly.
public enum Bootstrap {
    /// The interval of `statistic` (computed on resampled indices) at `confidence` in (0, 1).
    public static func percentileInterval(
        count: Int, resamples: Int, confidence: Double = 0.95, seed: UInt64, statistic: ([Int]) -> Double
    ) throws -> (low: Double, high: Double) {
        let bootstrap = try PairedBootstrap(resamples: resamples, confidence: confidence, method: .percentile, seed: seed)
        let interval = try bootstrap.estimate(seeds: 1, examples: count) { _, examples in statistic(examples) }.interval
        return (interval.low, interval.high)
    }

    /// The q-quantile of sorted values, interpolating linearly (type 7 of Hyndman and Fan 1996).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }

    /// Accuracy of the resampled examples.
    public static func accuracy(gold: [Int], predicted: [Int]) -> ([Int]) -> Double {
        { indices in
            var correct = 0
            for index in indices where gold[index] == predicted[index] { correct += 1 }
            return Double(correct) / Double(indices.count)
        }
    }

    /// Macro-averaged F1 of the resampled examples (a class absent from both gold and
    /// predictions of a resample scores 0, as in `ClassificationMetrics`).
    public static func macroF1(gold: [Int], predicted: [Int], classCount: Int) -> ([Int]) -> Double {
        var tally = MacroF1Tally(classCount: classCount)
        return { indices in tally.macroF1(gold: gold, predicted: predicted, indices: indices) }
    }
}
