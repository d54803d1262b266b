import Foundation

extension BertMaskedLanguageModel {
    /// One masked-LM training forward and backward over a packed batch (Devlin et al. 2019,
    /// §3.1): accumulates the gradients of every trainable parameter of the encoder and the head
    /// and returns the loss, the mean cross-entropy over the positions whose label is not
    /// `MaskedLanguageModelLoss.ignoredLabel` (−100).
    ///
    /// `labels` has one entry per token of `batch` in packed order: the original token id where
    /// the position is scored, −100 elsewhere; the batch's ids are already masked (the masking
    /// procedure is the caller's). Only the labelled rows go through the head, so the vocabulary
    /// projection costs 2·hidden·V flops per labelled position, not per token. A tied decoder's
    /// gradient is added to the word-embedding gradient. A batch with no labelled position
    /// returns 0 and changes no gradient (PyTorch would return NaN).
    @discardableResult
    public func accumulateGradients(_ batch: TokenBatch, labels: [Int], pass: TrainingPass) throws -> Double {
        try checkLabels(labels, of: batch)
        return try accumulateCheckedGradients(batch, labels: labels, pass: pass)
    }

    /// Throws unless there is one label per token, each a token id or −100.
    func checkLabels(_ labels: [Int], of batch: TokenBatch) throws {
        guard labels.count == batch.tokenCount else {
            throw TransformersError.invalidInput(
                reason: "masked-LM labels: \(labels.count) labels for a batch of \(batch.tokenCount) tokens; "
                    + "give one per token (\(MaskedLanguageModelLoss.ignoredLabel) where not scored)")
        }
        let vocabulary = head.vocabularySize
        if let bad = labels.first(where: { $0 != MaskedLanguageModelLoss.ignoredLabel && !(0..<vocabulary).contains($0) }) {
            throw TransformersError.invalidInput(
                reason: "masked-LM label \(bad) is neither a token id below \(vocabulary) nor "
                    + "\(MaskedLanguageModelLoss.ignoredLabel) (not scored)")
        }
    }

    private func accumulateCheckedGradients(_ batch: TokenBatch, labels: [Int], pass: TrainingPass) throws -> Double {
        let (positions, targets) = labelledPositions(batch, labels: labels)
        guard !targets.isEmpty else { return 0 }
        let activations = try model.trainingForward(batch, pass: pass)
        let offsets = activations.batch.offsets
        let rows = positions.map { encoderRow(position: $0.position, of: $0.sequence, in: offsets) }
        let record = head.forward(activations.hiddenStates, rows: rows)
        let (loss, logitsGradient) = MaskedLanguageModelLoss.lossAndGradient(logits: record.logits, targets: targets)
        let rowGradients = logitsGradient.scalars.withUnsafeBufferPointer {
            head.backward(record, logitsGradient: $0.baseAddress!)
        }
        let hidden = head.hiddenSize
        var outputGradient = Tensor(shape: [activations.batch.tokenCount, hidden])
        for (index, row) in rows.enumerated() {
            outputGradient.scalars.replaceSubrange(
                (row * hidden)..<((row + 1) * hidden),
                with: rowGradients.scalars[(index * hidden)..<((index + 1) * hidden)])
        }
        model.backward(activations, outputGradient: outputGradient)
        return loss
    }

    /// The (sequence, position) of every labelled token of a packed batch and its target id.
    func labelledPositions(_ batch: TokenBatch, labels: [Int]) -> (positions: [(sequence: Int, position: Int)], targets: [Int]) {
        var positions: [(sequence: Int, position: Int)] = []
        var targets: [Int] = []
        for sequence in 0..<batch.sequenceCount {
            let rows = batch.rows(of: sequence)
            for row in rows where labels[row] != MaskedLanguageModelLoss.ignoredLabel {
                positions.append((sequence, row - rows.lowerBound))
                targets.append(labels[row])
            }
        }
        return (positions, targets)
    }

    /// Every parameter trained by masked-LM training: the encoder's and the head's (a tied
    /// decoder once, as the word-embedding table).
    public var parameters: [Parameter] { model.parameters + head.parameters }
}
