/// The validation quantity early stopping watches.
public enum MonitoredMetric: String, Sendable, CaseIterable, Codable {
    case validationLoss = "loss"
    case validationAccuracy = "accuracy"
    case validationMacroF1 = "macro-f1"

    /// Loss improves downwards, scores upwards.
    public var lowerIsBetter: Bool { self == .validationLoss }
}

/// Optimisation and stopping settings shared by every trained strategy: one `Codable` value,
/// whose encoding (suite-file key names) is what content keys hash.
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    public var epochs = 3
    public var batchSize = 16
    public var learningRate: Float = 2e-5
    /// Fraction of all optimiser steps spent warming up linearly.
    public var warmupFraction: Float = 0.1
    public var weightDecay: Float = 0.01
    /// Micro-batches per optimiser step.
    public var accumulationSteps = 1
    /// Global gradient-norm clip; nil disables clipping.
    public var maximumGradientNorm: Double? = 1.0
    /// Dropout overrides; nil uses the model configuration's values.
    public var hiddenDropout: Float?
    public var attentionDropout: Float?
    public var seed: UInt64 = 42
    public var maxLength = 128
    public var monitor: MonitoredMetric = .validationLoss
    public var patience = 2
    public var minimumDelta = 0.0
    public var restoreBestWeights = true
    /// Also evaluate every N optimiser steps; nil evaluates once per epoch.
    public var evaluationInterval: Int?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize = "batch_size", learningRate = "learning_rate", warmupFraction = "warmup"
        case weightDecay = "weight_decay", accumulationSteps = "accumulate", maximumGradientNorm = "max_grad_norm"
        case hiddenDropout = "hidden_dropout", attentionDropout = "attention_dropout", seed, maxLength = "max_length"
        case monitor, patience, minimumDelta = "min_delta", restoreBestWeights = "restore_best", evaluationInterval = "eval_every"
    }

    /// Checks ranges; the message names the option.
    public func validate() throws {
        func fail(_ name: String, _ reason: String) -> AdaptationError { .invalidOption(name: name, reason: reason) }
        guard epochs >= 1 else { throw fail("--epochs", "must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw fail("--batch-size", "must be at least 1, got \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else { throw fail("--lr", "must be positive, got \(learningRate)") }
        guard (0..<1).contains(warmupFraction) else { throw fail("--warmup", "must be in [0, 1), got \(warmupFraction)") }
        guard accumulationSteps >= 1 else { throw fail("--accumulate", "must be at least 1, got \(accumulationSteps)") }
        guard patience >= 1 else { throw fail("--patience", "must be at least 1, got \(patience)") }
        for (name, value) in [("--hidden-dropout", hiddenDropout), ("--attention-dropout", attentionDropout)] {
            if let value, !(0..<1).contains(value) { throw fail(name, "must be in [0, 1), got \(value)") }
        }
        guard maxLength >= 2 else { throw fail("--max-length", "must be at least 2, got \(maxLength)") }
        if let evaluationInterval, evaluationInterval < 1 {
            throw fail("--eval-every", "must be at least 1, got \(evaluationInterval)")
        }
    }
}
