import Foundation

extension BertMaskedLanguageModel {
    /// Masked-LM scores summed over the labelled positions of some batches.
    public struct MaskedTally: Sendable, Equatable {
        /// Σ −log softmax(z)[target] over the labelled positions (natural log).
        public var lossSum = 0.0
        public var positions = 0
        /// Positions whose most probable token is the target.
        public var correct = 0

        public init() {}

        /// The mean cross-entropy (the training loss's definition).
        public var loss: Double { positions == 0 ? 0 : lossSum / Double(positions) }
        /// exp(mean cross-entropy): the masked-token perplexity.
        public var perplexity: Double { exp(loss) }
        /// The fraction of labelled positions predicted exactly.
        public var accuracy: Double { positions == 0 ? 0 : Double(correct) / Double(positions) }
    }

    /// Adds a masked batch's losses and top-1 hits to `tally`, without dropout or gradients.
    /// `labels` is as for `accumulateGradients(_:labels:pass:)`; each position's loss uses the
    /// Double normaliser, as scoring does.
    public func tally(_ batch: TokenBatch, labels: [Int], into tally: inout MaskedTally) throws {
        try checkLabels(labels, of: batch)
        let (positions, targets) = labelledPositions(batch, labels: labels)
        guard !targets.isEmpty else { return }
        let output = try model(batch)
        let rows = positions.map { encoderRow(position: $0.position, of: $0.sequence, in: output.offsets) }
        let logits = head.forward(output.hiddenStates, rows: rows).logits
        let width = head.vocabularySize
        var losses = [Double](repeating: 0, count: targets.count)
        var hits = [Bool](repeating: false, count: targets.count)
        logits.scalars.withUnsafeBufferPointer { logitBuffer in
            losses.withUnsafeMutableBufferPointer { lossBuffer in
                hits.withUnsafeMutableBufferPointer { hitBuffer in
                    let (z, lossOut, hitOut) = (logitBuffer.baseAddress!, lossBuffer.baseAddress!, hitBuffer.baseAddress!)
                    ComputeThreads.parallelForEach(targets.count) { index in
                        let row = z + index * width
                        lossOut[index] = MaskedLanguageModelLoss.logSumExp(row, width: width) - Double(row[targets[index]])
                        hitOut[index] = Self.largest(1, of: row, width: width).first == targets[index]
                    }
                }
            }
        }
        tally.lossSum += losses.reduce(0, +)
        tally.positions += targets.count
        tally.correct += hits.filter { $0 }.count
    }
}
