import Adaptation
import Evaluation
import Foundation
import ResultStore
import Transformers

/// Trains and evaluates one cell: loads the base model fresh, runs each stage of the chain
/// with the cell's strategy and seed, scores every stage's task on its test split (and the
/// earlier tasks again after the last stage, for forgetting), and saves the adapted checkpoint.
struct CellExecutor {
    let suite: Suite
    /// Where adapted checkpoints go (one folder per content key); nil keeps none.
    let artifactsDirectory: URL?
    var progress: ((_ stage: Int, _ stages: Int, TrainingProgress) -> Void)?

    func execute(_ cell: PlannedCell) throws -> CellResult {
        if let entry = cell.multitask { return try executeMultiTask(cell, entry: entry) }
        let started = Date()
        let checkpoint = try Checkpoint(directory: suite.model.directory)
        var generator = SeededGenerator(seed: cell.seed)
        var epochs: [EpochRow] = []
        var metrics: [MetricRow] = []
        var predictions: [PredictionRow] = []
        var classifiers: [(task: TaskData, classifier: Classifier, test: [LabelledExample])] = []
        var lastHistory = TrainingHistory()
        var artifacts: [ArtifactRow] = []
        var parameterCounts = (trainable: 0, total: 0)
        let stages = cell.chain.count

        for (stage, taskName) in cell.chain.enumerated() {
            guard let task = suite.task(taskName) else {
                throw SuiteError.invalidArgument(name: "chain", reason: "no task named '\(taskName)'")
            }
            let strategy = try cell.strategy.makeStrategy(labelDescriptions: task.labelDescriptions)
            let training = cell.training[stage]
            let trainExamples = try Self.examples(task.train, task: task, split: "train")
            let validationExamples = try Self.examples(task.validation, task: task, split: "validation")
            let classifier = try strategy.prepare(
                base: checkpoint, labelNames: task.labelNames, training: trainExamples, pooling: training.pooling,
                generator: &generator)
            classifier.maxLength = training.configuration.maxLength
            var history = TrainingHistory()
            if strategy.trains {
                let trainer = Trainer(classifier: classifier, configuration: training.configuration)
                if let progress { trainer.progress = { progress(stage, stages, $0) } }
                history = try trainer.train(trainExamples, validation: validationExamples)
            } else {
                history.stopReason = "\(strategy.name) does not train"
            }
            for (index, record) in history.records.enumerated() {
                epochs.append(EpochRow(
                    stage: stage, task: taskName, epoch: record.epoch, step: record.step, trainLoss: record.trainLoss,
                    validationLoss: record.validationLoss, validationAccuracy: record.validationAccuracy,
                    validationMacroF1: record.validationMacroF1, learningRate: record.learningRate, seconds: record.seconds,
                    isBest: index == history.bestRecord))
            }
            if stage == stages - 1, let artifactsDirectory, suite.definition.evaluation.saveCheckpoints {
                try Interruption.checkpoint()  // saving and hashing a whole encoder takes a second or more
                artifacts = try saveCheckpoint(
                    classifier, strategy: strategy, baseSHA256: suite.model.weightsSHA256, key: cell.key,
                    wholeEncoder: stages > 1, under: artifactsDirectory)
            }
            // Counted before `finish`, which merges LoRA adapters away.
            parameterCounts = (classifier.trainableParameterCount, classifier.totalParameterCount)
            strategy.finish(classifier)
            let testExamples = try Self.examples(task.test, task: task, split: "test")
            let scored = try score(classifier, task: task, stage: stage, seed: cell.seed, splits: [
                ("validation", task.validation, validationExamples), ("test", task.test, testExamples),
            ])
            metrics += scored.metrics
            predictions += scored.predictions
            classifiers.append((task, classifier, testExamples))
            lastHistory = history
        }
        // Earlier tasks again with their own heads over the final encoder: forgetting.
        for (task, classifier, testExamples) in classifiers.dropLast() {
            let scored = try score(classifier, task: task, stage: stages - 1, seed: cell.seed, splits: [
                ("test", task.test, testExamples)
            ])
            metrics += scored.metrics
            predictions += scored.predictions
        }
        guard !classifiers.isEmpty else {
            throw SuiteError.invalidArgument(name: "chain", reason: "the cell has no stages")
        }
        return CellResult(
            trainableParameters: parameterCounts.trainable, totalParameters: parameterCounts.total,
            bestEpoch: lastHistory.bestEpoch, stopReason: lastHistory.stopReason,
            wallSeconds: Date().timeIntervalSince(started), epochs: epochs, metrics: metrics,
            predictions: suite.definition.evaluation.savePredictions ? predictions : [], artifacts: artifacts)
    }

    /// Trains the set's tasks together and scores each on its validation and test splits;
    /// every row is recorded at the last stage index, since all tasks train at once.
    /// (Multi-task adapters have no adapted-checkpoint format yet, so no artifacts.)
    func executeMultiTask(_ cell: PlannedCell, entry: MultiTaskSpec) throws -> CellResult {
        let started = Date()
        let checkpoint = try Checkpoint(directory: suite.model.directory)
        var generator = SeededGenerator(seed: cell.seed)
        // Every task of a set trains under one schedule: the stages' settings are equal.
        guard let training = cell.training.first else {
            throw SuiteError.invalidArgument(name: "multitask", reason: "the set has no tasks")
        }
        let data = try cell.chain.map { name -> TaskData in
            guard let task = suite.task(name) else {
                throw SuiteError.invalidArgument(name: "multitask", reason: "no task named '\(name)'")
            }
            return task
        }
        let tasks = try data.map { task in
            AdaptationTask(
                name: task.name, training: try Self.examples(task.train, task: task, split: "train"),
                validation: try Self.examples(task.validation, task: task, split: "validation"), labelNames: task.labelNames)
        }
        let trainer = try MultiTaskTrainer(
            base: checkpoint, tasks: tasks, bottleneck: entry.bottleneck, pooling: training.pooling,
            configuration: training.configuration, generator: &generator)
        let histories = try trainer.train()
        let stage = data.count - 1
        var epochs: [EpochRow] = []
        var metrics: [MetricRow] = []
        var predictions: [PredictionRow] = []
        for (index, task) in data.enumerated() {
            for record in histories[index].records {
                epochs.append(EpochRow(
                    stage: stage, task: task.name, epoch: record.epoch, step: record.step, trainLoss: record.trainLoss,
                    validationLoss: record.validationLoss, validationAccuracy: record.validationAccuracy,
                    validationMacroF1: record.validationMacroF1, learningRate: record.learningRate, seconds: record.seconds,
                    isBest: record.epoch == histories[index].bestEpoch))
            }
            let classifier = trainer.classifier(for: index)
            let scored = try score(classifier, task: task, stage: stage, seed: cell.seed, splits: [
                ("validation", task.validation, tasks[index].validation),
                ("test", task.test, try Self.examples(task.test, task: task, split: "test")),
            ])
            metrics += scored.metrics
            predictions += scored.predictions
        }
        let taskParameters = trainer.tasks.flatMap(\.parameters).reduce(0) { $0 + $1.count }
        // The shared encoder holds the last activated task's adapters; those count once, above.
        let encoderParameters = trainer.model.parameters.filter { !$0.name.hasPrefix("tasks.") }.reduce(0) { $0 + $1.count }
        return CellResult(
            trainableParameters: taskParameters, totalParameters: encoderParameters + taskParameters,
            bestEpoch: histories.last?.bestEpoch, stopReason: histories.last?.stopReason ?? "",
            wallSeconds: Date().timeIntervalSince(started), epochs: epochs, metrics: metrics,
            predictions: suite.definition.evaluation.savePredictions ? predictions : [])
    }

    /// Samples as label indices of the task's training labels (checked when the suite loaded).
    static func examples(_ samples: [Sample], task: TaskData, split: String) throws -> [LabelledExample] {
        let index = Dictionary(uniqueKeysWithValues: task.labelNames.enumerated().map { ($1, $0) })
        return try samples.map { sample in
            guard let label = index[sample.label] else {
                throw AdaptationError.invalidData(
                    path: "task \(task.name) \(split)", line: nil, reason: "label '\(sample.label)' of \(sample.id) is not a training label")
            }
            return LabelledExample(text: sample.text, pair: sample.pair, label: label)
        }
    }

    /// The suite's metrics (with bootstrap intervals) and the predictions on each split.
    func score(
        _ classifier: Classifier, task: TaskData, stage: Int, seed: UInt64,
        splits: [(name: String, samples: [Sample], examples: [LabelledExample])]
    ) throws -> (metrics: [MetricRow], predictions: [PredictionRow]) {
        let evaluation = suite.definition.evaluation
        let wanted = Set(evaluation.metrics)
        var metrics: [MetricRow] = []
        var predictions: [PredictionRow] = []
        for split in splits {
            let result = try classifier.evaluate(split.examples)
            let gold = split.examples.map(\.label)
            let width = task.labelNames.count
            let probabilities = (0..<gold.count).map { row in (0..<width).map { Double(result.probabilities[row, $0]) } }
            let scores = try ClassificationMetrics(
                gold: gold, predicted: result.predictions, labelNames: task.labelNames, probabilities: probabilities,
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
            if wanted.contains(.loss) { try add("loss", result.loss) }
            if wanted.contains(.perClass) {
                for entry in scores.perClass {
                    try add("precision[\(entry.label)]", entry.precision)
                    try add("recall[\(entry.label)]", entry.recall)
                    try add("f1[\(entry.label)]", entry.f1)
                }
            }
            if isTest {
                for (position, sample) in split.samples.enumerated() {
                    predictions.append(PredictionRow(
                        stage: stage, task: task.name, split: split.name, position: position, exampleID: sample.id,
                        gold: sample.label, predicted: task.labelNames[result.predictions[position]],
                        probabilities: probabilities[position]))
                }
            }
        }
        return (metrics, predictions)
    }

    /// Writes the adapted checkpoint to a temporary folder, then moves it into place, so a
    /// killed run never leaves half a checkpoint under a key.
    func saveCheckpoint(
        _ classifier: Classifier, strategy: any AdaptationStrategy, baseSHA256: String, key: String, wholeEncoder: Bool,
        under directory: URL
    ) throws -> [ArtifactRow] {
        let destination = directory.appendingPathComponent(key)
        let temporary = directory.appendingPathComponent(".\(key).\(ProcessInfo.processInfo.processIdentifier).partial")
        let manager = FileManager.default
        try? manager.removeItem(at: temporary)
        let needed = CheckpointSpace.estimatedBytes(classifier, wholeEncoder: wholeEncoder)
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            try CheckpointSpace.ensureRoom(needed, in: directory, for: destination.appendingPathComponent(AdaptedCheckpoint.weightsFile))
            try AdaptedCheckpoint.save(classifier, strategy: strategy, baseSHA256: baseSHA256, to: temporary,
                                       includingWholeEncoder: wholeEncoder)
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
            return ArtifactRow(kind: name == AdaptedCheckpoint.weightsFile ? "adapted-weights" : "adapted-metadata",
                               path: url.path, sha256: try SHA256.hex(ofFileAt: url), bytes: size)
        }
    }
}
