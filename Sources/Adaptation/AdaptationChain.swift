import Foundation
import Transformers

/// One task of a chain or of multi-task training.
public struct AdaptationTask: Sendable {
    public var name: String
    public var training: [LabelledExample]
    public var validation: [LabelledExample]
    public var labelNames: [String]

    public init(name: String, training: [LabelledExample], validation: [LabelledExample], labelNames: [String]) {
        self.name = name
        self.training = training
        self.validation = validation
        self.labelNames = labelNames
    }
}

/// Multi-stage transfer: base → intermediate task(s) → target, each stage adapting the encoder
/// left by the one before with its own strategy and a fresh head (Phang et al. 2018's
/// supplementary training on intermediate tasks).
///
/// Stages share the base checkpoint's encoder object: full fine-tuning and BitFit change its
/// weights, LoRA merges into them, adapters and soft prompts stay attached and keep training.
public struct AdaptationChain {
    public struct Stage {
        public var task: AdaptationTask
        public var strategy: any AdaptationStrategy
        public var configuration: TrainingConfiguration

        public init(task: AdaptationTask, strategy: any AdaptationStrategy, configuration: TrainingConfiguration) {
            self.task = task
            self.strategy = strategy
            self.configuration = configuration
        }
    }

    public var stages: [Stage]

    public init(stages: [Stage]) { self.stages = stages }

    /// Runs every stage in order; returns the last stage's classifier and every history.
    public func run(base: Checkpoint, pooling: Pooling, generator: inout SeededGenerator,
                    cache: FeatureCache = FeatureCache(directory: nil)) throws
        -> (classifier: Classifier, histories: [TrainingHistory])
    {
        guard !stages.isEmpty else { throw AdaptationError.invalidOption(name: "chain", reason: "has no stages") }
        var histories: [TrainingHistory] = []
        var last: Classifier?
        var encoderUnchanged = true
        for stage in stages {
            let classifier = try stage.strategy.prepare(
                base: base, labelNames: stage.task.labelNames, training: stage.task.training, pooling: pooling,
                generator: &generator)
            classifier.maxLength = stage.configuration.maxLength
            // Features are the base encoder's only while no earlier stage changed it.
            var encoder = try FrozenEncoder(base: base)
            if !encoderUnchanged { encoder.identity += ":adapted:\(UUID().uuidString)" }
            let features = type(of: stage.strategy).leavesEncoderUnchanged
                ? FeatureSource(cache: cache, encoder: encoder, pooling: pooling, maxLength: stage.configuration.maxLength) : nil
            let history = try StageAdaptation.run(
                stage.strategy, classifier: classifier, training: stage.task.training, validation: stage.task.validation,
                configuration: stage.configuration, taskName: stage.task.name, features: features, generator: &generator)
            stage.strategy.finish(classifier)
            encoderUnchanged = encoderUnchanged && type(of: stage.strategy).leavesEncoderUnchanged
            histories.append(history)
            last = classifier
        }
        return (last!, histories)
    }
}
