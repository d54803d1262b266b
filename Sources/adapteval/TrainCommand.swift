import Adaptation
import ArgumentParser
import Foundation
import Transformers

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Adapt a model to a labelled task with one strategy, with early stopping.",
        discussion: """
            Data files are JSON Lines {"text": ..., "label": ...} by default (labels strings or \
            integers; an optional "pair" makes sentence-pair inputs); --format reads SST-2 TSV, \
            Multi-Domain Sentiment folders, the Davidson CSV, or any CSV/TSV by column names. Writes the adapted checkpoint \
            (only what was trained, plus adaptation.json) and metrics.json to --output. \
            Strategies: \(StrategyRegistry.names.joined(separator: ", ")).
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Training data (see --format).") var train: String
    @Option(name: .long, help: "Validation data, evaluated every epoch.") var validation: String
    @Option(name: .long, help: "Test data, evaluated once with the best weights.") var test: String?
    @OptionGroup var dataOptions: DataOptions
    @Option(name: .long, help: "Adaptation strategy.") var strategy: String
    @Option(name: .long, help: "Intermediate task training data: train on it first (multi-stage transfer).")
    var intermediateTrain: String?
    @Option(name: .long, help: "Intermediate task validation data.") var intermediateValidation: String?
    @Option(name: .long, help: "Strategy for the intermediate stage (default: --strategy).") var intermediateStrategy: String?
    @Option(name: .long, help: "Folder for the adapted checkpoint and metrics.json.") var output: String

    @Option(name: .long, help: "Maximum epochs.") var epochs: Int = 3
    @Option(name: .long, help: "Examples per micro-batch.") var batchSize: Int = 16
    @Option(name: .long, help: "Peak learning rate (default: 2e-5 full and scratch, 1e-3 lora, 5e-4 adapter, 3e-3 prompt-tuning, 1e-3 linear-probe and bitfit).")
    var lr: Float?
    @Option(name: .long, help: "Fraction of steps for linear warm-up.") var warmup: Float = 0.1
    @Option(name: .long, help: "Micro-batches per optimiser step.") var accumulate: Int = 1
    @Option(name: .long, help: "Evaluations without improvement before stopping.") var patience: Int = 2
    @Option(name: .long, help: "Smallest change that counts as an improvement.") var minDelta: Double = 0
    @Option(name: .long, help: "Validation quantity to monitor: loss, accuracy or macro-f1.") var monitor: String = "loss"
    @Option(name: .long, help: "Also evaluate every N optimiser steps.") var evalEvery: Int?
    @Option(name: .long, help: "AdamW decoupled weight decay.") var weightDecay: Float = 0.01
    @Option(name: .long, help: "Clip the global gradient norm (0 disables).") var maxGradNorm: Double = 1
    @Option(name: .long, help: "Hidden dropout (default: from config.json).") var hiddenDropout: Float?
    @Option(name: .long, help: "Attention dropout (default: from config.json).") var attentionDropout: Float?
    @Option(name: .long, help: "Random seed.") var seed: UInt64 = 42
    @Option(name: .long, help: "Truncate texts to this many tokens.") var maxLength: Int = 128
    @Option(name: .long, help: "Pooling for the head: mean or cls.") var pooling: PoolingChoice = .mean

    @Option(name: .long, help: "LoRA rank.") var loraRank: Int = 8
    @Option(name: .long, help: "LoRA alpha (scale = alpha / rank).") var loraAlpha: Float = 16
    @Option(name: .long, help: "LoRA dropout.") var loraDropout: Float = 0.1
    @Option(name: .long, help: "LoRA targets, comma-separated: query,key,value,attention-output,intermediate,output.")
    var loraTargets: String = "query,value"
    @Option(name: .long, help: "Adapter bottleneck width.") var adapterSize: Int = 64
    @Option(name: .long, help: "Soft-prompt vectors for prompt tuning.") var promptLength: Int = 20
    @Option(name: .long, help: "Few-shot examples per class.") var shots: Int = 8
    @Option(name: .long, help: "Zero-shot label descriptions, '|'-separated, in label order.") var labelDescriptions: String?

    @Flag(name: .long, help: "Write the metrics JSON to standard output.") var json = false

    /// The flag that sets each strategy option.
    static let optionFlags = [
        "rank": "--lora-rank", "alpha": "--lora-alpha", "dropout": "--lora-dropout", "targets": "--lora-targets",
        "size": "--adapter-size", "length": "--prompt-length", "shots": "--shots", "descriptions": "--label-descriptions",
    ]

    /// The strategy named `strategy` with the flags that apply to it; errors name the flag.
    func makeStrategy(_ strategy: String) throws -> any AdaptationStrategy {
        guard let type = StrategyRegistry.type(named: strategy) else {
            throw ValidationError("--strategy: unknown strategy '\(strategy)' (use \(StrategyRegistry.names.joined(separator: ", ")))")
        }
        let given = StrategyOptions(
            scalars: ["rank": String(loraRank), "alpha": String(loraAlpha), "dropout": String(loraDropout),
                      "size": String(adapterSize), "length": String(promptLength), "shots": String(shots)],
            lists: ["targets": loraTargets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }]
                .merging(labelDescriptions.map {
                    ["descriptions": $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }]
                } ?? [:]) { $1 })
        let accepted = Set(type.optionNames)
        let options = StrategyOptions(scalars: given.scalars.filter { accepted.contains($0.key) },
                                      lists: given.lists.filter { accepted.contains($0.key) })
        do {
            return try type.init(options: options)
        } catch AdaptationError.invalidOption(let name, let reason) {
            throw ValidationError("\(Self.optionFlags[name] ?? name): \(reason)")
        }
    }

    func run() throws {
        // Ctrl-C stops at the next training step or evaluation batch (exit 130); nothing is saved.
        InterruptHandler.install()
        let started = Date()
        let chosen = try makeStrategy(strategy)
        guard (intermediateTrain == nil) == (intermediateValidation == nil) else {
            throw ValidationError("--intermediate-train and --intermediate-validation go together")
        }
        guard let monitored = MonitoredMetric(rawValue: monitor) else {
            throw ValidationError("--monitor: use loss, accuracy or macro-f1, got '\(monitor)'")
        }
        var settings = TrainingConfiguration()
        settings.epochs = epochs
        settings.batchSize = batchSize
        settings.learningRate = lr ?? type(of: chosen).defaultLearningRate
        settings.warmupFraction = warmup
        settings.accumulationSteps = accumulate
        settings.patience = patience
        settings.minimumDelta = minDelta
        settings.monitor = monitored
        settings.evaluationInterval = evalEvery
        settings.weightDecay = weightDecay
        settings.maximumGradientNorm = maxGradNorm > 0 ? maxGradNorm : nil
        settings.hiddenDropout = hiddenDropout
        settings.attentionDropout = attentionDropout
        settings.seed = seed
        settings.maxLength = maxLength
        try settings.validate()

        let trainSet = try dataOptions.read(train)
        let validationSet = try dataOptions.read(validation, labelNames: trainSet.labelNames)
        let testSet = try test.map { try dataOptions.read($0, labelNames: trainSet.labelNames) }
        let checkpoint = try modelOptions.load()
        let baseSHA = try checkpoint.weightsSHA256()
        var generator = SeededGenerator(seed: seed)
        var intermediateHistory: TrainingHistory?
        if let intermediateTrain, let intermediateValidation {
            let stageStrategy = try makeStrategy(intermediateStrategy ?? strategy)
            let stageTrain = try dataOptions.read(intermediateTrain)
            let stageValidation = try dataOptions.read(intermediateValidation, labelNames: stageTrain.labelNames)
            let stage = AdaptationChain.Stage(
                task: AdaptationTask(name: "intermediate", training: stageTrain.examples, validation: stageValidation.examples,
                                     labelNames: stageTrain.labelNames),
                strategy: stageStrategy, configuration: settings)
            intermediateHistory = try AdaptationChain(stages: [stage]).run(
                base: checkpoint, pooling: pooling.pooling, generator: &generator).histories.first
        }
        let classifier = try chosen.prepare(
            base: checkpoint, labelNames: trainSet.labelNames, training: trainSet.examples, pooling: pooling.pooling,
            generator: &generator)
        classifier.maxLength = maxLength
        let trainable = classifier.trainableParameterCount
        let total = classifier.totalParameterCount

        var features: FeatureSource?
        if type(of: chosen).leavesEncoderUnchanged {
            var encoder = try FrozenEncoder(base: checkpoint)
            // After an intermediate stage the encoder is no longer the checkpoint's.
            if intermediateHistory != nil { encoder.identity += ":after-intermediate" }
            features = FeatureSource(cache: FeatureCache(directory: nil), encoder: encoder, pooling: pooling.pooling,
                                     maxLength: maxLength)
        }
        let display = ProgressDisplay()
        let history = try StageAdaptation.run(
            chosen, classifier: classifier, training: trainSet.examples, validation: validationSet.examples,
            configuration: settings, taskName: "target", features: features, generator: &generator,
            progress: { display.show($0) })
        display.finish()
        let outputURL = URL(fileURLWithPath: output)
        try AdaptedCheckpoint.save(classifier, strategy: chosen, baseSHA256: baseSHA, to: outputURL,
                                   includingWholeEncoder: intermediateHistory != nil)
        chosen.finish(classifier)
        func evaluate(_ examples: [LabelledExample]) throws -> Classifier.Evaluation {
            try features.map { try classifier.evaluate($0.features(of: examples)) } ?? classifier.evaluate(examples)
        }
        let validationResult = try evaluate(validationSet.examples)
        let testResult = try testSet.map { try evaluate($0.examples) }

        var metrics: [String: Any] = [
            "strategy": chosen.name, "options": chosen.options.jsonObject, "base_model_sha256": baseSHA,
            "labels": trainSet.labelNames, "trainable_parameters": trainable, "total_parameters": total,
            "epochs": history.records.map { record in
                record.values.merging(["learning_rate": record.learningRate, "seconds": record.seconds]) { $1 }
                    .merging(["epoch": Double(record.epoch), "step": Double(record.step)]) { $1 } as [String: Any]
            },
            "best_epoch": history.bestEpoch as Any, "stop_reason": history.stopReason, "steps": history.steps,
            "validation": ["loss": validationResult.loss, "accuracy": validationResult.metrics.accuracy,
                           "macro_f1": validationResult.metrics.macroF1],
            "wall_seconds": Date().timeIntervalSince(started), "threads": ComputeThreads.count,
            "seed": seed, "learning_rate": Double(settings.learningRate),
        ]
        if let intermediateHistory {
            metrics["intermediate"] = [
                "strategy": intermediateStrategy ?? strategy, "stop_reason": intermediateHistory.stopReason,
                "best_epoch": intermediateHistory.bestEpoch as Any,
                "validation_accuracy": intermediateHistory.records.map(\.validationAccuracy),
            ]
        }
        if let testResult {
            metrics["test"] = ["loss": testResult.loss, "accuracy": testResult.metrics.accuracy,
                               "macro_f1": testResult.metrics.macroF1, "examples": testResult.predictions.count]
        }
        let data = try JSONSerialization.data(withJSONObject: metrics, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: outputURL.appendingPathComponent("metrics.json"))
        if json {
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("strategy     \(chosen.name) (\(trainable.formatted()) of \(total.formatted()) parameters train)")
            for record in history.records {
                print(String(format: "epoch %2d     train loss %.4f  validation loss %.4f  accuracy %.4f  macro-F1 %.4f",
                             record.epoch, record.trainLoss, record.validationLoss, record.validationAccuracy, record.validationMacroF1))
            }
            print("stopped      \(history.stopReason)")
            if let testResult {
                print(String(format: "test         accuracy %.4f  macro-F1 %.4f  (%d examples)", testResult.metrics.accuracy,
                             testResult.metrics.macroF1, testResult.predictions.count))
            }
            print("saved        \(outputURL.path)")
        }
    }
}

/// A one-line progress bar on standard error when it is a terminal; silent otherwise.
final class ProgressDisplay {
    private let enabled = isatty(STDERR_FILENO) != 0
    private var lastDrawn = Date.distantPast

    func show(_ progress: TrainingProgress) {
        guard enabled, Date().timeIntervalSince(lastDrawn) > 0.2 || progress.step == progress.totalSteps else { return }
        lastDrawn = Date()
        let width = 30
        let filled = progress.totalSteps == 0 ? 0 : width * progress.step / progress.totalSteps
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = String(format: "\r[%@] epoch %d/%d step %d/%d loss %.4f", bar, progress.epoch, progress.epochs,
                          progress.step, progress.totalSteps, progress.loss)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
