/// A heap buffer of floats owned by a class, for activations kept between a training forward
/// and its backward pass. Uninitialised on creation: every user writes before reading.
public final class ScratchBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int) {
        self.count = count
        pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    }

    /// A buffer holding a copy of `values`.
    public convenience init(copying values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A buffer of zeros.
    public static func zeros(_ count: Int) -> ScratchBuffer {
        let buffer = ScratchBuffer(count: count)
        buffer.pointer.initialize(repeating: 0, count: max(count, 1))
        return buffer
    }

    deinit { pointer.deallocate() }

    /// The contents as an array.
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
