import Adaptation
import Evaluation
import Foundation
import ResultStore
import Transformers

/// Chain stages that are not labelled classification: masked-LM pretraining on unlabelled text
/// and contrastive training on sentence pairs (which train the encoder through their own
/// objective), and embedding tasks (which train nothing and are scored on the encoder as the
/// stages before them left it).
extension CellExecutor {
    /// What the chain's non-classification stages have done so far.
    struct EncoderStages {
        let checkpoint: Checkpoint
        /// The base model's identity (`ResolvedModel.identity`).
        let baseIdentity: String
        /// Whether any stage so far trained an encoder weight (the feature cache's identity
        /// depends on it).
        var encoderTrained = false
        /// The last stage that trained through an encoder objective: its strategy and record.
        var lastStrategy: (any EncoderObjectiveStrategy)?
        var lastHistory = TrainingHistory()
        var lastTrainable = 0
        var lastTotal = 0

        init(checkpoint: Checkpoint, baseIdentity: String) {
            self.checkpoint = checkpoint
            self.baseIdentity = baseIdentity
        }

        /// The encoder as it is after `stage`, with the identity its features are cached under.
        func encoder(cell: PlannedCell, afterStage stage: Int) -> FrozenEncoder {
            let identity = !encoderTrained ? baseIdentity : stage == cell.chain.count - 1
                ? cell.adaptationKey : "\(cell.adaptationKey)/stage-\(stage)"
            return FrozenEncoder(identity: identity, model: checkpoint.model, tokenizer: checkpoint.tokenizer)
        }
    }

    /// Runs one stage on unlabelled text or sentence pairs (training the encoder with the
    /// stage's strategy), or on an embedding task (scored now when a later stage follows).
    func adaptOtherStage(
        _ task: TaskData, stage: Int, cell: PlannedCell, state: inout EncoderStages, adapted: inout Adapted,
        generator: inout SeededGenerator
    ) throws {
        let stages = cell.chain.count
        if task.kind.isEmbeddingTask {
            if stage < stages - 1 {
                let scored = try scoreEmbeddings(task, encoder: state.encoder(cell: cell, afterStage: stage), cell: cell, stage: stage)
                adapted.earlierMetrics += scored.metrics
                adapted.earlierPredictions += scored.predictions
            }
            adapted.embeddingTasks.append(task)
            return
        }
        guard let spec = task.stageStrategy(in: cell.strategy),
            let strategy = try spec.makeStrategy(labelDescriptions: nil) as? any EncoderObjectiveStrategy
        else {
            throw SuiteError.invalidArgument(
                name: "tasks.\(task.name).strategy", reason: "no strategy with an encoder objective trains \(task.kind.rawValue)")
        }
        let training = cell.training[stage]
        func inputs(_ samples: [Sample]) -> [TextInput] { samples.map { TextInput($0.text, pair: $0.pair) } }
        let objective = try strategy.objective(
            base: state.checkpoint,
            task: EncoderTask(name: task.name, training: inputs(task.train), validation: inputs(task.validation)),
            configuration: training.configuration, pooling: training.pooling, generator: &generator)
        let trainer = Trainer(configuration: training.configuration)
        if let progress { trainer.progress = { progress(stage, stages, $0) } }
        let history = try trainer.train(objective)
        adapted.epochs += Self.epochRows(history, stage: stage)
        state.lastTrainable = objective.trainableParameters.reduce(0) { $0 + $1.count }
        state.lastTotal = state.checkpoint.model.parameterCount
        strategy.finish(encoder: state.checkpoint.model)
        state.lastStrategy = strategy
        state.lastHistory = history
        state.encoderTrained = true
    }

    /// After the last stage of a chain that does not end with a classification task: records
    /// the last training stage's counts and saves the encoder as a checkpoint without a head.
    func finishChain(
        _ cell: PlannedCell, state: EncoderStages, earlier: [(task: String, classifier: Classifier)], adapted: inout Adapted
    ) throws {
        adapted.finalEncoder = state.encoder(cell: cell, afterStage: cell.chain.count - 1)
        guard let last = cell.chain.last, let target = suite.task(last), target.kind != .classification else { return }
        adapted.trainableParameters = state.lastTrainable
        adapted.totalParameters = state.lastTotal
        adapted.bestEpoch = state.lastHistory.bestEpoch
        adapted.stopReason = state.lastStrategy == nil ? "\(target.name) is scored without training" : state.lastHistory.stopReason
        guard let artifactsDirectory, suite.definition.evaluation.saveCheckpoints else { return }
        let model = state.checkpoint.model
        // Only what the chain changed is saved: the whole encoder when some stage trained it.
        for parameter in model.parameters { parameter.isTrainable = false }
        let training = cell.training[cell.chain.count - 1]
        let headless = Classifier.headless(
            model: model, tokenizer: state.checkpoint.tokenizer, pooling: training.pooling, maxLength: training.configuration.maxLength)
        let strategy: any AdaptationStrategy
        if let last = state.lastStrategy { strategy = last } else { strategy = try cell.strategy.makeStrategy(labelDescriptions: nil) }
        adapted.artifacts = try saveCheckpoint(
            headless, strategy: strategy, earlierStages: earlier, includingWholeEncoder: state.encoderTrained, key: cell.key,
            under: artifactsDirectory)
    }
}
