/// Accuracy and macro-averaged F1 of predictions, used to monitor validation during training.
///
/// macro-F1 = (1/K) Σₖ 2·Pₖ·Rₖ/(Pₖ + Rₖ), with Pₖ, Rₖ the precision and recall of class k and a
/// class's F1 taken as 0 when it is never predicted nor present; range [0, 1].
public struct ClassificationScores: Sendable, Equatable {
    public var accuracy: Double
    public var macroF1: Double

    public init(predictions: [Int], labels: [Int], classCount: Int) {
        precondition(predictions.count == labels.count, "predictions and labels differ in length")
        let total = max(labels.count, 1)
        accuracy = Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(total)
        var f1Sum = 0.0
        for k in 0..<classCount {
            let truePositive = zip(predictions, labels).filter { $0 == k && $1 == k }.count
            let predicted = predictions.filter { $0 == k }.count
            let actual = labels.filter { $0 == k }.count
            let denominator = predicted + actual
            f1Sum += denominator == 0 ? 0 : 2 * Double(truePositive) / Double(denominator)
        }
        macroF1 = classCount == 0 ? 0 : f1Sum / Double(classCount)
    }
}
