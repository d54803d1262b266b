import Evaluation
import Foundation
import TestSupport
import Testing

@testable import Transformers

/// A head over `model` whose every weight is random and large enough to matter.
func tinyHead(for model: BertModel, seed: UInt64 = 21, tied: Bool = true) -> MaskedLanguageModelHead {
    var generator = SeededGenerator(seed: seed)
    let c = model.configuration
    let head = MaskedLanguageModelHead.randomlyInitialized(configuration: c, seed: seed, tiedTo: model.wordEmbeddings)
    for parameter in head.parameters {
        let noise = generator.normalTensor(shape: parameter.shape, standardDeviation: 0.5)
        parameter.value.scalars = zip(parameter.value.scalars, noise.scalars).map { $0 + $1 }
    }
    guard !tied else { return head }
    return MaskedLanguageModelHead(
        transform: head.transform, transformNorm: head.transformNorm,
        decoderWeight: Parameter(name: MaskedLanguageModelHead.decoderWeightName, value: model.wordEmbeddings.table.value),
        outputBias: head.decoder.bias!, isTied: false)
}

/// A masked batch over the tiny vocabulary: two sequences, three labelled positions.
func tinyMaskedBatch() throws -> (batch: TokenBatch, labels: [Int]) {
    let tokenizer = try tinyTokenizer()
    var first = tokenizer.encode("hello world, the cats!")
    var second = tokenizer.encode("a", "b c")
    var labels = [Int](repeating: MaskedLanguageModelLoss.ignoredLabel, count: first.count + second.count)
    labels[2] = Int(first.ids[2])
    first.ids[2] = tokenizer.maskID
    labels[4] = Int(first.ids[4])  // scored but left unchanged, as BERT does for 10% of positions
    labels[first.count + 3] = Int(second.ids[3])
    second.ids[3] = 17  // a random replacement
    return (TokenBatch([first, second]), labels)
}

@Suite struct MaskedLanguageModelHeadTests {
    @Test func headLogitsMatchAnIndependentDoublePrecisionComputation() throws {
        let model = try tinyModel()
        let head = tinyHead(for: model)
        var generator = SeededGenerator(seed: 5)
        let states = generator.normalTensor(shape: [4, 8], standardDeviation: 1)
        let logits = head.forward(states, rows: [3, 1]).logits
        func values(_ parameter: Parameter) -> [Double] { parameter.value.scalars.map(Double.init) }
        let (w, b) = (values(head.transform.weight), values(head.transform.bias!))
        let (gamma, beta) = (values(head.transformNorm.gamma), values(head.transformNorm.beta))
        let (e, outputBias) = (values(head.decoder.weight), values(head.decoder.bias!))
        /// Σⱼ matrix[o·width + j]·x[j] + bias[o] for every output o.
        func affine(_ matrix: [Double], _ bias: [Double], _ x: [Double]) -> [Double] {
            let width = x.count
            return bias.indices.map { (o: Int) -> Double in
                var sum = bias[o]
                for j in 0..<width { sum += matrix[o * width + j] * x[j] }
                return sum
            }
        }
        for (index, row) in [3, 1].enumerated() {
            let h: [Double] = states.row(row).map(Double.init)
            let t: [Double] = affine(w, b, h)
            let g: [Double] = t.map { (v: Double) -> Double in 0.5 * v * (1 + erf(v / 2.0.squareRoot())) }
            let mean: Double = g.reduce(0, +) / 8
            let variance: Double = g.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 8
            let n: [Double] = (0..<8).map { (j: Int) -> Double in (g[j] - mean) / (variance + 1e-12).squareRoot() * gamma[j] + beta[j] }
            let expected: [Double] = affine(e, outputBias, n)
            for token in 0..<tinyVocabulary.count {
                #expect(abs(Double(logits[index, token]) - expected[token]) < 1e-4, "row \(row) token \(token)")
            }
        }
    }

    @Test func lossIsTheMeanCrossEntropyOverLabelledPositionsOnly() throws {
        let model = try tinyModel()
        let language = BertMaskedLanguageModel(model: model, head: tinyHead(for: model), maskID: 4)
        let (batch, labels) = try tinyMaskedBatch()
        let loss = try language.accumulateGradients(batch, labels: labels, pass: .deterministic)
        // Independent: full-batch logits, log-softmax in Double, averaged over the labelled rows.
        let hidden = try model(batch).hiddenStates
        let logits = language.head.forward(hidden, rows: Array(0..<batch.tokenCount)).logits
        var total = 0.0
        var count = 0
        for (row, label) in labels.enumerated() where label != -100 {
            let z = logits.row(row).map(Double.init)
            let maximum = z.max()!
            total += maximum + log(z.map { exp($0 - maximum) }.reduce(0, +)) - z[label]
            count += 1
        }
        #expect(count == 3)
        #expect(abs(loss - total / Double(count)) < 1e-5)
    }

    @Test func everyEncoderAndHeadGradientMatchesFiniteDifferences() throws {
        let model = try tinyModel()
        let language = BertMaskedLanguageModel(model: model, head: tinyHead(for: model), maskID: 4)
        try expectGradientsMatchFiniteDifferences(language)
    }

    @Test func anUntiedDecoderGradientMatchesFiniteDifferences() throws {
        let model = try tinyModel()
        let language = BertMaskedLanguageModel(model: model, head: tinyHead(for: model, tied: false), maskID: 4)
        #expect(language.head.parameters.contains { $0.name == MaskedLanguageModelHead.decoderWeightName })
        try expectGradientsMatchFiniteDifferences(language)
    }

    @Test func theTiedDecoderShareIsAddedToTheWordEmbeddingGradient() throws {
        let (batch, labels) = try tinyMaskedBatch()
        let tiedModel = try tinyModel()
        let tied = BertMaskedLanguageModel(model: tiedModel, head: tinyHead(for: tiedModel), maskID: 4)
        let untiedModel = try tinyModel()
        let untied = BertMaskedLanguageModel(model: untiedModel, head: tinyHead(for: untiedModel, tied: false), maskID: 4)
        let tiedLoss = try tied.accumulateGradients(batch, labels: labels, pass: .deterministic)
        let untiedLoss = try untied.accumulateGradients(batch, labels: labels, pass: .deterministic)
        #expect(abs(tiedLoss - untiedLoss) < 1e-6)
        let embedding = try #require(untiedModel.wordEmbeddings.table.gradient).scalars
        let decoder = try #require(untied.head.decoder.weight.gradient).scalars
        let combined = try #require(tiedModel.wordEmbeddings.table.gradient).scalars
        let worst = zip(combined, zip(embedding, decoder)).map { abs($0 - ($1.0 + $1.1)) }.max() ?? 1
        #expect(worst < 1e-6)
        #expect(decoder.contains { $0 != 0 } && embedding.contains { $0 != 0 })
        // The tied head lists no decoder weight of its own, so an optimiser updates it once.
        #expect(!tied.head.parameters.contains { $0 === tiedModel.wordEmbeddings.table })
        #expect(tied.parameters.filter { $0 === tiedModel.wordEmbeddings.table }.count == 1)
    }

    @Test func aBatchWithoutLabelsChangesNoGradient() throws {
        let model = try tinyModel()
        let language = BertMaskedLanguageModel(model: model, head: tinyHead(for: model), maskID: 4)
        let (batch, labels) = try tinyMaskedBatch()
        #expect(try language.accumulateGradients(batch, labels: labels.map { _ in -100 }, pass: .deterministic) == 0)
        #expect(language.parameters.allSatisfy { $0.gradient == nil })
        #expect(throws: TransformersError.self) {
            try language.accumulateGradients(batch, labels: Array(labels.dropLast()), pass: .deterministic)
        }
        #expect(throws: TransformersError.self) {
            try language.accumulateGradients(batch, labels: labels.map { $0 == -100 ? -100 : 999 }, pass: .deterministic)
        }
    }

    @Test func aFreshHeadFollowsBertInitialisation() throws {
        let c = BertConfiguration(hiddenSize: 64, layerCount: 1, headCount: 4, intermediateSize: 32, vocabularySize: 300)
        let model = BertModel.randomlyInitialized(configuration: c, seed: 1)
        let head = MaskedLanguageModelHead.randomlyInitialized(configuration: c, seed: 2, tiedTo: model.wordEmbeddings)
        let weights = head.transform.weight.value.scalars.map(Double.init)
        let deviation = (weights.map { $0 * $0 }.reduce(0, +) / Double(weights.count)).squareRoot()
        #expect(abs(deviation - 0.02) < 0.001)
        #expect(head.transform.bias!.value.scalars.allSatisfy { $0 == 0 })
        #expect(head.transformNorm.gamma.value.scalars.allSatisfy { $0 == 1 })
        #expect(head.transformNorm.beta.value.scalars.allSatisfy { $0 == 0 })
        #expect(head.decoder.bias!.value.scalars.allSatisfy { $0 == 0 })
        #expect(head.isTied && head.decoder.weight === model.wordEmbeddings.table)
        #expect(head.transformNorm.epsilon == c.layerNormEpsilon)
        let again = MaskedLanguageModelHead.randomlyInitialized(configuration: c, seed: 2, tiedTo: model.wordEmbeddings)
        #expect(again.transform.weight.value == head.transform.weight.value)
    }

    @Test func topPredictionsAreTheLargestLogitsInOrder() {
        let row: [Float] = [0.5, 3, -1, 3, 2.5, 7, 0]
        let best = row.withUnsafeBufferPointer { BertMaskedLanguageModel.largest(4, of: $0.baseAddress!, width: row.count) }
        #expect(best == [5, 1, 3, 4])
    }

    @Test func pairTokenTypesSwitchAfterTheFirstSeparator() {
        #expect(ScoredSequence.pairTypeIDs([101, 7, 8, 102, 9, 102], separatorID: 102) == [0, 0, 0, 0, 1, 1])
        #expect(ScoredSequence.pairTypeIDs([101, 7], separatorID: 102) == [0, 0])
    }

    /// Central differences of the masked-LM loss for a sample of every parameter's entries.
    func expectGradientsMatchFiniteDifferences(
        _ language: BertMaskedLanguageModel, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let (batch, labels) = try tinyMaskedBatch()
        for parameter in language.parameters { parameter.gradient = nil }
        try language.accumulateGradients(batch, labels: labels, pass: .deterministic)
        // Each loss evaluation accumulates gradients too; the check reads them before it starts.
        let checked = try expectGradientsMatchCentralDifferences(
            language.parameters, samples: 4,
            loss: { try language.accumulateGradients(batch, labels: labels, pass: .deterministic) },
            sourceLocation: sourceLocation)
        #expect(checked > 80, sourceLocation: sourceLocation)
    }
}
