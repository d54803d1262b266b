import Foundation

/// Precision, recall and F1 of one class: P = TP/(TP+FP), R = TP/(TP+FN), F1 = 2PR/(P+R),
/// each 0 when its denominator is 0; all in [0, 1].
public struct ClassScores: Sendable, Equatable {
    public var label: String
    public var precision: Double
    public var recall: Double
    public var f1: Double
    /// Number of gold samples of the class.
    public var support: Int
}

/// Classification metrics over gold and predicted label indices, with class probabilities for
/// calibration.
public struct ClassificationMetrics: Sendable, Equatable {
    /// Fraction of correct predictions, in [0, 1].
    public var accuracy: Double
    /// Unweighted mean of the per-class F1, in [0, 1].
    public var macroF1: Double
    /// Support-weighted mean of the per-class F1, in [0, 1] (Davidson et al. report it).
    public var weightedF1: Double
    public var perClass: [ClassScores]
    /// confusion[gold][predicted] counts.
    public var confusion: [[Int]]
    /// Expected calibration error, nil without probabilities.
    public var expectedCalibrationError: Double?

    /// - Parameters:
    ///   - probabilities: per sample, the probability of each class (for ECE), or nil.
    public init(gold: [Int], predicted: [Int], labelNames: [String], probabilities: [[Double]]? = nil, bins: Int = 15) throws {
        guard gold.count == predicted.count else {
            throw EvaluationError.invalidArgument(reason: "\(gold.count) gold labels but \(predicted.count) predictions")
        }
        let k = labelNames.count
        guard (gold + predicted).allSatisfy({ (0..<k).contains($0) }) else {
            throw EvaluationError.invalidArgument(reason: "a label index is outside 0..<\(k)")
        }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for (g, p) in zip(gold, predicted) { confusion[g][p] += 1 }
        self.init(confusion: confusion, labelNames: labelNames)
        expectedCalibrationError = try probabilities.map {
            try Self.expectedCalibrationError(probabilities: $0, gold: gold, bins: bins)
        }
    }

    /// The metrics of a confusion matrix (confusion[gold][predicted] counts, `labelNames.count`
    /// square), without calibration: what a bootstrap resample of stored predictions tallies.
    public init(confusion: [[Int]], labelNames: [String]) {
        let k = labelNames.count
        let total = confusion.reduce(0) { $0 + $1.reduce(0, +) }
        accuracy = total == 0 ? 0 : Double((0..<k).reduce(0) { $0 + confusion[$1][$1] }) / Double(total)
        perClass = (0..<k).map { c in
            let truePositive = confusion[c][c]
            let predictedCount = (0..<k).reduce(0) { $0 + confusion[$1][c] }
            let support = confusion[c].reduce(0, +)
            let precision = predictedCount == 0 ? 0 : Double(truePositive) / Double(predictedCount)
            let recall = support == 0 ? 0 : Double(truePositive) / Double(support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return ClassScores(label: labelNames[c], precision: precision, recall: recall, f1: f1, support: support)
        }
        macroF1 = k == 0 ? 0 : perClass.reduce(0) { $0 + $1.f1 } / Double(k)
        weightedF1 = total == 0 ? 0 : perClass.reduce(0) { $0 + $1.f1 * Double($1.support) } / Double(total)
        self.confusion = confusion
        expectedCalibrationError = nil
    }

    /// The cross-entropy of one example, −log p(gold), with p clamped to the smallest normal
    /// Double so that a probability of 0 costs about 708 nats instead of infinity.
    public static func crossEntropy(probabilityOfGold probability: Double) -> Double {
        -log(max(probability, Double.leastNormalMagnitude))
    }

    /// ECE = Σ_b (|B_b|/N)·|acc(B_b) − conf(B_b)| over `bins` equal-width bins of the top-class
    /// confidence (Guo et al. 2017, "On Calibration of Modern Neural Networks"); range [0, 1],
    /// 0 is perfectly calibrated. Confidence 1.0 falls in the last bin.
    public static func expectedCalibrationError(probabilities: [[Double]], gold: [Int], bins: Int = 15) throws -> Double {
        guard probabilities.count == gold.count, bins >= 1 else {
            throw EvaluationError.invalidArgument(reason: "\(probabilities.count) probability rows for \(gold.count) labels")
        }
        var count = [Int](repeating: 0, count: bins)
        var correct = [Double](repeating: 0, count: bins)
        var confidence = [Double](repeating: 0, count: bins)
        for (row, label) in zip(probabilities, gold) {
            // A stored row that is not a probability (NaN) has no confidence to bin.
            guard let best = row.indices.max(by: { row[$0] < row[$1] }), row[best].isFinite else { continue }
            let top = row[best]
            let bin = min(bins - 1, Int(top * Double(bins)))
            count[bin] += 1
            confidence[bin] += top
            correct[bin] += best == label ? 1 : 0
        }
        let total = Double(max(gold.count, 1))
        return (0..<bins).reduce(0) { sum, b in
            count[b] == 0 ? sum : sum + Double(count[b]) / total * abs(correct[b] / Double(count[b]) - confidence[b] / Double(count[b]))
        }
    }
}
