/// Macro-F1 over a chosen multiset of examples, with its per-class counts kept between calls
/// so a bootstrap scores thousands of resamples without allocating.
///
/// F1_k = 2·TP_k / (gold_k + predicted_k), which equals 2PR/(P + R); a class absent from both
/// gold and predictions of the chosen examples scores 0, and macro-F1 = Σ_k F1_k / K
/// (the definition of `ClassificationMetrics.macroF1`); range [0, 1].
struct MacroF1Tally {
    let classCount: Int
    private var truePositives: [Int]
    private var goldCounts: [Int]
    private var predictedCounts: [Int]

    init(classCount: Int) {
        self.classCount = classCount
        truePositives = [Int](repeating: 0, count: classCount)
        goldCounts = truePositives
        predictedCounts = truePositives
    }

    /// Macro-F1 of `gold[i]` against `predicted[offset + i]` over the example indices i.
    mutating func macroF1(gold: [Int], predicted: [Int], offset: Int = 0, indices: [Int]) -> Double {
        for k in 0..<classCount {
            truePositives[k] = 0
            goldCounts[k] = 0
            predictedCounts[k] = 0
        }
        for index in indices {
            let truth = gold[index]
            let guess = predicted[offset + index]
            goldCounts[truth] += 1
            predictedCounts[guess] += 1
            if truth == guess { truePositives[truth] += 1 }
        }
        var sum = 0.0
        for k in 0..<classCount where goldCounts[k] + predictedCounts[k] > 0 {
            sum += 2 * Double(truePositives[k]) / Double(goldCounts[k] + predictedCounts[k])
        }
        return classCount == 0 ? 0 : sum / Double(classCount)
    }
}
