import Adaptation
import ArgumentParser
import Evaluation
import Foundation
import Transformers

struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Continue masked-LM pretraining on unlabelled text and write a BertForMaskedLM folder.",
        discussion: """
            Reads --text (JSON Lines with a "text" field, or a CSV/TSV with a text column, or a \
            Multi-Domain Sentiment folder read without its labels), holds out --validation-fraction \
            of it (seeded) for the validation loss that early stopping watches, and trains with \
            BERT's masking (15% of each text's tokens; 80% [MASK], 10% random, 10% unchanged). The \
            model's masked-LM head is used, or a fresh one tied to the word embeddings. --output \
            receives config.json, model.safetensors (bert.* and cls.predictions.* names, as \
            save_pretrained writes BertForMaskedLM), the tokenizer files and metrics.json.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Unlabelled text: .jsonl, .csv, .tsv or a Multi-Domain Sentiment folder.") var text: String
    @Option(name: .long, help: "Text field or column of JSONL and CSV/TSV files.") var textColumn: String = "text"
    @Option(name: .long, help: "Folder to write the pretrained checkpoint to.") var output: String
    @Option(name: .long, help: "Which weights train: full or lora.") var strategy: String = "full"
    @Option(name: .long, help: "Maximum epochs.") var epochs: Int = 3
    @Option(name: .long, help: "Texts per micro-batch.") var batchSize: Int = 16
    @Option(name: .long, help: "Peak learning rate (default: 5e-5 full, 1e-3 lora).") var lr: Float?
    @Option(name: .long, help: "Fraction of the texts held out for validation.") var validationFraction: Double = 0.1
    @Option(name: .long, help: "Fraction of each text's tokens masked.") var maskProbability: Double = 0.15
    @Option(name: .long, help: "LoRA rank.") var loraRank: Int = 8
    @Option(name: .long, help: "LoRA alpha (scale = alpha / rank).") var loraAlpha: Float = 16
    @Option(name: .long, help: "Truncate texts to this many tokens.") var maxLength: Int = 128
    @Option(name: .long, help: "Evaluations without improvement before stopping.") var patience: Int = 2
    @Option(name: .long, help: "Random seed.") var seed: UInt64 = 42
    @Flag(name: .long, help: "Write metrics.json to standard output.") var json = false

    func validate() throws {
        guard ["full", "lora"].contains(strategy) else { throw ValidationError("--strategy: use full or lora, got '\(strategy)'") }
        guard validationFraction > 0, validationFraction < 1 else {
            throw ValidationError("--validation-fraction must be between 0 and 1, got \(validationFraction)")
        }
    }

    func run() throws {
        let started = Date()
        let texts = try readTexts()
        var options = StrategyOptions(scalars: ["method": strategy, "mask_probability": String(maskProbability)])
        if strategy == "lora" { options.scalars.merge(["rank": String(loraRank), "alpha": String(loraAlpha)]) { $1 } }
        let chosen: MaskedLanguageModelStrategy
        do {
            chosen = try MaskedLanguageModelStrategy(options: options)
        } catch AdaptationError.invalidOption(let name, let reason) {
            let flags = ["rank": "--lora-rank", "alpha": "--lora-alpha", "mask_probability": "--mask-probability"]
            throw ValidationError("\(flags[name] ?? name): \(reason)")
        }
        var settings = TrainingConfiguration()
        settings.epochs = epochs
        settings.batchSize = batchSize
        settings.learningRate = lr ?? (strategy == "lora" ? LoRAStrategy.defaultLearningRate : MaskedLanguageModelStrategy.defaultLearningRate)
        settings.patience = patience
        settings.seed = seed
        settings.maxLength = maxLength
        try settings.validate()

        let split = try Splits.stratified(
            Dataset(name: "text", samples: texts.map { Sample(id: "", text: $0, label: "") }, labelNames: []),
            fractions: [1 - validationFraction, validationFraction], seed: seed)
        guard !split[0].samples.isEmpty, !split[1].samples.isEmpty else {
            throw ValidationError("--text: \(texts.count) texts cannot be split into training and validation texts; give more text")
        }
        let checkpoint = try modelOptions.load()
        var generator = SeededGenerator(seed: seed)
        let task = EncoderTask(
            name: "text", training: split[0].samples.map { TextInput($0.text) }, validation: split[1].samples.map { TextInput($0.text) })
        let objective = try chosen.maskedLanguageObjective(base: checkpoint, task: task, configuration: settings, generator: &generator)
        let trainable = objective.trainableParameters.reduce(0) { $0 + $1.count }
        let trainer = Trainer(configuration: settings)
        let display = ProgressDisplay()
        trainer.progress = { display.show($0) }
        let history = try trainer.train(objective)
        display.finish()
        chosen.finish(encoder: checkpoint.model)
        let outputURL = URL(fileURLWithPath: output)
        try Checkpoint.writeMaskedLanguageModel(
            model: checkpoint.model, head: objective.language.head, tokenizerSource: checkpoint.directory, to: outputURL)

        let metrics: [String: Any] = [
            "strategy": MaskedLanguageModelStrategy.name, "options": chosen.options.jsonObject,
            "base_model_sha256": try checkpoint.weightsSHA256(), "fresh_head": checkpoint.maskedLanguageModelHead == nil,
            "training_texts": task.training.count, "validation_texts": task.validation.count, "trainable_parameters": trainable,
            "epochs": history.records.map { record in
                record.values.merging(["learning_rate": record.learningRate, "seconds": record.seconds]) { $1 }
                    .merging(["epoch": Double(record.epoch), "step": Double(record.step)]) { $1 } as [String: Any]
            },
            "best_epoch": history.bestEpoch as Any, "stop_reason": history.stopReason, "steps": history.steps,
            "wall_seconds": Date().timeIntervalSince(started), "threads": ComputeThreads.count, "seed": seed,
            "learning_rate": Double(settings.learningRate),
        ]
        let data = try JSONSerialization.data(withJSONObject: metrics, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: outputURL.appendingPathComponent("metrics.json"))
        if json {
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("strategy     mlm, \(strategy) (\(trainable.formatted()) parameters train; \(task.training.count) texts, "
            + "\(task.validation.count) held out)")
        for record in history.records {
            print(String(format: "epoch %2d     train loss %.4f  validation loss %.4f  perplexity %.2f  masked accuracy %.4f",
                         record.epoch, record.trainLoss, record.validationLoss,
                         record.values[TrainingMetric.validationPerplexity] ?? .nan, record.validationAccuracy))
        }
        print("stopped      \(history.stopReason)")
        print("saved        \(outputURL.path)")
    }

    /// The texts of --text: a Multi-Domain Sentiment folder's reviews (labels dropped), a
    /// JSONL file's text field, or a CSV/TSV file's text column.
    func readTexts() throws -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: text, isDirectory: &isFolder) || text == "-" else {
            throw EvaluationError.fileNotFound(path: text)
        }
        if isFolder.boolValue { return try DatasetReaders.multiDomainSentiment(folder: text).samples.map(\.text) }
        switch (text as NSString).pathExtension.lowercased() {
        case "csv", "tsv":
            return try DatasetReaders.delimited(
                path: text, textColumn: textColumn, labelColumn: "label",
                delimiter: (text as NSString).pathExtension.lowercased() == "tsv" ? "\t" : ",", requireLabels: false
            ).samples.map(\.text)
        default:
            return try DatasetReaders.texts(path: text, field: textColumn)
        }
    }
}
