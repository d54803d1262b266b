/// How token vectors become one sentence vector.
public enum Pooling: String, Sendable, CaseIterable {
    /// The average of a sequence's token vectors (sentence-transformers' default).
    case mean
    /// The vector of the first ([CLS]) token.
    case cls
}

extension EncoderOutput {
    /// One vector per sequence, [sequences, hidden], optionally scaled to unit L2 norm.
    ///
    /// Normalisation divides by max(‖v‖, 1e-12), as `torch.nn.functional.normalize` does.
    public func pooled(_ pooling: Pooling, normalize: Bool = false) -> Tensor {
        let width = hiddenStates.shape[1]
        var result = Tensor(shape: [sequenceCount, width])
        for sequence in 0..<sequenceCount {
            let rows = offsets[sequence]..<offsets[sequence + 1]
            var vector = [Float](repeating: 0, count: width)
            switch pooling {
            case .cls:
                if let first = rows.first {
                    for column in 0..<width { vector[column] = hiddenStates.scalars[first * width + column] }
                }
            case .mean:
                for row in rows {
                    for column in 0..<width { vector[column] += hiddenStates.scalars[row * width + column] }
                }
                let count = Float(max(rows.count, 1))
                for column in 0..<width { vector[column] /= count }
            }
            if normalize {
                let norm = max(vector.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
                for column in 0..<width { vector[column] /= norm }
            }
            result.scalars.replaceSubrange((sequence * width)..<((sequence + 1) * width), with: vector)
        }
        return result
    }
}
