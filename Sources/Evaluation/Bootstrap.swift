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
        guard count > 0, resamples > 0 else {
            throw EvaluationError.invalidArgument(reason: "bootstrap needs examples and resamples, got \(count) and \(resamples)")
        }
        guard confidence > 0, confidence < 1 else {
            throw EvaluationError.invalidArgument(reason: "confidence must be in (0, 1), got \(confidence)")
        }
        var generator = SplitMix64(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var indices = [Int](repeating: 0, count: count)
        for _ in 0..<resamples {
            for position in 0..<count { indices[position] = generator.below(count) }
            values.append(statistic(indices))
        }
        values.sort()
        return (quantile(values, (1 - confidence) / 2), quantile(values, (1 + confidence) / 2))
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
        { indices in
            var truePositive = [Int](repeating: 0, count: classCount)
            var goldCount = [Int](repeating: 0, count: classCount)
            var predictedCount = [Int](repeating: 0, count: classCount)
            for index in indices {
                goldCount[gold[index]] += 1
                predictedCount[predicted[index]] += 1
                if gold[index] == predicted[index] { truePositive[gold[index]] += 1 }
            }
            var sum = 0.0
            for k in 0..<classCount where goldCount[k] + predictedCount[k] > 0 {
                sum += 2 * Double(truePositive[k]) / Double(goldCount[k] + predictedCount[k])
            }
            return classCount == 0 ? 0 : sum / Double(classCount)
        }
    }
}
