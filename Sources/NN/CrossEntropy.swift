#if canImport(Glibc)
    import Glibc
#endif

/// Softmax cross-entropy, averaged over the batch: L = −(1/B) Σᵢ log softmax(zᵢ)[yᵢ].
public enum CrossEntropy {
    /// The mean loss and ∂L/∂logits = (softmax(z) − onehot(y)) / B, for logits [B, classes].
    ///
    /// Throws `NNError` when the label count differs from the batch or a label is not a class.
    public static func lossAndGradient(logits: Tensor, labels: [Int]) throws -> (loss: Float, gradient: Tensor) {
        guard logits.rank == 2 else { throw NNError.sizeMismatch(what: "logits rank", expected: 2, actual: logits.rank) }
        guard logits.shape[0] == labels.count else {
            throw NNError.sizeMismatch(what: "labels for a batch of logits", expected: logits.shape[0], actual: labels.count)
        }
        let batch = logits.shape[0]
        let classes = logits.shape[1]
        var gradient = Tensor(shape: logits.shape)
        var total = 0.0
        for row in 0..<batch {
            let z = logits.scalars[(row * classes)..<((row + 1) * classes)].map(Double.init)
            let maximum = z.max() ?? 0
            let exps = z.map { exp($0 - maximum) }
            let sum = exps.reduce(0, +)
            let label = labels[row]
            guard label >= 0 && label < classes else { throw NNError.labelOutOfRange(label: label, row: row, classes: classes) }
            total += -(z[label] - maximum - log(sum))
            for column in 0..<classes {
                let probability = exps[column] / sum
                gradient.scalars[row * classes + column] =
                    Float((probability - (column == label ? 1 : 0)) / Double(batch))
            }
        }
        return (Float(total / Double(max(batch, 1))), gradient)
    }

    /// Class probabilities, softmax over each row of logits.
    public static func probabilities(logits: Tensor) -> Tensor {
        logits.softmax()
    }
}
