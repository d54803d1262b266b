import Foundation
import Testing

@testable import NN

func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return generator.normalTensor(shape: shape, standardDeviation: scale)
}

/// Σ y ⊙ weights: a scalar loss whose gradient with respect to y is `weights`.
func weightedSum(_ y: Tensor, _ weights: Tensor) -> Double {
    zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

/// Central difference of `loss` with respect to element `index` of a parameter.
func centralDifference(_ parameter: Parameter, _ index: Int, epsilon: Float, _ loss: () -> Double) -> Double {
    let original = parameter.value.scalars[index]
    parameter.value.scalars[index] = original + epsilon
    let plus = loss()
    parameter.value.scalars[index] = original - epsilon
    let minus = loss()
    parameter.value.scalars[index] = original
    return (plus - minus) / (2 * Double(epsilon))
}

func expectClose(_ analytic: Float, _ numeric: Double, tolerance: Double, _ label: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(abs(Double(analytic) - numeric) <= tolerance * max(1, abs(numeric)), "\(label): \(analytic) vs \(numeric)",
            sourceLocation: sourceLocation)
}

@Suite struct BackwardTests {
    @Test func linearGradientsMatchFiniteDifferencesIncludingTheLoRAPath() {
        var generator = SeededGenerator(seed: 5)
        var adapter = LowRankAdapter(name: "l", inputSize: 5, outputSize: 4, rank: 2, alpha: 4, dropout: 0, generator: &generator)
        adapter.up.value = randomTensor([4, 2], seed: 6)  // non-zero B so that A gets a gradient
        let layer = Linear(
            weight: Parameter(name: "w", value: randomTensor([4, 5], seed: 1)),
            bias: Parameter(name: "b", value: randomTensor([4], seed: 2)), adapter: adapter)
        let input = Parameter(name: "x", value: randomTensor([3, 5], seed: 3))
        let upstream = randomTensor([3, 4], seed: 4)
        func loss() -> Double { weightedSum(layer(input.value), upstream) }
        var hidden = [Float](repeating: 0, count: 3 * 2)
        var output = [Float](repeating: 0, count: 3 * 4)
        var inputGradient = [Float](repeating: 0, count: 3 * 5)
        input.value.scalars.withUnsafeBufferPointer { x in
            hidden.withUnsafeMutableBufferPointer { u in
                output.withUnsafeMutableBufferPointer { y in
                    layer.apply(x.baseAddress!, rows: 3, into: y.baseAddress!, adapterHidden: u.baseAddress!)
                }
                upstream.scalars.withUnsafeBufferPointer { dy in
                    inputGradient.withUnsafeMutableBufferPointer { dx in
                        layer.backward(outputGradient: dy.baseAddress!, input: x.baseAddress!, rows: 3,
                                       inputGradient: dx.baseAddress!, adapterHidden: UnsafePointer(u.baseAddress!))
                    }
                }
            }
        }
        for parameter in [layer.weight, layer.bias!, adapter.down, adapter.up] {
            for index in 0..<parameter.count {
                expectClose(parameter.gradient!.scalars[index], centralDifference(parameter, index, epsilon: 1e-2, loss),
                            tolerance: 1e-3, "\(parameter.name)[\(index)]")
            }
        }
        for index in 0..<input.count {
            expectClose(inputGradient[index], centralDifference(input, index, epsilon: 1e-2, loss), tolerance: 1e-3, "x[\(index)]")
        }
    }

    @Test func frozenWeightsGetNoGradientButInputsStillDo() {
        let layer = Linear(weight: Parameter(name: "w", value: randomTensor([2, 3], seed: 1), isTrainable: false), bias: nil)
        let x = randomTensor([4, 3], seed: 2)
        let dy = randomTensor([4, 2], seed: 3)
        var dx = [Float](repeating: 0, count: 12)
        x.scalars.withUnsafeBufferPointer { xp in
            dy.scalars.withUnsafeBufferPointer { dyp in
                dx.withUnsafeMutableBufferPointer { dxp in
                    layer.backward(outputGradient: dyp.baseAddress!, input: xp.baseAddress!, rows: 4, inputGradient: dxp.baseAddress!)
                }
            }
        }
        #expect(layer.weight.gradient == nil)
        #expect(Tensor(shape: [4, 3], scalars: dx).maximumAbsoluteDifference(to: dy.matmul(layer.weight.value)) < 1e-6)
    }

    @Test func layerNormGradientsMatchFiniteDifferences() {
        let norm = LayerNorm(
            gamma: Parameter(name: "g", value: randomTensor([6], seed: 1, scale: 0.5) + Tensor(shape: [6], repeating: 1)),
            beta: Parameter(name: "b", value: randomTensor([6], seed: 2)), epsilon: 1e-5)
        let input = Parameter(name: "x", value: randomTensor([3, 6], seed: 3, scale: 2))
        let upstream = randomTensor([3, 6], seed: 4)
        func loss() -> Double { weightedSum(norm(input.value), upstream) }
        var values = input.value.scalars
        var normalized = [Float](repeating: 0, count: 18)
        var inverse = [Float](repeating: 0, count: 3)
        var dx = [Float](repeating: 0, count: 18)
        values.withUnsafeMutableBufferPointer { v in
            normalized.withUnsafeMutableBufferPointer { n in
                inverse.withUnsafeMutableBufferPointer { i in
                    norm.forwardRecording(v.baseAddress!, rows: 3, adding: nil, normalized: n.baseAddress!, inverseDeviations: i.baseAddress!)
                    upstream.scalars.withUnsafeBufferPointer { dy in
                        dx.withUnsafeMutableBufferPointer { d in
                            norm.backward(outputGradient: dy.baseAddress!, normalized: n.baseAddress!,
                                          inverseDeviations: i.baseAddress!, rows: 3, inputGradient: d.baseAddress!)
                        }
                    }
                }
            }
        }
        for parameter in [norm.gamma, norm.beta] {
            for index in 0..<6 {
                expectClose(parameter.gradient!.scalars[index], centralDifference(parameter, index, epsilon: 1e-2, loss),
                            tolerance: 1e-3, "\(parameter.name)[\(index)]")
            }
        }
        for index in 0..<18 {
            expectClose(dx[index], centralDifference(input, index, epsilon: 1e-3, loss), tolerance: 2e-3, "x[\(index)]")
        }
    }

    @Test func geluBackwardMatchesFiniteDifferences() {
        let x = randomTensor([40], seed: 9, scale: 3)
        var gradient = [Float](repeating: 1, count: 40)
        gradient.withUnsafeMutableBufferPointer { g in
            x.scalars.withUnsafeBufferPointer { Kernels.geluBackward(g.baseAddress!, input: $0.baseAddress!, count: 40) }
        }
        for (index, value) in x.scalars.enumerated() {
            let h: Float = 1e-2
            let numeric = (Double(Tensor(shape: [1], scalars: [value + h]).gelu().scalars[0])
                - Double(Tensor(shape: [1], scalars: [value - h]).gelu().scalars[0])) / (2 * Double(h))
            expectClose(gradient[index], numeric, tolerance: 1e-3, "x = \(value)")
        }
    }

    @Test func embeddingBackwardAddsEachPositionsGradientToItsRow() {
        let embedding = Embedding(table: Parameter(name: "e", value: Tensor(shape: [4, 2])))
        let dy: [Float] = [1, 2, 10, 20, 100, 200]
        dy.withUnsafeBufferPointer { embedding.backward(ids: [3, 1, 3], outputGradient: $0.baseAddress!) }
        #expect(embedding.table.gradient?.scalars == [0, 0, 10, 20, 0, 0, 101, 202])
    }

    @Test func crossEntropyGradientMatchesFiniteDifferences() throws {
        let logits = Parameter(name: "z", value: randomTensor([3, 4], seed: 1, scale: 2))
        let labels = [2, 0, 3]
        let (loss, gradient) = try CrossEntropy.lossAndGradient(logits: logits.value, labels: labels)
        // The mean negative log-probability, from its definition.
        let probabilities = logits.value.softmax()
        let expected = labels.enumerated().map { -log(Double(probabilities[$0.offset, $0.element])) }.reduce(0, +) / 3
        #expect(abs(Double(loss) - expected) < 1e-5)
        for index in 0..<12 {
            let numeric = centralDifference(logits, index, epsilon: 1e-2) {
                Double((try? CrossEntropy.lossAndGradient(logits: logits.value, labels: labels).loss) ?? .nan)
            }
            expectClose(gradient.scalars[index], numeric, tolerance: 1e-3, "z[\(index)]")
        }
    }

    @Test func dropoutMasksKeepTheRightFractionAndDependOnlyOnTheSeed() {
        let mask = Dropout.mask(count: 50_000, probability: 0.1, seed: 3)!
        let kept = mask.filter { $0 != 0 }
        #expect(abs(Double(kept.count) / 50_000 - 0.9) < 0.01)
        #expect(kept.allSatisfy { abs($0 - 1 / 0.9) < 1e-6 })
        ComputeThreads.set(1)
        let single = Dropout.mask(count: 50_000, probability: 0.1, seed: 3)!
        ComputeThreads.set(0)
        #expect(single == mask)
        #expect(Dropout.mask(count: 50_000, probability: 0.1, seed: 4)! != mask)
        #expect(Dropout.mask(count: 10, probability: 0, seed: 3) == nil)
    }

    @Test func mergingAnAdapterFoldsItIntoTheWeight() {
        var generator = SeededGenerator(seed: 1)
        var adapter = LowRankAdapter(name: "l", inputSize: 6, outputSize: 3, rank: 2, alpha: 8, dropout: 0, generator: &generator)
        var layer = Linear(weight: Parameter(name: "w", value: randomTensor([3, 6], seed: 2)), bias: nil, adapter: adapter)
        let x = randomTensor([5, 6], seed: 3)
        let base = Linear(weight: Parameter(name: "w0", value: layer.weight.value), bias: nil)(x)
        #expect(layer(x).maximumAbsoluteDifference(to: base) == 0)  // B = 0: the adapter adds nothing
        adapter.up.value = randomTensor([3, 2], seed: 4)
        let before = layer(x)
        #expect(before.maximumAbsoluteDifference(to: base) > 1e-3)
        layer.mergeAdapter()
        #expect(layer.adapter == nil)
        #expect(layer(x).maximumAbsoluteDifference(to: before) < 1e-5)
    }
}
