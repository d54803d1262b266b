/// A named tensor of model weights, trainable or frozen, with its accumulated gradient.
///
/// A class, so that layers, optimisers and checkpoint writers share one copy and see each
/// other's updates.
public final class Parameter {
    /// The dotted name used in checkpoints, e.g. `encoder.layer.0.attention.self.query.weight`.
    public let name: String
    public var value: Tensor
    /// Frozen parameters keep their values and get no gradient; strategies decide which train.
    public var isTrainable: Bool
    /// ∂loss/∂value summed over the backward passes since the last `zeroGradient()`; nil until
    /// a backward pass writes it.
    public var gradient: Tensor?
    /// Whether weight decay applies; biases and layer-norm parameters are exempt by default.
    public var decays: Bool

    public init(name: String, value: Tensor, isTrainable: Bool = true, decays: Bool? = nil) {
        self.name = name
        self.value = value
        self.isTrainable = isTrainable
        self.decays = decays ?? Parameter.decaysByDefault(name: name, rank: value.rank)
    }

    /// The number of scalars.
    public var count: Int { value.count }

    public var shape: [Int] { value.shape }

    /// Clears the gradient to zeros (keeping its storage).
    public func zeroGradient() {
        if gradient != nil {
            gradient!.scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
    }

    /// Runs `body` on the gradient buffer, creating it (zeros) on first use.
    public func withGradient<Result>(_ body: (UnsafeMutablePointer<Float>) -> Result) -> Result {
        if gradient == nil { gradient = Tensor(shape: value.shape) }
        return gradient!.scalars.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    /// Runs `body` on the gradient buffer when the parameter is trainable, else on nil.
    public func withGradientIfTrainable<Result>(_ body: (UnsafeMutablePointer<Float>?) -> Result) -> Result {
        isTrainable ? withGradient { body($0) } : body(nil)
    }

    /// Runs `body` on the value buffer.
    public func withValue<Result>(_ body: (UnsafePointer<Float>) -> Result) -> Result {
        value.scalars.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// Biases and normalisation parameters (rank 1, or named so) are not decayed, following
    /// BERT and Hugging Face's Trainer.
    public static func decaysByDefault(name: String, rank: Int) -> Bool {
        !(rank <= 1 || name.hasSuffix(".bias") || name.contains("LayerNorm") || name.contains("layer_norm"))
    }
}
