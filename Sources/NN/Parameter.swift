/// A named tensor of model weights, trainable or frozen.
///
/// A class, so that layers, optimisers and checkpoint writers share one copy and see each
/// other's updates.
public final class Parameter {
    /// The dotted name used in checkpoints, e.g. `encoder.layer.0.attention.self.query.weight`.
    public let name: String
    public var value: Tensor
    /// Frozen parameters keep their values; strategies decide which are trainable.
    public var isTrainable: Bool

    public init(name: String, value: Tensor, isTrainable: Bool = true) {
        self.name = name
        self.value = value
        self.isTrainable = isTrainable
    }

    /// The number of scalars.
    public var count: Int { value.count }

    public var shape: [Int] { value.shape }
}
