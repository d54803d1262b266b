import Evaluation
import Transformers

/// Contrastive sentence-pair training (`contrastive`): the text-to-text form of CLIP's
/// symmetric in-batch loss (Radford et al. 2021), the way sentence-embedding models such as
/// all-MiniLM-L6-v2 are trained (Reimers and Gurevych 2019), on (anchor, positive) pairs.
///
/// Options: `method` (full, the default, or lora with LoRA's `rank`, `alpha`, `dropout`,
/// `targets`), `temperature` (τ = 0.05, sentence-transformers' scale of 20) and
/// `learn_temperature` (false; true learns log(1/τ) from that start, as CLIP does).
/// Embeddings are the pooled encoder output (the stage's `pooling`, mean by default),
/// L2-normalised.
public struct ContrastiveStrategy: EncoderObjectiveStrategy {
    public static let name = "contrastive"
    public static let optionNames = EncoderTrainingMethod.optionNames + ["temperature", "learn_temperature"]
    public static let defaultLearningRate: Float = 2e-5
    public static let trainingData = TrainingData.sentencePairs

    public var method: EncoderTrainingMethod
    public var temperature: Float
    public var learnsTemperature: Bool

    public init(method: EncoderTrainingMethod = .full, temperature: Float = 0.05, learnsTemperature: Bool = false) {
        self.method = method
        self.temperature = temperature
        self.learnsTemperature = learnsTemperature
    }

    public init(options: StrategyOptions) throws {
        method = try EncoderTrainingMethod(options: options)
        temperature = try options.number("temperature", default: 0.05, in: 0.01..<10)
        switch options.scalars["learn_temperature"] {
        case nil, "false": learnsTemperature = false
        case "true": learnsTemperature = true
        case let other?:
            throw AdaptationError.invalidOption(name: "learn_temperature", reason: "use true or false, got '\(other)'")
        }
    }

    public var options: StrategyOptions {
        var options = method.options
        options.scalars["temperature"] = String(temperature)
        options.scalars["learn_temperature"] = String(learnsTemperature)
        return options
    }

    public func objective(
        base: Checkpoint, task: EncoderTask, configuration: TrainingConfiguration, pooling: Pooling,
        generator: inout SeededGenerator
    ) throws -> any TrainingObjective {
        try method.prepare(base.model, generator: &generator)
        let loss = SentencePairContrastiveLoss(
            model: base.model, pooling: pooling, temperature: temperature, learnsTemperature: learnsTemperature)
        return try ContrastiveObjective(loss: loss, tokenizer: base.tokenizer, task: task, configuration: configuration)
    }
}

/// Contrastive training as a `TrainingObjective`. Each evaluation scores the validation pairs
/// and a sample of at most `TrainingMetric.trainingSampleLimit` training pairs in consecutive
/// batches of the training batch size (in-batch negatives make the loss depend on it), without
/// dropout; a last batch of one pair joins the one before, since alone it has no negative.
///
/// Values: `validation_loss` (the symmetric loss), `validation_accuracy` (anchors whose own
/// positive is the most similar in the batch), `train_eval_loss`, `train_accuracy` and
/// `temperature`.
public final class ContrastiveObjective: TrainingObjective {
    public let loss: SentencePairContrastiveLoss
    public let taskName: String
    let training: [(anchor: Encoding, positive: Encoding)]
    let validation: [(anchor: Encoding, positive: Encoding)]
    let trainingSample: [(anchor: Encoding, positive: Encoding)]
    let evaluationBatchSize: Int

    public init(loss: SentencePairContrastiveLoss, tokenizer: WordPieceTokenizer, task: EncoderTask, configuration: TrainingConfiguration) throws {
        func pairs(_ inputs: [TextInput], split: String) throws -> [(anchor: Encoding, positive: Encoding)] {
            try inputs.enumerated().map { index, input in
                guard let pair = input.pair else {
                    throw AdaptationError.invalidData(
                        path: "task \(task.name) \(split)", line: nil,
                        reason: "example \(index + 1) has no second sentence; contrastive training needs (anchor, positive) pairs")
                }
                return (tokenizer.encode(input.text, maxLength: configuration.maxLength),
                        tokenizer.encode(pair, maxLength: configuration.maxLength))
            }
        }
        self.loss = loss
        taskName = task.name
        training = try pairs(task.training, split: "training")
        validation = try pairs(task.validation, split: "validation")
        guard validation.count >= 2 else {
            throw AdaptationError.invalidData(
                path: "task \(task.name) validation", line: nil, reason: "needs at least 2 pairs (in-batch negatives), got \(validation.count)")
        }
        evaluationBatchSize = max(configuration.batchSize, 2)
        var generator = SeededGenerator(seed: configuration.seed ^ 0x5EED_5A3B)
        trainingSample = ClassificationObjective.sample(training, limit: TrainingMetric.trainingSampleLimit, generator: &generator)
    }

    public var taskNames: [String] { [taskName] }
    public var trainableParameters: [Parameter] { (loss.model.parameters + [loss.logScale]).filter(\.isTrainable) }
    public var encoderConfiguration: BertConfiguration { loss.model.configuration }
    public var trainingItemCount: Int { training.count }

    public func batches(size: Int, generator: inout SeededGenerator) -> [TrainingBatch] {
        TrainingBatch.shuffled(count: training.count, size: size, generator: &generator)
    }

    public func accumulateGradients(on batch: TrainingBatch, pass: TrainingPass) throws -> BatchOutcome {
        let chosen = batch.items.map { training[$0] }
        let outcome = try loss.accumulateGradients(anchors: chosen.map { $0.anchor }, positives: chosen.map { $0.positive }, pass: pass)
        return BatchOutcome(loss: outcome.loss, parameters: trainableParameters)
    }

    public func evaluate() throws -> [TaskEvaluation] {
        let checked = try score(validation)
        var values = [
            TrainingMetric.validationLoss: checked.loss, TrainingMetric.validationAccuracy: checked.accuracy,
            TrainingMetric.temperature: Double(loss.temperature),
        ]
        if trainingSample.count >= 2 {
            let seen = try score(trainingSample)
            values[TrainingMetric.trainEvaluationLoss] = seen.loss
            values[TrainingMetric.trainAccuracy] = seen.accuracy
        }
        return [TaskEvaluation(task: taskName, values: values)]
    }

    /// Mean loss (weighted by pairs) and in-batch top-1 accuracy over consecutive batches.
    func score(_ pairs: [(anchor: Encoding, positive: Encoding)]) throws -> (loss: Double, accuracy: Double) {
        var starts = Array(stride(from: 0, to: pairs.count, by: evaluationBatchSize))
        if starts.count > 1, pairs.count - (starts.last ?? 0) < 2 { starts.removeLast() }
        var total = 0.0
        var correct = 0
        for (index, start) in starts.enumerated() {
            let end = index + 1 < starts.count ? starts[index + 1] : pairs.count
            let chunk = pairs[start..<end]
            let outcome = try loss.evaluate(anchors: chunk.map { $0.anchor }, positives: chunk.map { $0.positive })
            total += outcome.loss * Double(chunk.count)
            correct += outcome.correct
        }
        return (total / Double(pairs.count), Double(correct) / Double(pairs.count))
    }
}
