/// Row-wise and elementwise kernels on raw buffers, vectorised with `VectorMath`.
///
/// The `Tensor` extensions wrap these; layers call them directly on their scratch buffers to
/// avoid copies in the hot path.
public enum Kernels {
    /// Replaces each of `rows` rows of length `width` (stride `stride`) by its softmax.
    ///
    /// softmax(x)ᵢ = exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x); subtracting the maximum keeps every
    /// exponent ≤ 0 so nothing overflows.
    public static func softmaxRows(
        _ values: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int
    ) {
        for row in 0..<rows {
            let start = values + row * stride
            var maximum = -Float.infinity
            var maximumLanes = VectorMath.Vector(repeating: -.infinity)
            var scan = 0
            while scan + 16 <= width {
                maximumLanes = VectorMath.maximum(maximumLanes, VectorMath.load(start + scan))
                scan += 16
            }
            maximum = VectorMath.maximum(maximumLanes)
            while scan < width { maximum = max(maximum, start[scan]); scan += 1 }
            let shift = VectorMath.Vector(repeating: maximum)
            var lanes = VectorMath.Vector(repeating: 0)
            var index = 0
            while index + 16 <= width {
                let e = VectorMath.exp(VectorMath.load(start + index) - shift)
                VectorMath.store(e, start + index)
                lanes += e
                index += 16
            }
            var sum = VectorMath.sum(lanes)
            while index < width {
                let e = VectorMath.exp(VectorMath.Vector(repeating: start[index] - maximum))[0]
                start[index] = e
                sum += e
                index += 1
            }
            let inverse = 1 / sum
            let inverseLanes = VectorMath.Vector(repeating: inverse)
            var position = 0
            while position + 16 <= width {
                VectorMath.store(VectorMath.load(start + position) * inverseLanes, start + position)
                position += 16
            }
            while position < width { start[position] *= inverse; position += 1 }
        }
    }

    /// Layer normalisation of each row: y = (x − mean) / √(var + ε) · γ + β.
    ///
    /// The variance is the biased (population) one, as in PyTorch's `LayerNorm`. When `bias`
    /// is given, x + bias is normalised instead (written into `output` first), which folds a
    /// preceding layer's bias into this pass. `output` may be the same buffer as `input`. When `normalized` is given it receives
    /// x̂ = (x − mean)/√(var + ε) and `inverseDeviations` the per-row 1/√(var + ε), which the
    /// backward pass needs.
    public static func layerNormRows(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        rows: Int, width: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        epsilon: Float,
        bias: UnsafePointer<Float>? = nil,
        normalized: UnsafeMutablePointer<Float>? = nil,
        inverseDeviations: UnsafeMutablePointer<Float>? = nil
    ) {
        ComputeThreads.parallelChunks(rows, minimumPerThread: 64) { range in
            for row in range {
                let y = output + row * width
                var x = input + row * width
                if let bias {
                    for index in 0..<width { y[index] = x[index] + bias[index] }
                    x = UnsafePointer(y)
                }
                var sum: Float = 0
                var index = 0
                var lanes = VectorMath.Vector(repeating: 0)
                while index + 16 <= width {
                    lanes += VectorMath.load(x + index)
                    index += 16
                }
                sum = VectorMath.sum(lanes)
                while index < width { sum += x[index]; index += 1 }
                let mean = sum / Float(width)
                // Second pass over centred values: exact where E[x²] − mean² would cancel.
                var squares = VectorMath.Vector(repeating: 0)
                let meanLanes = VectorMath.Vector(repeating: mean)
                index = 0
                while index + 16 <= width {
                    let centred = VectorMath.load(x + index) - meanLanes
                    squares += centred * centred
                    index += 16
                }
                var squareSum = VectorMath.sum(squares)
                while index < width {
                    let centred = x[index] - mean
                    squareSum += centred * centred
                    index += 1
                }
                let inverse = 1 / (squareSum / Float(width) + epsilon).squareRoot()
                inverseDeviations?[row] = inverse
                let normalizedRow = normalized.map { $0 + row * width }
                for position in 0..<width {
                    let xHat = (x[position] - mean) * inverse
                    normalizedRow?[position] = xHat
                    y[position] = xHat * gamma[position] + beta[position]
                }
            }
        }
    }

    /// Adds `bias` (length `width`) to every row, then applies exact GELU, in parallel.
    public static func addBiasGELU(
        _ values: UnsafeMutablePointer<Float>, rows: Int, width: Int, bias: UnsafePointer<Float>
    ) {
        ComputeThreads.parallelChunks(rows, minimumPerThread: 16) { range in
            for row in range {
                let start = values + row * width
                for index in 0..<width { start[index] += bias[index] }
                VectorMath.map(start, count: width, VectorMath.gelu)
            }
        }
    }

    /// Exact GELU of `count` values, in place, in parallel.
    public static func gelu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        ComputeThreads.parallelChunks(count / 16 + 1, minimumPerThread: 1024) { blocks in
            let start = blocks.lowerBound * 16
            let end = min(count, blocks.upperBound * 16)
            if start < end { VectorMath.map(values + start, count: end - start, VectorMath.gelu) }
        }
    }

    /// Writes `bias` into every row of `values`, so that a following sgemm with β = 1 adds the
    /// product to it: one pass instead of a product followed by a bias pass.
    public static func broadcastRows(
        _ bias: UnsafePointer<Float>, into values: UnsafeMutablePointer<Float>, rows: Int,
        width: Int
    ) {
        for row in 0..<rows {
            (values + row * width).update(from: bias, count: width)
        }
    }
}

extension Kernels {
    /// values[i] += addend[i] for `count` elements, in parallel.
    public static func add(
        _ addend: UnsafePointer<Float>, into values: UnsafeMutablePointer<Float>, count: Int
    ) {
        ComputeThreads.parallelChunks(count, minimumPerThread: 65_536) { range in
            var index = range.lowerBound
            while index + 16 <= range.upperBound {
                VectorMath.store(
                    VectorMath.load(values + index) + VectorMath.load(addend + index),
                    values + index)
                index += 16
            }
            while index < range.upperBound {
                values[index] += addend[index]
                index += 1
            }
        }
    }
}
