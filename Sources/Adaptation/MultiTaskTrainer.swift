import Foundation
import Transformers

/// Multi-task training over a shared frozen encoder with one set of bottleneck adapters and
/// one head per task, swapped in per batch (the per-task adapters of Houlsby et al. 2019 and
/// Pfeiffer et al.'s AdapterFusion setting, without fusion).
///
/// Batches are drawn round-robin across tasks (a task that runs out is skipped), each task has
/// its own AdamW state, and early stopping watches the mean validation loss over tasks.
public final class MultiTaskTrainer {
    public struct TaskModel {
        public var task: AdaptationTask
        public var head: ClassificationHead
        public var attentionAdapters: [BottleneckAdapter]
        public var outputAdapters: [BottleneckAdapter]

        public var parameters: [Parameter] {
            head.parameters + attentionAdapters.flatMap(\.parameters) + outputAdapters.flatMap(\.parameters)
        }
    }

    public let model: BertModel
    public let tokenizer: WordPieceTokenizer
    public private(set) var tasks: [TaskModel]
    public let configuration: TrainingConfiguration

    public init(base: Checkpoint, tasks: [AdaptationTask], bottleneck: Int, pooling: Pooling,
                configuration: TrainingConfiguration, generator: inout SeededGenerator) throws {
        guard !tasks.isEmpty else { throw AdaptationError.invalidOption(name: "tasks", reason: "name at least one task") }
        let encoder = base.model
        model = encoder
        tokenizer = base.tokenizer
        self.configuration = configuration
        for parameter in encoder.parameters { parameter.isTrainable = false }
        let hidden = encoder.configuration.hiddenSize
        let layers = encoder.layers.indices
        self.tasks = tasks.map { task in
            let head = ClassificationHead(pooling: pooling, hiddenSize: hidden, labelCount: task.labelNames.count,
                                          generator: &generator)
            let prefix = "tasks.\(task.name).encoder.layer."
            let attention = layers.map {
                BottleneckAdapter(name: prefix + "\($0).attention.output", width: hidden, bottleneck: bottleneck, generator: &generator)
            }
            let output = layers.map {
                BottleneckAdapter(name: prefix + "\($0).output", width: hidden, bottleneck: bottleneck, generator: &generator)
            }
            return TaskModel(task: task, head: head, attentionAdapters: attention, outputAdapters: output)
        }
    }

    /// Puts task `index`'s adapters into the shared encoder.
    public func activate(_ index: Int) {
        for layer in model.layers.indices {
            model.layers[layer].attentionAdapter = tasks[index].attentionAdapters[layer]
            model.layers[layer].outputAdapter = tasks[index].outputAdapters[layer]
        }
    }

    /// A classifier for one task, its adapters activated (valid until another is activated).
    public func classifier(for index: Int) -> Classifier {
        activate(index)
        return Classifier(model: model, head: tasks[index].head, tokenizer: tokenizer,
                          labelNames: tasks[index].task.labelNames, maxLength: configuration.maxLength)
    }

    /// Trains all tasks; returns one history per task (validation per epoch) and the stop reason.
    public func train() throws -> [TrainingHistory] {
        let c = configuration
        try c.validate()
        let optimizers = tasks.map { _ in AdamW(learningRate: c.learningRate, weightDecay: c.weightDecay) }
        var histories = tasks.map { _ in TrainingHistory() }
        var stopping = EarlyStopping(monitor: .validationLoss, patience: c.patience, minimumDelta: c.minimumDelta)
        var best: [ObjectIdentifier: Tensor] = [:]
        let pass = TrainingPass(hiddenDropout: c.hiddenDropout ?? model.configuration.hiddenDropout,
                                attentionDropout: c.attentionDropout ?? model.configuration.attentionDropout, seed: 0)
        var microStep = 0
        let started = Date()
        epochs: for epoch in 1...c.epochs {
            var generator = SeededGenerator(seed: c.seed &+ UInt64(epoch))
            var queues: [[[LabelledExample]]] = tasks.map { task in
                var order = task.task.training
                for index in stride(from: order.count - 1, to: 0, by: -1) {
                    order.swapAt(index, Int(generator.next() % UInt64(index + 1)))
                }
                return stride(from: 0, to: order.count, by: c.batchSize).map { Array(order[$0..<min($0 + c.batchSize, order.count)]) }
            }
            var losses = tasks.map { _ in (sum: 0.0, count: 0) }
            while queues.contains(where: { !$0.isEmpty }) {
                for index in tasks.indices where !queues[index].isEmpty {
                    let batch = queues[index].removeFirst()
                    let classifier = classifier(for: index)
                    let parameters = tasks[index].parameters
                    for parameter in parameters { parameter.zeroGradient() }
                    var microPass = pass
                    microPass.seed = Dropout.siteSeed(step: c.seed, site: microStep)
                    microStep += 1
                    let loss = try classifier.accumulateGradients(on: batch, pass: microPass)
                    guard loss.isFinite else {
                        throw AdaptationError.diverged(step: microStep, reason: "task \(tasks[index].task.name): the loss is \(Trainer.describe(loss))")
                    }
                    if let maximum = c.maximumGradientNorm { GradientTools.clip(parameters, maximumNorm: maximum) }
                    optimizers[index].update(parameters)
                    losses[index].sum += loss * Double(batch.count)
                    losses[index].count += batch.count
                }
            }
            var validationLosses: [Double] = []
            for index in tasks.indices {
                let evaluation = try classifier(for: index).evaluate(tasks[index].task.validation)
                validationLosses.append(evaluation.loss)
                histories[index].records.append(EpochRecord(
                    epoch: epoch, step: microStep, trainLoss: losses[index].sum / Double(max(losses[index].count, 1)),
                    validationLoss: evaluation.loss, validationAccuracy: evaluation.scores.accuracy,
                    validationMacroF1: evaluation.scores.macroF1, learningRate: Double(c.learningRate),
                    seconds: Date().timeIntervalSince(started)))
            }
            let mean = validationLosses.reduce(0, +) / Double(validationLosses.count)
            if stopping.record(mean, evaluation: epoch - 1) {
                for index in histories.indices { histories[index].bestEpoch = epoch }
                for parameter in tasks.flatMap(\.parameters) { best[ObjectIdentifier(parameter)] = parameter.value }
            }
            if stopping.shouldStop { break epochs }
        }
        if c.restoreBestWeights {
            for parameter in tasks.flatMap(\.parameters) {
                if let value = best[ObjectIdentifier(parameter)] { parameter.value = value }
            }
        }
        for index in histories.indices {
            histories[index].stopReason = stopping.shouldStop
                ? "early stopping on mean validation loss; best at epoch \(histories[index].bestEpoch ?? 0)"
                : "completed \(c.epochs) epoch(s); best mean validation loss at epoch \(histories[index].bestEpoch ?? 0)"
            histories[index].seconds = Date().timeIntervalSince(started)
        }
        return histories
    }
}
