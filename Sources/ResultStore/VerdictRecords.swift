import Foundation
import GRDB

/// One comparison (or measured figure) of a run's transfer verdicts: a row of `transfer_results`.
///
/// `kind` says what is compared: `transfer_gain` (a chain vs the direct chain of the same
/// strategy), `pretraining_gain` (a strategy vs `scratch`), `retention` (a parameter-efficient
/// strategy's score over `full`'s, labelled against the 0.96 claim), `forgetting` (a source
/// task's score after its own stage minus after the last), `efficiency_per_million_parameters`
/// and `efficiency_per_minute` (measured, not tested), `transferability_spearman` and
/// `transferability_kendall` (the rank correlation of LogME with the realised score).
public struct TransferResultRow: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "transfer_results"
    public var id: Int64?
    public var runID: Int64 = 0
    public var kind: String
    /// The task scored: the target, or the source task for `forgetting`.
    public var task: String
    public var strategy: String
    /// The candidate chain, as `cells.chain` stores it (a JSON array of task names).
    public var chain: String
    /// What it is compared with: the direct chain, `scratch`, `full` or the last stage.
    public var reference: String
    public var metric: String
    public var value: Double?
    public var low: Double?
    public var high: Double?
    public var pValue: Double?
    /// Holm-adjusted over every tested comparison of the run.
    public var pHolm: Double?
    /// `positive`, `negative`, `inconclusive`, `no-baseline` or `measured`.
    public var label: String
    public var seeds: Int
    public var examples: Int

    enum CodingKeys: String, CodingKey {
        case id, runID = "run_id", kind, task, strategy, chain, reference, metric, value, low, high
        case pValue = "p_value", pHolm = "p_holm", label, seeds, examples
    }

    public init(kind: String, task: String, strategy: String, chain: String, reference: String, metric: String,
                value: Double?, low: Double? = nil, high: Double? = nil, pValue: Double? = nil, label: String,
                seeds: Int, examples: Int) {
        self.kind = kind
        self.task = task
        self.strategy = strategy
        self.chain = chain
        self.reference = reference
        self.metric = metric
        self.value = value
        self.low = low
        self.high = high
        self.pValue = pValue
        self.label = label
        self.seeds = seeds
        self.examples = examples
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The overfitting audit of one trained stage of a cell: a row of `overfitting_audits`.
public struct OverfittingAuditRow: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "overfitting_audits"
    public var id: Int64?
    public var cellID: Int64 = 0
    public var stage: Int
    public var task: String
    public var evaluations: Int
    public var keptEvaluation: Int
    public var lastEvaluation: Int
    public var keptEpoch: Int
    public var lastEpoch: Int
    /// Training accuracy minus validation accuracy at the last evaluation, when training
    /// accuracy was recorded.
    public var finalAccuracyGap: Double?
    /// Validation loss minus training loss at the last evaluation.
    public var finalLossGap: Double
    /// Prechelt's generalisation loss at the last evaluation, 100 × (last / best validation loss − 1).
    public var generalizationLoss: Double
    public var validationAccuracyChange: Double
    public var validationLossChange: Double
    /// `overfitting` or `no-overfitting`.
    public var verdict: String
    /// For an `overfitting` verdict: how many evaluations validation loss rose while training
    /// loss fell; otherwise 0.
    public var risingEvaluations: Int
    public var stopReason: String

    enum CodingKeys: String, CodingKey {
        case id, cellID = "cell_id", stage, task, evaluations, keptEvaluation = "kept_evaluation"
        case lastEvaluation = "last_evaluation", keptEpoch = "kept_epoch", lastEpoch = "last_epoch"
        case finalAccuracyGap = "final_accuracy_gap", finalLossGap = "final_loss_gap"
        case generalizationLoss = "generalization_loss", validationAccuracyChange = "validation_accuracy_change"
        case validationLossChange = "validation_loss_change", verdict, risingEvaluations = "rising_evaluations"
        case stopReason = "stop_reason"
    }

    public init(stage: Int, task: String, evaluations: Int, keptEvaluation: Int, lastEvaluation: Int, keptEpoch: Int,
                lastEpoch: Int, finalAccuracyGap: Double?, finalLossGap: Double, generalizationLoss: Double,
                validationAccuracyChange: Double, validationLossChange: Double, verdict: String, risingEvaluations: Int,
                stopReason: String) {
        self.stage = stage
        self.task = task
        self.evaluations = evaluations
        self.keptEvaluation = keptEvaluation
        self.lastEvaluation = lastEvaluation
        self.keptEpoch = keptEpoch
        self.lastEpoch = lastEpoch
        self.finalAccuracyGap = finalAccuracyGap
        self.finalLossGap = finalLossGap
        self.generalizationLoss = generalizationLoss
        self.validationAccuracyChange = validationAccuracyChange
        self.validationLossChange = validationLossChange
        self.verdict = verdict
        self.risingEvaluations = risingEvaluations
        self.stopReason = stopReason
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The divergence between two domains' texts under one model: a row of `divergences`, keyed
/// by its content (model, both texts' bytes, tokens, AdaptEval version).
public struct DivergenceRow: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "divergences"
    public var id: Int64?
    public var key: String
    public var modelSHA256: String
    public var sourceSHA256: String
    public var targetSHA256: String
    /// `wordpiece` or `words`.
    public var tokens: String
    public var sourceTexts: Int
    public var targetTexts: Int
    /// KL(source ‖ target) in bits.
    public var klSourceTarget: Double
    public var klTargetSource: Double
    /// Jensen–Shannon divergence in bits, in [0, 1].
    public var jensenShannon: Double
    public var cosine: Double
    public var mmd2: Double
    public var mmdPValue: Double
    public var proxyADistance: Double
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case id, key, modelSHA256 = "model_sha256", sourceSHA256 = "source_sha256", targetSHA256 = "target_sha256"
        case tokens, sourceTexts = "source_texts", targetTexts = "target_texts"
        case klSourceTarget = "kl_source_target", klTargetSource = "kl_target_source", jensenShannon = "jensen_shannon"
        case cosine, mmd2, mmdPValue = "mmd_p_value", proxyADistance = "proxy_a_distance", seconds
    }

    public init(key: String, modelSHA256: String, sourceSHA256: String, targetSHA256: String, tokens: String,
                sourceTexts: Int, targetTexts: Int, klSourceTarget: Double, klTargetSource: Double, jensenShannon: Double,
                cosine: Double, mmd2: Double, mmdPValue: Double, proxyADistance: Double, seconds: Double) {
        self.key = key
        self.modelSHA256 = modelSHA256
        self.sourceSHA256 = sourceSHA256
        self.targetSHA256 = targetSHA256
        self.tokens = tokens
        self.sourceTexts = sourceTexts
        self.targetTexts = targetTexts
        self.klSourceTarget = klSourceTarget
        self.klTargetSource = klTargetSource
        self.jensenShannon = jensenShannon
        self.cosine = cosine
        self.mmd2 = mmd2
        self.mmdPValue = mmdPValue
        self.proxyADistance = proxyADistance
        self.seconds = seconds
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A run's divergence between one source task and one target task.
public struct RunDivergence: Sendable, Equatable {
    public var sourceTask: String
    public var targetTask: String
    public var divergence: DivergenceRow
}

/// Everything a run's verdict step stored.
public struct RunVerdicts: Sendable, Equatable {
    public var transfer: [TransferResultRow]
    /// Keyed by cell id.
    public var audits: [Int64: [OverfittingAuditRow]]
    public var divergences: [RunDivergence]

    public var isEmpty: Bool { transfer.isEmpty && audits.isEmpty && divergences.isEmpty }
}
