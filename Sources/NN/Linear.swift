/// A fully connected layer y = x·Wᵀ + b, with W stored [out, in] as in PyTorch checkpoints.
public struct Linear {
    public let weight: Parameter
    public let bias: Parameter?

    public init(weight: Parameter, bias: Parameter?) {
        precondition(weight.value.rank == 2, "\(weight.name) must be rank 2")
        if let bias {
            precondition(bias.value.count == weight.value.shape[0], "\(bias.name) must match \(weight.name)")
        }
        self.weight = weight
        self.bias = bias
    }

    public var inputSize: Int { weight.value.shape[1] }
    public var outputSize: Int { weight.value.shape[0] }

    /// y = x·Wᵀ + b for x of shape [rows, in].
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
        weight.value.scalars.withUnsafeBufferPointer { w in
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: true, m: rows, n: outputSize, k: inputSize,
                a: input, lda: inputSize, b: w.baseAddress!, ldb: inputSize,
                beta: accumulate ? 1 : 0, c: output, ldc: outputSize)
        }
    }

    /// Writes x·Wᵀ + b for `rows` rows of `x` into `output` ([rows, out], contiguous).
    ///
    /// The bias is written first and the product accumulated onto it (sgemm with β = 1), which
    /// saves a pass over the output.
    public func apply(
        _ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>
    ) {
        guard rows > 0 else { return }
        let outputSize = outputSize
        var beta: Float = 0
        if let bias {
            bias.value.scalars.withUnsafeBufferPointer { b in
                Kernels.broadcastRows(b.baseAddress!, into: output, rows: rows, width: outputSize)
            }
            beta = 1
        }
        weight.value.scalars.withUnsafeBufferPointer { w in
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: true, m: rows, n: outputSize, k: inputSize,
                a: input, lda: inputSize, b: w.baseAddress!, ldb: inputSize, beta: beta,
                c: output, ldc: outputSize)
        }
    }
}
