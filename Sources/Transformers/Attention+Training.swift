extension Attention {
    /// The forward of `forward(…)` that keeps the softmax probabilities (before dropout) and
    /// applies an optional dropout mask to them, laid out as `BertActivations` describes.
    static func trainingForward(
        query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
        context: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>,
        mask: UnsafePointer<Float>?, probabilityOffsets: [Int], offsets: [Int], headCount: Int,
        headSize: Int
    ) {
        let width = headCount * headSize
        let scale = 1 / Float(headSize).squareRoot()
        let longest = (0..<(offsets.count - 1)).map { offsets[$0 + 1] - offsets[$0] }.max() ?? 0
        ComputeThreads.parallelForEach((offsets.count - 1) * headCount) { item in
            let sequence = item / headCount
            let head = item % headCount
            let start = offsets[sequence]
            let length = offsets[sequence + 1] - start
            guard length > 0 else { return }
            let block = probabilityOffsets[sequence] * headCount + head * length * length
            let p = probabilities + block
            let column = start * width + head * headSize
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: true, m: length, n: length, k: headSize,
                alpha: scale, a: query + column, lda: width, b: key + column, ldb: width,
                c: p, ldc: length, parallel: false)
            Kernels.softmaxRows(p, rows: length, width: length, stride: length)
            var used = UnsafePointer(p)
            let dropped = UnsafeMutablePointer<Float>.allocate(capacity: longest * longest)
            defer { dropped.deallocate() }
            if let mask {
                for index in 0..<(length * length) { dropped[index] = p[index] * mask[block + index] }
                used = UnsafePointer(dropped)
            }
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: false, m: length, n: headSize, k: length,
                a: used, lda: length, b: value + column, ldb: width,
                c: context + column, ldc: width, parallel: false)
        }
    }

    /// Backward of attention: from ∂L/∂context, writes ∂L/∂Q, ∂L/∂K, ∂L/∂V.
    ///
    /// Per (sequence, head), with P the probabilities, P′ = P ⊙ mask and C = P′·V:
    /// ∂V = P′ᵀ·∂C, ∂P′ = ∂C·Vᵀ, ∂P = ∂P′ ⊙ mask, ∂S = P ⊙ (∂P − rowsum(∂P ⊙ P)),
    /// ∂Q = s·∂S·K, ∂K = s·∂Sᵀ·Q with s = 1/√d.
    static func backward(
        contextGradient: UnsafePointer<Float>, query: UnsafePointer<Float>, key: UnsafePointer<Float>,
        value: UnsafePointer<Float>, probabilities: UnsafePointer<Float>, mask: UnsafePointer<Float>?,
        queryGradient: UnsafeMutablePointer<Float>, keyGradient: UnsafeMutablePointer<Float>,
        valueGradient: UnsafeMutablePointer<Float>, probabilityOffsets: [Int], offsets: [Int],
        headCount: Int, headSize: Int
    ) {
        let width = headCount * headSize
        let scale = 1 / Float(headSize).squareRoot()
        let longest = (0..<(offsets.count - 1)).map { offsets[$0 + 1] - offsets[$0] }.max() ?? 0
        ComputeThreads.parallelForEach((offsets.count - 1) * headCount) { item in
            let sequence = item / headCount
            let head = item % headCount
            let start = offsets[sequence]
            let length = offsets[sequence + 1] - start
            guard length > 0 else { return }
            let block = probabilityOffsets[sequence] * headCount + head * length * length
            let p = probabilities + block
            let column = start * width + head * headSize
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * longest * longest)
            defer { scratch.deallocate() }
            let dropped = scratch
            let gradient = scratch + longest * longest
            var used = p
            if let mask {
                for index in 0..<(length * length) { dropped[index] = p[index] * mask[block + index] }
                used = UnsafePointer(dropped)
            }
            MatrixMultiplication.gemm(
                transposeA: true, transposeB: false, m: length, n: headSize, k: length,
                a: used, lda: length, b: contextGradient + column, ldb: width,
                c: valueGradient + column, ldc: width, parallel: false)
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: true, m: length, n: length, k: headSize,
                a: contextGradient + column, lda: width, b: value + column, ldb: width,
                c: gradient, ldc: length, parallel: false)
            if let mask {
                for index in 0..<(length * length) { gradient[index] *= mask[block + index] }
            }
            Kernels.softmaxBackwardRows(gradient, probabilities: p, rows: length, width: length, stride: length)
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: false, m: length, n: headSize, k: length,
                alpha: scale, a: gradient, lda: length, b: key + column, ldb: width,
                c: queryGradient + column, ldc: width, parallel: false)
            MatrixMultiplication.gemm(
                transposeA: true, transposeB: false, m: length, n: headSize, k: length,
                alpha: scale, a: gradient, lda: length, b: query + column, ldb: width,
                c: keyGradient + column, ldc: width, parallel: false)
        }
    }
}
