import Foundation
import TestSupport
import Testing

@testable import Adaptation
@testable import Transformers

@Suite struct StrategyTests {
    @Test func eachStrategyTrainsWhatItSaysAndReportsItsCounts() throws {
        let train = separableExamples(count: 16, seed: 1)
        var counts: [String: Int] = [:]
        for name in ["full", "lora", "adapter", "prompt-tuning", "linear-probe", "bitfit", "scratch"] {
            var generator = SeededGenerator(seed: 1)
            let classifier = try StrategyRegistry.make(name).prepare(
                base: try tinyBase(), labelNames: ["a", "b"], training: train, pooling: .mean, generator: &generator)
            counts[name] = classifier.trainableParameterCount
            let headTrains = classifier.head.parameters.allSatisfy(\.isTrainable)
            #expect(headTrains, "\(name)")
        }
        let head = 2 * 16 + 2
        let base = try tinyBase()
        let encoder = base.model.parameterCount
        #expect(counts["full"] == encoder + head)
        #expect(counts["scratch"] == encoder + head)
        #expect(counts["linear-probe"] == head)
        #expect(counts["bitfit"] == base.model.parameters.filter { $0.name.hasSuffix(".bias") }.reduce(0) { $0 + $1.count } + head)
        #expect(counts["lora"] == 2 * 2 * (8 * 16 + 16 * 8) + head)  // 2 layers × (query, value) × (A + B)
        #expect(counts["prompt-tuning"] == 20 * 16 + head)
        let norms = base.model.parameters.filter { $0.name.contains("LayerNorm") }.reduce(0) { $0 + $1.count }
        #expect(counts["adapter"] == 2 * 2 * (64 * 16 + 64 + 16 * 64 + 16) + norms + head)
    }

    /// One registry: every strategy builds from its own options, records them with defaults
    /// filled in, and builds the same strategy again from what it recorded.
    @Test func everyStrategyRoundTripsItsOptionsThroughTheRegistry() throws {
        #expect(StrategyRegistry.names == [
            "full", "lora", "adapter", "prompt-tuning", "linear-probe", "bitfit", "scratch", "zero-shot", "few-shot", "mlm",
            "contrastive",
        ])
        for type in StrategyRegistry.all {
            let strategy = try StrategyRegistry.make(type.name)
            let again = try StrategyRegistry.make(type.name, options: strategy.options)
            #expect(again.options == strategy.options, "\(type.name)")
            #expect(Set(strategy.options.names).isSubset(of: type.optionNames), "\(type.name)")
        }
        let lora = try StrategyRegistry.make("lora", options: StrategyOptions(scalars: ["rank": "4"], lists: ["targets": ["key"]]))
        #expect((lora as? LoRAStrategy)?.rank == 4 && (lora as? LoRAStrategy)?.targets == [.key])
        #expect(throws: AdaptationError.invalidOption(name: "rank", reason: "must be a whole number of at least 1, got '0'")) {
            try StrategyRegistry.make("lora", options: StrategyOptions(scalars: ["rank": "0"]))
        }
        #expect(throws: AdaptationError.self) { try StrategyRegistry.make("adapter", options: StrategyOptions(scalars: ["rank": "4"])) }
        #expect(throws: AdaptationError.self) { try StrategyRegistry.make("lora", options: StrategyOptions(lists: ["targets": ["nope"]])) }
        #expect(throws: AdaptationError.self) { try StrategyRegistry.make("distillation") }
        #expect(!ScratchBaseline.carriesAcrossStages && !ZeroShot.carriesAcrossStages && LoRAStrategy.carriesAcrossStages)
    }

    @Test func scratchStartsFromRandomWeightsNotTheCheckpoint() throws {
        let base = try tinyBase()
        var generator = SeededGenerator(seed: 1)
        let classifier = try ScratchBaseline().prepare(base: base, labelNames: ["a", "b"], training: [], pooling: .mean, generator: &generator)
        #expect(classifier.model !== base.model)
        #expect(classifier.model.parameterCount == base.model.parameterCount)
        #expect(classifier.model.wordEmbeddings.table.value != base.model.wordEmbeddings.table.value)
    }

    @Test func fewShotPrototypesAreNormalisedClassMeansAndPredictTheNearest() throws {
        // k larger than each class, so every example is used and the prototypes are known.
        let train = separableExamples(count: 12, seed: 1)
        let base = try tinyBase()
        var generator = SeededGenerator(seed: 1)
        let fewShot = FewShot(examplesPerClass: 100)
        let classifier = try fewShot.prepare(
            base: base, labelNames: ["neg", "pos"], training: train, pooling: .mean, generator: &generator)
        _ = try StageAdaptation.run(
            fewShot, classifier: classifier, training: train, validation: [], configuration: TrainingConfiguration(),
            taskName: "t", features: FeatureSource(cache: FeatureCache(directory: nil), encoder: try FrozenEncoder(base: base),
                                                   pooling: .mean, maxLength: 128),
            generator: &generator)
        #expect(classifier.trainableParameterCount == 0)
        let embedder = SentenceEmbedder(tokenizer: base.tokenizer, model: base.model, normalize: true)
        var prototypes: [[Float]] = []
        for label in 0..<2 {
            let vectors = try embedder.embed(train.filter { $0.label == label }.map(\.text))
            var mean = [Float](repeating: 0, count: 16)
            for row in 0..<vectors.shape[0] { for column in 0..<16 { mean[column] += vectors[row, column] } }
            let norm = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
            prototypes.append(mean.map { $0 / norm })
            let actual = Array(classifier.head.linear.weight.value.row(label))
            #expect(zip(actual, prototypes[label]).allSatisfy { abs($0 - $1) < 1e-5 })
        }
        let queries = separableExamples(count: 10, seed: 2)
        let queryVectors = try embedder.embed(queries.map(\.text))
        let predictions = try classifier.evaluate(queries).predictions
        for (index, prediction) in predictions.enumerated() {
            let cosines = prototypes.map { zip($0, queryVectors.row(index)).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
            #expect(prediction == (cosines[1] > cosines[0] ? 1 : 0))
        }
    }

    @Test func zeroShotEmbedsOneDescriptionPerLabel() throws {
        var generator = SeededGenerator(seed: 1)
        let base = try tinyBase()
        let classifier = try ZeroShot(descriptions: ["a good movie", "a bad movie"]).prepare(
            base: base, labelNames: ["pos", "neg"], training: [], pooling: .mean, generator: &generator)
        let expected = try SentenceEmbedder(tokenizer: base.tokenizer, model: base.model, normalize: true).embed(["a good movie", "a bad movie"])
        #expect(classifier.head.linear.weight.value.maximumAbsoluteDifference(to: expected) < 1e-6)
        let predictions = try classifier.evaluate([LabelledExample(text: "a good movie", label: 0)]).predictions
        #expect(predictions == [0])
        #expect(throws: AdaptationError.self) {
            try ZeroShot().prepare(base: base, labelNames: ["0", "1"], training: [], pooling: .mean, generator: &generator)
        }
    }

    @Test func anAdapterCheckpointReloadsWithIdenticalPredictions() throws {
        let baseURL = try TinyCheckpoint.make(seed: 9)
        let train = separableExamples(count: 32, seed: 3)
        var generator = SeededGenerator(seed: 2)
        let strategy = AdapterStrategy(bottleneck: 4)
        let base = try Checkpoint(directory: baseURL)
        let classifier = try strategy.prepare(base: base, labelNames: ["neg", "pos"], training: train, pooling: .mean, generator: &generator)
        let history = try Trainer(classifier: classifier, configuration: settings(epochs: 3, lr: 1e-2)).train(train, validation: train)
        #expect(history.stepLosses.last! < history.stepLosses.first!)
        let output = try TestPaths.temporaryDirectory()
        try AdaptedCheckpoint.save(classifier, strategy: strategy, baseSHA256: try base.weightsSHA256(), to: output)
        let reloaded = try AdaptedCheckpoint.load(from: output, base: try Checkpoint(directory: baseURL))
        #expect(try reloaded.logits(train).maximumAbsoluteDifference(to: try classifier.logits(train)) < 1e-6)
    }

    @Test func promptTuningLearnsAndItsCheckpointReloads() throws {
        let baseURL = try TinyCheckpoint.make(seed: 9)
        let train = separableExamples(count: 32, seed: 3)
        var generator = SeededGenerator(seed: 2)
        let strategy = PromptTuningStrategy(length: 4)
        let base = try Checkpoint(directory: baseURL)
        let classifier = try strategy.prepare(base: base, labelNames: ["neg", "pos"], training: train, pooling: .mean, generator: &generator)
        let initial = classifier.model.softPrompt!.value
        let history = try Trainer(classifier: classifier, configuration: settings(epochs: 3, lr: 3e-2)).train(train, validation: train)
        #expect(history.stepLosses.last! < history.stepLosses.first!)
        #expect(classifier.model.softPrompt!.value != initial)
        let output = try TestPaths.temporaryDirectory()
        try AdaptedCheckpoint.save(classifier, strategy: strategy, baseSHA256: try base.weightsSHA256(), to: output)
        let reloaded = try AdaptedCheckpoint.load(from: output, base: try Checkpoint(directory: baseURL))
        #expect(try reloaded.logits(train).maximumAbsoluteDifference(to: try classifier.logits(train)) < 1e-6)
    }

    @Test func tensorsOfTheWrongShapeInAnAdaptedCheckpointAreRefusedByName() throws {
        let baseURL = try TinyCheckpoint.make(seed: 9)
        let base = try Checkpoint(directory: baseURL)
        var generator = SeededGenerator(seed: 2)
        let lora = LoRAStrategy(rank: 2, alpha: 4, dropout: 0)
        let classifier = try lora.prepare(base: base, labelNames: ["a", "b"], training: [], pooling: .mean, generator: &generator)
        let output = try TestPaths.temporaryDirectory()
        try AdaptedCheckpoint.save(classifier, strategy: lora, baseSHA256: try base.weightsSHA256(), to: output)
        let weights = output.appendingPathComponent(AdaptedCheckpoint.weightsFile)
        var tensors: [String: Tensor] = [:]
        let file = try SafetensorsFile(contentsOf: weights)
        for name in file.names { tensors[name] = try file.tensor(name) }
        for (name, wrong) in [("classifier.weight", Tensor(shape: [2, 5])),
                              ("encoder.layer.1.attention.self.value.lora_A.weight", Tensor(shape: [2, 7]))] {
            var damaged = tensors
            damaged[name] = wrong
            try SafetensorsWriter.write(tensors: damaged, to: weights)
            do {
                _ = try AdaptedCheckpoint.load(from: output, base: try Checkpoint(directory: baseURL))
                Issue.record("accepted \(name) with shape \(wrong.shape)")
            } catch let error as AdaptationError {
                #expect(error.localizedDescription.contains(name))
            }
        }
    }

    @Test func anAdaptedCheckpointHoldsOnlyWhatTrainedAndReloadsOntoItsBase() throws {
        let baseURL = try TinyCheckpoint.make(seed: 9)
        let train = separableExamples(count: 32, seed: 3)
        var generator = SeededGenerator(seed: 2)
        var lora = LoRAStrategy(rank: 2, alpha: 4, dropout: 0)
        lora.mergesAfterTraining = true
        let base = try Checkpoint(directory: baseURL)
        let classifier = try lora.prepare(base: base, labelNames: ["neg", "pos"], training: train, pooling: .cls, generator: &generator)
        _ = try Trainer(classifier: classifier, configuration: settings(epochs: 2, lr: 1e-2)).train(train, validation: train)
        let output = try TestPaths.temporaryDirectory()
        try AdaptedCheckpoint.save(classifier, strategy: lora, baseSHA256: try base.weightsSHA256(), to: output)
        lora.finish(classifier)
        let saved = try SafetensorsFile(contentsOf: output.appendingPathComponent(AdaptedCheckpoint.weightsFile))
        #expect(saved.names.count == 2 * 2 * 2 + 2)  // A and B for query and value in 2 layers, plus the head
        #expect(saved.names.allSatisfy { $0.contains("lora_") || $0.hasPrefix("classifier.") })
        let reloaded = try AdaptedCheckpoint.load(from: output, base: try Checkpoint(directory: baseURL))
        #expect(reloaded.labelNames == ["neg", "pos"])
        #expect(reloaded.head.pooling == .cls)
        #expect(try reloaded.logits(train).maximumAbsoluteDifference(to: try classifier.logits(train)) < 1e-5)
        let other = try Checkpoint(directory: try TinyCheckpoint.make(seed: 10))
        #expect(throws: AdaptationError.self) { try AdaptedCheckpoint.load(from: output, base: other) }
    }
}
