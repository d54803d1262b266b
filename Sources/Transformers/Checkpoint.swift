import Foundation

/// A Hugging Face style checkpoint folder: `config.json`, `model.safetensors`, and `vocab.txt`
/// and/or `tokenizer.json`.
public struct Checkpoint {
    public let directory: URL
    public let configuration: BertConfiguration
    public let tokenizer: WordPieceTokenizer
    public let weightsFile: SafetensorsFile
    public let model: BertModel
    /// The masked-LM head (`cls.predictions.*`) when the checkpoint has one; its decoder is tied
    /// to `model.wordEmbeddings` unless the file stores a different one.
    /// `requireMaskedLanguageModelHead()` turns its absence into an error that says what to use.
    public let maskedLanguageModelHead: MaskedLanguageModelHead?

    /// Loads and validates every part of a checkpoint folder.
    public init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw TransformersError.fileNotFound(path: directory.path)
        }
        guard isDirectory.boolValue else {
            throw TransformersError.invalidInput(
                reason: "\(directory.path) is a file; a model is a folder with config.json and model.safetensors")
        }
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        if !FileManager.default.fileExists(atPath: weightsURL.path),
            FileManager.default.fileExists(atPath: directory.appendingPathComponent("pytorch_model.bin").path)
        {
            throw TransformersError.invalidInput(
                reason: "\(directory.path) has pytorch_model.bin only; convert it to model.safetensors "
                    + "(safetensors.torch.save_file) so it can be read without executing pickles")
        }
        let configuration = try BertConfiguration(
            contentsOf: directory.appendingPathComponent("config.json"))
        let weightsFile = try SafetensorsFile(contentsOf: weightsURL)
        var weights: [String: Tensor] = [:]
        for entry in weightsFile.entries {
            if BertModel.isIgnored(BertModel.canonicalName(entry.name)) { continue }
            weights[entry.name] = try weightsFile.tensor(entry.name)
        }
        self.directory = directory
        self.configuration = configuration
        self.weightsFile = weightsFile
        self.model = try BertModel(configuration: configuration, weights: weights, source: weightsURL.path)
        self.maskedLanguageModelHead = try MaskedLanguageModelHead.load(
            from: weightsFile, configuration: configuration, wordEmbeddings: model.wordEmbeddings)
        self.tokenizer = try WordPieceTokenizer.load(from: directory)
        guard tokenizer.vocabulary.count <= configuration.vocabularySize else {
            throw TransformersError.invalidTokenizer(
                path: directory.path,
                reason: "the tokenizer has \(tokenizer.vocabulary.count) tokens but config.json's "
                    + "vocab_size is \(configuration.vocabularySize)")
        }
    }

    /// The sha256 of `model.safetensors`, which identifies the base model in results.
    public func weightsSHA256() throws -> String {
        try SHA256.hex(ofFileAt: directory.appendingPathComponent("model.safetensors"))
    }

    /// The files that determine what a checkpoint computes (weights, configuration, vocabulary).
    public static let identityFiles = ["config.json", "model.safetensors", "vocab.txt", "tokenizer.json"]

    /// One sha256 for the model as a whole: over the sha256 of each of `identityFiles` present.
    public static func identity(fileSHA256: [String: String]) -> String {
        SHA256.hex(of: Array(fileSHA256.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined().utf8))
    }

    /// `identity(fileSHA256:)` of this folder's files.
    public func identity() throws -> String {
        var hashes: [String: String] = [:]
        for file in Self.identityFiles {
            let url = directory.appendingPathComponent(file)
            if FileManager.default.fileExists(atPath: url.path) { hashes[file] = try SHA256.hex(ofFileAt: url) }
        }
        return Self.identity(fileSHA256: hashes)
    }

    /// Writes a checkpoint folder (config, weights, vocabulary) that `init(directory:)` reads back.
    public static func write(
        model: BertModel, vocabulary: [String], to directory: URL, tokenizerConfig: [String: Any] = [:]
    ) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = try JSONSerialization.data(
            withJSONObject: model.configuration.jsonObject, options: [.prettyPrinted, .sortedKeys])
        try config.write(to: directory.appendingPathComponent("config.json"))
        try SafetensorsWriter.write(
            tensors: model.namedTensors, metadata: ["format": "pt"],
            to: directory.appendingPathComponent("model.safetensors"))
        try (vocabulary.joined(separator: "\n") + "\n").write(
            to: directory.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        if !tokenizerConfig.isEmpty {
            let data = try JSONSerialization.data(withJSONObject: tokenizerConfig, options: [.sortedKeys])
            try data.write(to: directory.appendingPathComponent("tokenizer_config.json"))
        }
    }
}
