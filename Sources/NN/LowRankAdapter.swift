/// A LoRA update (Hu et al. 2021): y = x·Wᵀ + (α/r)·(x·Aᵀ)·Bᵀ with W frozen.
///
/// A ([rank, in]) starts Kaiming-uniform and B ([out, rank]) at zero, as in PEFT, so the adapted
/// layer starts out equal to the base layer. Merging adds (α/r)·B·A into W for evaluation.
public struct LowRankAdapter {
    public let down: Parameter
    public let up: Parameter
    public let scale: Float
    /// Dropout applied to the adapter's input during training.
    public var dropout: Float

    public init(down: Parameter, up: Parameter, scale: Float, dropout: Float = 0) {
        self.down = down
        self.up = up
        self.scale = scale
        self.dropout = dropout
    }

    /// A fresh adapter for a layer of the given sizes.
    public init(
        name: String, inputSize: Int, outputSize: Int, rank: Int, alpha: Float, dropout: Float,
        generator: inout SeededGenerator
    ) {
        // Kaiming-uniform with a = √5, PyTorch's Linear default: bound = 1/√fan_in.
        let bound = 1 / Float(inputSize).squareRoot()
        var down = Tensor(shape: [rank, inputSize])
        for index in 0..<down.count { down.scalars[index] = (generator.nextUniform() * 2 - 1) * bound }
        self.init(
            down: Parameter(name: name + ".lora_A.weight", value: down),
            up: Parameter(name: name + ".lora_B.weight", value: Tensor(shape: [outputSize, rank])),
            scale: alpha / Float(rank), dropout: dropout)
    }

    public var rank: Int { down.value.shape[0] }
}
