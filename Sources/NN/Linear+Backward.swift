extension Linear {
    /// Backward of `apply`: accumulates ∂L/∂W, ∂L/∂b and the adapter's gradients for trainable
    /// parameters, and writes (or adds, with `accumulateInput`) ∂L/∂x into `inputGradient`.
    ///
    /// With y = x·Wᵀ + b + s·(x̃·Aᵀ)·Bᵀ, u = x̃·Aᵀ and x̃ the adapter's (dropped-out) input:
    /// ∂L/∂W = ∂yᵀ·x, ∂L/∂b = Σ ∂y, ∂L/∂B = s·∂yᵀ·u, ∂L/∂u = s·∂y·B, ∂L/∂A = ∂uᵀ·x̃,
    /// ∂L/∂x = ∂y·W + (∂u·A) ⊙ dropout mask.
    public func backward(
        outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, rows: Int,
        inputGradient dx: UnsafeMutablePointer<Float>?, accumulateInput: Bool = false,
        adapterInput: UnsafePointer<Float>? = nil, adapterHidden: UnsafePointer<Float>? = nil,
        adapterMask: UnsafePointer<Float>? = nil
    ) {
        guard rows > 0 else { return }
        let inputSize = inputSize
        let outputSize = outputSize
        if weight.isTrainable {
            weight.withGradient { dw in
                MatrixMultiplication.gemm(
                    transposeA: true, transposeB: false, m: outputSize, n: inputSize, k: rows,
                    a: dy, lda: outputSize, b: x, ldb: inputSize, beta: 1, c: dw, ldc: inputSize)
            }
        }
        if let bias, bias.isTrainable {
            bias.withGradient { db in Kernels.addColumnSums(dy, rows: rows, width: outputSize, into: db) }
        }
        if let dx {
            weight.withValue { w in
                MatrixMultiplication.gemm(
                    transposeA: false, transposeB: false, m: rows, n: inputSize, k: outputSize,
                    a: dy, lda: outputSize, b: w, ldb: inputSize, beta: accumulateInput ? 1 : 0,
                    c: dx, ldc: inputSize)
            }
        }
        guard let adapter, let hidden = adapterHidden else { return }
        let rank = adapter.rank
        let adapterX = adapterInput ?? x
        if adapter.up.isTrainable {
            adapter.up.withGradient { dB in
                MatrixMultiplication.gemm(
                    transposeA: true, transposeB: false, m: outputSize, n: rank, k: rows,
                    alpha: adapter.scale, a: dy, lda: outputSize, b: hidden, ldb: rank, beta: 1,
                    c: dB, ldc: rank)
            }
        }
        let du = UnsafeMutablePointer<Float>.allocate(capacity: rows * rank)
        defer { du.deallocate() }
        adapter.up.withValue { b in
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: false, m: rows, n: rank, k: outputSize,
                alpha: adapter.scale, a: dy, lda: outputSize, b: b, ldb: rank, c: du, ldc: rank)
        }
        if adapter.down.isTrainable {
            adapter.down.withGradient { dA in
                MatrixMultiplication.gemm(
                    transposeA: true, transposeB: false, m: rank, n: inputSize, k: rows,
                    a: du, lda: rank, b: adapterX, ldb: inputSize, beta: 1, c: dA, ldc: inputSize)
            }
        }
        guard let dx else { return }
        if let adapterMask {
            let path = UnsafeMutablePointer<Float>.allocate(capacity: rows * inputSize)
            defer { path.deallocate() }
            adapter.down.withValue { a in
                MatrixMultiplication.gemm(
                    transposeA: false, transposeB: false, m: rows, n: inputSize, k: rank,
                    a: du, lda: rank, b: a, ldb: inputSize, c: path, ldc: inputSize)
            }
            Kernels.multiply(path, by: adapterMask, count: rows * inputSize)
            Kernels.add(path, into: dx, count: rows * inputSize)
        } else {
            adapter.down.withValue { a in
                MatrixMultiplication.gemm(
                    transposeA: false, transposeB: false, m: rows, n: inputSize, k: rank,
                    a: du, lda: rank, b: a, ldb: inputSize, beta: 1, c: dx, ldc: inputSize)
            }
        }
    }
}

extension LayerNorm {
    /// Backward of `apply` given the cached normalised rows and inverse deviations.
    public func backward(
        outputGradient dy: UnsafePointer<Float>, normalized: UnsafePointer<Float>,
        inverseDeviations: UnsafePointer<Float>, rows: Int, inputGradient dx: UnsafeMutablePointer<Float>?
    ) {
        gamma.withValue { g in
            gamma.withGradientIfTrainable { dGamma in
                beta.withGradientIfTrainable { dBeta in
                    Kernels.layerNormBackwardRows(
                        outputGradient: dy, normalized: normalized, inverseDeviations: inverseDeviations,
                        gamma: g, rows: rows, width: width, inputGradient: dx, gammaGradient: dGamma,
                        betaGradient: dBeta)
                }
            }
        }
    }

    /// Training forward: normalises rows (plus `adding`) in place and records x̂ and 1/σ.
    public func forwardRecording(
        _ values: UnsafeMutablePointer<Float>, rows: Int, adding addend: Parameter?,
        normalized: UnsafeMutablePointer<Float>, inverseDeviations: UnsafeMutablePointer<Float>
    ) {
        gamma.withValue { g in
            beta.withValue { b in
                if let addend {
                    addend.withValue { bias in
                        Kernels.layerNormRows(
                            input: values, output: values, rows: rows, width: width, gamma: g, beta: b,
                            epsilon: epsilon, bias: bias, normalized: normalized,
                            inverseDeviations: inverseDeviations)
                    }
                } else {
                    Kernels.layerNormRows(
                        input: values, output: values, rows: rows, width: width, gamma: g, beta: b,
                        epsilon: epsilon, normalized: normalized, inverseDeviations: inverseDeviations)
                }
            }
        }
    }
}

extension Embedding {
    /// Accumulates ∂L/∂table: row id of the table gets the gradient of every position using it.
    /// Negative ids (soft-prompt slots, which have no row here) are skipped.
    public func backward(ids: [Int32], outputGradient dy: UnsafePointer<Float>) {
        Self.scatterAdd(dy, ids: ids, into: table) { $0 >= 0 ? Int($0) : nil }
    }

    /// Adds gradient row `position` of `dy` to row `row(ids[position])` of `table`'s gradient,
    /// for every position whose id maps to a row; nothing when the table is frozen.
    public static func scatterAdd(
        _ dy: UnsafePointer<Float>, ids: [Int32], into table: Parameter, row: (Int32) -> Int?
    ) {
        guard table.isTrainable else { return }
        let width = table.shape[1]
        table.withGradient { dt in
            for (position, id) in ids.enumerated() {
                guard let index = row(id) else { continue }
                let target = dt + index * width
                let source = dy + position * width
                for column in 0..<width { target[column] += source[column] }
            }
        }
    }
}
