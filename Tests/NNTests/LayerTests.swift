import Testing

@testable import NN

@Suite struct LayerTests {
    @Test func linearComputesXTimesWTransposedPlusBias() {
        let weight = Parameter(name: "w", value: Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        let bias = Parameter(name: "b", value: Tensor(shape: [2], scalars: [10, 20]))
        let layer = Linear(weight: weight, bias: bias)
        let output = layer(Tensor(shape: [2, 3], scalars: [1, 0, -1, 2, 1, 0]))
        // Row 1: [1·1+0·2−1·3, 1·4+0·5−1·6] + b = [8, 18]; row 2: [4, 13] + b = [14, 33].
        #expect(output.scalars == [8, 18, 14, 33])
    }

    @Test func linearWithoutBiasIsAPlainProduct() {
        let weight = Parameter(name: "w", value: Tensor(shape: [1, 2], scalars: [2, -1]))
        let output = Linear(weight: weight, bias: nil)(Tensor(shape: [1, 2], scalars: [3, 4]))
        #expect(output.scalars == [2])
    }

    @Test func layerNormOutputsHaveZeroMeanAndUnitVarianceBeforeScaling() {
        let norm = LayerNorm(
            gamma: Parameter(name: "g", value: Tensor(shape: [4], repeating: 1)),
            beta: Parameter(name: "b", value: Tensor(shape: [4])), epsilon: 1e-12)
        let output = norm(Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]))
        let mean = output.scalars.reduce(0, +) / 4
        let variance = output.scalars.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
        #expect(abs(mean) < 1e-6)
        #expect(abs(variance - 1) < 1e-5)
    }

    @Test func embeddingLooksUpRowsById() {
        let table = Parameter(name: "e", value: Tensor(shape: [3, 2], scalars: [0, 0, 1, 1, 2, 2]))
        #expect(Embedding(table: table)([2, 1]).scalars == [2, 2, 1, 1])
    }

    @Test func theSameSeedGivesTheSameSequenceAndAnotherSeedDoesNot() {
        var a = SeededGenerator(seed: 7)
        var b = SeededGenerator(seed: 7)
        var c = SeededGenerator(seed: 8)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }

    @Test func normalSamplesHaveRoughlyZeroMeanAndUnitVariance() {
        var generator = SeededGenerator(seed: 1)
        let samples = (0..<20_000).map { _ in Double(generator.nextNormal()) }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(samples.count)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
    }
}
