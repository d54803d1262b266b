import Evaluation
import Foundation
import Transformers

/// Scores an encoder on embedding tasks as MTEB does (`EmbeddingMetrics`,
/// `RetrievalMetrics`): semantic textual similarity, pair classification and retrieval.
/// Embeddings come through the frozen-feature cache, so an encoder that does not change embeds
/// each list of texts once however many cells and commands score it.
public struct EmbeddingEvaluator {
    public var encoder: FrozenEncoder
    public var cache: FeatureCache
    public var pooling: Pooling
    public var maxLength: Int

    public init(encoder: FrozenEncoder, cache: FeatureCache, pooling: Pooling = .mean, maxLength: Int = 128) {
        self.encoder = encoder
        self.cache = cache
        self.pooling = pooling
        self.maxLength = maxLength
    }

    /// Pooled embeddings of texts, one row each.
    public func vectors(_ texts: [String]) throws -> [[Float]] {
        let features = try cache.features(of: texts.map { TextInput($0) }, encoder: encoder, pooling: pooling, maxLength: maxLength)
        return (0..<features.shape[0]).map { Array(features.row($0)) }
    }

    /// Cosine similarity of each pair's two sentences.
    public func pairSimilarities(_ pairs: [Sample]) throws -> [Double] {
        guard let missing = pairs.first(where: { $0.pair == nil }) else {
            return try EmbeddingMetrics.pairedCosineSimilarities(vectors(pairs.map(\.text)), vectors(pairs.map { $0.pair ?? "" }))
        }
        throw EvaluationError.invalidArgument(reason: "\(missing.id) has no second sentence; embedding tasks score sentence pairs")
    }

    /// STS: Spearman and Pearson (× 100) of cosine similarities against the pairs' scores, and
    /// the similarities.
    public func semanticSimilarity(_ pairs: [Sample]) throws -> (scores: EmbeddingMetrics.SemanticSimilarity, similarities: [Double]) {
        let gold = try pairs.map { sample in
            guard let score = sample.score else {
                throw EvaluationError.invalidArgument(reason: "\(sample.id): the score '\(sample.label)' is not a number")
            }
            return score
        }
        let similarities = try pairSimilarities(pairs)
        return (try EmbeddingMetrics.semanticSimilarity(similarities: similarities, gold: gold), similarities)
    }

    /// Pair classification: the average precision of cosine similarities for the pairs' binary
    /// labels (1 or true: similar; 0 or false: not), and the similarities.
    public func pairClassification(_ pairs: [Sample]) throws -> (averagePrecision: Double, similarities: [Double]) {
        let labels = try pairs.map { try Self.binaryLabel($0) }
        let similarities = try pairSimilarities(pairs)
        return (try EmbeddingMetrics.averagePrecision(scores: similarities, labels: labels), similarities)
    }

    /// Retrieval: queries against the corpus by cosine similarity, scored per query.
    public func retrieval(_ collection: RetrievalCollection) throws -> RetrievalMetrics.Scores {
        try RetrievalMetrics.evaluate(
            collection: collection, queryVectors: vectors(collection.queries.map(\.text)),
            documentVectors: vectors(collection.documents.map(\.text)))
    }

    /// A pair-classification label as a Bool, or an error naming the sample.
    static func binaryLabel(_ sample: Sample) throws -> Bool {
        switch sample.label.lowercased() {
        case "1", "true": return true
        case "0", "false": return false
        default:
            throw EvaluationError.invalidArgument(
                reason: "\(sample.id): label '\(sample.label)' is not 0 or 1 (pair classification is binary)")
        }
    }
}

extension Classifier {
    /// A classifier with no labels over `model`: what an adapted checkpoint holds when its chain
    /// ends with an embedding task, which has no head.
    public static func headless(model: BertModel, tokenizer: WordPieceTokenizer, pooling: Pooling, maxLength: Int) -> Classifier {
        let hidden = model.configuration.hiddenSize
        return Classifier(
            model: model, head: ClassificationHead(pooling: pooling, weight: Tensor(shape: [0, hidden]), bias: Tensor(shape: [0])),
            tokenizer: tokenizer, labelNames: [], maxLength: maxLength)
    }
}
