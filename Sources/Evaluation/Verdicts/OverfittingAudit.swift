/// What a stored training curve says about overfitting: the generalisation gap at every
/// evaluation, the evaluation early stopping kept against the last one, and whether
/// validation loss rose while training loss fell.
///
/// The rule: the run overfit when, for `patience` consecutive evaluations i = j+1 … j+patience,
/// validation loss rose strictly at each (val[i] > val[i−1]) while training loss fell over
/// the same stretch (train[j+patience] < train[j]); the first such stretch is reported.
/// Rising validation loss alone can be noise or a too-high learning rate (then training loss
/// rises too); rising validation with falling training loss is the memorisation pattern.
/// It is the "successive strips" view of Prechelt (1998), "Early stopping — but when?",
/// Neural Networks: Tricks of the Trade, LNCS 1524, pp. 55–69 (criterion UP_s, with s =
/// patience and strips of one evaluation), whose generalisation loss
/// GL(t) = 100·(E_va(t)/E_opt(t) − 1), E_opt(t) = min_{t'≤t} E_va(t'), is also reported.
public struct OverfittingAudit: Sendable, Equatable {
    /// One evaluation of the training run, as the `epochs` table stores it.
    public struct CurvePoint: Sendable, Equatable {
        public var epoch: Int
        public var step: Int
        public var trainLoss: Double
        public var validationLoss: Double
        /// Accuracy on the training data, when the trainer measured it.
        public var trainAccuracy: Double?
        public var validationAccuracy: Double

        public init(epoch: Int, step: Int, trainLoss: Double, validationLoss: Double, trainAccuracy: Double? = nil, validationAccuracy: Double) {
            self.epoch = epoch
            self.step = step
            self.trainLoss = trainLoss
            self.validationLoss = validationLoss
            self.trainAccuracy = trainAccuracy
            self.validationAccuracy = validationAccuracy
        }
    }

    /// The gaps at one evaluation.
    public struct Gap: Sendable, Equatable {
        /// Train − validation accuracy (positive: better on seen data); nil without train
        /// accuracy. Range [−1, 1].
        public var accuracy: Double?
        /// Validation − train loss (positive: worse on unseen data).
        public var loss: Double
        /// Prechelt's GL(t) = 100·(val(t) / min_{t'≤t} val(t') − 1), in percent, ≥ 0; 0 at
        /// every new best validation loss.
        public var generalizationLoss: Double
    }

    /// The evaluation early stopping kept against the last one (last − kept).
    public struct KeptVersusLast: Sendable, Equatable {
        public var keptIndex: Int
        public var lastIndex: Int
        public var validationAccuracyChange: Double
        public var validationLossChange: Double
        public var trainLossChange: Double
    }

    /// The verdict of the rule.
    public enum Verdict: Sendable, Equatable {
        /// Validation loss rose at evaluations `firstRise…lastRise` (indices) while training
        /// loss fell from `firstRise − 1` to `lastRise`.
        case overfitting(firstRise: Int, lastRise: Int)
        /// No stretch of `patience` rises with falling training loss.
        case notOverfitting
        /// The curve has `count` evaluations; the rule needs `needed` = patience + 1.
        case tooFewEvaluations(count: Int, needed: Int)

        public var isOverfitting: Bool {
            if case .overfitting = self { return true }
            return false
        }
    }

    public var evaluations: [CurvePoint]
    public var gaps: [Gap]
    public var keptVersusLast: KeptVersusLast
    public var verdict: Verdict
    /// Why training stopped, as the trainer recorded it.
    public var stopReason: String
    public var patience: Int

    /// - Parameters:
    ///   - evaluations: the curve in training order.
    ///   - keptIndex: the index in `evaluations` early stopping chose.
    ///   - stopReason: the trainer's reason, carried into the report.
    ///   - patience: consecutive rises the rule needs (≥ 1), the early-stopping patience.
    /// - Throws: `EvaluationError.invalidArgument` for an empty curve, a `keptIndex` outside
    ///   it, `patience` < 1 or a non-finite loss.
    public init(evaluations: [CurvePoint], keptIndex: Int, stopReason: String, patience: Int) throws {
        guard !evaluations.isEmpty else {
            throw EvaluationError.invalidArgument(reason: "the overfitting audit needs a training curve with at least one evaluation")
        }
        guard evaluations.indices.contains(keptIndex) else {
            throw EvaluationError.invalidArgument(reason: "keptIndex \(keptIndex) is outside the curve's \(evaluations.count) evaluations")
        }
        guard patience >= 1 else {
            throw EvaluationError.invalidArgument(reason: "patience must be at least 1, got \(patience)")
        }
        if let bad = evaluations.firstIndex(where: { !$0.trainLoss.isFinite || !$0.validationLoss.isFinite }) {
            throw EvaluationError.invalidArgument(reason: "evaluation \(bad) (epoch \(evaluations[bad].epoch)) has a non-finite loss")
        }
        self.evaluations = evaluations
        self.stopReason = stopReason
        self.patience = patience

        var bestValidationLoss = Double.infinity
        gaps = evaluations.map { evaluation in
            bestValidationLoss = min(bestValidationLoss, evaluation.validationLoss)
            return Gap(
                accuracy: evaluation.trainAccuracy.map { $0 - evaluation.validationAccuracy },
                loss: evaluation.validationLoss - evaluation.trainLoss,
                generalizationLoss: bestValidationLoss > 0 ? 100 * (evaluation.validationLoss / bestValidationLoss - 1) : 0)
        }

        let kept = evaluations[keptIndex]
        let lastIndex = evaluations.count - 1
        let last = evaluations[lastIndex]
        keptVersusLast = KeptVersusLast(
            keptIndex: keptIndex, lastIndex: lastIndex,
            validationAccuracyChange: last.validationAccuracy - kept.validationAccuracy,
            validationLossChange: last.validationLoss - kept.validationLoss,
            trainLossChange: last.trainLoss - kept.trainLoss)
        verdict = Self.verdict(evaluations, patience: patience)
    }

    private static func verdict(_ evaluations: [CurvePoint], patience: Int) -> Verdict {
        guard evaluations.count > patience else {
            return .tooFewEvaluations(count: evaluations.count, needed: patience + 1)
        }
        var rises = 0
        for index in 1..<evaluations.count {
            rises = evaluations[index].validationLoss > evaluations[index - 1].validationLoss ? rises + 1 : 0
            // Every window of `patience` rises ending here is checked, also inside longer runs.
            if rises >= patience, evaluations[index].trainLoss < evaluations[index - patience].trainLoss {
                return .overfitting(firstRise: index - patience + 1, lastRise: index)
            }
        }
        return .notOverfitting
    }
}
