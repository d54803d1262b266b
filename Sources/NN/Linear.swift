/// A fully connected layer y = x·Wᵀ + b, with W stored [out, in] as in PyTorch checkpoints, and
/// an optional LoRA adapter.
public struct Linear {
    public let weight: Parameter
    public let bias: Parameter?
    public var adapter: LowRankAdapter?

    public init(weight: Parameter, bias: Parameter?, adapter: LowRankAdapter? = nil) {
        precondition(weight.value.rank == 2, "\(weight.name) must be rank 2")
        if let bias {
            precondition(bias.value.count == weight.value.shape[0], "\(bias.name) must match \(weight.name)")
        }
        self.weight = weight
        self.bias = bias
        self.adapter = adapter
    }

    public var inputSize: Int { weight.value.shape[1] }
    public var outputSize: Int { weight.value.shape[0] }

    /// Every parameter of the layer, adapter included.
    public var parameters: [Parameter] {
        [weight] + (bias.map { [$0] } ?? []) + (adapter.map { [$0.down, $0.up] } ?? [])
    }

    /// y = x·Wᵀ + b (+ adapter) for x of shape [rows, in].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 2 && input.shape[1] == inputSize, "\(weight.name): input \(input.shape)")
        var output = Tensor(shape: [input.shape[0], outputSize])
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                apply(x.baseAddress!, rows: input.shape[0], into: y.baseAddress!)
            }
        }
        return output
    }

    /// Writes x·Wᵀ without the bias into `output`, or adds it to what `output` holds when
    /// `accumulate` is true (sgemm with β = 1). The forward pass uses this to add a projection
    /// straight onto the residual stream and fold the bias into the following kernel.
    public func multiply(
        _ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
        accumulate: Bool
    ) {
        guard rows > 0 else { return }
        weight.withValue { w in
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: true, m: rows, n: outputSize, k: inputSize,
                a: input, lda: inputSize, b: w, ldb: inputSize,
                beta: accumulate ? 1 : 0, c: output, ldc: outputSize)
        }
        if let adapter { addAdapter(adapter, input, rows: rows, into: output, hidden: nil) }
    }

    /// Writes x·Wᵀ + b (+ adapter) for `rows` rows of `x` into `output` ([rows, out]).
    ///
    /// The bias is written first and the product accumulated onto it (sgemm with β = 1), which
    /// saves a pass over the output. `adapterHidden` ([rows, rank]) receives x·Aᵀ for the
    /// backward pass; `adapterInput` replaces x on the adapter path (its dropout).
    public func apply(
        _ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
        adapterInput: UnsafePointer<Float>? = nil, adapterHidden: UnsafeMutablePointer<Float>? = nil
    ) {
        guard rows > 0 else { return }
        let outputSize = outputSize
        var beta: Float = 0
        if let bias {
            bias.withValue { b in Kernels.broadcastRows(b, into: output, rows: rows, width: outputSize) }
            beta = 1
        }
        weight.withValue { w in
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: true, m: rows, n: outputSize, k: inputSize,
                a: input, lda: inputSize, b: w, ldb: inputSize, beta: beta, c: output, ldc: outputSize)
        }
        if let adapter {
            addAdapter(adapter, adapterInput ?? input, rows: rows, into: output, hidden: adapterHidden)
        }
    }

    /// output += (α/r)·(x·Aᵀ)·Bᵀ.
    private func addAdapter(
        _ adapter: LowRankAdapter, _ input: UnsafePointer<Float>, rows: Int,
        into output: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>?
    ) {
        let rank = adapter.rank
        let scratch = hidden ?? UnsafeMutablePointer<Float>.allocate(capacity: rows * rank)
        defer { if hidden == nil { scratch.deallocate() } }
        adapter.down.withValue { a in
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: true, m: rows, n: rank, k: inputSize,
                a: input, lda: inputSize, b: a, ldb: inputSize, c: scratch, ldc: rank)
        }
        adapter.up.withValue { b in
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: true, m: rows, n: outputSize, k: rank,
                alpha: adapter.scale, a: scratch, lda: rank, b: b, ldb: rank, beta: 1,
                c: output, ldc: outputSize)
        }
    }

    /// Folds the adapter into the weight, W ← W + (α/r)·B·A, and removes it.
    public mutating func mergeAdapter() {
        guard let adapter else { return }
        let delta = adapter.up.value.matmul(adapter.down.value)
        for index in 0..<weight.value.count {
            weight.value.scalars[index] += adapter.scale * delta.scalars[index]
        }
        self.adapter = nil
    }
}
