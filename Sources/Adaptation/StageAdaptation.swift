import Evaluation
import Foundation
import Transformers

/// Adapts one prepared classifier to one task the way its strategy adapts: gradient steps
/// through `Trainer`, a fit on frozen features, or nothing at all. The one place the train
/// command, chains and suite cells decide this.
public enum StageAdaptation {
    public static func run(
        _ strategy: any AdaptationStrategy, classifier: Classifier, training: [LabelledExample], validation: [LabelledExample],
        configuration: TrainingConfiguration, taskName: String, features: FeatureSource?, generator: inout SeededGenerator,
        progress: ((TrainingProgress) -> Void)? = nil
    ) throws -> TrainingHistory {
        if let fitted = strategy as? any FeatureFittedStrategy {
            guard let features else {
                throw AdaptationError.invalidOption(name: "strategy", reason: "\(strategy.name) needs frozen features")
            }
            var history = try fitted.fit(classifier, training: try features.features(of: training),
                                         validation: try features.features(of: validation), generator: &generator)
            for index in history.records.indices { history.records[index].task = taskName }
            return history
        }
        guard strategy.trains else {
            var history = TrainingHistory()
            history.stopReason = "\(strategy.name) does not train"
            return history
        }
        let trainer = Trainer(configuration: configuration)
        trainer.progress = progress
        return try trainer.train(ClassificationObjective(
            classifier: classifier, training: training, validation: validation, taskName: taskName,
            evaluationBatchSize: max(configuration.batchSize, 32), sampleSeed: configuration.seed))
    }
}
