/// Layer normalisation over the last dimension, y = (x − μ)/√(σ² + ε)·γ + β (Ba et al., 2016).
public struct LayerNorm {
    public let gamma: Parameter
    public let beta: Parameter
    public let epsilon: Float

    public init(gamma: Parameter, beta: Parameter, epsilon: Float) {
        precondition(gamma.value.count == beta.value.count, "\(gamma.name) and \(beta.name) differ")
        self.gamma = gamma
        self.beta = beta
        self.epsilon = epsilon
    }

    public var width: Int { gamma.value.count }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.layerNorm(gamma: gamma.value, beta: beta.value, epsilon: epsilon)
    }

    /// Normalises `rows` rows of `input` (plus `addend`, a per-column bias, when given) into
    /// `output`, which may be the same buffer as `input`.
    public func apply(
        _ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
        adding addend: Tensor? = nil
    ) {
        gamma.value.scalars.withUnsafeBufferPointer { g in
            beta.value.scalars.withUnsafeBufferPointer { b in
                if let addend {
                    addend.scalars.withUnsafeBufferPointer { bias in
                        Kernels.layerNormRows(
                            input: input, output: output, rows: rows, width: width,
                            gamma: g.baseAddress!, beta: b.baseAddress!, epsilon: epsilon,
                            bias: bias.baseAddress!)
                    }
                } else {
                    Kernels.layerNormRows(
                        input: input, output: output, rows: rows, width: width,
                        gamma: g.baseAddress!, beta: b.baseAddress!, epsilon: epsilon)
                }
            }
        }
    }
}
