import Foundation
import Testing

@testable import Tensor

/// Naive triple loop in Double, the independent reference for sgemm.
func naiveProduct(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> Tensor {
    let m = transposeA ? a.shape[1] : a.shape[0]
    let k = transposeA ? a.shape[0] : a.shape[1]
    let n = transposeB ? b.shape[0] : b.shape[1]
    var result = Tensor(shape: [m, n])
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let x = transposeA ? a[p, i] : a[i, p]
                let y = transposeB ? b[j, p] : b[p, j]
                sum += Double(x) * Double(y)
            }
            result[i, j] = Float(sum)
        }
    }
    return result
}

func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var state = seed &* 6_364_136_223_846_793_005 &+ 1
    var tensor = Tensor(shape: shape)
    for index in 0..<tensor.count {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        tensor.scalars[index] = Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
    }
    return tensor
}

@Suite struct MatrixMultiplicationTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func productMatchesTheNaiveLoopForEveryTransposition(transposeA: Bool, transposeB: Bool) {
        let a = randomTensor(transposeA ? [13, 7] : [7, 13], seed: 1)
        let b = randomTensor(transposeB ? [5, 13] : [13, 5], seed: 2)
        let product = a.matmul(b, transposeSelf: transposeA, transposeOther: transposeB)
        let expected = naiveProduct(a, b, transposeA: transposeA, transposeB: transposeB)
        #expect(product.shape == [7, 5])
        #expect(product.maximumAbsoluteDifference(to: expected) < 1e-5)
    }

    @Test func largeProductsSplitAcrossThreadsByRowsGiveTheSameResult() {
        ComputeThreads.set(2)
        defer { ComputeThreads.set(0) }
        let a = randomTensor([96, 200], seed: 3)
        let b = randomTensor([150, 200], seed: 4)
        let product = a.matmul(b, transposeOther: true)
        let expected = naiveProduct(a, b, transposeA: false, transposeB: true)
        #expect(product.maximumAbsoluteDifference(to: expected) < 1e-4)
    }

    @Test func productsWithFewRowsSplitAcrossThreadsByColumns() {
        ComputeThreads.set(2)
        defer { ComputeThreads.set(0) }
        let a = randomTensor([3, 400], seed: 5)
        let b = randomTensor([400, 900], seed: 6)
        let product = a.matmul(b)
        let expected = naiveProduct(a, b, transposeA: false, transposeB: false)
        #expect(product.maximumAbsoluteDifference(to: expected) < 1e-4)
    }

    @Test func stridedOperandsAndAccumulationWithBetaFollowTheBLASContract() {
        // A is the right 4 columns of a 6×10 matrix (lda 10); C starts at 1 and β = 1 adds to it.
        let wide = randomTensor([6, 10], seed: 7)
        let b = randomTensor([4, 3], seed: 8)
        var c = [Float](repeating: 1, count: 6 * 3)
        wide.scalars.withUnsafeBufferPointer { w in
            b.scalars.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    MatrixMultiplication.gemm(
                        transposeA: false, transposeB: false, m: 6, n: 3, k: 4, alpha: 2,
                        a: w.baseAddress! + 6, lda: 10, b: bp.baseAddress!, ldb: 3, beta: 1,
                        c: cp.baseAddress!, ldc: 3)
                }
            }
        }
        for i in 0..<6 {
            for j in 0..<3 {
                var sum: Float = 0
                for p in 0..<4 { sum += wide[i, 6 + p] * b[p, j] }
                #expect(abs(c[i * 3 + j] - (1 + 2 * sum)) < 1e-5)
            }
        }
    }

    @Test func batchedProductsMatchOneProductPerItem() {
        let a = randomTensor([5, 9, 4], seed: 9)
        let b = randomTensor([5, 6, 4], seed: 10)
        let product = a.batchedMatmul(b, transposeOther: true)
        #expect(product.shape == [5, 9, 6])
        for item in 0..<5 {
            let left = Tensor(shape: [9, 4], scalars: Array(a.scalars[(item * 36)..<((item + 1) * 36)]))
            let right = Tensor(shape: [6, 4], scalars: Array(b.scalars[(item * 24)..<((item + 1) * 24)]))
            let expected = naiveProduct(left, right, transposeA: false, transposeB: true)
            let actual = Tensor(shape: [9, 6], scalars: Array(product.scalars[(item * 54)..<((item + 1) * 54)]))
            #expect(actual.maximumAbsoluteDifference(to: expected) < 1e-5)
        }
    }

    @Test func anEmptyInnerDimensionGivesZeros() {
        let product = Tensor(shape: [3, 0]).matmul(Tensor(shape: [0, 2]))
        #expect(product == Tensor(shape: [3, 2]))
    }
}

@Suite struct ComputeThreadsTests {
    @Test func chunksCoverEveryIndexExactlyOnce() {
        ComputeThreads.set(2)
        defer { ComputeThreads.set(0) }
        for total in [1, 2, 3, 17, 1000] {
            var seen = [Int](repeating: 0, count: total)
            seen.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress!
                ComputeThreads.parallelChunks(total) { range in
                    for index in range { base[index] += 1 }
                }
            }
            #expect(seen.allSatisfy { $0 == 1 }, "total \(total)")
        }
    }

    @Test func dynamicForEachVisitsEveryItemOnce() {
        ComputeThreads.set(2)
        defer { ComputeThreads.set(0) }
        var seen = [Int](repeating: 0, count: 257)
        seen.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            ComputeThreads.parallelForEach(257) { base[$0] += 1 }
        }
        #expect(seen.allSatisfy { $0 == 1 })
    }

    @Test func settingZeroRestoresTheDefaultOfAllCores() {
        ComputeThreads.set(1)
        #expect(ComputeThreads.count == 1)
        ComputeThreads.set(0)
        #expect(ComputeThreads.count == ComputeThreads.available)
    }
}
