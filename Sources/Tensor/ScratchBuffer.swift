#if os(Linux)
    /// glibc's `mallopt`, declared in <malloc.h>, which the Glibc module does not import.
    @_silgen_name("mallopt")
    private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// A heap buffer of floats owned by a class, for activations kept between a training forward
/// and its backward pass. Uninitialised on creation: every user writes before reading.
///
/// `pointer` does not keep the buffer alive: Swift may release an object after its last use,
/// so code that holds the pointer across other work keeps the buffer in a record or wraps the
/// scope in `withExtendedLifetime`.
public final class ScratchBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Keeps large freed blocks in the heap instead of returning them to the kernel.
    ///
    /// A training step allocates and frees hundreds of megabytes of activations; with glibc's
    /// defaults each step got fresh pages from mmap, and the kernel zeroing them took ~15% of
    /// a step. Raising the mmap and trim thresholds lets the next step reuse the same pages.
    private static let heapTuned: Bool = {
        #if os(Linux)
            // M_MMAP_THRESHOLD (-3) at glibc's 32 MiB maximum; M_TRIM_THRESHOLD (-1) never trims.
            _ = glibcMallopt(-3, 32 << 20)
            _ = glibcMallopt(-1, Int32.max)
        #endif
        return true
    }()

    public init(count: Int) {
        _ = Self.heapTuned
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
