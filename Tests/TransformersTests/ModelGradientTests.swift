import Foundation
import Testing

@testable import Transformers

/// Loss of a tiny model + head on two sequences, for finite differences.
struct TinyObjective {
    let model: BertModel
    let head: ClassificationHead
    let batch: TokenBatch
    let labels: [Int]
    let pass: TrainingPass

    init(model: BertModel, pooling: Pooling = .mean, pass: TrainingPass = .deterministic) throws {
        self.model = model
        var generator = SeededGenerator(seed: 11)
        let head = ClassificationHead(pooling: pooling, hiddenSize: 8, labelCount: 3, generator: &generator)
        head.linear.weight.value = head.linear.weight.value.reshaped([3, 8])
        for index in 0..<head.linear.weight.count { head.linear.weight.value.scalars[index] *= 20 }
        self.head = head
        let tokenizer = try tinyTokenizer()
        batch = TokenBatch([tokenizer.encode("hello world, the cats!"), tokenizer.encode("a", "b c")])
        labels = [2, 0]
        self.pass = pass
    }

    func loss() throws -> Double {
        let activations = try model.trainingForward(batch, pass: pass)
        return Double(try CrossEntropy.lossAndGradient(logits: head(activations.output).logits, labels: labels).loss)
    }

    func backward() throws {
        for parameter in model.parameters + head.parameters { parameter.gradient = nil }
        let activations = try model.trainingForward(batch, pass: pass)
        let (pooled, logits) = head(activations.output)
        let gradient = try CrossEntropy.lossAndGradient(logits: logits, labels: labels).gradient
        model.backward(activations, outputGradient: head.backward(pooled: pooled, logitsGradient: gradient, offsets: activations.batch.offsets))
    }

    /// Checks up to `samples` entries of every trainable parameter against central differences.
    func expectGradientsMatchFiniteDifferences(samples: Int = 4, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try backward()
        let checked = try expectGradientsMatchCentralDifferences(
            (model.parameters + head.parameters).filter(\.isTrainable), samples: samples, loss: loss,
            sourceLocation: sourceLocation)
        #expect(checked > 20, sourceLocation: sourceLocation)
    }
}

/// Compares the gradients the parameters hold with central differences of `loss` at up to
/// `samples` evenly spaced entries of each, and returns how many entries were checked.
///
/// The gradients are read before any entry is perturbed, so `loss` may accumulate into them.
func expectGradientsMatchCentralDifferences(
    _ parameters: [Parameter], samples: Int, loss: () throws -> Double, sourceLocation: SourceLocation
) throws -> Int {
    let analyticGradients = parameters.map { $0.gradient?.scalars ?? [Float](repeating: 0, count: $0.count) }
    var checked = 0
    for (parameter, analytic) in zip(parameters, analyticGradients) {
        let stride = max(1, parameter.count / samples)
        for index in Swift.stride(from: 0, to: parameter.count, by: stride).prefix(samples) {
            let original = parameter.value.scalars[index]
            let epsilon: Float = 1e-2 * max(1, abs(original))
            parameter.value.scalars[index] = original + epsilon
            let plus = try loss()
            parameter.value.scalars[index] = original - epsilon
            let minus = try loss()
            parameter.value.scalars[index] = original
            let numeric = (plus - minus) / (2 * Double(epsilon))
            #expect(abs(Double(analytic[index]) - numeric) <= 2e-3 + 0.03 * abs(numeric),
                    "\(parameter.name)[\(index)]: \(analytic[index]) vs \(numeric)", sourceLocation: sourceLocation)
            checked += 1
        }
    }
    return checked
}

@Suite struct ModelGradientTests {
    @Test func everyParameterGradientMatchesFiniteDifferencesWithMeanPooling() throws {
        try TinyObjective(model: try tinyModel()).expectGradientsMatchFiniteDifferences()
    }

    @Test func gradientsMatchFiniteDifferencesWithClsPooling() throws {
        try TinyObjective(model: try tinyModel(), pooling: .cls).expectGradientsMatchFiniteDifferences()
    }

    @Test func gradientsMatchFiniteDifferencesWithDropoutMasksHeldFixed() throws {
        let pass = TrainingPass(hiddenDropout: 0.2, attentionDropout: 0.3, seed: 77)
        try TinyObjective(model: try tinyModel(), pass: pass).expectGradientsMatchFiniteDifferences(samples: 3)
    }

    @Test func loraGradientsMatchFiniteDifferencesWithTheEncoderFrozen() throws {
        let model = try tinyModel()
        for parameter in model.parameters { parameter.isTrainable = false }
        var generator = SeededGenerator(seed: 4)
        for index in model.layers.indices {
            for keyPath in [\BertLayer.query, \BertLayer.value] {
                let adapter = LowRankAdapter(name: "l\(index)", inputSize: 8, outputSize: 8, rank: 2, alpha: 4, dropout: 0, generator: &generator)
                adapter.up.value = generator.normalTensor(shape: [8, 2], standardDeviation: 0.5)
                model.layers[index][keyPath: keyPath].adapter = adapter
            }
        }
        try TinyObjective(model: model).expectGradientsMatchFiniteDifferences()
        #expect(model.parameters.filter { !$0.isTrainable }.allSatisfy { $0.gradient == nil })
    }

    @Test func bottleneckAdapterGradientsMatchFiniteDifferences() throws {
        let model = try tinyModel()
        for parameter in model.parameters { parameter.isTrainable = false }
        var generator = SeededGenerator(seed: 6)
        for index in model.layers.indices {
            for keyPath in [\BertLayer.attentionAdapter, \BertLayer.outputAdapter] {
                let adapter = BottleneckAdapter(name: "a\(index)", width: 8, bottleneck: 3, generator: &generator)
                adapter.up.weight.value = generator.normalTensor(shape: [8, 3], standardDeviation: 0.5)
                adapter.down.weight.value = generator.normalTensor(shape: [3, 8], standardDeviation: 0.5)
                model.layers[index][keyPath: keyPath] = adapter
            }
        }
        try TinyObjective(model: model).expectGradientsMatchFiniteDifferences()
        // The inference path with adapters agrees with the training path.
        let batch = TokenBatch([try tinyTokenizer().encode("hello world the cats")])
        let training = try model.trainingForward(batch, pass: .deterministic).hiddenStates
        #expect(training.maximumAbsoluteDifference(to: try model(batch).hiddenStates) < 1e-5)
    }

    @Test func softPromptGradientsMatchFiniteDifferences() throws {
        let model = try tinyModel()
        for parameter in model.parameters { parameter.isTrainable = false }
        var generator = SeededGenerator(seed: 8)
        model.softPrompt = Parameter(name: "prompt.embeddings", value: generator.normalTensor(shape: [3, 8], standardDeviation: 1))
        try TinyObjective(model: model).expectGradientsMatchFiniteDifferences(samples: 24)
        #expect(model.softPrompt?.gradient != nil)
    }

    @Test func softPromptSlotsFollowTheClassTokenAndShiftPositions() throws {
        let encoding = try tinyTokenizer().encode("a b")
        let batch = TokenBatch([encoding]).insertingPrompt(length: 2)
        #expect(batch.tokenIDs == [2, -1, -2, 19, 20, 3])
        #expect(batch.positionIDs == [0, 1, 2, 3, 4, 5])
        let model = try tinyModel()
        model.softPrompt = Parameter(name: "prompt.embeddings", value: Tensor(shape: [2, 8]))
        let output = try model(TokenBatch([encoding]))
        #expect(output.offsets == [0, 6])
        #expect(throws: TransformersError.self) { try model(TokenBatch([encoding]).insertingPrompt(length: 3)) }
    }

    @Test func freshAdaptersLeaveTheModelUnchanged() throws {
        let model = try tinyModel()
        let batch = TokenBatch([try tinyTokenizer().encode("hello world the cats")])
        let before = try model(batch).hiddenStates
        var generator = SeededGenerator(seed: 1)
        for index in model.layers.indices {
            model.layers[index].attentionAdapter = BottleneckAdapter(name: "a", width: 8, bottleneck: 4, generator: &generator)
            model.layers[index].outputAdapter = BottleneckAdapter(name: "o", width: 8, bottleneck: 4, generator: &generator)
        }
        // Equal up to rounding: with an adapter the projection bias is added in another pass.
        #expect(try model(batch).hiddenStates.maximumAbsoluteDifference(to: before) < 1e-6)
    }

    @Test func aForwardWithoutDropoutEqualsInference() throws {
        let model = try tinyModel()
        let batch = TokenBatch([try tinyTokenizer().encode("hello world the cats")])
        let training = try model.trainingForward(batch, pass: .deterministic).hiddenStates
        #expect(training.maximumAbsoluteDifference(to: try model(batch).hiddenStates) < 1e-6)
    }

    @Test func aFrozenEncoderIsNotBackPropagatedThrough() throws {
        let model = try tinyModel()
        for parameter in model.parameters { parameter.isTrainable = false }
        let objective = try TinyObjective(model: model)
        try objective.backward()
        #expect(model.parameters.allSatisfy { $0.gradient == nil })
        #expect(objective.head.parameters.allSatisfy { $0.gradient != nil })
    }
}
