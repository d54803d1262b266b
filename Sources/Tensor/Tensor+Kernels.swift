extension Tensor {
    /// Softmax over the last dimension.
    public func softmax() -> Tensor {
        precondition(rank >= 1, "softmax needs at least one dimension")
        var result = self
        let width = shape[rank - 1]
        guard width > 0 else { return result }
        let rows = count / width
        result.scalars.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            ComputeThreads.parallelChunks(rows, minimumPerThread: 32) { range in
                Kernels.softmaxRows(
                    base + range.lowerBound * width, rows: range.count, width: width,
                    stride: width)
            }
        }
        return result
    }

    /// Layer normalisation over the last dimension with scale γ and shift β.
    public func layerNorm(gamma: Tensor, beta: Tensor, epsilon: Float) -> Tensor {
        let width = shape[rank - 1]
        precondition(gamma.count == width && beta.count == width, "γ and β must have \(width) values")
        var result = Tensor(shape: shape)
        guard count > 0 else { return result }
        scalars.withUnsafeBufferPointer { input in
            result.scalars.withUnsafeMutableBufferPointer { output in
                gamma.scalars.withUnsafeBufferPointer { g in
                    beta.scalars.withUnsafeBufferPointer { b in
                        Kernels.layerNormRows(
                            input: input.baseAddress!, output: output.baseAddress!,
                            rows: count / width, width: width, gamma: g.baseAddress!,
                            beta: b.baseAddress!, epsilon: epsilon)
                    }
                }
            }
        }
        return result
    }

    /// The exact GELU, x·Φ(x), elementwise.
    public func gelu() -> Tensor {
        var result = self
        guard count > 0 else { return result }
        let total = count
        result.scalars.withUnsafeMutableBufferPointer { buffer in
            Kernels.gelu(buffer.baseAddress!, count: total)
        }
        return result
    }

    /// Rows of a rank-2 table gathered by index: the embedding lookup.
    public func gatherRows(_ indices: [Int32]) -> Tensor {
        precondition(rank == 2, "gatherRows needs a rank-2 table")
        let width = shape[1]
        var result = [Float](repeating: 0, count: indices.count * width)
        for (position, index) in indices.enumerated() {
            let row = Int(index)
            precondition(row >= 0 && row < shape[0], "row \(row) outside table of \(shape[0])")
            for column in 0..<width {
                result[position * width + column] = scalars[row * width + column]
            }
        }
        return Tensor(shape: [indices.count, width], scalars: result)
    }

    /// Elementwise sum of two tensors of the same shape.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        precondition(lhs.shape == rhs.shape, "shapes differ: \(lhs.shape) and \(rhs.shape)")
        return Tensor(shape: lhs.shape, scalars: zip(lhs.scalars, rhs.scalars).map { $0 + $1 })
    }

    /// The L2 norm of all elements.
    public var l2Norm: Float {
        var sum: Double = 0
        for value in scalars { sum += Double(value) * Double(value) }
        return Float(sum.squareRoot())
    }
}
