import Adaptation
import Evaluation
import Foundation
import Transformers

/// AdaptEval's own toxicity scorer, replacing the hosted Perspective API: a classifier with
/// the labels `nontoxic` and `toxic` adapted from a base encoder with the project's trainer
/// and strategies, saved as an adapted checkpoint with `scorer.json` naming its base model, so
/// `NativeModel.open` loads it from its folder alone. Its score is P(toxic) in [0, 1], toxic
/// when ≥ 0.5 (Perspective's convention, DESIGN.md). The training data and label mapping are
/// `Probes.ToxicityTrainingData`'s.
public enum ToxicityScorer {
    /// What training produced.
    public struct Trained {
        public var classifier: Classifier
        public var history: TrainingHistory
        public var trainingCount: Int
        public var validationCount: Int
    }

    /// Adapts `base` to labelled texts with `strategy` (a seeded, stratified 10% of them
    /// validates for early stopping), saves the adapted checkpoint in `output`, and writes
    /// `scorer.json` with the base model's path and sha256 and `record`'s entries.
    public static func train(
        base: URL, training: Dataset, strategy: any AdaptationStrategy, configuration: TrainingConfiguration, output: URL,
        record: [String: Any] = [:], progress: ((TrainingProgress) -> Void)? = nil
    ) throws -> Trained {
        let checkpoint = try Checkpoint(directory: base)
        let parts = try Splits.stratified(training, fractions: [0.9, 0.1], seed: configuration.seed)
        let train = try LabelledDataset(parts[0], labelNames: training.labelNames, source: training.name)
        let validation = try LabelledDataset(parts[1], labelNames: training.labelNames, source: training.name)
        var generator = SeededGenerator(seed: configuration.seed)
        let classifier = try strategy.prepare(
            base: checkpoint, labelNames: training.labelNames, training: train.examples, pooling: .mean, generator: &generator)
        classifier.maxLength = configuration.maxLength
        // A strategy fitted on frozen features (linear probe, few-shot) needs them; the one
        // place that decides how a strategy adapts is StageAdaptation.
        let features = type(of: strategy).leavesEncoderUnchanged
            ? FeatureSource(cache: FeatureCache(directory: nil), encoder: try FrozenEncoder(base: checkpoint),
                            pooling: .mean, maxLength: configuration.maxLength)
            : nil
        let history = try StageAdaptation.run(
            strategy, classifier: classifier, training: train.examples, validation: validation.examples,
            configuration: configuration, taskName: "toxicity", features: features, generator: &generator,
            progress: progress)
        let baseSHA256 = try checkpoint.weightsSHA256()
        try AdaptedCheckpoint.save(classifier, strategy: strategy, baseSHA256: baseSHA256, to: output)
        strategy.finish(classifier)
        var scorer = record
        scorer["base_model"] = base.standardizedFileURL.path
        scorer["base_model_sha256"] = baseSHA256
        scorer["labels"] = training.labelNames
        let data = try JSONSerialization.data(withJSONObject: scorer, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try data.write(to: output.appendingPathComponent(NativeModel.baseReferenceFile))
        return Trained(classifier: classifier, history: history, trainingCount: train.examples.count,
                       validationCount: validation.examples.count)
    }
}
