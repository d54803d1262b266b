import Transformers

/// What `Trainer` optimises: classification, multi-task classification, masked-LM and
/// contrastive training are objectives driven by the same loop, so they share the schedule,
/// accumulation, clipping, early stopping, the non-finite stop and interruption.
///
/// The trainer owns batching order, the optimiser and the stopping rule; an objective owns its
/// data, its forward and backward passes and what it reports at each evaluation.
public protocol TrainingObjective: AnyObject {
    /// Names of the tasks the objective trains; evaluations report one record per task.
    var taskNames: [String] { get }
    /// Every trainable parameter (the trainer restores the best values of these).
    var trainableParameters: [Parameter] { get }
    /// The encoder whose configuration gives the default dropout rates.
    var encoderConfiguration: BertConfiguration { get }
    /// Training items (examples) in all.
    var trainingItemCount: Int { get }

    /// One epoch's micro-batches, shuffled with `generator`.
    func batches(size: Int, generator: inout SeededGenerator) -> [TrainingBatch]

    /// Forward, loss and backward for one micro-batch: gradients accumulate into the
    /// parameters the batch trains, which it returns with the mean loss.
    func accumulateGradients(on batch: TrainingBatch, pass: TrainingPass) throws -> BatchOutcome

    /// Scores the current weights: one set of named values per task (see `TrainingMetric`).
    func evaluate() throws -> [TaskEvaluation]
}

/// A micro-batch: indices of one task's training items.
public struct TrainingBatch: Sendable, Equatable {
    /// The task's index in `taskNames`.
    public var task: Int
    /// The items, as indices into that task's training data.
    public var items: [Int]

    public init(task: Int, items: [Int]) {
        self.task = task
        self.items = items
    }
}

/// What one micro-batch did.
public struct BatchOutcome {
    /// The mean loss over the batch.
    public var loss: Double
    /// The parameters whose gradients the batch accumulated into (and the step may update).
    public var parameters: [Parameter]

    public init(loss: Double, parameters: [Parameter]) {
        self.loss = loss
        self.parameters = parameters
    }
}

/// One task's values at one evaluation.
public struct TaskEvaluation: Sendable, Equatable {
    public var task: String
    /// Named values; `TrainingMetric` lists the names the trainer and the database know.
    public var values: [String: Double]

    public init(task: String, values: [String: Double]) {
        self.task = task
        self.values = values
    }
}

/// The names of values recorded at each evaluation, stored as name/value rows.
public enum TrainingMetric {
    /// Mean training loss of the epoch so far (with dropout, as optimised).
    public static let trainLoss = "train_loss"
    /// Loss on a fixed sample of at most `TrainingMetric.trainingSampleLimit` training
    /// examples, without dropout: comparable with the validation loss.
    public static let trainEvaluationLoss = "train_eval_loss"
    /// Accuracy on the same training sample.
    public static let trainAccuracy = "train_accuracy"
    public static let validationLoss = "validation_loss"
    public static let validationAccuracy = "validation_accuracy"
    public static let validationMacroF1 = "validation_macro_f1"
    /// exp(validation loss) of a masked-LM stage: the masked-token perplexity.
    public static let validationPerplexity = "validation_perplexity"
    /// The temperature τ of a contrastive stage (it changes when it is learned).
    public static let temperature = "temperature"

    /// The most training examples scored at each evaluation.
    public static let trainingSampleLimit = 1_000

    /// The value name early stopping watches for a monitored metric.
    public static func name(of monitor: MonitoredMetric) -> String {
        switch monitor {
        case .validationLoss: return validationLoss
        case .validationAccuracy: return validationAccuracy
        case .validationMacroF1: return validationMacroF1
        }
    }
}
