/// One task's values at one evaluation during training.
public struct EpochRecord: Sendable, Equatable {
    /// The evaluation's number in the run (0-based); multi-task runs record one row per task.
    public var evaluation: Int
    public var epoch: Int
    /// Optimiser steps taken when the evaluation ran.
    public var step: Int
    public var task: String
    public var learningRate: Double
    /// Seconds since training started.
    public var seconds: Double
    /// Named values (`TrainingMetric`'s names and any an objective adds).
    public var values: [String: Double]

    public init(evaluation: Int, epoch: Int, step: Int, task: String, learningRate: Double, seconds: Double,
                values: [String: Double]) {
        self.evaluation = evaluation
        self.epoch = epoch
        self.step = step
        self.task = task
        self.learningRate = learningRate
        self.seconds = seconds
        self.values = values
    }

    public var trainLoss: Double { values[TrainingMetric.trainLoss] ?? .nan }
    public var validationLoss: Double { values[TrainingMetric.validationLoss] ?? .nan }
    public var validationAccuracy: Double { values[TrainingMetric.validationAccuracy] ?? .nan }
    public var validationMacroF1: Double { values[TrainingMetric.validationMacroF1] ?? .nan }
}

/// The curve of a training run and why it ended.
public struct TrainingHistory: Sendable, Equatable {
    public var records: [EpochRecord] = []
    /// The epoch of the best evaluation (whose weights were restored when configured).
    public var bestEpoch: Int?
    /// The evaluation early stopping chose (`EpochRecord.evaluation`).
    public var bestEvaluation: Int?
    public var stopReason = ""
    public var steps = 0
    public var seconds = 0.0
    /// The loss of every optimiser step, for determinism checks and plots.
    public var stepLosses: [Double] = []

    public init() {}

    /// The records of one task, in order.
    public func records(of task: String) -> [EpochRecord] { records.filter { $0.task == task } }

    /// Whether a record belongs to the evaluation early stopping chose.
    public func isBest(_ record: EpochRecord) -> Bool { record.evaluation == bestEvaluation }
}

/// Progress reports for a display.
public struct TrainingProgress: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var step: Int
    public var totalSteps: Int
    public var loss: Double

    public init(epoch: Int, epochs: Int, step: Int, totalSteps: Int, loss: Double) {
        self.epoch = epoch
        self.epochs = epochs
        self.step = step
        self.totalSteps = totalSteps
        self.loss = loss
    }
}
