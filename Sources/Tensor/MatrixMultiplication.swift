import CBLAS

/// General matrix products through OpenBLAS `cblas_sgemm`, split across our threads.
public enum MatrixMultiplication {
    /// Computes C = α·op(A)·op(B) + β·C for row-major matrices given by pointer and leading
    /// dimension, where op(X) is X or Xᵀ. C is m × n and the inner dimension is k.
    ///
    /// When `parallel` is true the rows of C (or its columns when there are few rows) are split
    /// into one block per thread and each block is a single-threaded sgemm call.
    public static func gemm(
        transposeA: Bool, transposeB: Bool,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        parallel: Bool = true
    ) {
        guard m > 0, n > 0 else { return }
        ComputeThreads.pinBLASToOneThread()
        if k == 0 {
            scaleRows(c: c, m: m, n: n, ldc: ldc, beta: beta)
            return
        }
        let threads = parallel ? ComputeThreads.count : 1
        // Below ~1 MFLOP per thread the wake-up costs more than it saves.
        let worthSplitting = threads > 1 && 2 * m * n * k >= threads * 1_000_000
        if !worthSplitting {
            sgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        } else if m >= threads * 16 {
            ComputeThreads.parallelChunks(m) { rows in
                let aBlock = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
                sgemm(
                    transposeA, transposeB, rows.count, n, k, alpha, aBlock, lda, b, ldb, beta,
                    c + rows.lowerBound * ldc, ldc)
            }
        } else {
            ComputeThreads.parallelChunks(n) { columns in
                let bBlock = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
                sgemm(
                    transposeA, transposeB, m, columns.count, k, alpha, a, lda, bBlock, ldb, beta,
                    c + columns.lowerBound, ldc)
            }
        }
    }

    @inline(__always)
    private static func sgemm(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta,
            c, blasint(ldc))
    }

    private static func scaleRows(
        c: UnsafeMutablePointer<Float>, m: Int, n: Int, ldc: Int, beta: Float
    ) {
        for row in 0..<m {
            for column in 0..<n {
                c[row * ldc + column] = beta == 0 ? 0 : beta * c[row * ldc + column]
            }
        }
    }
}

extension Tensor {
    /// The matrix product op(self)·op(other) of two rank-2 tensors.
    public func matmul(
        _ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false
    ) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "matmul needs rank-2 operands")
        let m = transposeSelf ? shape[1] : shape[0]
        let k = transposeSelf ? shape[0] : shape[1]
        let otherK = transposeOther ? other.shape[1] : other.shape[0]
        let n = transposeOther ? other.shape[0] : other.shape[1]
        precondition(k == otherK, "matmul inner dimensions differ: \(shape) · \(other.shape)")
        var result = Tensor(shape: [m, n])
        if result.count == 0 || k == 0 { return result }
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                result.scalars.withUnsafeMutableBufferPointer { c in
                    MatrixMultiplication.gemm(
                        transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                        a: a.baseAddress!, lda: shape[1], b: b.baseAddress!, ldb: other.shape[1],
                        c: c.baseAddress!, ldc: n)
                }
            }
        }
        return result
    }

    /// Products of matching matrices in two rank-3 tensors, [batch, m, k]·[batch, k, n].
    ///
    /// Batch items run in parallel, one single-threaded sgemm each.
    public func batchedMatmul(
        _ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false
    ) -> Tensor {
        precondition(rank == 3 && other.rank == 3, "batchedMatmul needs rank-3 operands")
        precondition(shape[0] == other.shape[0], "batch sizes differ: \(shape), \(other.shape)")
        let batch = shape[0]
        let m = transposeSelf ? shape[2] : shape[1]
        let k = transposeSelf ? shape[1] : shape[2]
        let otherK = transposeOther ? other.shape[2] : other.shape[1]
        let n = transposeOther ? other.shape[1] : other.shape[2]
        precondition(k == otherK, "batchedMatmul inner dimensions differ: \(shape), \(other.shape)")
        var result = Tensor(shape: [batch, m, n])
        if result.count == 0 || k == 0 { return result }
        let aStride = shape[1] * shape[2]
        let bStride = other.shape[1] * other.shape[2]
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                result.scalars.withUnsafeMutableBufferPointer { c in
                    let aBase = a.baseAddress!
                    let bBase = b.baseAddress!
                    let cBase = c.baseAddress!
                    ComputeThreads.parallelForEach(batch) { item in
                        MatrixMultiplication.gemm(
                            transposeA: transposeSelf, transposeB: transposeOther,
                            m: m, n: n, k: k,
                            a: aBase + item * aStride, lda: shape[2],
                            b: bBase + item * bStride, ldb: other.shape[2],
                            c: cBase + item * m * n, ldc: n, parallel: false)
                    }
                }
            }
        }
        return result
    }
}
