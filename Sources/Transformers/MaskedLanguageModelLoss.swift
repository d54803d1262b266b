#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Log-softmax over vocabulary rows, and the masked-LM training loss.
///
/// Logits are float32 (as the model computes them). For scoring, the normaliser
/// log Σⱼ exp(zⱼ) is accumulated in Double, as the PyTorch reference scores do (log-softmax in
/// float64): over 30,522 terms a float sum would lose about three digits, and CrowS-Pairs
/// compares sums of dozens of such values. Training uses the float softmax (see
/// `lossAndGradient`).
public enum MaskedLanguageModelLoss {
    /// The label of a position that is not scored (PyTorch's `ignore_index` default).
    public static let ignoredLabel = -100

    /// log Σⱼ exp(zⱼ) of one row, accumulated in Double with the maximum subtracted first so
    /// that no term overflows: m + log Σⱼ exp(zⱼ − m).
    public static func logSumExp(_ row: UnsafePointer<Float>, width: Int) -> Double {
        var maximum = -Float.infinity
        for index in 0..<width { maximum = max(maximum, row[index]) }
        let shift = Double(maximum)
        var sum = 0.0
        for index in 0..<width { sum += exp(Double(row[index]) - shift) }
        return shift + log(sum)
    }

    /// Mean cross-entropy over the rows of `logits` ([rows, vocabulary]), one target id per row,
    /// and ∂L/∂logits: L = −(1/N) Σᵢ log softmax(zᵢ)[yᵢ], ∂L/∂zᵢ = (softmax(zᵢ) − onehot(yᵢ)) / N
    /// (Goodfellow et al. 2016, §6.2.2.3).
    ///
    /// Training needs the whole softmax row anyway, so each row goes through the vectorised
    /// float softmax (`Kernels.softmaxRows`, SIMD exp) rather than the Double normaliser that
    /// scoring uses: the loss then carries a relative error near 1e-6, far below the noise of
    /// float gradients, at a fraction of the cost of 30,522 libm calls per row. A target whose
    /// float probability underflows to 0 is scored with the Double normaliser. Rows run in
    /// parallel; each row's loss is kept apart and summed in order, so the result does not
    /// depend on the thread count.
    public static func lossAndGradient(logits: Tensor, targets: [Int]) -> (loss: Double, gradient: Tensor) {
        precondition(logits.rank == 2 && logits.shape[0] == targets.count, "logits and targets differ in rows")
        let rows = targets.count
        let width = logits.shape[1]
        var gradient = Tensor(shape: logits.shape)
        guard rows > 0 else { return (0, gradient) }
        var losses = [Double](repeating: 0, count: rows)
        let share = 1 / Double(rows)
        let floatShare = Float(share)
        logits.scalars.withUnsafeBufferPointer { logitBuffer in
            gradient.scalars.withUnsafeMutableBufferPointer { gradientBuffer in
                losses.withUnsafeMutableBufferPointer { lossBuffer in
                    let (z, g, perRow) = (logitBuffer.baseAddress!, gradientBuffer.baseAddress!, lossBuffer.baseAddress!)
                    ComputeThreads.parallelChunks(rows) { range in
                        for row in range {
                            let logitRow = z + row * width
                            let gradientRow = g + row * width
                            gradientRow.update(from: logitRow, count: width)
                            Kernels.softmaxRows(gradientRow, rows: 1, width: width, stride: width)
                            let target = targets[row]
                            let probability = gradientRow[target]
                            perRow[row] = probability > 0
                                ? -log(Double(probability)) : logSumExp(logitRow, width: width) - Double(logitRow[target])
                            for index in 0..<width { gradientRow[index] *= floatShare }
                            gradientRow[target] -= floatShare
                        }
                    }
                }
            }
        }
        return (losses.reduce(0, +) * share, gradient)
    }
}
