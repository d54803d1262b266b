import Adaptation
import Evaluation
import Foundation
import Transformers

/// A checkpoint on this CPU as a model under test: a base checkpoint (its encoder's
/// mean-pooled embeddings) or an adapted classifier (its adapted encoder's embeddings and its
/// class probabilities).
public final class NativeModel: ModelUnderTest {
    public let identity: ModelIdentity
    public let embedder: (any TextEmbedder)?
    public let classifier: (any TextClassifier)?
    public let maskedLanguageModel: (any MaskedLanguageModel)?

    /// A base checkpoint: embeddings, and masked-token scores when it has a masked-LM head (it
    /// has no classification head).
    public init(checkpoint: Checkpoint, name: String? = nil, batchSize: Int = 64) throws {
        identity = ModelIdentity(
            name: name ?? checkpoint.directory.lastPathComponent, fingerprint: try checkpoint.weightsSHA256())
        embedder = NativeEmbedder(SentenceEmbedder(checkpoint: checkpoint, pooling: .mean, batchSize: batchSize))
        classifier = nil
        maskedLanguageModel = checkpoint.maskedLanguageModelHead.map {
            NativeMaskedLanguageModel(
                BertMaskedLanguageModel(model: checkpoint.model, head: $0, maskID: checkpoint.tokenizer.maskID),
                tokenizer: checkpoint.tokenizer)
        }
    }

    /// An adapted classifier: the adapted encoder's embeddings (mean-pooled, at the
    /// classifier's maximum length), the classifier's probabilities, and masked-token scores
    /// when given a masked-LM head for its encoder (`maskedLanguageModelHead(base:for:)`).
    public init(classifier: Classifier, identity: ModelIdentity, maskedLanguageModelHead: MaskedLanguageModelHead? = nil,
                batchSize: Int = 64) {
        self.identity = identity
        embedder = NativeEmbedder(SentenceEmbedder(
            tokenizer: classifier.tokenizer, model: classifier.model, pooling: .mean, maxLength: classifier.maxLength,
            batchSize: batchSize))
        self.classifier = NativeClassifier(classifier, batchSize: batchSize)
        maskedLanguageModel = maskedLanguageModelHead.map {
            NativeMaskedLanguageModel(
                BertMaskedLanguageModel(model: classifier.model, head: $0, maskID: classifier.tokenizer.maskID),
                tokenizer: classifier.tokenizer)
        }
    }

    /// The base checkpoint's masked-LM head over an adapted encoder, or nil when the base has
    /// none: the pretraining head as stored, its decoder tied to the adapted word embeddings
    /// when the base ties them (so full fine-tuning's embedding updates carry into it).
    public static func maskedLanguageModelHead(base directory: URL, for model: BertModel) throws -> MaskedLanguageModelHead? {
        try MaskedLanguageModelHead.load(
            from: try SafetensorsFile(contentsOf: directory.appendingPathComponent("model.safetensors")),
            configuration: model.configuration, wordEmbeddings: model.wordEmbeddings)
    }

    /// The file beside an adapted checkpoint that names its base model folder, written by
    /// `adapteval toxicity train` (`{"base_model": PATH, …}`).
    public static let baseReferenceFile = "scorer.json"

    /// Opens a model folder: an adapted checkpoint (it has `adaptation.json`) over `base`, or
    /// over the base its `scorer.json` names; otherwise a base checkpoint.
    public static func open(directory: URL, base: URL? = nil) throws -> NativeModel {
        let metadata = directory.appendingPathComponent(AdaptedCheckpoint.metadataFile)
        guard FileManager.default.fileExists(atPath: metadata.path) else {
            return try NativeModel(checkpoint: Checkpoint(directory: directory))
        }
        guard let baseDirectory = base ?? recordedBase(of: directory) else {
            throw AdaptationError.checkpointMismatch(
                path: directory.path,
                reason: "is an adapted checkpoint; give the base model it was trained from (--base DIR)")
        }
        let checkpoint = try Checkpoint(directory: baseDirectory)
        let classifier = try AdaptedCheckpoint.load(from: directory, base: checkpoint)
        let weights = try SHA256.hex(ofFileAt: directory.appendingPathComponent(AdaptedCheckpoint.weightsFile))
        // The checkpoint's head is tied to its embedding table, which the adapted weights now fill.
        return NativeModel(
            classifier: classifier,
            identity: ModelIdentity(name: directory.lastPathComponent, fingerprint: try checkpoint.weightsSHA256() + "+" + weights),
            maskedLanguageModelHead: checkpoint.maskedLanguageModelHead)
    }

    /// The base model folder `scorer.json` names (relative paths are relative to the checkpoint).
    public static func recordedBase(of directory: URL) -> URL? {
        let file = directory.appendingPathComponent(baseReferenceFile)
        guard let data = FileManager.default.contents(atPath: file.path),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let path = object["base_model"] as? String
        else { return nil }
        return path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path).standardizedFileURL
    }
}

/// Mean-pooled embeddings of an encoder (`SentenceEmbedder`), not normalised.
final class NativeEmbedder: TextEmbedder {
    let embedder: SentenceEmbedder

    init(_ embedder: SentenceEmbedder) { self.embedder = embedder }

    func embed(_ inputs: [TextInput]) throws -> [[Float]] {
        guard inputs.allSatisfy({ $0.pair == nil }) else {
            throw EvaluationError.invalidArgument(reason: "the native embedder embeds single texts, not text pairs")
        }
        guard !inputs.isEmpty else { return [] }
        let vectors = try embedder.embed(inputs.map(\.text))
        let width = vectors.shape[1]
        return (0..<inputs.count).map { Array(vectors.scalars[($0 * width)..<(($0 + 1) * width)]) }
    }
}

/// Class probabilities of an adapted classifier: the softmax of its logits.
final class NativeClassifier: TextClassifier {
    let classifier: Classifier
    let batchSize: Int

    init(_ classifier: Classifier, batchSize: Int) {
        self.classifier = classifier
        self.batchSize = batchSize
    }

    var labelNames: [String] { classifier.labelNames }

    func probabilities(_ inputs: [TextInput]) throws -> [[Double]] {
        guard !inputs.isEmpty else { return [] }
        // Similar lengths share a batch, which evens the attention work between threads.
        let encoded = inputs.map { LabelledExample(text: $0.text, pair: $0.pair, label: 0) }
        let order = encoded.indices.sorted { encoded[$0].text.utf8.count > encoded[$1].text.utf8.count }
        let probabilities = try classifier.logits(order.map { encoded[$0] }, batchSize: batchSize).softmax()
        let width = probabilities.shape[1]
        var result = [[Double]](repeating: [], count: inputs.count)
        for (row, original) in order.enumerated() {
            result[original] = (0..<width).map { Double(probabilities.scalars[row * width + $0]) }
        }
        return result
    }
}

/// Masked-token log-probabilities from `BertMaskedLanguageModel`, with BERT's tokenization:
/// `[CLS] text [SEP]`, or `[CLS] text [SEP] pair [SEP]` with token types 0 then 1.
final class NativeMaskedLanguageModel: MaskedLanguageModel {
    let model: BertMaskedLanguageModel
    let tokenizer: WordPieceTokenizer

    init(_ model: BertMaskedLanguageModel, tokenizer: WordPieceTokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    func tokenize(_ input: TextInput) throws -> TokenizedInput {
        let length = model.model.configuration.maximumPositions
        let encoding = input.pair.map { tokenizer.encode(input.text, $0, maxLength: length) }
            ?? tokenizer.encode(input.text, maxLength: length)
        let special: Set<Int32> = [tokenizer.classID, tokenizer.separatorID, tokenizer.padID]
        return TokenizedInput(
            ids: encoding.ids.map(Int.init), typeIDs: encoding.typeIDs.map(Int.init), isSpecial: encoding.ids.map(special.contains))
    }

    func maskedLogProbabilities(_ requests: [MaskedScoringRequest]) throws -> [[Double]] {
        try model.logProbabilities(of: requests.map { request in
            ScoredSequence(
                ids: request.input.ids.map { Int32($0) }, typeIDs: request.input.typeIDs.map { Int32($0) },
                positions: request.positions)
        })
    }
}
