import Adaptation
import Backends
import Evaluation
import Foundation
import Probes
import TestSupport
import Testing
import Transformers

@Suite("Native models under test")
struct NativeModelTests {
    /// SEAT effect sizes of all-MiniLM-L6-v2 from bench/torch_seat.py (transformers 5.24.0,
    /// PyTorch 2.13.0, mean pooling over the attention mask, batches of 16, 128 tokens):
    ///     python bench/torch_seat.py --model models/all-MiniLM-L6-v2 --tests \
    ///         ../shared/data/03_seat/tests/{weat6,sent-weat6,heilman_double_bind_competent_one_sentence}.jsonl
    static let torchEffectSizes = [
        "weat6.jsonl": 1.0210992770189207,
        "sent-weat6.jsonl": 1.2937725747316229,
        "heilman_double_bind_competent_one_sentence.jsonl": -0.9258283604651755,
    ]

    @Test("SEAT effect sizes of the default model equal a PyTorch computation within 0.01")
    func seatMatchesPyTorch() throws {
        guard let model = TestPaths.model, let shared = TestPaths.shared else { return }
        let tests = try AssociationTest.read(paths: Self.torchEffectSizes.keys.sorted().map {
            shared.appendingPathComponent("data/03_seat/tests/\($0)").path
        })
        let results = try SEATProbe(tests: tests, permutations: 1000).testResults(
            embedder: try #require(try NativeModel(checkpoint: Checkpoint(directory: model)).embedder))
        #expect(results.count == 3)
        for result in results {
            let expected = try #require(Self.torchEffectSizes[result.test])
            #expect(abs(result.effectSize - expected) < 0.01, "\(result.test): \(result.effectSize) vs \(expected)")
        }
    }

    /// A tiny classifier trained until its label is "the text says dog".
    static func dogClassifier() throws -> (base: URL, classifier: Classifier) {
        let base = try TinyCheckpoint.make(seed: 5)
        let checkpoint = try Checkpoint(directory: base)
        let subjects = ["the cat", "the dog", "a sun", "the movie", "a dog", "the food"]
        let endings = ["was good", "is bad", "was very great", "is not awful", "was awful"]
        var examples: [LabelledExample] = []
        for subject in subjects {
            for ending in endings {
                examples.append(LabelledExample(text: "\(subject) \(ending)", label: subject.hasSuffix("dog") ? 1 : 0))
            }
        }
        var generator = SeededGenerator(seed: 3)
        let strategy = FullFineTuning()
        let classifier = try strategy.prepare(
            base: checkpoint, labelNames: ["nontoxic", "toxic"], training: examples, pooling: .mean, generator: &generator)
        var settings = TrainingConfiguration()
        settings.epochs = 40
        settings.batchSize = 8
        settings.learningRate = 3e-3
        settings.patience = 40
        settings.maxLength = 16
        settings.hiddenDropout = 0
        settings.attentionDropout = 0
        settings.seed = 3
        _ = try Trainer(classifier: classifier, configuration: settings).train(examples, validation: examples)
        return (base, classifier)
    }

    @Test("a classifier trained to depend on one word flips exactly when that word is swapped in or out")
    func counterfactualFlipOnATrainedClassifier() throws {
        let (_, classifier) = try Self.dogClassifier()
        let model = NativeModel(classifier: classifier, identity: ModelIdentity(name: "dog", fingerprint: "0"))
        let texts = ["the dog was good", "the cat is bad", "a sun was very great"].enumerated().map {
            Sample(id: "\($0.offset)", text: $0.element, label: "", line: $0.offset + 1)
        }
        let probe = try CounterfactualProbe(
            texts: texts, termLists: [try IdentityTerms(terms: ["cat", "dog", "sun"], source: "terms")], source: "texts")
        let result = try probe.run(on: model, bootstrap: nil)
        // dog → cat, sun: 2 flips; cat → dog: flip, cat → sun: none; sun → dog: flip, sun → cat: none.
        #expect(result.measurement("flip_rate")?.value == 4.0 / 6)
        #expect(result.measurement("flip_rate", group: "dog")?.value == 1)
        #expect(result.measurement("flip_rate", group: "cat")?.value == 0.5)
        #expect(try #require(result.measurement("change:toxic", group: "dog")).value > 0.5)
    }

    @Test("class probabilities sum to one and equal the classifier's own softmax, in input order")
    func classifierProbabilities() throws {
        let (_, classifier) = try Self.dogClassifier()
        let model = NativeModel(classifier: classifier, identity: ModelIdentity(name: "dog", fingerprint: "0"))
        let texts = ["the dog was good", "a cat", "the food is very very bad !", "dog"]
        let probabilities = try #require(model.classifier).probabilities(texts.map { TextInput($0) })
        let reference = try classifier.evaluate(texts.map { LabelledExample(text: $0, label: 0) }).probabilities
        for (row, values) in probabilities.enumerated() {
            #expect(abs(values.reduce(0, +) - 1) < 1e-6)
            for (column, value) in values.enumerated() { #expect(abs(value - Double(reference[row, column])) < 1e-6) }
        }
    }

    /// Trains a scorer on a tiny checkpoint from 40 texts: "the dog is bad" toxic, "the cat is good" not.
    static func trainToyScorer(strategy: String, output: URL) throws -> ToxicityScorer.Trained {
        let samples = (0..<40).map { index in
            Sample(id: "\(index)", text: index % 2 == 0 ? "the dog is bad" : "the cat is good",
                   label: index % 2 == 0 ? ToxicityLabelledTexts.toxic : ToxicityLabelledTexts.nonToxic)
        }
        var settings = TrainingConfiguration()
        settings.epochs = 2
        settings.batchSize = 8
        settings.maxLength = 16
        return try ToxicityScorer.train(
            base: try TinyCheckpoint.make(seed: 6),
            training: Dataset(name: "toy", samples: samples, labelNames: ToxicityTrainingData.labelNames),
            strategy: try StrategyRegistry.make(strategy), configuration: settings, output: output)
    }

    @Test("a toxicity scorer reopens from its folder alone through scorer.json")
    func scorerReopensFromItsFolder() throws {
        let output = try TestPaths.temporaryDirectory("adapteval-scorer")
        let trained = try Self.trainToyScorer(strategy: "lora", output: output)
        #expect(trained.trainingCount == 36 && trained.validationCount == 4)
        let reopened = try NativeModel.open(directory: output)
        let direct = try #require(NativeModel(classifier: trained.classifier, identity: reopened.identity).classifier)
        let texts = [TextInput("the dog is bad"), TextInput("hello world")]
        let again = try #require(reopened.classifier).probabilities(texts)
        for (a, b) in zip(again.joined(), try direct.probabilities(texts).joined()) { #expect(abs(a - b) < 1e-5) }
        #expect(reopened.classifier?.labelNames == ["nontoxic", "toxic"])
    }

    @Test("a toxicity scorer trained as a linear probe has its head fitted on the frozen features")
    func linearProbeScorerIsFitted() throws {
        let output = try TestPaths.temporaryDirectory("adapteval-probe-scorer")
        let trained = try Self.trainToyScorer(strategy: "linear-probe", output: output)
        #expect(!trained.history.records.isEmpty)
        let scorer = try #require(try NativeModel.open(directory: output).classifier)
        let toxic = try scorer.probabilities([TextInput("the dog is bad"), TextInput("the cat is good")]).map { $0[1] }
        // The validation grid picks the strongest penalty that separates the two texts, so the
        // probabilities stay near 0.5 on a random tiny encoder; what matters is the side.
        #expect(toxic[0] > 0.5 && toxic[1] < 0.5, "P(toxic) = \(toxic)")
    }

    @Test("an adapted checkpoint without a recorded base asks for --base")
    func adaptedCheckpointNeedsItsBase() throws {
        let base = try TinyCheckpoint.make(seed: 7)
        let checkpoint = try Checkpoint(directory: base)
        var generator = SeededGenerator(seed: 1)
        let classifier = try LinearProbe().prepare(
            base: checkpoint, labelNames: ["a", "b"], training: [], pooling: .mean, generator: &generator)
        let folder = try TestPaths.temporaryDirectory("adapteval-adapted")
        try AdaptedCheckpoint.save(classifier, strategy: LinearProbe(), baseSHA256: try checkpoint.weightsSHA256(), to: folder)
        #expect { try NativeModel.open(directory: folder) } throws: { error in
            error.localizedDescription.contains("--base") && (error as? CategorizedError)?.category == .invalidInput
        }
        #expect(try NativeModel.open(directory: folder, base: base).classifier?.labelNames == ["a", "b"])
    }
}
