/// A linear classifier over pooled encoder output: logits = pool(h)·Wᵀ + b.
///
/// Names follow Hugging Face's `BertForSequenceClassification` (`classifier.weight`,
/// `classifier.bias`), so heads round-trip through safetensors with other tools.
public struct ClassificationHead {
    public var pooling: Pooling
    public var linear: Linear
    /// When set, pooled vectors are scaled to unit length and the logits multiplied by this
    /// factor: a cosine-similarity head (zero-shot label descriptions, few-shot prototypes),
    /// which is not trained.
    public var cosineScale: Float?

    public init(pooling: Pooling, weight: Tensor, bias: Tensor) {
        self.pooling = pooling
        self.linear = Linear(
            weight: Parameter(name: "classifier.weight", value: weight),
            bias: Parameter(name: "classifier.bias", value: bias))
    }

    /// A new head with N(0, 0.02) weights and zero bias, as BERT initialises classifiers.
    public init(pooling: Pooling, hiddenSize: Int, labelCount: Int, generator: inout SeededGenerator) {
        self.init(
            pooling: pooling,
            weight: generator.normalTensor(shape: [labelCount, hiddenSize], standardDeviation: 0.02),
            bias: Tensor(shape: [labelCount]))
    }

    public var labelCount: Int { linear.outputSize }
    public var parameters: [Parameter] { linear.parameters }

    /// The pooled vectors [sequences, hidden] and logits [sequences, labels].
    public func callAsFunction(_ output: EncoderOutput) -> (pooled: Tensor, logits: Tensor) {
        let pooled = output.pooled(pooling, normalize: cosineScale != nil)
        return (pooled, project(pooled))
    }

    /// Logits of pooled vectors that are not yet normalised (a cosine head normalises them).
    public func logits(pooled: Tensor) -> Tensor {
        guard cosineScale != nil else { return project(pooled) }
        var input = pooled
        let width = pooled.shape[1]
        for row in 0..<pooled.shape[0] {
            let range = (row * width)..<((row + 1) * width)
            let norm = max(input.scalars[range].reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            for index in range { input.scalars[index] /= norm }
        }
        return project(input)
    }

    /// The linear map, scaled for a cosine head.
    func project(_ pooled: Tensor) -> Tensor {
        var logits = linear(pooled)
        if let cosineScale {
            for index in 0..<logits.count { logits.scalars[index] *= cosineScale }
        }
        return logits
    }

    /// From ∂L/∂logits, accumulates the head's gradients and returns ∂L/∂(hidden states),
    /// [tokens, hidden]: mean pooling spreads each sequence's gradient evenly over its tokens,
    /// CLS pooling sends it to the first token.
    public func backward(pooled: Tensor, logitsGradient: Tensor, offsets: [Int]) -> Tensor {
        let sequences = pooled.shape[0]
        let hidden = pooled.shape[1]
        var pooledGradient = Tensor(shape: [sequences, hidden])
        pooled.scalars.withUnsafeBufferPointer { x in
            logitsGradient.scalars.withUnsafeBufferPointer { dy in
                pooledGradient.scalars.withUnsafeMutableBufferPointer { dx in
                    linear.backward(
                        outputGradient: dy.baseAddress!, input: x.baseAddress!, rows: sequences,
                        inputGradient: dx.baseAddress!)
                }
            }
        }
        return pooling.backward(pooledGradient: pooledGradient, offsets: offsets)
    }
}
