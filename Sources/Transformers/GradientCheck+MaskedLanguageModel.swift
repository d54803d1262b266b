import Foundation

extension GradientCheck {
    /// Recomputes a PyTorch masked-LM gradient reference (the format of
    /// `mlm/mlm_grad_check.json`) and compares the loss and every gradient with it, under the
    /// same criteria as `run(checkpoint:reference:)`.
    ///
    /// The reference gives right-padded `input_ids` (already masked), `token_type_ids`,
    /// `attention_mask` and `labels` (−100 where not scored); the batch is packed without the
    /// padding, honouring the attention mask, and trained with dropout off. Reference names
    /// carry the `bert.` prefix; the word-embedding gradient includes the tied decoder's share.
    public func runMaskedLanguageModel(checkpoint: Checkpoint, reference url: URL) throws -> Report {
        let path = url.path
        let object = try Self.referenceObject(at: url)
        func rows(_ key: String) throws -> [[Int]] {
            try Self.field(key, as: [[NSNumber]].self, in: object, path: path).map { $0.map(\.intValue) }
        }
        let inputIDs = try rows("input_ids")
        let typeIDs = try rows("token_type_ids")
        let attentionMask = try rows("attention_mask")
        let paddedLabels = try rows("labels")
        let referenceLoss = try Self.field("loss", as: NSNumber.self, in: object, path: path).doubleValue
        let gradients = try Self.field("gradients", as: [String: Any].self, in: object, path: path)
        let shapes = [typeIDs, attentionMask, paddedLabels].map { $0.map(\.count) }
        guard !inputIDs.isEmpty, shapes.allSatisfy({ $0 == inputIDs.map(\.count) }) else {
            throw TransformersError.invalidInput(
                reason: "\(path): input_ids, token_type_ids, attention_mask and labels must have the same shape")
        }
        func int32(_ rows: [[Int]]) -> [[Int32]] { rows.map { $0.map { Int32(truncatingIfNeeded: $0) } } }
        let padded = PaddedBatch(
            inputIDs: int32(inputIDs), attentionMask: int32(attentionMask), tokenTypeIDs: int32(typeIDs))
        let batch = try TokenBatch(padded)
        let labels = zip(paddedLabels, attentionMask).flatMap { labels, mask in zip(labels, mask).filter { $0.1 == 1 }.map(\.0) }
        let language = try BertMaskedLanguageModel(checkpoint: checkpoint)
        for parameter in language.parameters {
            parameter.isTrainable = true
            parameter.gradient = nil
        }
        let loss = try language.accumulateGradients(batch, labels: labels, pass: .deterministic)
        return try compare(
            loss: loss, referenceLoss: referenceLoss, gradients: gradients, parameters: language.parameters, path: path)
    }
}
