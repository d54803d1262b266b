import Evaluation

/// Texts in, one vector per text out: tokenizer, encoder and pooling together.
public struct SentenceEmbedder {
    public let tokenizer: WordPieceTokenizer
    public let model: BertModel
    public var pooling: Pooling
    public var normalize: Bool
    public var maxLength: Int
    public var batchSize: Int

    public init(
        tokenizer: WordPieceTokenizer, model: BertModel, pooling: Pooling = .mean,
        normalize: Bool = false, maxLength: Int = 128, batchSize: Int = 32
    ) {
        self.tokenizer = tokenizer
        self.model = model
        self.pooling = pooling
        self.normalize = normalize
        self.maxLength = maxLength
        self.batchSize = max(1, batchSize)
    }

    public init(checkpoint: Checkpoint, pooling: Pooling = .mean, normalize: Bool = false,
                maxLength: Int = 128, batchSize: Int = 32) {
        self.init(tokenizer: checkpoint.tokenizer, model: checkpoint.model, pooling: pooling,
                  normalize: normalize, maxLength: maxLength, batchSize: batchSize)
    }

    /// Embeddings in input order, [texts, hidden].
    ///
    /// Texts are grouped into batches of similar length (the batch is packed, so this only
    /// evens out the attention work between threads); results do not depend on the grouping.
    public func embed(_ texts: [String]) throws -> Tensor {
        try embed(texts.map { TextInput($0) })
    }

    /// Embeddings of texts or text pairs (encoded as `[CLS] a [SEP] b [SEP]`), in input order.
    public func embed(_ inputs: [TextInput]) throws -> Tensor {
        let texts = inputs
        let encodings = inputs.map { input in
            input.pair.map { tokenizer.encode(input.text, $0, maxLength: maxLength) } ?? tokenizer.encode(input.text, maxLength: maxLength)
        }
        let order = encodings.indices.sorted { encodings[$0].count > encodings[$1].count }
        let width = model.configuration.hiddenSize
        var result = Tensor(shape: [texts.count, width])
        var start = 0
        while start < order.count {
            try Interruption.checkpoint()
            let chunk = Array(order[start..<min(start + batchSize, order.count)])
            let output = try model(TokenBatch(chunk.map { encodings[$0] }))
            let vectors = output.pooled(pooling, normalize: normalize)
            for (position, original) in chunk.enumerated() {
                result.scalars.replaceSubrange(
                    (original * width)..<((original + 1) * width),
                    with: vectors.scalars[(position * width)..<((position + 1) * width)])
            }
            start += batchSize
        }
        return result
    }
}
