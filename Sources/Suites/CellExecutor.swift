import Adaptation
import Evaluation
import Foundation
import ResultStore
import Transformers

/// Computes one cell in steps: *adapt* (train the chain's stages with the cell's strategy and
/// seed, or load the adapted checkpoint of a finished cell with the same adaptation key), then
/// *evaluate* (score every stage's task on its splits, and the earlier tasks again after the
/// last stage, for forgetting), then save the adapted checkpoint.
struct CellExecutor {
    let suite: Suite
    /// Where adapted checkpoints go (one folder per evaluation key); nil keeps none.
    let artifactsDirectory: URL?
    /// Pooled features of frozen encoders, shared by every cell of the run.
    var features = FeatureCache(directory: nil)
    var progress: ((_ stage: Int, _ stages: Int, TrainingProgress) -> Void)?
    /// Where a served model's answers are kept (the results database).
    var responseCache: (any ResponseCache)?
    /// The base model's probe results the cells' probes are compared with.
    var baselines: ProbeBaselineStore?

    /// What the adapt step produced.
    struct Adapted {
        /// Per task the cell scores after its last stage: the classifier over the final encoder.
        var finalClassifiers: [(task: TaskData, classifier: Classifier)]
        var epochs: [EpochRow] = []
        /// Rows measured before the last stage (a chain's tasks after their own stage).
        var earlierMetrics: [MetricRow] = []
        var earlierPredictions: [PredictionRow] = []
        var trainableParameters = 0
        var totalParameters = 0
        var bestEpoch: Int?
        var stopReason = ""
        var artifacts: [ArtifactRow] = []
        /// The cell whose checkpoint was loaded instead of training.
        var trainingCellID: Int64?
        /// Embedding tasks of the chain, scored on `finalEncoder` after the last stage.
        var embeddingTasks: [TaskData] = []
        var finalEncoder: FrozenEncoder?
        /// Set when the encoder is the base model's, unchanged: scoring reads cached features.
        var features: FeatureSource?
    }

    func execute(_ cell: PlannedCell, reusing stored: StoredAdaptation? = nil) throws -> CellResult {
        if suite.model.remote != nil || cell.probe != nil { return try executeRemote(cell) }
        let started = Date()
        var adapted: Adapted
        if let stored {
            adapted = try load(cell, from: stored)
        } else if let entry = cell.multitask {
            adapted = try adaptMultiTask(cell, entry: entry)
        } else {
            adapted = try adaptChain(cell)
        }
        let last = cell.chain.count - 1
        var metrics = adapted.earlierMetrics
        var predictions = adapted.earlierPredictions
        for entry in adapted.finalClassifiers {
            let isTarget = entry.task.name == cell.target || cell.multitask != nil
            let splits: [(String, [Sample])] = isTarget
                ? [("validation", entry.task.validation), ("test", entry.task.test)] : [("test", entry.task.test)]
            let scored = try score(entry.classifier, task: entry.task, stage: last, seed: cell.seed, splits: splits,
                                   features: adapted.features)
            metrics += scored.metrics
            predictions += scored.predictions
        }
        if let encoder = adapted.finalEncoder {
            for task in adapted.embeddingTasks {
                let scored = try scoreEmbeddings(task, encoder: encoder, cell: cell, stage: last)
                metrics += scored.metrics
                predictions += scored.predictions
            }
        }
        var result = CellResult(
            trainableParameters: adapted.trainableParameters, totalParameters: adapted.totalParameters,
            bestEpoch: adapted.bestEpoch, stopReason: adapted.stopReason, wallSeconds: 0,
            epochs: adapted.epochs, metrics: metrics,
            predictions: suite.definition.evaluation.savePredictions ? predictions : [], artifacts: adapted.artifacts,
            trainingCellID: adapted.trainingCellID)
        result.probes = try runProbes(cell, on: adapted.finalClassifiers)
        result.wallSeconds = Date().timeIntervalSince(started)
        return result
    }

    /// Trains each stage of the chain in turn; every stage but the last is scored right after
    /// it trains, since its encoder state does not outlive the next stage.
    func adaptChain(_ cell: PlannedCell) throws -> Adapted {
        let checkpoint = try Checkpoint(directory: suite.model.directory)
        var generator = SeededGenerator(seed: cell.seed)
        var adapted = Adapted(finalClassifiers: [])
        var earlier: [(task: String, classifier: Classifier)] = []
        var finals: [(task: TaskData, classifier: Classifier)] = []
        let stages = cell.chain.count
        var encoderStages = EncoderStages(checkpoint: checkpoint, baseIdentity: suite.model.identity)
        for (stage, taskName) in cell.chain.enumerated() {
            let task = try suite.requireTask(taskName, field: "chain")
            if task.kind != .classification {
                try adaptOtherStage(task, stage: stage, cell: cell, state: &encoderStages, adapted: &adapted, generator: &generator)
                continue
            }
            let strategy = try cell.strategy.makeStrategy(labelDescriptions: task.labelDescriptions)
            let training = cell.training[stage]
            let trainExamples = try task.examples(.train)
            if stage == stages - 1 {
                adapted.earlierMetrics += try transferabilityMetrics(
                    checkpoint, cell: cell, stage: stage, task: task, examples: trainExamples, training: training)
            }
            let classifier = try strategy.prepare(
                base: checkpoint, labelNames: task.labelNames, training: trainExamples, pooling: training.pooling,
                generator: &generator)
            classifier.maxLength = training.configuration.maxLength
            if strategy.trains, classifier.model.parameters.contains(where: \.isTrainable) { encoderStages.encoderTrained = true }
            // The encoder as earlier stages left it: a pretrained or contrastive encoder has its own identity.
            let features = type(of: strategy).leavesEncoderUnchanged
                ? featureSource(encoderStages.encoder(cell: cell, afterStage: stage), training: training) : nil
            adapted.features = features
            let history = try StageAdaptation.run(
                strategy, classifier: classifier, training: trainExamples, validation: try task.examples(.validation),
                configuration: training.configuration, taskName: taskName, features: features,
                generator: &generator, progress: progress.map { report in { report(stage, stages, $0) } })
            adapted.epochs += Self.epochRows(history, stage: stage)
            if stage == stages - 1 {
                if let artifactsDirectory, suite.definition.evaluation.saveCheckpoints {
                    try Interruption.checkpoint()  // saving and hashing a whole encoder takes a second or more
                    adapted.artifacts = try saveCheckpoint(
                        classifier, strategy: strategy, earlierStages: earlier, includingWholeEncoder: stages > 1, key: cell.key,
                        under: artifactsDirectory)
                }
                // Counted before `finish`, which merges LoRA adapters away.
                adapted.trainableParameters = classifier.trainableParameterCount
                adapted.totalParameters = classifier.totalParameterCount
                adapted.bestEpoch = history.bestEpoch
                adapted.stopReason = history.stopReason
            }
            strategy.finish(classifier)
            if stage < stages - 1 {
                let scored = try score(classifier, task: task, stage: stage, seed: cell.seed, splits: [
                    ("validation", task.validation), ("test", task.test),
                ], features: features)
                adapted.earlierMetrics += scored.metrics
                adapted.earlierPredictions += scored.predictions
                earlier.append((taskName, classifier))
            }
            finals.append((task, classifier))
        }
        adapted.finalClassifiers = finals
        try finishChain(cell, state: encoderStages, earlier: earlier, adapted: &adapted)
        return adapted
    }

    /// Trains the set's tasks together; every row is recorded at the last stage index, since
    /// all tasks train at once. (Multi-task adapters have no adapted-checkpoint format yet, so
    /// no artifacts, and a changed evaluation retrains them.)
    func adaptMultiTask(_ cell: PlannedCell, entry: MultiTaskSpec) throws -> Adapted {
        let checkpoint = try Checkpoint(directory: suite.model.directory)
        var generator = SeededGenerator(seed: cell.seed)
        // Every task of a set trains under one schedule: the stages' settings are equal.
        guard let training = cell.training.first else {
            throw SuiteError.invalidArgument(name: "multitask", reason: "the set has no tasks")
        }
        let data = try cell.chain.map { try suite.requireTask($0, field: "multitask") }
        let tasks = try data.map { task in
            AdaptationTask(name: task.name, training: try task.examples(.train), validation: try task.examples(.validation),
                           labelNames: task.labelNames)
        }
        let objective = try MultiTaskObjective(
            base: checkpoint, tasks: tasks, bottleneck: entry.bottleneck, pooling: training.pooling,
            configuration: training.configuration, generator: &generator)
        let trainer = Trainer(configuration: training.configuration)
        if let progress { trainer.progress = { progress(0, 1, $0) } }
        let history = try trainer.train(objective)
        let taskParameters = objective.trainableParameters.reduce(0) { $0 + $1.count }
        // The shared encoder holds the last activated task's adapters; those count once, above.
        let encoderParameters = objective.model.parameters.filter { !$0.name.hasPrefix("tasks.") }.reduce(0) { $0 + $1.count }
        return Adapted(
            finalClassifiers: data.indices.map { (data[$0], objective.classifier(for: $0)) },
            epochs: Self.epochRows(history, stage: data.count - 1), trainableParameters: taskParameters,
            totalParameters: encoderParameters + taskParameters, bestEpoch: history.bestEpoch, stopReason: history.stopReason)
    }

    /// Loads the adapted checkpoint a finished cell with the same adaptation key saved, with
    /// its training record; rows measured before a chain's last stage are that cell's.
    func load(_ cell: PlannedCell, from stored: StoredAdaptation) throws -> Adapted {
        let checkpoint = try Checkpoint(directory: suite.model.directory)
        let loaded = try AdaptedCheckpoint.loadStages(from: stored.checkpointDirectory, base: checkpoint)
        let last = cell.chain.count - 1
        let target = try suite.requireTask(cell.target, field: "chain")
        var finals: [(task: TaskData, classifier: Classifier)] = []
        for stage in loaded.earlierStages {
            finals.append((try suite.requireTask(stage.task, field: "chain"), stage.classifier))
        }
        if target.kind == .classification { finals.append((target, loaded.classifier)) }
        let leavesEncoder = StrategyRegistry.type(named: cell.strategy.name)?.leavesEncoderUnchanged == true
        let tasks = try cell.chain.map { try suite.requireTask($0, field: "chain") }
        // Only a pretraining or pair stage changes the encoder of a cell whose strategy leaves it.
        let encoderTrained = !leavesEncoder || tasks.contains { $0.kind == .text || $0.kind == .pairs }
        let encoder = FrozenEncoder(
            identity: encoderTrained ? cell.adaptationKey : suite.model.identity, model: loaded.classifier.model,
            tokenizer: checkpoint.tokenizer)
        return Adapted(
            finalClassifiers: finals, epochs: stored.epochs,
            earlierMetrics: stored.metrics.filter { $0.stage < last || $0.split == "train" },
            earlierPredictions: stored.predictions.filter { $0.stage < last },
            trainableParameters: stored.cell.trainableParameters ?? 0, totalParameters: stored.cell.totalParameters ?? 0,
            bestEpoch: stored.cell.bestEpoch, stopReason: stored.cell.stopReason ?? "", artifacts: stored.artifacts,
            trainingCellID: stored.cell.trainingCellID ?? stored.cell.id,
            embeddingTasks: tasks.filter(\.kind.isEmbeddingTask), finalEncoder: encoder,
            features: leavesEncoder ? featureSource(encoder, training: cell.training[last]) : nil)
    }

    /// Frozen features of an encoder, through the run's cache.
    func featureSource(_ encoder: FrozenEncoder, training: ResolvedTraining) -> FeatureSource {
        FeatureSource(cache: features, encoder: encoder, pooling: training.pooling, maxLength: training.configuration.maxLength)
    }

    /// A training history as stored rows of chain stage `stage`.
    static func epochRows(_ history: TrainingHistory, stage: Int) -> [EpochRow] {
        history.records.map { record in
            EpochRow(stage: stage, task: record.task, evaluation: record.evaluation, epoch: record.epoch, step: record.step,
                     learningRate: record.learningRate, seconds: record.seconds, isBest: history.isBest(record),
                     values: record.values)
        }
    }

    /// The suite's metrics (with bootstrap intervals) and the predictions on each split.
    func score(
        _ classifier: Classifier, task: TaskData, stage: Int, seed: UInt64, splits: [(name: String, samples: [Sample])],
        features: FeatureSource? = nil
    ) throws -> (metrics: [MetricRow], predictions: [PredictionRow]) {
        try score(task: task, stage: stage, seed: seed, splits: splits) { examples in
            let result = try features.map { try classifier.evaluate($0.features(of: examples)) } ?? classifier.evaluate(examples)
            let width = task.labelNames.count
            return SplitOutputs(
                predictions: result.predictions,
                probabilities: examples.indices.map { row in (0..<width).map { Double(result.probabilities[row, $0]) } },
                loss: result.loss)
        }
    }

    /// A classifier's outputs on one split.
    struct SplitOutputs {
        /// Label indices; `labelNames.count` stands for an answer that names no label.
        var predictions: [Int]
        /// Per example, a probability per label.
        var probabilities: [[Double]]
        /// Mean cross-entropy, when the classifier has one.
        var loss: Double?

        static let noAnswer = "(no answer)"
    }

    /// The suite's metrics and predictions from any classifier's outputs. When an answer names
    /// no label, it is scored as a class of its own, "(no answer)", never right (scikit-learn's
    /// convention for predicted labels outside the gold ones).
    func score(
        task: TaskData, stage: Int, seed: UInt64, splits: [(name: String, samples: [Sample])],
        outputs: ([LabelledExample]) throws -> SplitOutputs
    ) throws -> (metrics: [MetricRow], predictions: [PredictionRow]) {
        let evaluation = suite.definition.evaluation
        let wanted = Set(evaluation.metrics)
        var metrics: [MetricRow] = []
        var predictions: [PredictionRow] = []
        for split in splits {
            let examples = try task.labelled(split.samples, split: split.name)
            let result = try outputs(examples)
            let gold = examples.map(\.label)
            let unanswered = result.predictions.contains(task.labelNames.count)
            let labelNames = task.labelNames + (unanswered ? [SplitOutputs.noAnswer] : [])
            let width = labelNames.count
            let probabilities = result.probabilities
            let scores = try ClassificationMetrics(
                gold: gold, predicted: result.predictions, labelNames: labelNames, probabilities: probabilities,
                bins: evaluation.calibrationBins)
            func add(_ name: String, _ value: Double, _ interval: (([Int]) -> Double)? = nil) throws {
                var row = MetricRow(stage: stage, task: task.name, split: split.name, name: name, value: value)
                if let interval, evaluation.bootstrapResamples > 0, !gold.isEmpty {
                    let bounds = try Bootstrap.percentileInterval(
                        count: gold.count, resamples: evaluation.bootstrapResamples, confidence: evaluation.confidence,
                        seed: seed &+ UInt64(stage), statistic: interval)
                    row.low = bounds.low
                    row.high = bounds.high
                }
                metrics.append(row)
            }
            let isTest = split.name == "test"
            if wanted.contains(.accuracy) {
                try add("accuracy", scores.accuracy, isTest ? Bootstrap.accuracy(gold: gold, predicted: result.predictions) : nil)
            }
            if wanted.contains(.macroF1) {
                try add("macro_f1", scores.macroF1,
                        isTest ? Bootstrap.macroF1(gold: gold, predicted: result.predictions, classCount: width) : nil)
            }
            if wanted.contains(.weightedF1) { try add("weighted_f1", scores.weightedF1) }
            if wanted.contains(.expectedCalibrationError), let ece = scores.expectedCalibrationError { try add("ece", ece) }
            if wanted.contains(.loss), let loss = result.loss { try add("loss", loss) }
            if wanted.contains(.perClass) {
                for entry in scores.perClass where entry.label != SplitOutputs.noAnswer {
                    try add("precision[\(entry.label)]", entry.precision)
                    try add("recall[\(entry.label)]", entry.recall)
                    try add("f1[\(entry.label)]", entry.f1)
                }
            }
            if isTest {
                for (position, sample) in split.samples.enumerated() {
                    predictions.append(PredictionRow(
                        stage: stage, task: task.name, split: split.name, position: position, exampleID: sample.id,
                        gold: sample.label, predicted: labelNames[result.predictions[position]],
                        probabilities: probabilities[position]))
                }
            }
        }
        return (metrics, predictions)
    }

    /// Writes the adapted checkpoint to a temporary folder, then moves it into place, so a
    /// killed run never leaves half a checkpoint under a key.
    func saveCheckpoint(
        _ classifier: Classifier, strategy: any AdaptationStrategy, earlierStages: [(task: String, classifier: Classifier)],
        includingWholeEncoder: Bool, key: String, under directory: URL
    ) throws -> [ArtifactRow] {
        let destination = directory.appendingPathComponent(key)
        let temporary = directory.appendingPathComponent(".\(key).\(ProcessInfo.processInfo.processIdentifier).partial")
        let manager = FileManager.default
        try? manager.removeItem(at: temporary)
        let needed = CheckpointSpace.estimatedBytes(classifier, wholeEncoder: includingWholeEncoder)
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            try CheckpointSpace.ensureRoom(needed, in: directory, for: destination.appendingPathComponent(AdaptedCheckpoint.weightsFile))
            try AdaptedCheckpoint.save(
                classifier, strategy: strategy, baseSHA256: suite.model.weightsSHA256, to: temporary,
                includingWholeEncoder: includingWholeEncoder, earlierStages: earlierStages)
            try? manager.removeItem(at: destination)
            try manager.moveItem(at: temporary, to: destination)
        } catch {
            // A failed save leaves nothing behind, not even the empty temporary folder.
            try? manager.removeItem(at: temporary)
            throw CheckpointSpace.failure(error, writing: temporary, to: destination, needed: needed)
        }
        try Interruption.checkpoint()
        return try [AdaptedCheckpoint.weightsFile, AdaptedCheckpoint.metadataFile].map { name in
            let url = destination.appendingPathComponent(name)
            let size = (try manager.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
            return ArtifactRow(kind: name == AdaptedCheckpoint.weightsFile ? ArtifactRow.adaptedWeights : ArtifactRow.adaptedMetadata,
                               path: url.path, sha256: try SHA256.hex(ofFileAt: url), bytes: size)
        }
    }
}

extension Suite {
    /// The task named `name`, or an error naming the field that refers to it.
    func requireTask(_ name: String, field: String) throws -> TaskData {
        guard let task = task(name) else { throw SuiteError.invalidArgument(name: field, reason: "no task named '\(name)'") }
        return task
    }
}

extension TaskData {
    enum Split: String { case train, validation, test }

    /// A split's samples as label indices of the task's training labels (checked when the suite loaded).
    func examples(_ split: Split) throws -> [LabelledExample] {
        switch split {
        case .train: return try labelled(train, split: split.rawValue)
        case .validation: return try labelled(validation, split: split.rawValue)
        case .test: return try labelled(test, split: split.rawValue)
        }
    }

    func labelled(_ samples: [Sample], split: String) throws -> [LabelledExample] {
        try LabelledDataset(Dataset(name: name, samples: samples, labelNames: labelNames), labelNames: labelNames,
                            source: "task \(name) \(split)").examples
    }
}
