import Foundation

extension MaskedLanguageModelHead {
    /// The output bias under the name older checkpoints use (the decoder's own bias, which
    /// Hugging Face ties to `cls.predictions.bias`).
    public static let decoderBiasName = "cls.predictions.decoder.bias"

    /// Reads the head from a checkpoint's tensors, or returns nil when the file has no
    /// `cls.predictions.*` tensor (an encoder-only or sentence-transformers checkpoint; other
    /// pretraining heads such as `cls.seq_relationship` do not count).
    ///
    /// The output bias may be stored as `cls.predictions.bias` or `cls.predictions.decoder.bias`.
    /// The decoder weight is tied to `wordEmbeddings` when not stored, as `save_pretrained`
    /// writes it, or when stored equal to the embeddings; a stored weight that differs is used
    /// as an untied decoder.
    public static func load(
        from file: SafetensorsFile, configuration: BertConfiguration, wordEmbeddings: Embedding
    ) throws -> MaskedLanguageModelHead? {
        let present = Set(file.names.filter { $0.hasPrefix("cls.predictions.") })
        guard !present.isEmpty else { return nil }
        let biasName = present.contains(outputBiasName) ? outputBiasName : decoderBiasName
        let hidden = configuration.hiddenSize
        let vocabulary = configuration.vocabularySize
        var expected: [(String, [Int])] = [
            (transformWeightName, [hidden, hidden]), (transformBiasName, [hidden]),
            (normWeightName, [hidden]), (normBiasName, [hidden]), (biasName, [vocabulary]),
        ]
        if present.contains(decoderWeightName) { expected.append((decoderWeightName, [vocabulary, hidden])) }
        let missing = expected.map(\.0).filter { !present.contains($0) }
        guard missing.isEmpty else {
            throw TransformersError.missingWeights(path: file.path, names: missing)
        }
        // Both bias names may be stored (tied in PyTorch, so equal); the second is then a copy.
        let known = Set(expected.map(\.0) + [decoderBiasName])
        let unexpected = present.subtracting(known).sorted()
        guard unexpected.isEmpty else {
            throw TransformersError.unexpectedWeights(path: file.path, names: unexpected)
        }
        var tensors: [String: Tensor] = [:]
        for (name, shape) in expected {
            let tensor = try file.tensor(name)
            guard tensor.shape == shape else {
                throw TransformersError.weightShapeMismatch(
                    path: file.path, tensor: name, expected: shape, actual: tensor.shape)
            }
            tensors[name] = tensor
        }
        // Every name below was read above.
        func parameter(_ name: String, as canonical: String? = nil) -> Parameter {
            Parameter(name: canonical ?? name, value: tensors[name].unsafelyUnwrapped)
        }
        let storedDecoder = tensors[decoderWeightName]
        let isTied = storedDecoder == nil || storedDecoder == wordEmbeddings.table.value
        return MaskedLanguageModelHead(
            transform: Linear(weight: parameter(transformWeightName), bias: parameter(transformBiasName)),
            transformNorm: LayerNorm(
                gamma: parameter(normWeightName), beta: parameter(normBiasName),
                epsilon: configuration.layerNormEpsilon),
            decoderWeight: isTied ? wordEmbeddings.table : parameter(decoderWeightName),
            outputBias: parameter(biasName, as: outputBiasName),
            isTied: isTied)
    }

    /// The head's weights by checkpoint name, as `save_pretrained` writes a `BertForMaskedLM`:
    /// a tied decoder weight is not stored (it is the word-embedding table).
    public var namedTensors: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value) })
    }
}
