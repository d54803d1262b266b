import Testing

@testable import Evaluation

@Suite("ROC AUC")
struct ReceiverOperatingCharacteristicTests {
    // scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.2, 0.9, 0.4]; labels = [0, 0, 1, 1, 1, 0, 1, 0];
    // weights = [1, 2, 1, 1, 3, 1, 2, 1]
    // sklearn.metrics.roc_auc_score(labels, scores) = 0.8125
    // sklearn.metrics.roc_auc_score(labels, scores, sample_weight=weights) = 0.7857142857142857
    static let scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.2, 0.9, 0.4]
    static let labels = [false, false, true, true, true, false, true, false]

    @Test("the AUC with ties equals scikit-learn's")
    func unweighted() {
        #expect(ReceiverOperatingCharacteristic.areaUnderCurve(scores: Self.scores, isPositive: Self.labels) == 0.8125)
    }

    @Test("the weighted AUC equals scikit-learn's with sample weights")
    func weighted() {
        let area = ReceiverOperatingCharacteristic.areaUnderCurve(
            scores: Self.scores, isPositive: Self.labels, weights: [1, 2, 1, 1, 3, 1, 2, 1])
        #expect(abs(area - 0.7857142857142857) < 1e-15)
    }

    @Test("without a negative the AUC is undefined")
    func undefined() {
        #expect(ReceiverOperatingCharacteristic.areaUnderCurve(scores: [0.2, 0.3], isPositive: [true, true]).isNaN)
    }
}
