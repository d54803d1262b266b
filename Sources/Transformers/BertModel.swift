import Foundation

/// The weights of one BERT layer: self-attention, its output projection, the feed-forward block.
public struct BertLayer {
    public var query: Linear
    public var key: Linear
    public var value: Linear
    public var attentionOutput: Linear
    public let attentionNorm: LayerNorm
    public var intermediate: Linear
    public var output: Linear
    public let outputNorm: LayerNorm
    /// Bottleneck adapters after the attention and feed-forward projections (adapter strategy).
    public var attentionAdapter: BottleneckAdapter?
    public var outputAdapter: BottleneckAdapter?

    /// Every parameter of the layer, adapters included.
    public var parameters: [Parameter] {
        query.parameters + key.parameters + value.parameters + attentionOutput.parameters
            + (attentionAdapter?.parameters ?? []) + [attentionNorm.gamma, attentionNorm.beta]
            + intermediate.parameters + output.parameters + (outputAdapter?.parameters ?? [])
            + [outputNorm.gamma, outputNorm.beta]
    }
}

/// A BERT-family encoder (post-layer-norm Transformer, Devlin et al. 2019) with its weights.
///
/// Parameter names follow Hugging Face's `BertModel` so checkpoints load and save unchanged.
public final class BertModel {
    public let configuration: BertConfiguration
    public let wordEmbeddings: Embedding
    public let positionEmbeddings: Embedding
    public let tokenTypeEmbeddings: Embedding
    public let embeddingNorm: LayerNorm
    /// The encoder layers; strategies replace their linear maps' adapters (LoRA).
    public var layers: [BertLayer]
    /// The optional pooler (dense + tanh on [CLS]); sentence-transformers checkpoints omit it.
    public let pooler: Linear?
    /// Learned prompt vectors ([length, hidden]) inserted after [CLS] (prompt tuning).
    public var softPrompt: Parameter?
    /// Every parameter, adapters included, in a stable order.
    public var parameters: [Parameter] {
        [wordEmbeddings.table, positionEmbeddings.table, tokenTypeEmbeddings.table,
         embeddingNorm.gamma, embeddingNorm.beta]
            + layers.flatMap(\.parameters) + (pooler?.parameters ?? []) + (softPrompt.map { [$0] } ?? [])
    }

    /// Builds the model from named tensors, checking that every expected weight is present with
    /// the shape the configuration implies and that nothing unexpected is left over.
    ///
    /// A `bert.` prefix (task-head checkpoints) is stripped; `embeddings.position_ids` (a
    /// buffer) and pretraining heads under `cls.` are ignored.
    public init(configuration: BertConfiguration, weights: [String: Tensor], source: String) throws {
        let c = configuration
        var available: [String: Tensor] = [:]
        for (name, tensor) in weights {
            let stripped = Self.canonicalName(name)
            if Self.isIgnored(stripped) { continue }
            available[stripped] = tensor
        }
        var expected: [(String, [Int])] = [
            ("embeddings.word_embeddings.weight", [c.vocabularySize, c.hiddenSize]),
            ("embeddings.position_embeddings.weight", [c.maximumPositions, c.hiddenSize]),
            ("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, c.hiddenSize]),
            ("embeddings.LayerNorm.weight", [c.hiddenSize]),
            ("embeddings.LayerNorm.bias", [c.hiddenSize]),
        ]
        for index in 0..<c.layerCount {
            let prefix = "encoder.layer.\(index)."
            for (name, shape) in [
                ("attention.self.query", [c.hiddenSize, c.hiddenSize]),
                ("attention.self.key", [c.hiddenSize, c.hiddenSize]),
                ("attention.self.value", [c.hiddenSize, c.hiddenSize]),
                ("attention.output.dense", [c.hiddenSize, c.hiddenSize]),
                ("intermediate.dense", [c.intermediateSize, c.hiddenSize]),
                ("output.dense", [c.hiddenSize, c.intermediateSize]),
            ] {
                expected.append((prefix + name + ".weight", shape))
                expected.append((prefix + name + ".bias", [shape[0]]))
            }
            for norm in ["attention.output.LayerNorm", "output.LayerNorm"] {
                expected.append((prefix + norm + ".weight", [c.hiddenSize]))
                expected.append((prefix + norm + ".bias", [c.hiddenSize]))
            }
        }
        let hasPooler = available["pooler.dense.weight"] != nil
        if hasPooler {
            expected.append(("pooler.dense.weight", [c.hiddenSize, c.hiddenSize]))
            expected.append(("pooler.dense.bias", [c.hiddenSize]))
        }
        let missing = expected.map(\.0).filter { available[$0] == nil }
        guard missing.isEmpty else {
            throw TransformersError.missingWeights(path: source, names: missing)
        }
        let expectedNames = Set(expected.map(\.0))
        let unexpected = available.keys.filter { !expectedNames.contains($0) }.sorted()
        guard unexpected.isEmpty else {
            throw TransformersError.unexpectedWeights(path: source, names: unexpected)
        }
        var byName: [String: Parameter] = [:]
        for (name, shape) in expected {
            guard let tensor = available[name] else { continue }
            guard tensor.shape == shape else {
                throw TransformersError.weightShapeMismatch(
                    path: source, tensor: name, expected: shape, actual: tensor.shape)
            }
            byName[name] = Parameter(name: name, value: tensor)
        }
        // Every name below was checked present above.
        func p(_ name: String) -> Parameter { byName[name].unsafelyUnwrapped }
        func linear(_ name: String) -> Linear { Linear(weight: p(name + ".weight"), bias: p(name + ".bias")) }
        func norm(_ name: String) -> LayerNorm {
            LayerNorm(gamma: p(name + ".weight"), beta: p(name + ".bias"), epsilon: c.layerNormEpsilon)
        }
        self.configuration = c
        self.wordEmbeddings = Embedding(table: p("embeddings.word_embeddings.weight"))
        self.positionEmbeddings = Embedding(table: p("embeddings.position_embeddings.weight"))
        self.tokenTypeEmbeddings = Embedding(table: p("embeddings.token_type_embeddings.weight"))
        self.embeddingNorm = norm("embeddings.LayerNorm")
        self.layers = (0..<c.layerCount).map { index in
            let prefix = "encoder.layer.\(index)."
            return BertLayer(
                query: linear(prefix + "attention.self.query"),
                key: linear(prefix + "attention.self.key"),
                value: linear(prefix + "attention.self.value"),
                attentionOutput: linear(prefix + "attention.output.dense"),
                attentionNorm: norm(prefix + "attention.output.LayerNorm"),
                intermediate: linear(prefix + "intermediate.dense"),
                output: linear(prefix + "output.dense"),
                outputNorm: norm(prefix + "output.LayerNorm"), attentionAdapter: nil, outputAdapter: nil)
        }
        self.pooler = hasPooler ? linear("pooler.dense") : nil
    }

    /// A checkpoint tensor name without the `bert.` prefix that task-head checkpoints add.
    public static func canonicalName(_ name: String) -> String {
        name.hasPrefix("bert.") ? String(name.dropFirst(5)) : name
    }

    /// Tensors a BERT checkpoint may carry that the encoder does not use.
    public static func isIgnored(_ name: String) -> Bool {
        name == "embeddings.position_ids" || name.hasPrefix("cls.")
    }

    /// A model with random weights (normal, σ = 0.02, as BERT initialises; norms at γ=1, β=0).
    public static func randomlyInitialized(
        configuration: BertConfiguration, seed: UInt64, includePooler: Bool = false
    ) -> BertModel {
        var generator = SeededGenerator(seed: seed)
        var weights: [String: Tensor] = [:]
        let c = configuration
        func matrix(_ name: String, _ rows: Int, _ columns: Int) {
            weights[name] = generator.normalTensor(shape: [rows, columns], standardDeviation: 0.02)
        }
        func zeros(_ name: String, _ count: Int) { weights[name] = Tensor(shape: [count]) }
        func norm(_ name: String) {
            weights[name + ".weight"] = Tensor(shape: [c.hiddenSize], repeating: 1)
            zeros(name + ".bias", c.hiddenSize)
        }
        matrix("embeddings.word_embeddings.weight", c.vocabularySize, c.hiddenSize)
        matrix("embeddings.position_embeddings.weight", c.maximumPositions, c.hiddenSize)
        matrix("embeddings.token_type_embeddings.weight", c.typeVocabularySize, c.hiddenSize)
        norm("embeddings.LayerNorm")
        for index in 0..<c.layerCount {
            let prefix = "encoder.layer.\(index)."
            for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                matrix(prefix + name + ".weight", c.hiddenSize, c.hiddenSize)
                zeros(prefix + name + ".bias", c.hiddenSize)
            }
            matrix(prefix + "intermediate.dense.weight", c.intermediateSize, c.hiddenSize)
            zeros(prefix + "intermediate.dense.bias", c.intermediateSize)
            matrix(prefix + "output.dense.weight", c.hiddenSize, c.intermediateSize)
            zeros(prefix + "output.dense.bias", c.hiddenSize)
            norm(prefix + "attention.output.LayerNorm")
            norm(prefix + "output.LayerNorm")
        }
        if includePooler {
            matrix("pooler.dense.weight", c.hiddenSize, c.hiddenSize)
            zeros("pooler.dense.bias", c.hiddenSize)
        }
        // The names and shapes above are exactly what init expects, so this cannot fail.
        return try! BertModel(configuration: c, weights: weights, source: "random initialisation")
    }

    /// The weights by checkpoint name, for writing safetensors.
    public var namedTensors: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value) })
    }

    /// The total number of scalars in all parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
}
