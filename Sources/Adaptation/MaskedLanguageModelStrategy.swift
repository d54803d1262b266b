import Evaluation
import Transformers

/// Continued masked-LM pretraining on unlabelled domain text (`mlm`): the recipe behind
/// BioBERT, FinBERT and Legal-BERT, and "don't stop pretraining" (Gururangan et al. 2020, ACL),
/// producing a domain checkpoint that later stages fine-tune.
///
/// Options: `method` (full, the default, or lora with LoRA's `rank`, `alpha`, `dropout`,
/// `targets`) and `mask_probability` (0.15, BERT's). The checkpoint's masked-LM head is used
/// when it has one; otherwise a fresh head (N(0, 0.02) transform, output bias 0) tied to the
/// word embeddings trains with it. Under `lora` the head's transform, norm and output bias
/// train beside the adapters (a fresh head must), the tied decoder does not.
public struct MaskedLanguageModelStrategy: EncoderObjectiveStrategy {
    public static let name = "mlm"
    public static let optionNames = EncoderTrainingMethod.optionNames + ["mask_probability"]
    /// Within the range continued-pretraining recipes use for BERT-size models at batch 16-32.
    public static let defaultLearningRate: Float = 5e-5
    public static let trainingData = TrainingData.text

    public var method: EncoderTrainingMethod
    public var maskProbability: Float

    public init(method: EncoderTrainingMethod = .full, maskProbability: Float = 0.15) {
        self.method = method
        self.maskProbability = maskProbability
    }

    public init(options: StrategyOptions) throws {
        method = try EncoderTrainingMethod(options: options)
        maskProbability = try options.number("mask_probability", default: 0.15, in: 0.01..<1)
    }

    public var options: StrategyOptions {
        var options = method.options
        options.scalars["mask_probability"] = String(maskProbability)
        return options
    }

    public func objective(
        base: Checkpoint, task: EncoderTask, configuration: TrainingConfiguration, pooling: Pooling,
        generator: inout SeededGenerator
    ) throws -> any TrainingObjective {
        try maskedLanguageObjective(base: base, task: task, configuration: configuration, generator: &generator)
    }

    /// The masked-LM objective itself (`adapteval pretrain` writes its model and head).
    public func maskedLanguageObjective(
        base: Checkpoint, task: EncoderTask, configuration: TrainingConfiguration, generator: inout SeededGenerator
    ) throws -> MaskedLanguageModelObjective {
        let model = base.model
        let head = base.maskedLanguageModelHead
            ?? MaskedLanguageModelHead.randomlyInitialized(
                configuration: base.configuration, seed: generator.next(), tiedTo: model.wordEmbeddings)
        try method.prepare(model, generator: &generator)
        for parameter in head.parameters { parameter.isTrainable = true }
        let language = BertMaskedLanguageModel(model: model, head: head, maskID: base.tokenizer.maskID)
        let masking = MaskedLanguageModelMasking(
            tokenizer: base.tokenizer, vocabularySize: base.configuration.vocabularySize, probability: Double(maskProbability))
        return try MaskedLanguageModelObjective(
            language: language, tokenizer: base.tokenizer, masking: masking, task: task, configuration: configuration)
    }
}

/// Masked-LM training as a `TrainingObjective`: each micro-batch is masked afresh from the
/// step's seed (dynamic masking, Liu et al. 2019), and each evaluation scores fixed, seeded
/// masks of the validation texts and of a sample of at most `TrainingMetric.trainingSampleLimit`
/// training texts, so values compare across evaluations.
///
/// Values: `validation_loss` (mean cross-entropy over masked positions), `validation_perplexity`
/// (its exp), `validation_accuracy` (masked tokens predicted exactly), and `train_eval_loss`
/// and `train_accuracy` on the training sample.
public final class MaskedLanguageModelObjective: TrainingObjective {
    public let language: BertMaskedLanguageModel
    public let masking: MaskedLanguageModelMasking
    public let taskName: String
    let training: [Encoding]
    /// Masked once: (batch, labels) for the validation texts and the training sample.
    let validationBatches: [(batch: TokenBatch, labels: [Int])]
    let sampleBatches: [(batch: TokenBatch, labels: [Int])]

    public init(
        language: BertMaskedLanguageModel, tokenizer: WordPieceTokenizer, masking: MaskedLanguageModelMasking, task: EncoderTask,
        configuration: TrainingConfiguration
    ) throws {
        func encodings(_ inputs: [TextInput]) -> [Encoding] {
            inputs.map { input in
                input.pair.map { tokenizer.encode(input.text, $0, maxLength: configuration.maxLength) }
                    ?? tokenizer.encode(input.text, maxLength: configuration.maxLength)
            }
            // A text with no ordinary token has nothing to mask.
            .filter { $0.ids.contains { !masking.structuralIDs.contains($0) } }
        }
        let validation = encodings(task.validation)
        guard !validation.isEmpty else {
            throw AdaptationError.invalidData(path: "task \(task.name) validation", line: nil, reason: "no texts to mask")
        }
        self.language = language
        self.masking = masking
        taskName = task.name
        training = encodings(task.training)
        var sampleGenerator = SeededGenerator(seed: configuration.seed ^ 0x5EED_5A3B)
        let sample = ClassificationObjective.sample(training, limit: TrainingMetric.trainingSampleLimit, generator: &sampleGenerator)
        let size = max(configuration.batchSize, 32)
        var maskGenerator = SeededGenerator(seed: configuration.seed ^ 0x4D41_534B)
        func masked(_ items: [Encoding]) -> [(batch: TokenBatch, labels: [Int])] {
            stride(from: 0, to: items.count, by: size).map {
                masking.mask(TokenBatch(Array(items[$0..<min($0 + size, items.count)])), generator: &maskGenerator)
            }
        }
        validationBatches = masked(validation)
        sampleBatches = masked(sample)
    }

    public var taskNames: [String] { [taskName] }
    public var trainableParameters: [Parameter] { language.parameters.filter(\.isTrainable) }
    public var encoderConfiguration: BertConfiguration { language.model.configuration }
    public var trainingItemCount: Int { training.count }

    public func batches(size: Int, generator: inout SeededGenerator) -> [TrainingBatch] {
        TrainingBatch.shuffled(count: training.count, size: size, generator: &generator)
    }

    public func accumulateGradients(on batch: TrainingBatch, pass: TrainingPass) throws -> BatchOutcome {
        var generator = SeededGenerator(seed: pass.seed ^ 0x4D41_534B)
        let (masked, labels) = masking.mask(TokenBatch(batch.items.map { training[$0] }), generator: &generator)
        let loss = try language.accumulateGradients(masked, labels: labels, pass: pass)
        return BatchOutcome(loss: loss, parameters: trainableParameters)
    }

    public func evaluate() throws -> [TaskEvaluation] {
        var checked = BertMaskedLanguageModel.MaskedTally()
        for entry in validationBatches { try language.tally(entry.batch, labels: entry.labels, into: &checked) }
        var values = [
            TrainingMetric.validationLoss: checked.loss, TrainingMetric.validationPerplexity: checked.perplexity,
            TrainingMetric.validationAccuracy: checked.accuracy,
        ]
        if !sampleBatches.isEmpty {
            var seen = BertMaskedLanguageModel.MaskedTally()
            for entry in sampleBatches { try language.tally(entry.batch, labels: entry.labels, into: &seen) }
            values[TrainingMetric.trainEvaluationLoss] = seen.loss
            values[TrainingMetric.trainAccuracy] = seen.accuracy
        }
        return [TaskEvaluation(task: taskName, values: values)]
    }
}
