/// The receiver operating characteristic of a score that ranks positive examples above
/// negative ones.
public enum ReceiverOperatingCharacteristic {
    /// The area under the ROC curve, AUC = Σ_{i pos} Σ_{j neg} w_i w_j [1(s_i > s_j) + ½·1(s_i = s_j)]
    /// / (Σ_pos w · Σ_neg w): the probability that a random positive scores above a random
    /// negative, ties counting half (the Mann–Whitney U statistic over n_pos·n_neg; Hanley and
    /// McNeil 1982, Radiology 143(1); Fawcett 2006, Pattern Recognit. Lett. 27(8)). Equal to
    /// scikit-learn's `roc_auc_score` (with `sample_weight`). Range [0, 1], 0.5 is chance;
    /// NaN without a positive or a negative of positive weight. O(n log n).
    public static func areaUnderCurve(scores: [Double], isPositive: [Bool], weights: [Double]? = nil) -> Double {
        precondition(scores.count == isPositive.count && (weights?.count ?? scores.count) == scores.count,
                     "scores, labels and weights must have one entry per example")
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var negativesBelow = 0.0
        var pairs = 0.0
        var positives = 0.0
        var start = 0
        while start < order.count {
            var end = start
            var positiveTied = 0.0
            var negativeTied = 0.0
            while end < order.count, scores[order[end]] == scores[order[start]] {
                let weight = weights?[order[end]] ?? 1
                if isPositive[order[end]] { positiveTied += weight } else { negativeTied += weight }
                end += 1
            }
            pairs += positiveTied * (negativesBelow + negativeTied / 2)
            positives += positiveTied
            negativesBelow += negativeTied
            start = end
        }
        guard positives > 0, negativesBelow > 0 else { return .nan }
        return pairs / (positives * negativesBelow)
    }
}
