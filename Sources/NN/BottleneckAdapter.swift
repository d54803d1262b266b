/// A bottleneck adapter (Houlsby et al. 2019): y = x + W_up·GELU(W_down·x + b_down) + b_up.
///
/// W_up and b_up start at zero, so a fresh adapter is the identity and the adapted model starts
/// out equal to the base; W_down starts N(0, 0.01²).
public struct BottleneckAdapter {
    public let down: Linear
    public let up: Linear

    public init(down: Linear, up: Linear) {
        self.down = down
        self.up = up
    }

    /// A fresh adapter named `<name>.adapter.{down,up}.{weight,bias}`.
    public init(name: String, width: Int, bottleneck: Int, generator: inout SeededGenerator) {
        down = Linear(
            weight: Parameter(name: name + ".adapter.down.weight",
                              value: generator.normalTensor(shape: [bottleneck, width], standardDeviation: 0.01)),
            bias: Parameter(name: name + ".adapter.down.bias", value: Tensor(shape: [bottleneck])))
        up = Linear(
            weight: Parameter(name: name + ".adapter.up.weight", value: Tensor(shape: [width, bottleneck])),
            bias: Parameter(name: name + ".adapter.up.bias", value: Tensor(shape: [width])))
    }

    public var width: Int { down.inputSize }
    public var bottleneck: Int { down.outputSize }
    public var parameters: [Parameter] { down.parameters + up.parameters }

    /// x ← x + up(GELU(down(x))) for `rows` rows, in place. When `record` is given it receives
    /// the input, the pre-activation and the activation for the backward pass.
    public func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, record: Record? = nil) {
        let pre = record?.preActivation.pointer ?? UnsafeMutablePointer<Float>.allocate(capacity: rows * bottleneck)
        defer { if record == nil { pre.deallocate() } }
        if let record { record.input.pointer.update(from: x, count: rows * width) }
        down.apply(x, rows: rows, into: pre)
        let activated = record?.activation.pointer ?? pre
        if let record { activated.update(from: pre, count: rows * bottleneck) }
        Kernels.gelu(activated, count: rows * bottleneck)
        // x + up(a): the bias is written by `apply`, so add the product onto a copy of x.
        let branch = UnsafeMutablePointer<Float>.allocate(capacity: rows * width)
        defer { branch.deallocate() }
        up.apply(activated, rows: rows, into: branch)
        Kernels.add(branch, into: x, count: rows * width)
    }

    /// What `apply` saw, kept for `backward`.
    public final class Record {
        public let input: ScratchBuffer
        public let preActivation: ScratchBuffer
        public let activation: ScratchBuffer

        public init(rows: Int, width: Int, bottleneck: Int) {
            input = ScratchBuffer(count: rows * width)
            preActivation = ScratchBuffer(count: rows * bottleneck)
            activation = ScratchBuffer(count: rows * bottleneck)
        }
    }

    /// Turns ∂L/∂y in `gradient` into ∂L/∂x in place (identity path plus the bottleneck) and
    /// accumulates the adapter's parameter gradients.
    public func backward(_ gradient: UnsafeMutablePointer<Float>, rows: Int, record: Record) {
        let hidden = UnsafeMutablePointer<Float>.allocate(capacity: rows * bottleneck)
        defer { hidden.deallocate() }
        up.backward(outputGradient: gradient, input: record.activation.pointer, rows: rows, inputGradient: hidden)
        Kernels.geluBackward(hidden, input: record.preActivation.pointer, count: rows * bottleneck)
        down.backward(outputGradient: hidden, input: record.input.pointer, rows: rows, inputGradient: gradient,
                      accumulateInput: true)
    }
}
