import Testing

@testable import Evaluation

@Suite struct TransferLabelTests {
    static func interval(_ low: Double, _ high: Double) -> ConfidenceInterval {
        ConfidenceInterval(low: low, high: high, confidence: 0.95, method: .bca)
    }

    @Test("an interval above 0 is positive, below 0 negative, and one touching or containing 0 inconclusive")
    func labelsFollowTheInterval() {
        #expect(TransferLabel(interval: Self.interval(0.01, 0.05)) == .positive)
        #expect(TransferLabel(interval: Self.interval(-0.05, -0.001)) == .negative)
        #expect(TransferLabel(interval: Self.interval(-0.02, 0.03)) == .inconclusive)
        #expect(TransferLabel(interval: Self.interval(0, 0.03)) == .inconclusive)
        #expect(TransferLabel(interval: Self.interval(-0.03, 0)) == .inconclusive)
    }

    @Test("a ratio is judged against 1")
    func ratiosAreJudgedAgainstOne() {
        #expect(TransferLabel(interval: Self.interval(0.97, 0.99), noEffect: 1) == .negative)
        #expect(TransferLabel(interval: Self.interval(0.97, 1.02), noEffect: 1) == .inconclusive)
    }
}

@Suite struct ComparisonFamilyTests {
    @Test("a family gets Holm-adjusted p-values and interval labels in input order")
    func adjustsTheWholeFamily() throws {
        let family = try ComparisonFamily.holmAdjusted([
            NamedComparison(name: "lora vs full", estimate: -0.01, interval: TransferLabelTests.interval(-0.03, 0.01), pValue: 0.04),
            NamedComparison(name: "adapter vs full", estimate: 0.03, interval: TransferLabelTests.interval(0.01, 0.05), pValue: 0.005),
            NamedComparison(name: "probe vs full", estimate: -0.06, pValue: 0.01),
        ])
        // multipletests([0.04, 0.005, 0.01], method='holm')[1] → [0.04, 0.015, 0.02]
        #expect(family.map(\.comparison.name) == ["lora vs full", "adapter vs full", "probe vs full"])
        for (value, expected) in zip(family.map(\.adjustedPValue), [0.04, 0.015, 0.02]) { expectClose(value, expected, relative: 1e-15) }
        #expect(family.map(\.label) == [.inconclusive, .positive, nil])
        #expect(family.map { $0.isSignificant() } == [true, true, true])
        #expect(family.map { $0.isSignificant(at: 0.01) } == [false, false, false])
    }

    @Test("bootstrap estimates join a family with their own no-effect value")
    func bootstrapEstimatesJoin() throws {
        let bootstrap = try PairedBootstrap(resamples: 500, method: .percentile, seed: 1)
        let always = [Array(repeating: true, count: 50)]
        let half = [(0..<50).map { $0 % 2 == 0 }]
        let ratio = try bootstrap.accuracyRatio(candidate: half, baseline: always)
        let member = try #require(try ComparisonFamily.holmAdjusted([NamedComparison(name: "half / all", bootstrap: ratio)]).first)
        #expect(member.comparison.noEffect == 1 && member.label == .negative)
        #expect(member.adjustedPValue == ratio.pValue)
    }

    @Test("a repeated name is rejected")
    func namesAreUnique() {
        #expect(throws: EvaluationError.invalidArgument(reason: "comparison 'a' appears twice in one family; give each a unique name")) {
            try ComparisonFamily.holmAdjusted([NamedComparison(name: "a", estimate: 0, pValue: 0.1), NamedComparison(name: "a", estimate: 0, pValue: 0.2)])
        }
    }
}

@Suite struct OverfittingAuditTests {
    typealias Point = OverfittingAudit.CurvePoint

    /// A curve from (train loss, validation loss) pairs, one per epoch.
    static func curve(_ losses: [(Double, Double)], trainAccuracy: Bool = true) -> [Point] {
        losses.enumerated().map { index, loss in
            Point(epoch: index + 1, step: 100 * (index + 1), trainLoss: loss.0, validationLoss: loss.1,
                trainAccuracy: trainAccuracy ? 1 - loss.0 / 2 : nil, validationAccuracy: 1 - loss.1 / 2)
        }
    }

    @Test("validation loss rising for `patience` evaluations while training loss falls is flagged")
    func flagged() throws {
        let points = Self.curve([(0.9, 0.8), (0.6, 0.6), (0.4, 0.5), (0.3, 0.55), (0.2, 0.6), (0.1, 0.7)])
        let audit = try OverfittingAudit(evaluations: points, keptIndex: 2, stopReason: "early stopping", patience: 2)
        #expect(audit.verdict == .overfitting(firstRise: 3, lastRise: 4))
        #expect(audit.verdict.isOverfitting)
        // gaps at the last evaluation: accuracy (1 − 0.05) − (1 − 0.35) = 0.3, loss 0.7 − 0.1 = 0.6;
        // GL = 100·(0.7/0.5 − 1) = 40 (Prechelt's generalisation loss)
        let last = try #require(audit.gaps.last)
        expectWithin(try #require(last.accuracy), 0.3, 1e-12)
        expectWithin(last.loss, 0.6, 1e-12)
        expectWithin(last.generalizationLoss, 40, 1e-9)
        #expect(audit.gaps[2].generalizationLoss == 0)
        // kept evaluation 2 (val 0.5, acc 0.75) against the last (val 0.7, acc 0.65)
        #expect(audit.keptVersusLast.keptIndex == 2 && audit.keptVersusLast.lastIndex == 5)
        expectWithin(audit.keptVersusLast.validationLossChange, 0.2, 1e-12)
        expectWithin(audit.keptVersusLast.validationAccuracyChange, -0.1, 1e-12)
        expectWithin(audit.keptVersusLast.trainLossChange, -0.3, 1e-12)
        #expect(audit.stopReason == "early stopping" && audit.patience == 2)
    }

    @Test("a rise shorter than `patience` is not flagged")
    func shortRiseIsNotFlagged() throws {
        let points = Self.curve([(0.9, 0.8), (0.6, 0.6), (0.4, 0.5), (0.3, 0.55), (0.2, 0.52), (0.1, 0.6)])
        #expect(try OverfittingAudit(evaluations: points, keptIndex: 2, stopReason: "", patience: 2).verdict == .notOverfitting)
        #expect(try OverfittingAudit(evaluations: points, keptIndex: 2, stopReason: "", patience: 1).verdict == .overfitting(firstRise: 3, lastRise: 3))
    }

    @Test("both losses falling is not overfitting, and the accuracy gap is absent without train accuracy")
    func bothFalling() throws {
        let points = Self.curve([(0.9, 0.8), (0.6, 0.6), (0.4, 0.5), (0.3, 0.45)], trainAccuracy: false)
        let audit = try OverfittingAudit(evaluations: points, keptIndex: 3, stopReason: "completed 4 epoch(s)", patience: 2)
        #expect(audit.verdict == .notOverfitting)
        #expect(audit.gaps.allSatisfy { $0.accuracy == nil && $0.generalizationLoss == 0 })
        #expect(audit.keptVersusLast.validationLossChange == 0)
    }

    @Test("validation loss rising together with training loss is not overfitting")
    func bothRising() throws {
        // A learning rate too high: both curves go up.
        let points = Self.curve([(0.5, 0.6), (0.4, 0.5), (0.45, 0.55), (0.5, 0.6), (0.6, 0.7)])
        #expect(try OverfittingAudit(evaluations: points, keptIndex: 1, stopReason: "", patience: 3).verdict == .notOverfitting)
    }

    @Test("a curve shorter than patience + 1 cannot show the pattern")
    func tooFewEvaluations() throws {
        let points = Self.curve([(0.9, 0.8), (0.6, 0.9)])
        #expect(try OverfittingAudit(evaluations: points, keptIndex: 0, stopReason: "", patience: 2).verdict
            == .tooFewEvaluations(count: 2, needed: 3))
    }

    @Test("an empty curve, a kept index outside it and patience 0 are rejected")
    func badInput() {
        #expect(throws: EvaluationError.self) { try OverfittingAudit(evaluations: [], keptIndex: 0, stopReason: "", patience: 1) }
        #expect(throws: EvaluationError.invalidArgument(reason: "keptIndex 5 is outside the curve's 2 evaluations")) {
            try OverfittingAudit(evaluations: Self.curve([(1, 1), (0.5, 0.6)]), keptIndex: 5, stopReason: "", patience: 1)
        }
        #expect(throws: EvaluationError.self) {
            try OverfittingAudit(evaluations: Self.curve([(1, 1)]), keptIndex: 0, stopReason: "", patience: 0)
        }
        #expect(throws: EvaluationError.self) {
            try OverfittingAudit(evaluations: Self.curve([(1, .nan)]), keptIndex: 0, stopReason: "", patience: 1)
        }
    }
}
