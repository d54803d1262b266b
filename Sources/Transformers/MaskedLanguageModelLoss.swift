#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Log-softmax over vocabulary rows, and the masked-LM training loss.
///
/// Logits are float32 (as the model computes them) but the normaliser log Σⱼ exp(zⱼ) is
/// accumulated in Double, as the PyTorch reference scores do (log-softmax in float64): over
/// 30,522 terms a float sum would lose about three digits, and CrowS-Pairs compares sums of
/// dozens of such values.
public enum MaskedLanguageModelLoss {
    /// The label of a position that is not scored (PyTorch's `ignore_index` default).
    public static let ignoredLabel = -100

    /// log Σⱼ exp(zⱼ) of one row, with the maximum subtracted first so that no term overflows:
    /// m + log Σⱼ exp(zⱼ − m).
    public static func logSumExp(_ row: UnsafePointer<Float>, width: Int) -> Double {
        let (shift, sum) = shiftedSum(row, width: width, exponentials: nil)
        return shift + log(sum)
    }

    /// The row maximum m and Σⱼ exp(zⱼ − m) in Double; `exponentials`, when given, receives
    /// each exp(zⱼ − m) as a float, which the loss gradient reuses instead of exponentiating twice.
    static func shiftedSum(
        _ row: UnsafePointer<Float>, width: Int, exponentials: UnsafeMutablePointer<Float>?
    ) -> (shift: Double, sum: Double) {
        var maximum = -Float.infinity
        for index in 0..<width { maximum = max(maximum, row[index]) }
        let shift = Double(maximum)
        var sum = 0.0
        if let exponentials {
            for index in 0..<width {
                let term = exp(Double(row[index]) - shift)
                exponentials[index] = Float(term)
                sum += term
            }
        } else {
            for index in 0..<width { sum += exp(Double(row[index]) - shift) }
        }
        return (shift, sum)
    }

    /// Mean cross-entropy over the rows of `logits` ([rows, vocabulary]), one target id per row,
    /// and ∂L/∂logits: L = −(1/N) Σᵢ log softmax(zᵢ)[yᵢ], ∂L/∂zᵢ = (softmax(zᵢ) − onehot(yᵢ)) / N
    /// (Goodfellow et al. 2016, §6.2.2.3). Rows run in parallel; each row's loss is kept apart
    /// and summed in order, so the result does not depend on the thread count.
    public static func lossAndGradient(logits: Tensor, targets: [Int]) -> (loss: Double, gradient: Tensor) {
        precondition(logits.rank == 2 && logits.shape[0] == targets.count, "logits and targets differ in rows")
        let rows = targets.count
        let width = logits.shape[1]
        var gradient = Tensor(shape: logits.shape)
        guard rows > 0 else { return (0, gradient) }
        var losses = [Double](repeating: 0, count: rows)
        let share = 1 / Double(rows)
        logits.scalars.withUnsafeBufferPointer { logitBuffer in
            gradient.scalars.withUnsafeMutableBufferPointer { gradientBuffer in
                losses.withUnsafeMutableBufferPointer { lossBuffer in
                    let (z, g, perRow) = (logitBuffer.baseAddress!, gradientBuffer.baseAddress!, lossBuffer.baseAddress!)
                    ComputeThreads.parallelChunks(rows) { range in
                        for row in range {
                            let logitRow = z + row * width
                            let gradientRow = g + row * width
                            let (shift, sum) = shiftedSum(logitRow, width: width, exponentials: gradientRow)
                            let target = targets[row]
                            perRow[row] = shift + log(sum) - Double(logitRow[target])
                            let scale = Float(share / sum)
                            for index in 0..<width { gradientRow[index] *= scale }
                            gradientRow[target] -= Float(share)
                        }
                    }
                }
            }
        }
        return (losses.reduce(0, +) * share, gradient)
    }
}
