import Transformers

/// Multi-task classification over a shared frozen encoder with one set of bottleneck adapters
/// and one head per task, swapped in per batch (the per-task adapters of Houlsby et al. 2019
/// and Pfeiffer et al.'s AdapterFusion setting, without fusion), trained by `Trainer`.
///
/// Each epoch interleaves the tasks' shuffled batches round-robin (a task that runs out is
/// skipped); a batch trains only its own task's adapters and head, and AdamW keeps moments per
/// parameter, so each task's parameters see exactly the updates of their own batches. Early
/// stopping watches the monitored validation value averaged over tasks.
public final class MultiTaskObjective: TrainingObjective {
    /// One task's data, adapters and head.
    public struct TaskModel {
        public var task: AdaptationTask
        public var head: ClassificationHead
        public var attentionAdapters: [BottleneckAdapter]
        public var outputAdapters: [BottleneckAdapter]
        /// The training examples scored at each evaluation.
        var trainingSample: [LabelledExample]

        public var parameters: [Parameter] {
            head.parameters + attentionAdapters.flatMap(\.parameters) + outputAdapters.flatMap(\.parameters)
        }
    }

    public let model: BertModel
    public let tokenizer: WordPieceTokenizer
    public private(set) var tasks: [TaskModel]
    public let maxLength: Int
    let evaluationBatchSize: Int

    public init(base: Checkpoint, tasks: [AdaptationTask], bottleneck: Int, pooling: Pooling,
                configuration: TrainingConfiguration, generator: inout SeededGenerator) throws {
        guard !tasks.isEmpty else { throw AdaptationError.invalidOption(name: "tasks", reason: "name at least one task") }
        guard bottleneck >= 1 else {
            throw AdaptationError.invalidOption(name: "size", reason: "the adapter bottleneck must be at least 1, got \(bottleneck)")
        }
        for task in tasks where task.validation.isEmpty {
            throw AdaptationError.invalidData(path: "task \(task.name) validation", line: nil, reason: "no examples")
        }
        let encoder = base.model
        model = encoder
        tokenizer = base.tokenizer
        maxLength = configuration.maxLength
        evaluationBatchSize = max(configuration.batchSize, 32)
        for parameter in encoder.parameters { parameter.isTrainable = false }
        let hidden = encoder.configuration.hiddenSize
        let layers = encoder.layers.indices
        var sampleGenerator = SeededGenerator(seed: configuration.seed ^ 0x5EED_5A3B)
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
            let sample = ClassificationObjective.sample(
                task.training, limit: TrainingMetric.trainingSampleLimit, generator: &sampleGenerator)
            return TaskModel(task: task, head: head, attentionAdapters: attention, outputAdapters: output, trainingSample: sample)
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
                          labelNames: tasks[index].task.labelNames, maxLength: maxLength)
    }

    public var taskNames: [String] { tasks.map(\.task.name) }
    public var trainableParameters: [Parameter] { tasks.flatMap(\.parameters) }
    public var encoderConfiguration: BertConfiguration { model.configuration }
    public var trainingItemCount: Int { tasks.reduce(0) { $0 + $1.task.training.count } }

    public func batches(size: Int, generator: inout SeededGenerator) -> [TrainingBatch] {
        var queues = tasks.indices.map { index in
            TrainingBatch.shuffled(count: tasks[index].task.training.count, size: size, task: index, generator: &generator)[...]
        }
        var interleaved: [TrainingBatch] = []
        while queues.contains(where: { !$0.isEmpty }) {
            for index in queues.indices {
                if let batch = queues[index].popFirst() { interleaved.append(batch) }
            }
        }
        return interleaved
    }

    public func accumulateGradients(on batch: TrainingBatch, pass: TrainingPass) throws -> BatchOutcome {
        let task = tasks[batch.task]
        let loss = try classifier(for: batch.task).accumulateGradients(on: batch.items.map { task.task.training[$0] }, pass: pass)
        return BatchOutcome(loss: loss, parameters: task.parameters)
    }

    public func evaluate() throws -> [TaskEvaluation] {
        try tasks.indices.map { index in
            TaskEvaluation(task: tasks[index].task.name, values: try ClassificationObjective.scores(
                classifier(for: index), validation: tasks[index].task.validation, trainingSample: tasks[index].trainingSample,
                batchSize: evaluationBatchSize))
        }
    }
}
