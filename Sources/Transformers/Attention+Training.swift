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
        forEachSequenceHead(offsets: offsets, headCount: headCount, scratchPerItem: 1) { item, dropped in
            let length = item.length
            let block = probabilityOffsets[item.sequence] * headCount + item.head * length * length
            let p = probabilities + block
            let column = item.start * width + item.head * headSize
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: true, m: length, n: length, k: headSize,
                alpha: scale, a: query + column, lda: width, b: key + column, ldb: width,
                c: p, ldc: length, parallel: false)
            Kernels.softmaxRows(p, rows: length, width: length, stride: length)
            var used = UnsafePointer(p)
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
        forEachSequenceHead(offsets: offsets, headCount: headCount, scratchPerItem: 2) { item, scratch in
            let length = item.length
            let block = probabilityOffsets[item.sequence] * headCount + item.head * length * length
            let p = probabilities + block
            let column = item.start * width + item.head * headSize
            let dropped = scratch
            let gradient = scratch + length * length
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
