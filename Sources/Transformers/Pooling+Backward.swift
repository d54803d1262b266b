extension Pooling {
    /// ∂L/∂(hidden states), [tokens, hidden], from ∂L/∂(pooled vectors), [sequences, hidden]:
    /// mean pooling spreads each sequence's gradient evenly over its tokens, CLS pooling sends
    /// it to the first token.
    public func backward(pooledGradient: Tensor, offsets: [Int]) -> Tensor {
        let hidden = pooledGradient.shape[1]
        var hiddenGradient = Tensor(shape: [offsets.last ?? 0, hidden])
        for sequence in 0..<(offsets.count - 1) {
            let rows = offsets[sequence]..<offsets[sequence + 1]
            guard !rows.isEmpty else { continue }
            let source = pooledGradient.scalars[(sequence * hidden)..<((sequence + 1) * hidden)]
            switch self {
            case .cls:
                hiddenGradient.scalars.replaceSubrange((rows.lowerBound * hidden)..<((rows.lowerBound + 1) * hidden), with: source)
            case .mean:
                let share = 1 / Float(rows.count)
                for row in rows {
                    for (column, value) in source.enumerated() {
                        hiddenGradient.scalars[row * hidden + column] = value * share
                    }
                }
            }
        }
        return hiddenGradient
    }
}

/// Scaling rows to unit L2 length, y = x / max(‖x‖, 1e-12) (`torch.nn.functional.normalize`),
/// with its backward pass.
public enum RowNormalization {
    /// The smallest norm divided by, as PyTorch's `normalize`.
    public static let epsilon: Float = 1e-12

    /// Unit rows of `rows` ([n, d]) and the divisors used.
    public static func forward(_ rows: Tensor) -> (normalized: Tensor, divisors: [Float]) {
        let width = rows.shape[1]
        var normalized = rows
        var divisors: [Float] = []
        for row in 0..<rows.shape[0] {
            let slice = (row * width)..<((row + 1) * width)
            let divisor = max(rows.scalars[slice].reduce(0) { $0 + $1 * $1 }.squareRoot(), epsilon)
            divisors.append(divisor)
            for index in slice { normalized.scalars[index] /= divisor }
        }
        return (normalized, divisors)
    }

    /// ∂L/∂x from ∂L/∂y: (∂L/∂y − y·(y·∂L/∂y)) / ‖x‖ where the norm was divided by, ∂L/∂y / ε
    /// where ε was.
    public static func backward(outputGradient: Tensor, normalized: Tensor, divisors: [Float]) -> Tensor {
        let width = normalized.shape[1]
        var inputGradient = outputGradient
        for (row, divisor) in divisors.enumerated() {
            let slice = (row * width)..<((row + 1) * width)
            let projection = divisor > epsilon
                ? slice.reduce(Float(0)) { $0 + normalized.scalars[$1] * outputGradient.scalars[$1] } : 0
            for index in slice {
                inputGradient.scalars[index] = (outputGradient.scalars[index] - normalized.scalars[index] * projection) / divisor
            }
        }
        return inputGradient
    }
}
