/// A dense, row-major tensor of 32-bit floats.
///
/// Storage is a Swift array, so copies are copy-on-write and a `Tensor` is a value. Kernels
/// that need raw speed work on the buffer directly through `withUnsafeBufferPointer`.
public struct Tensor: Sendable, Equatable {
    /// The extent of each dimension, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public var scalars: [Float]

    /// Creates a tensor from its elements; the count must equal the product of the shape.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(
            shape.reduce(1, *) == scalars.count,
            "shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// Creates a tensor with every element set to `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// The number of elements.
    public var count: Int { scalars.count }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The same elements viewed with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Reads or writes one element by its multi-dimensional index.
    public subscript(_ index: Int...) -> Float {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
        var flat = 0
        for (position, extent) in zip(index, shape) {
            precondition(position >= 0 && position < extent, "index \(index) outside \(shape)")
            flat = flat * extent + position
        }
        return flat
    }

    /// Row `row` of a rank-2 tensor.
    public func row(_ row: Int) -> ArraySlice<Float> {
        precondition(rank == 2, "row(_:) needs a rank-2 tensor, got shape \(shape)")
        let width = shape[1]
        return scalars[(row * width)..<((row + 1) * width)]
    }

    /// The tensor with its two dimensions swapped (rank 2 only).
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a rank-2 tensor, got shape \(shape)")
        let rows = shape[0]
        let columns = shape[1]
        var result = [Float](repeating: 0, count: count)
        for row in 0..<rows {
            for column in 0..<columns {
                result[column * rows + row] = scalars[row * columns + column]
            }
        }
        return Tensor(shape: [columns, rows], scalars: result)
    }

    /// The largest absolute elementwise difference to a tensor of the same shape.
    public func maximumAbsoluteDifference(to other: Tensor) -> Float {
        precondition(shape == other.shape, "shapes differ: \(shape) and \(other.shape)")
        var worst: Float = 0
        for (a, b) in zip(scalars, other.scalars) {
            worst = max(worst, abs(a - b))
        }
        return worst
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
