import Adaptation
import Foundation
import Transformers

/// Training settings as a suite writes them: every key optional, so a task or strategy can
/// override a few of the suite's. `resolved(strategy:)` fills the rest with defaults.
public struct TrainingSpec: Decodable, Sendable, Equatable, Placeholder {
    public var epochs: Int?
    public var batchSize: Int?
    public var learningRate: Double?
    public var warmup: Double?
    public var weightDecay: Double?
    public var accumulate: Int?
    public var maxGradNorm: Double?
    public var patience: Int?
    public var minDelta: Double?
    public var monitor: String?
    public var evalEvery: Int?
    public var hiddenDropout: Double?
    public var attentionDropout: Double?
    public var maxLength: Int?
    public var pooling: String?
    public var restoreBest: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case epochs, batchSize = "batch_size", learningRate = "learning_rate", warmup, weightDecay = "weight_decay"
        case accumulate, maxGradNorm = "max_grad_norm", patience, minDelta = "min_delta", monitor
        case evalEvery = "eval_every", hiddenDropout = "hidden_dropout", attentionDropout = "attention_dropout"
        case maxLength = "max_length", pooling, restoreBest = "restore_best"
    }

    static var placeholder: TrainingSpec { TrainingSpec() }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize)
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate)
        warmup = try c.decodeIfPresent(Double.self, forKey: .warmup)
        weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay)
        accumulate = try c.decodeIfPresent(Int.self, forKey: .accumulate)
        maxGradNorm = try c.decodeIfPresent(Double.self, forKey: .maxGradNorm)
        patience = try c.decodeIfPresent(Int.self, forKey: .patience)
        minDelta = try c.decodeIfPresent(Double.self, forKey: .minDelta)
        monitor = try c.decodeIfPresent(String.self, forKey: .monitor)
        evalEvery = try c.decodeIfPresent(Int.self, forKey: .evalEvery)
        hiddenDropout = try c.decodeIfPresent(Double.self, forKey: .hiddenDropout)
        attentionDropout = try c.decodeIfPresent(Double.self, forKey: .attentionDropout)
        maxLength = try c.decodeIfPresent(Int.self, forKey: .maxLength)
        pooling = try c.decodeIfPresent(String.self, forKey: .pooling)
        restoreBest = try c.decodeIfPresent(Bool.self, forKey: .restoreBest)
    }

    /// `other`'s keys where it sets them, this one's elsewhere.
    func overridden(by other: TrainingSpec?) -> TrainingSpec {
        guard let other else { return self }
        var merged = self
        merged.epochs = other.epochs ?? epochs
        merged.batchSize = other.batchSize ?? batchSize
        merged.learningRate = other.learningRate ?? learningRate
        merged.warmup = other.warmup ?? warmup
        merged.weightDecay = other.weightDecay ?? weightDecay
        merged.accumulate = other.accumulate ?? accumulate
        merged.maxGradNorm = other.maxGradNorm ?? maxGradNorm
        merged.patience = other.patience ?? patience
        merged.minDelta = other.minDelta ?? minDelta
        merged.monitor = other.monitor ?? monitor
        merged.evalEvery = other.evalEvery ?? evalEvery
        merged.hiddenDropout = other.hiddenDropout ?? hiddenDropout
        merged.attentionDropout = other.attentionDropout ?? attentionDropout
        merged.maxLength = other.maxLength ?? maxLength
        merged.pooling = other.pooling ?? pooling
        merged.restoreBest = other.restoreBest ?? restoreBest
        return merged
    }

    /// Concrete settings for one strategy; the learning rate defaults per strategy.
    func resolved(strategy: String) throws -> ResolvedTraining {
        var c = TrainingConfiguration()
        c.epochs = epochs ?? c.epochs
        c.batchSize = batchSize ?? c.batchSize
        c.learningRate = learningRate.map(Float.init) ?? StrategyRegistry.type(named: strategy)?.defaultLearningRate ?? 2e-5
        c.warmupFraction = warmup.map(Float.init) ?? c.warmupFraction
        c.weightDecay = weightDecay.map(Float.init) ?? c.weightDecay
        c.accumulationSteps = accumulate ?? c.accumulationSteps
        if let maxGradNorm { c.maximumGradientNorm = maxGradNorm > 0 ? maxGradNorm : nil }
        c.patience = patience ?? c.patience
        c.minimumDelta = minDelta ?? c.minimumDelta
        if let monitor {
            guard let value = MonitoredMetric(rawValue: monitor) else {
                throw AdaptationError.invalidOption(name: "monitor", reason: "use loss, accuracy or macro-f1, got '\(monitor)'")
            }
            c.monitor = value
        }
        c.evaluationInterval = evalEvery
        c.hiddenDropout = hiddenDropout.map(Float.init)
        c.attentionDropout = attentionDropout.map(Float.init)
        c.maxLength = maxLength ?? c.maxLength
        c.restoreBestWeights = restoreBest ?? c.restoreBestWeights
        let poolingName = pooling ?? "mean"
        guard let chosenPooling = Pooling(rawValue: poolingName) else {
            throw AdaptationError.invalidOption(name: "pooling", reason: "use mean or cls, got '\(poolingName)'")
        }
        try c.validate()
        return ResolvedTraining(configuration: c, pooling: chosenPooling)
    }
}

/// Training settings with every value decided, in the form content keys hash: the training
/// configuration's own encoding plus the pooling of the head.
public struct ResolvedTraining: Sendable, Equatable, Encodable {
    public var configuration: TrainingConfiguration
    public var pooling: Pooling

    enum CodingKeys: String, CodingKey { case pooling }

    public func encode(to encoder: Encoder) throws {
        try configuration.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pooling.rawValue, forKey: .pooling)
    }
}
