import Foundation

/// The hyper-parameters of a BERT-layout encoder, decoded from a Hugging Face `config.json`.
///
/// Hugging Face configs carry many keys this project does not use (`transformers_version`,
/// `gradient_checkpointing`, …), so unknown keys are ignored here, unlike in AdaptEval's own
/// configuration files. What the encoder cannot run is rejected by name.
public struct BertConfiguration: Sendable, Equatable {
    public static let supportedModelTypes = ["bert"]
    public static let supportedActivations = ["gelu"]

    public var modelType: String
    public var hiddenSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var intermediateSize: Int
    public var vocabularySize: Int
    public var maximumPositions: Int
    public var typeVocabularySize: Int
    public var layerNormEpsilon: Float
    public var activation: String
    public var hiddenDropout: Float
    public var attentionDropout: Float
    public var padTokenID: Int

    public init(
        modelType: String = "bert", hiddenSize: Int, layerCount: Int, headCount: Int,
        intermediateSize: Int, vocabularySize: Int, maximumPositions: Int = 512,
        typeVocabularySize: Int = 2, layerNormEpsilon: Float = 1e-12, activation: String = "gelu",
        hiddenDropout: Float = 0.1, attentionDropout: Float = 0.1, padTokenID: Int = 0
    ) {
        self.modelType = modelType
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.vocabularySize = vocabularySize
        self.maximumPositions = maximumPositions
        self.typeVocabularySize = typeVocabularySize
        self.layerNormEpsilon = layerNormEpsilon
        self.activation = activation
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
        self.padTokenID = padTokenID
    }

    /// The width of one attention head.
    public var headSize: Int { hiddenSize / headCount }

    /// Reads and checks `config.json`.
    public init(contentsOf url: URL) throws {
        let path = url.path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TransformersError.fileNotFound(path: path)
        }
        try self.init(data: data, path: path)
    }

    /// Decodes and checks a config held in memory; `path` is used in messages.
    public init(data: Data, path: String) throws {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw TransformersError.invalidConfiguration(path: path, reason: "not valid JSON")
        }
        guard let object = parsed as? [String: Any] else {
            throw TransformersError.invalidConfiguration(path: path, reason: "not a JSON object")
        }
        let reader = ConfigReader(object: object, path: path)
        let modelType = try reader.string("model_type", default: "bert")
        guard Self.supportedModelTypes.contains(modelType) else {
            throw TransformersError.unsupportedArchitecture(
                path: path, name: modelType, supported: Self.supportedModelTypes)
        }
        self.init(
            modelType: modelType,
            hiddenSize: try reader.positiveInteger("hidden_size"),
            layerCount: try reader.positiveInteger("num_hidden_layers"),
            headCount: try reader.positiveInteger("num_attention_heads"),
            intermediateSize: try reader.positiveInteger("intermediate_size"),
            vocabularySize: try reader.positiveInteger("vocab_size"),
            maximumPositions: try reader.positiveInteger("max_position_embeddings", default: 512),
            typeVocabularySize: try reader.positiveInteger("type_vocab_size", default: 2),
            layerNormEpsilon: Float(try reader.number("layer_norm_eps", default: 1e-12)),
            activation: try reader.string("hidden_act", default: "gelu"),
            hiddenDropout: Float(try reader.number("hidden_dropout_prob", default: 0.1)),
            attentionDropout: Float(try reader.number("attention_probs_dropout_prob", default: 0.1)),
            padTokenID: try reader.integer("pad_token_id", default: 0))
        guard Self.supportedActivations.contains(activation) else {
            throw TransformersError.invalidConfiguration(
                path: path,
                reason: "hidden_act '\(activation)' is not supported (supported: "
                    + "\(Self.supportedActivations.joined(separator: ", ")))")
        }
        let positionType = try reader.string("position_embedding_type", default: "absolute")
        guard positionType == "absolute" else {
            throw TransformersError.invalidConfiguration(
                path: path,
                reason: "position_embedding_type '\(positionType)' is not supported (supported: absolute)")
        }
        guard hiddenSize % headCount == 0 else {
            throw TransformersError.invalidConfiguration(
                path: path,
                reason: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(headCount)")
        }
        if let architectures = object["architectures"] as? [String],
            let unsupported = architectures.first(where: { !$0.hasPrefix("Bert") })
        {
            throw TransformersError.unsupportedArchitecture(
                path: path, name: unsupported, supported: ["BertModel", "Bert…"])
        }
    }

    /// The configuration as `config.json` keys, for writing checkpoints.
    public var jsonObject: [String: Any] {
        [
            "model_type": modelType, "architectures": ["BertModel"], "hidden_size": hiddenSize,
            "num_hidden_layers": layerCount, "num_attention_heads": headCount,
            "intermediate_size": intermediateSize, "vocab_size": vocabularySize,
            "max_position_embeddings": maximumPositions, "type_vocab_size": typeVocabularySize,
            "layer_norm_eps": Double(layerNormEpsilon), "hidden_act": activation,
            "hidden_dropout_prob": Double(hiddenDropout),
            "attention_probs_dropout_prob": Double(attentionDropout), "pad_token_id": padTokenID,
            "position_embedding_type": "absolute",
        ]
    }
}

/// Typed access to a JSON object with messages naming the key.
struct ConfigReader {
    let object: [String: Any]
    let path: String

    private func fail(_ key: String, _ expectation: String) -> TransformersError {
        .invalidConfiguration(path: path, reason: "'\(key)' must be \(expectation)")
    }

    func string(_ key: String, default fallback: String? = nil) throws -> String {
        guard let value = object[key], !(value is NSNull) else {
            if let fallback { return fallback }
            throw TransformersError.invalidConfiguration(path: path, reason: "missing '\(key)'")
        }
        guard let text = value as? String else { throw fail(key, "a string") }
        return text
    }

    func number(_ key: String, default fallback: Double? = nil) throws -> Double {
        guard let value = object[key], !(value is NSNull) else {
            if let fallback { return fallback }
            throw TransformersError.invalidConfiguration(path: path, reason: "missing '\(key)'")
        }
        guard let number = value as? NSNumber else { throw fail(key, "a number") }
        return number.doubleValue
    }

    func integer(_ key: String, default fallback: Int? = nil) throws -> Int {
        let value = try number(key, default: fallback.map(Double.init))
        guard let integer = Int(exactly: value) else { throw fail(key, "an integer") }
        return integer
    }

    func positiveInteger(_ key: String, default fallback: Int? = nil) throws -> Int {
        let value = try integer(key, default: fallback)
        guard value > 0 else { throw fail(key, "a positive integer, got \(value)") }
        return value
    }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let value = object[key], !(value is NSNull) else { return fallback }
        guard let flag = value as? Bool else { throw fail(key, "true or false") }
        return flag
    }
}
