/// The backward counterparts of `Kernels`: gradients through layer norm, GELU, softmax and sums.
extension Kernels {
    /// Accumulates the column sums of a [rows, width] matrix into `sums` (the bias gradient).
    public static func addColumnSums(
        _ values: UnsafePointer<Float>, rows: Int, width: Int, into sums: UnsafeMutablePointer<Float>
    ) {
        for row in 0..<rows {
            let start = values + row * width
            var index = 0
            while index + 16 <= width {
                VectorMath.store(VectorMath.load(sums + index) + VectorMath.load(start + index), sums + index)
                index += 16
            }
            while index < width { sums[index] += start[index]; index += 1 }
        }
    }

    /// Backward of `layerNormRows`: given ∂L/∂y, writes ∂L/∂x and accumulates ∂L/∂γ, ∂L/∂β.
    ///
    /// With g = ∂L/∂y ⊙ γ and x̂ the normalised input,
    /// ∂L/∂x = (1/σ)·(g − mean(g) − x̂·mean(g ⊙ x̂)), ∂L/∂γ = Σ_rows ∂L/∂y ⊙ x̂, ∂L/∂β = Σ_rows ∂L/∂y.
    /// `inputGradient` may be the same buffer as `outputGradient`.
    public static func layerNormBackwardRows(
        outputGradient: UnsafePointer<Float>, normalized: UnsafePointer<Float>,
        inverseDeviations: UnsafePointer<Float>, gamma: UnsafePointer<Float>, rows: Int, width: Int,
        inputGradient: UnsafeMutablePointer<Float>?,
        gammaGradient: UnsafeMutablePointer<Float>?, betaGradient: UnsafeMutablePointer<Float>?
    ) {
        // Per-thread partial sums for γ and β, added together at the end: deterministic for a
        // given thread count and free of write races.
        let threads = min(ComputeThreads.count, max(1, rows / 64))
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: threads * 2 * width)
        partial.initialize(repeating: 0, count: threads * 2 * width)
        defer { partial.deallocate() }
        ComputeThreads.parallelChunks(threads) { parts in
            for part in parts {
                let gammaSum = partial + part * 2 * width
                let betaSum = gammaSum + width
                let start = rows * part / threads
                let end = rows * (part + 1) / threads
                for row in start..<end {
                    let dy = outputGradient + row * width
                    let xHat = normalized + row * width
                    var sumG: Float = 0
                    var sumGX: Float = 0
                    for index in 0..<width {
                        let g = dy[index] * gamma[index]
                        sumG += g
                        sumGX += g * xHat[index]
                        gammaSum[index] += dy[index] * xHat[index]
                        betaSum[index] += dy[index]
                    }
                    guard let inputGradient else { continue }
                    let dx = inputGradient + row * width
                    let meanG = sumG / Float(width)
                    let meanGX = sumGX / Float(width)
                    let inverse = inverseDeviations[row]
                    for index in 0..<width {
                        let g = dy[index] * gamma[index]
                        dx[index] = inverse * (g - meanG - xHat[index] * meanGX)
                    }
                }
            }
        }
        for part in 0..<threads {
            let gammaSum = partial + part * 2 * width
            for index in 0..<width {
                gammaGradient?[index] += gammaSum[index]
                betaGradient?[index] += gammaSum[width + index]
            }
        }
    }

    /// ∂L/∂x = ∂L/∂y ⊙ GELU′(x), written over `gradient` in place.
    public static func geluBackward(
        _ gradient: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, count: Int
    ) {
        ComputeThreads.parallelChunks(count / 16 + 1, minimumPerThread: 1024) { blocks in
            var index = blocks.lowerBound * 16
            let end = min(count, blocks.upperBound * 16)
            while index + 16 <= end {
                let derivative = VectorMath.geluDerivative(VectorMath.load(input + index))
                VectorMath.store(VectorMath.load(gradient + index) * derivative, gradient + index)
                index += 16
            }
            while index < end {
                gradient[index] *= VectorMath.geluDerivative(VectorMath.Vector(repeating: input[index]))[0]
                index += 1
            }
        }
    }

    /// Softmax backward for rows: ∂L/∂s = p ⊙ (∂L/∂p − Σⱼ ∂L/∂pⱼ·pⱼ), in place over `gradient`.
    public static func softmaxBackwardRows(
        _ gradient: UnsafeMutablePointer<Float>, probabilities: UnsafePointer<Float>, rows: Int,
        width: Int, stride: Int
    ) {
        for row in 0..<rows {
            let dp = gradient + row * stride
            let p = probabilities + row * stride
            var dot: Float = 0
            for index in 0..<width { dot += dp[index] * p[index] }
            for index in 0..<width { dp[index] = p[index] * (dp[index] - dot) }
        }
    }

    /// values ⊙= mask, elementwise, in parallel (dropout forward and backward; the mask holds
    /// 0 or 1/(1 − p)).
    public static func multiply(
        _ values: UnsafeMutablePointer<Float>, by mask: UnsafePointer<Float>, count: Int
    ) {
        ComputeThreads.parallelChunks(count, minimumPerThread: 65_536) { range in
            for index in range { values[index] *= mask[index] }
        }
    }
}
