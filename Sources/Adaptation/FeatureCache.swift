import Foundation
import Transformers

/// Pooled embeddings of texts under a frozen encoder, computed once and kept as safetensors
/// beside the results database, so that every consumer of the same features — the linear
/// probe, few-shot prototypes, zero-shot scoring, divergence, transferability — shares one
/// encoder pass.
///
/// The key is the sha256 of (AdaptEval version, the encoder's identity — its weights' sha256
/// or the adaptation that produced it —, pooling, maximum length, and the exact texts), so a
/// changed byte anywhere computes anew and nothing stale is served. Without a folder the cache
/// lives in memory for the process.
public final class FeatureCache {
    /// Where feature files go; nil keeps them in memory only.
    public let directory: URL?
    /// Encoder passes run so far (cache misses), for tests and progress reports.
    public private(set) var encoderPasses = 0
    /// Texts embedded by those passes.
    public private(set) var textsEmbedded = 0
    private var memory: [String: Tensor] = [:]

    public init(directory: URL?) {
        self.directory = directory
    }

    /// The file format's tensor name.
    static let tensorName = "features"

    /// Pooled (not normalised) features [inputs, hidden] of the inputs under `encoder`.
    public func features(of inputs: [TextInput], encoder: FrozenEncoder, pooling: Pooling, maxLength: Int) throws -> Tensor {
        let key = Self.key(inputs: inputs, encoder: encoder.identity, pooling: pooling, maxLength: maxLength)
        if let cached = memory[key] { return cached }
        if let url = directory?.appendingPathComponent("\(key).safetensors"), FileManager.default.fileExists(atPath: url.path),
            let stored = try? SafetensorsFile(contentsOf: url).tensor(Self.tensorName),
            stored.rank == 2, stored.shape[0] == inputs.count
        {
            memory[key] = stored
            return stored
        }
        let embedder = SentenceEmbedder(
            tokenizer: encoder.tokenizer, model: encoder.model, pooling: pooling, normalize: false, maxLength: maxLength)
        let computed = try embedder.embed(inputs)
        encoderPasses += 1
        textsEmbedded += inputs.count
        memory[key] = computed
        if let directory { try Self.write(computed, key: key, in: directory, encoder: encoder.identity) }
        return computed
    }

    /// sha256 over the version, encoder, settings and the texts with unambiguous separators.
    static func key(inputs: [TextInput], encoder: String, pooling: Pooling, maxLength: Int) -> String {
        var hasher = SHA256()
        hasher.update(Array("adapteval-features\u{1}\(AdaptEvalVersion.current)\u{1}\(encoder)\u{1}\(pooling.rawValue)\u{1}\(maxLength)\u{1}".utf8))
        for input in inputs {
            // Lengths first, so that no two different lists of texts hash the same bytes.
            let text = Array(input.text.utf8)
            let pair = input.pair.map { Array($0.utf8) }
            hasher.update(Array("\(text.count):\(pair.map { String($0.count) } ?? "-"):".utf8))
            hasher.update(text)
            if let pair { hasher.update(pair) }
        }
        return hasher.hexDigest()
    }

    /// Writes a feature file atomically (a temporary file renamed into place).
    static func write(_ features: Tensor, key: String, in directory: URL, encoder: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let destination = directory.appendingPathComponent("\(key).safetensors")
        let temporary = directory.appendingPathComponent(".\(key).\(ProcessInfo.processInfo.processIdentifier).partial")
        try SafetensorsWriter.write(
            tensors: [tensorName: features], metadata: ["encoder": encoder, "adapteval_version": AdaptEvalVersion.current],
            to: temporary)
        _ = try? FileManager.default.removeItem(at: destination)
        try FileManager.default.moveItem(at: temporary, to: destination)
    }
}

/// An encoder whose weights do not change while its features are cached, with the identity
/// the cache keys on.
public struct FrozenEncoder {
    /// The weights' sha256 for a checkpoint; for an adapted encoder, its adaptation key.
    public var identity: String
    public var model: BertModel
    public var tokenizer: WordPieceTokenizer

    public init(identity: String, model: BertModel, tokenizer: WordPieceTokenizer) {
        self.identity = identity
        self.model = model
        self.tokenizer = tokenizer
    }

    /// A checkpoint's own encoder, identified by its files' sha256.
    public init(base: Checkpoint) throws {
        self.init(identity: try base.identity(), model: base.model, tokenizer: base.tokenizer)
    }
}
