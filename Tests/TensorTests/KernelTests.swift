import Foundation
import Testing

@testable import Tensor

@Suite struct VectorMathTests {
    @Test func expIsWithinTwoMillionthsRelativeOfLibmOverItsRange() {
        var worst: Double = 0
        var x: Float = -87
        while x < 88 {
            let lanes = VectorMath.Vector((0..<16).map { x + Float($0) * 0.0007 })
            let approximate = VectorMath.exp(lanes)
            for lane in 0..<16 {
                let exact = Foundation.exp(Double(lanes[lane]))
                worst = max(worst, abs(Double(approximate[lane]) - exact) / exact)
            }
            x += 0.0113
        }
        #expect(worst < 2e-7)
    }

    @Test func expUnderflowsToZeroAndNeverOverflowsToInfinity() {
        let result = VectorMath.exp(VectorMath.Vector(repeating: -1000))
        #expect(result == VectorMath.Vector(repeating: 0))
        let large = VectorMath.exp(VectorMath.Vector(repeating: 1000))
        #expect(large[0].isFinite)
    }

    @Test func erfIsWithinFourTenMillionthsOfLibm() {
        var worst: Double = 0
        var x: Float = -7
        while x < 7 {
            let lanes = VectorMath.Vector((0..<16).map { x + Float($0) * 0.0007 })
            let approximate = VectorMath.erf(lanes)
            for lane in 0..<16 { worst = max(worst, abs(Double(approximate[lane]) - Foundation.erf(Double(lanes[lane])))) }
            x += 0.0113
        }
        #expect(worst < 4e-7)
    }

    @Test func geluMatchesTheErfDefinitionFromLibm() {
        var worst: Double = 0
        var x: Float = -12
        while x < 12 {
            let lanes = VectorMath.Vector((0..<16).map { x + Float($0) * 0.0011 })
            let approximate = VectorMath.gelu(lanes)
            for lane in 0..<16 {
                let v = Double(lanes[lane])
                let exact = 0.5 * v * (1 + erf(v / 2.0.squareRoot()))
                worst = max(worst, abs(Double(approximate[lane]) - exact))
            }
            x += 0.0173
        }
        #expect(worst < 2e-6)
    }

    @Test func geluDerivativeMatchesCentralDifferencesOfTheExactFunction() {
        for x in stride(from: -6.0, through: 6.0, by: 0.37) {
            let h = 1e-5
            func g(_ v: Double) -> Double { 0.5 * v * (1 + erf(v / 2.0.squareRoot())) }
            let numeric = (g(x + h) - g(x - h)) / (2 * h)
            let analytic = VectorMath.geluDerivative(VectorMath.Vector(repeating: Float(x)))[0]
            #expect(abs(Double(analytic) - numeric) < 1e-5, "x = \(x)")
        }
    }

    @Test func laneReductionsAgreeWithScalarLoops() {
        let values = VectorMath.Vector((0..<16).map { Float(($0 * 7) % 16) - 3.5 })
        #expect(VectorMath.maximum(values) == (0..<16).map { values[$0] }.max())
        #expect(VectorMath.sum(values) == (0..<16).reduce(Float(0)) { $0 + values[$1] })
    }
}

@Suite struct KernelTests {
    @Test(arguments: [1, 5, 16, 33, 128])
    func softmaxRowsSumToOneAndMatchTheDoubleReference(width: Int) {
        let input = randomTensor([7, width], seed: UInt64(width)).scalars.map { $0 * 20 }
        let result = Tensor(shape: [7, width], scalars: input).softmax()
        for row in 0..<7 {
            let slice = input[(row * width)..<((row + 1) * width)].map(Double.init)
            let maximum = slice.max()!
            let exps = slice.map { Foundation.exp($0 - maximum) }
            let total = exps.reduce(0, +)
            var sum: Float = 0
            for column in 0..<width {
                let actual = result[row, column]
                sum += actual
                #expect(abs(Double(actual) - exps[column] / total) < 1e-6)
            }
            #expect(abs(sum - 1) < 1e-5)
        }
    }

    @Test func softmaxIgnoresAConstantShiftOfItsInput() {
        // Multiples of 1/8 below 8 stay exact after adding 1024, so only the kernel can differ.
        let input = Tensor(shape: [3, 40], scalars: randomTensor([3, 40], seed: 11).scalars.map {
            ($0 * 64).rounded() / 8
        })
        let shifted = Tensor(shape: [3, 40], scalars: input.scalars.map { $0 + 1024 })
        #expect(input.softmax().maximumAbsoluteDifference(to: shifted.softmax()) < 1e-6)
    }

    @Test(arguments: [3, 16, 384, 390])
    func layerNormMatchesTheDoubleReference(width: Int) {
        let input = randomTensor([9, width], seed: 12)
        let gamma = randomTensor([width], seed: 13)
        let beta = randomTensor([width], seed: 14)
        let result = input.layerNorm(gamma: gamma, beta: beta, epsilon: 1e-12)
        for row in 0..<9 {
            let values = (0..<width).map { Double(input[row, $0]) }
            let mean = values.reduce(0, +) / Double(width)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
            for column in 0..<width {
                let expected = (values[column] - mean) / (variance + 1e-12).squareRoot()
                    * Double(gamma[column]) + Double(beta[column])
                #expect(abs(Double(result[row, column]) - expected) < 1e-5)
            }
        }
    }

    @Test func layerNormIsExactForRowsWithALargeCommonOffset() {
        // E[x²] − mean² would cancel catastrophically here; the two-pass variance does not.
        let values: [Float] = (0..<64).map { 10_000 + Float($0 % 4) }
        let result = Tensor(shape: [1, 64], scalars: values).layerNorm(
            gamma: Tensor(shape: [64], repeating: 1), beta: Tensor(shape: [64]), epsilon: 1e-12)
        // Values 0,1,2,3 repeating: mean 1.5, variance 1.25.
        #expect(abs(result[0, 0] - Float(-1.5 / 1.25.squareRoot())) < 1e-4)
    }

    @Test func geluOverATensorAgreesWithTheLaneFunctionIncludingTheTail() {
        let input = randomTensor([1, 37], seed: 15).scalars.map { $0 * 5 }
        let result = Tensor(shape: [37], scalars: input).gelu()
        for (index, x) in input.enumerated() {
            let exact = 0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot()))
            #expect(abs(Double(result.scalars[index]) - exact) < 2e-6)
        }
    }

    @Test func gatherRowsReturnsTheIndexedRowsInOrder() {
        let table = Tensor(shape: [4, 2], scalars: [0, 1, 10, 11, 20, 21, 30, 31])
        #expect(table.gatherRows([3, 0, 3]).scalars == [30, 31, 0, 1, 30, 31])
    }

    @Test func addBiasGELUEqualsAddingThenApplyingGELU() {
        var values = randomTensor([6, 20], seed: 16)
        let bias = randomTensor([20], seed: 17)
        var expected = Tensor(shape: [6, 20])
        for row in 0..<6 {
            for column in 0..<20 { expected[row, column] = values[row, column] + bias[column] }
        }
        expected = expected.gelu()
        values.scalars.withUnsafeMutableBufferPointer { v in
            bias.scalars.withUnsafeBufferPointer { b in
                Kernels.addBiasGELU(v.baseAddress!, rows: 6, width: 20, bias: b.baseAddress!)
            }
        }
        #expect(values.maximumAbsoluteDifference(to: expected) < 1e-6)
    }
}

@Suite struct TensorBasicsTests {
    @Test func subscriptsAreRowMajor() {
        var tensor = Tensor(shape: [2, 3])
        tensor[1, 2] = 5
        #expect(tensor.scalars == [0, 0, 0, 0, 0, 5])
        #expect(tensor.transposed()[2, 1] == 5)
    }

    @Test func reshapeKeepsTheElements() {
        let tensor = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).reshaped([3, 2])
        #expect(tensor.shape == [3, 2])
        #expect(tensor[2, 1] == 6)
    }
}
