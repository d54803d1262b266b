import Evaluation
import Foundation
import TestSupport
import Testing

@testable import Adaptation
@testable import Transformers

/// Texts over the tiny vocabulary with a learnable pattern ("the X was/is Y").
private func tinyTexts(_ count: Int, seed: UInt64) -> [TextInput] {
    separableExamples(count: count, seed: seed).map { TextInput($0.text) }
}

/// Pairs whose two sentences share their content words, so in-batch retrieval is learnable.
private func tinyPairs(_ count: Int, seed: UInt64) -> [TextInput] {
    let words = ["good", "great", "sun", "dog", "bad", "awful", "cat", "movie", "food"]
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
        let first = words[Int(generator.next() % UInt64(words.count))]
        let second = words[Int(generator.next() % UInt64(words.count))]
        return TextInput("the \(first) \(second)", pair: "a \(second) was \(first)")
    }
}

@Suite struct EncoderObjectiveTests {
    @Test("mlm and contrastive take method full or lora with LoRA's options, and refuse labelled tasks")
    func optionsAndMethods() throws {
        let mlm = try StrategyRegistry.make("mlm", options: StrategyOptions(scalars: ["method": "lora", "rank": "4"]))
        guard case .lora(let lora) = (mlm as? MaskedLanguageModelStrategy)?.method else {
            Issue.record("method lora expected")
            return
        }
        #expect(lora.rank == 4 && lora.targets == [.query, .value])
        #expect(mlm.options.scalars["mask_probability"] == "0.15")
        #expect(throws: AdaptationError.invalidOption(name: "rank", reason: "applies to method lora only (method is full)")) {
            try StrategyRegistry.make("contrastive", options: StrategyOptions(scalars: ["rank": "4"]))
        }
        #expect(throws: AdaptationError.invalidOption(name: "method", reason: "use full or lora, got 'adapter'")) {
            try StrategyRegistry.make("mlm", options: StrategyOptions(scalars: ["method": "adapter"]))
        }
        #expect(throws: AdaptationError.invalidOption(name: "learn_temperature", reason: "use true or false, got 'yes'")) {
            try StrategyRegistry.make("contrastive", options: StrategyOptions(scalars: ["learn_temperature": "yes"]))
        }
        var generator = SeededGenerator(seed: 1)
        #expect(throws: AdaptationError.self) {
            try ContrastiveStrategy().prepare(base: try tinyBase(), labelNames: ["a"], training: [], pooling: .mean, generator: &generator)
        }
        #expect(MaskedLanguageModelStrategy.trainingData == .text && ContrastiveStrategy.trainingData == .sentencePairs)
        #expect(FullFineTuning.trainingData == .labelledExamples)
    }

    @Test("Masked-LM training lowers the validation loss, reports perplexity and masked accuracy, and repeats exactly")
    func maskedLanguageModelTrains() throws {
        func run() throws -> (TrainingHistory, [Float]) {
            let base = try tinyBase()
            var generator = SeededGenerator(seed: 2)
            let task = EncoderTask(name: "text", training: tinyTexts(96, seed: 1), validation: tinyTexts(24, seed: 2))
            let objective = try MaskedLanguageModelStrategy().objective(
                base: base, task: task, configuration: settings(epochs: 4, lr: 5e-3), pooling: .mean, generator: &generator)
            #expect(base.maskedLanguageModelHead == nil)
            let history = try Trainer(configuration: settings(epochs: 4, lr: 5e-3)).train(objective)
            return (history, base.model.wordEmbeddings.table.value.scalars)
        }
        let (history, weights) = try run()
        let first = history.records[0], last = history.records[history.records.count - 1]
        #expect(last.validationLoss < first.validationLoss - 0.3, "\(history.records.map(\.validationLoss))")
        #expect(abs((last.values[TrainingMetric.validationPerplexity] ?? 0) - exp(last.validationLoss)) < 1e-9)
        #expect(last.validationAccuracy > first.validationAccuracy)
        #expect(last.values[TrainingMetric.trainEvaluationLoss] != nil && last.values[TrainingMetric.trainAccuracy] != nil)
        let (again, againWeights) = try run()
        #expect(again.stepLosses == history.stepLosses && againWeights == weights)
    }

    @Test("Masked-LM training with LoRA trains the adapters and the head, then merges, leaving a plain encoder")
    func maskedLanguageModelWithLoRA() throws {
        let base = try tinyBase()
        let before = base.model.layers[0].query.weight.value
        let embeddings = base.model.wordEmbeddings.table.value
        var generator = SeededGenerator(seed: 2)
        let strategy = try MaskedLanguageModelStrategy(options: StrategyOptions(scalars: ["method": "lora", "rank": "2"]))
        let objective = try strategy.maskedLanguageObjective(
            base: base, task: EncoderTask(name: "text", training: tinyTexts(32, seed: 1), validation: tinyTexts(8, seed: 2)),
            configuration: settings(epochs: 1, lr: 1e-2), generator: &generator)
        let names = objective.trainableParameters.map(\.name)
        #expect(names.filter { $0.contains(".lora_") }.count == 2 * 2 * 2)  // 2 layers × (query, value) × (A, B)
        #expect(names.contains(MaskedLanguageModelHead.outputBiasName) && !names.contains("embeddings.word_embeddings.weight"))
        _ = try Trainer(configuration: settings(epochs: 1, lr: 1e-2)).train(objective)
        strategy.finish(encoder: base.model)
        #expect(base.model.layers.allSatisfy { $0.query.adapter == nil && $0.value.adapter == nil })
        #expect(base.model.layers[0].query.weight.value != before)
        #expect(base.model.wordEmbeddings.table.value == embeddings)
    }

    @Test("Contrastive training raises in-batch retrieval accuracy; a learned temperature moves and is reported")
    func contrastiveTrains() throws {
        let base = try tinyBase()
        var generator = SeededGenerator(seed: 3)
        let strategy = try ContrastiveStrategy(options: StrategyOptions(scalars: ["learn_temperature": "true", "temperature": "0.2"]))
        var configuration = settings(epochs: 6, lr: 3e-3)
        configuration.batchSize = 8
        let objective = try strategy.objective(
            base: base, task: EncoderTask(name: "pairs", training: tinyPairs(96, seed: 1), validation: tinyPairs(32, seed: 2)),
            configuration: configuration, pooling: .mean, generator: &generator)
        let history = try Trainer(configuration: configuration).train(objective)
        let first = history.records[0], last = history.records[history.records.count - 1]
        #expect(last.validationLoss < first.validationLoss, "\(history.records.map(\.validationLoss))")
        #expect(last.validationAccuracy > first.validationAccuracy, "\(history.records.map(\.validationAccuracy))")
        #expect(last.values[TrainingMetric.temperature] != 0.2)
        #expect(throws: AdaptationError.self) {
            try strategy.objective(
                base: base, task: EncoderTask(name: "p", training: [TextInput("no pair")], validation: tinyPairs(4, seed: 1)),
                configuration: configuration, pooling: .mean, generator: &generator)
        }
    }

    @Test("An encoder-only adapted checkpoint (a chain ending in an embedding task) saves and loads without a head")
    func headlessCheckpointRoundTrips() throws {
        let base = try tinyBase()
        for parameter in base.model.parameters { parameter.value.scalars[0] += 1 }
        let folder = try TestPaths.temporaryDirectory()
        let headless = Classifier.headless(model: base.model, tokenizer: base.tokenizer, pooling: .mean, maxLength: 32)
        for parameter in base.model.parameters { parameter.isTrainable = false }
        try AdaptedCheckpoint.save(headless, strategy: ContrastiveStrategy(), baseSHA256: try base.weightsSHA256(), to: folder,
                                   includingWholeEncoder: true)
        let fresh = try Checkpoint(directory: base.directory)
        let loaded = try AdaptedCheckpoint.load(from: folder, base: fresh)
        #expect(loaded.labelNames.isEmpty && loaded.head.labelCount == 0)
        #expect(loaded.model.parameters.map(\.value) == base.model.parameters.map(\.value))
    }
}

@Suite struct EmbeddingEvaluationTests {
    @Test("The default model's STS Benchmark dev Spearman equals PyTorch's to 0.05 points",
          .enabled(if: TestPaths.model != nil && TestPaths.shared != nil, "needs the default model and ../shared/data"))
    func stsDevMatchesPyTorch() throws {
        // python3 bench/torch_sts.py --model models/all-MiniLM-L6-v2 --sts ../shared/data/08_sts_benchmark/sts-dev.csv
        // (torch 2.13.0+cpu, transformers 5.24.0: BertModel without pooler, mean pooling over the attention mask,
        // max length 128, cosine, scipy.stats.spearmanr and pearsonr × 100) printed
        // {"pairs": 1500, "spearman": 86.71698778026186, "pearson": 86.96236862670594, "torch": "2.13.0+cpu"}
        let pytorchSpearman = 86.71698778026186
        let pytorchPearson = 86.96236862670594
        let checkpoint = try Checkpoint(directory: TestPaths.model!)
        let pairs = try DatasetReaders.scoredPairs(
            path: TestPaths.shared!.appendingPathComponent("data/08_sts_benchmark/sts-dev.csv").path)
        #expect(pairs.samples.count == 1500)
        let cache = FeatureCache(directory: nil)
        let evaluator = EmbeddingEvaluator(
            encoder: FrozenEncoder(identity: try checkpoint.identity(), model: checkpoint.model, tokenizer: checkpoint.tokenizer),
            cache: cache)
        let scores = try evaluator.semanticSimilarity(pairs.samples).scores
        #expect(abs(scores.spearman - pytorchSpearman) < 0.05, "\(scores.spearman) vs PyTorch \(pytorchSpearman)")
        #expect(abs(scores.pearson - pytorchPearson) < 0.05, "\(scores.pearson) vs PyTorch \(pytorchPearson)")
        // A second scoring of the unchanged encoder is served from the feature cache.
        _ = try evaluator.semanticSimilarity(pairs.samples)
        #expect(cache.encoderPasses == 2)
    }
}
