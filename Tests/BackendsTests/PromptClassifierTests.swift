import Evaluation
import Foundation
import Testing
import TestSupport

@testable import Backends

@Suite("Prompt learning over a served model")
struct PromptClassifierTests {
    static let template = PromptTemplate(verbalizers: ["bad", "good"])

    @Test("the prompt lists the labels, shows each demonstration with its verbaliser and ends with Answer:")
    func promptLayout() {
        let demonstrations = [
            PromptTemplate.Demonstration(input: TextInput("it was\nawful"), label: 0),
            PromptTemplate.Demonstration(input: TextInput("a premise", pair: "a hypothesis"), label: 1),
        ]
        let prompt = Self.template.prompt(for: TextInput("the food was good"), demonstrations: demonstrations)
        #expect(prompt == """
            Classify each text as one of: bad, good.

            Text: it was awful
            Answer: bad

            Text: a premise
            Second text: a hypothesis
            Answer: good

            Text: the food was good
            Answer:
            """)
        #expect(Self.template.continuation(for: 1) == " good")
    }

    @Test("likelihood scoring softmaxes the verbalisers' log-likelihoods (worked by hand on the fake model)")
    func likelihoodScoring() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let model = try RemoteClientFaultTests.model(server, concurrency: 4)
        let classifier = try PromptClassifier(
            model: model, labelNames: ["negative", "positive"], template: Self.template, demonstrations: [], scoring: .likelihood)
        let answers = try classifier.answers([TextInput("the food was good"), TextInput("the food was bad")])
        // " good" is in the input: −0.25; " bad" is not: −2.5 − 0.03. p(good) = 1 / (1 + e^(−2.53 + 0.25)).
        let likely = 1 / (1 + exp(-2.5 - 0.01 * 3 + 0.25))
        #expect(abs((answers[0].probabilities?[1] ?? 0) - likely) < 1e-12)
        #expect(abs((answers[1].probabilities?[0] ?? 0) - (1 / (1 + exp(-2.5 - 0.01 * 4 + 0.25)))) < 1e-12)
        #expect(answers.map(\.label) == [1, 0])
        #expect(server.requestCount == 4)
    }

    @Test("generation scoring parses the greedy answer; an answer naming no label is uniform")
    func generationScoring() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let model = try RemoteClientFaultTests.model(server)
        let classifier = try PromptClassifier(
            model: model, labelNames: ["negative", "positive"], template: Self.template, demonstrations: [], scoring: .generation)
        let answers = try classifier.answers([TextInput("the food was good"), TextInput("the food was fine")])
        #expect(answers[0].label == 1)
        #expect(answers[0].probabilities == [0, 1])
        #expect(answers[1].label == nil)
        #expect(answers[1].text == " fine")
        #expect(try classifier.probabilities([TextInput("so so")]) == [[0.5, 0.5]])
        let request = try #require(server.requests.first?.json)
        #expect(request["temperature"] as? Double == 0)
        #expect(request["stop"] as? [String] == ["\n"])
    }

    @Test("answers are parsed by their leading verbaliser, else the only one they contain")
    func parsing() {
        let template = PromptTemplate(verbalizers: ["negative", "positive", "very positive"])
        #expect(template.parse(" Positive.") == 1)
        #expect(template.parse("\"negative\", definitely") == 0)
        #expect(template.parse("Very positive!") == 2)
        #expect(template.parse("I think it is negative") == 0)
        #expect(template.parse("positives") == nil)
        #expect(template.parse("neither") == nil)
        #expect(template.parse("it is negative or positive") == nil)
    }

    @Test("k demonstrations per class are drawn with the seed: the same seed repeats them, another changes them")
    func demonstrationsBySeed() throws {
        let pool = (0..<40).map { PromptTemplate.Demonstration(input: TextInput("example \($0)"), label: $0 % 2) }
        let first = try PromptTemplate.demonstrations(from: pool, perClass: 3, classCount: 2, seed: 11)
        #expect(first.count == 6)
        #expect(first.filter { $0.label == 0 }.count == 3)
        #expect(try PromptTemplate.demonstrations(from: pool, perClass: 3, classCount: 2, seed: 11) == first)
        #expect(try PromptTemplate.demonstrations(from: pool, perClass: 3, classCount: 2, seed: 12) != first)
        #expect(try PromptTemplate.demonstrations(from: pool, perClass: 0, classCount: 2, seed: 11).isEmpty)
        #expect(throws: EvaluationError.self) {
            try PromptTemplate.demonstrations(from: pool.filter { $0.label == 0 }, perClass: 1, classCount: 2, seed: 1)
        }
    }

    @Test("a classifier needs one non-empty verbaliser per label and a model with the capability")
    func invalidClassifiers() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let chat = try RemoteClientFaultTests.model(server, api: .chat)
        #expect(throws: EvaluationError.self) {
            try PromptClassifier(model: chat, labelNames: ["a", "b", "c"], template: Self.template, demonstrations: [], scoring: .generation)
        }
        #expect(throws: EvaluationError.self) {
            try PromptClassifier(model: chat, labelNames: ["a", "b"], template: PromptTemplate(verbalizers: ["x", " "]),
                                 demonstrations: [], scoring: .generation)
        }
        // The chat API has no echo, so likelihood scoring cannot use it.
        #expect(throws: EvaluationError.self) {
            try PromptClassifier(model: chat, labelNames: ["a", "b"], template: Self.template, demonstrations: [], scoring: .likelihood)
        }
    }

    @Test("a linear probe over served embeddings is the logistic regression fitted on the same vectors, C chosen on validation")
    func linearProbeOverEmbeddings() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let model = try RemoteClientFaultTests.model(server, concurrency: 2)
        let words = ["food", "service", "room", "view", "staff", "price", "music", "bed"]
        func examples(_ range: Range<Int>) -> [PromptTemplate.Demonstration] {
            range.map { index in
                let positive = index % 2 == 0
                let text = "the \(words[index % words.count]) \(words[(index * 3) % words.count]) was \(positive ? "good" : "bad")"
                return PromptTemplate.Demonstration(input: TextInput(text), label: positive ? 1 : 0)
            }
        }
        let training = examples(0..<24), validation = examples(24..<32)
        let probe = try LinearProbeClassifier(
            embedder: model, labelNames: ["negative", "positive"], training: training, validation: validation)

        // The reference: the same fit on the fake model's vectors computed here (sent as JSON
        // numbers, read back as Float, as the client reads them).
        func features(_ examples: [PromptTemplate.Demonstration]) throws -> LabelledFeatures {
            let rows = examples.map { FakeLanguageModel.embedding(of: $0.input.text).map { Double(Float($0)) } }
            return try LabelledFeatures(features: try Matrix(rowArrays: rows), labels: examples.map(\.label), classCount: 2)
        }
        let reference = try LogisticRegression.fitSelectingStrength(train: try features(training), validation: try features(validation))
        #expect(probe.selection.strength == reference.strength)
        #expect(probe.selection.candidates == reference.candidates)
        let unseen = ["the view was good", "the bed was bad", "music"].map { TextInput($0) }
        let expected = try reference.model.predictProbabilities(
            try Matrix(rowArrays: unseen.map { FakeLanguageModel.embedding(of: $0.text).map { Double(Float($0)) } }))
        let probabilities = try probe.probabilities(unseen)
        for row in 0..<3 {
            for column in 0..<2 { #expect(abs(probabilities[row][column] - expected[row, column]) < 1e-12) }
        }
        #expect(probabilities.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-12 })
        #expect(throws: EvaluationError.self) {
            try LinearProbeClassifier(embedder: model, labelNames: ["negative", "positive"], training: training, validation: [])
        }
    }
}
