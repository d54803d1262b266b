import Evaluation
import Transformers

/// Single-task classification: mean cross-entropy of a classifier over labelled examples.
///
/// Each evaluation scores the validation set and a fixed, seeded sample of at most
/// `TrainingMetric.trainingSampleLimit` training examples (without dropout), so the curve shows
/// the generalisation gap as well as the validation score.
public final class ClassificationObjective: TrainingObjective {
    public let classifier: Classifier
    public let training: [LabelledExample]
    public let validation: [LabelledExample]
    public let taskName: String
    let evaluationBatchSize: Int
    /// The training examples scored at each evaluation.
    let trainingSample: [LabelledExample]

    public init(classifier: Classifier, training: [LabelledExample], validation: [LabelledExample], taskName: String = "task",
                evaluationBatchSize: Int = 32, sampleSeed: UInt64) throws {
        guard !validation.isEmpty else {
            throw AdaptationError.invalidData(path: "validation data", line: nil, reason: "no examples")
        }
        self.classifier = classifier
        self.training = training
        self.validation = validation
        self.taskName = taskName
        self.evaluationBatchSize = evaluationBatchSize
        var generator = SeededGenerator(seed: sampleSeed ^ 0x5EED_5A3B)
        trainingSample = Self.sample(training, limit: TrainingMetric.trainingSampleLimit, generator: &generator)
    }

    public var taskNames: [String] { [taskName] }
    public var trainableParameters: [Parameter] { classifier.parameters.filter(\.isTrainable) }
    public var encoderConfiguration: BertConfiguration { classifier.model.configuration }
    public var trainingItemCount: Int { training.count }

    public func batches(size: Int, generator: inout SeededGenerator) -> [TrainingBatch] {
        TrainingBatch.shuffled(count: training.count, size: size, generator: &generator)
    }

    public func accumulateGradients(on batch: TrainingBatch, pass: TrainingPass) throws -> BatchOutcome {
        let loss = try classifier.accumulateGradients(on: batch.items.map { training[$0] }, pass: pass)
        return BatchOutcome(loss: loss, parameters: trainableParameters)
    }

    public func evaluate() throws -> [TaskEvaluation] {
        [TaskEvaluation(task: taskName, values: try Self.scores(classifier, validation: validation, trainingSample: trainingSample,
                                                               batchSize: evaluationBatchSize))]
    }

    /// Validation loss, accuracy and macro-F1, and loss and accuracy on the training sample.
    static func scores(_ classifier: Classifier, validation: [LabelledExample], trainingSample: [LabelledExample],
                       batchSize: Int) throws -> [String: Double] {
        let checked = try classifier.evaluate(validation, batchSize: batchSize)
        var values = [
            TrainingMetric.validationLoss: checked.loss, TrainingMetric.validationAccuracy: checked.metrics.accuracy,
            TrainingMetric.validationMacroF1: checked.metrics.macroF1,
        ]
        if !trainingSample.isEmpty {
            let seen = try classifier.evaluate(trainingSample, batchSize: batchSize)
            values[TrainingMetric.trainEvaluationLoss] = seen.loss
            values[TrainingMetric.trainAccuracy] = seen.metrics.accuracy
        }
        return values
    }

    /// At most `limit` elements chosen without replacement, in their original order.
    static func sample<Element>(_ examples: [Element], limit: Int, generator: inout SeededGenerator) -> [Element] {
        guard examples.count > limit else { return examples }
        var indices = Array(examples.indices)
        for index in 0..<limit {
            indices.swapAt(index, index + Int(generator.next() % UInt64(indices.count - index)))
        }
        return indices.prefix(limit).sorted().map { examples[$0] }
    }
}
