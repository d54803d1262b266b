import Evaluation
import Foundation
import Transformers

/// How far apart two domains' texts are under one model: the divergences DESIGN.md defines,
/// measured once here for both `adapteval diverge` and a suite's source → target pairs.
///
/// Token statistics use every text; the embedding measures (cosine of means, MMD², proxy
/// A-distance) use a seeded sample of at most `sampleLimit` texts per side, read through the
/// frozen-feature cache, so the kernel matrix stays small (MMD is O(n²) per permutation).
public struct DomainComparison: Sendable, Equatable {
    /// What the unigram distributions count.
    public enum Tokens: String, Sendable, CaseIterable {
        /// The model's WordPiece tokens (after its normalisation).
        case wordpiece
        /// Whitespace-separated words, as written.
        case words
    }

    public var tokens: Tokens
    public var sourceTexts: Int
    public var targetTexts: Int
    /// KL both ways and JS, in bits, with add-ε smoothing (ε = `DomainDivergence.defaultSmoothing`).
    public var unigram: UnigramDivergences
    /// Cosine similarity of the mean embeddings, in [−1, 1].
    public var cosine: Double
    public var maximumMeanDiscrepancy: MaximumMeanDiscrepancy
    public var proxyADistance: ProxyADistance
    public var seconds: Double

    /// Texts per side the embedding measures use.
    public static let defaultSampleLimit = 500
    /// Permutations of the MMD test: p-values resolve to 1/201.
    public static let defaultPermutations = 200
    /// The most texts per side the embedding measures take: MMD's kernel matrix over both sides
    /// is (2n)² doubles, 800 MB at this limit (20,000 per side would need 12.8 GB).
    public static let largestSampleLimit = 5_000

    /// Measures the divergences between `source` and `target` under a native encoder: tokens
    /// from its tokenizer, embeddings from the feature cache.
    ///
    /// - Throws: `AdaptationError.invalidData` naming the side that is empty (or has fewer
    ///   than 4 texts, which the held-out domain classifier needs).
    public static func measure(
        source: (name: String, texts: [String]), target: (name: String, texts: [String]), encoder: FrozenEncoder,
        cache: FeatureCache, tokens: Tokens = .wordpiece, pooling: Pooling = .mean, maxLength: Int = 128,
        sampleLimit: Int = defaultSampleLimit, permutations: Int = defaultPermutations, seed: UInt64 = 0
    ) throws -> DomainComparison {
        try measure(
            source: source, target: target, tokens: tokens, tokenizer: encoder.tokenizer, sampleLimit: sampleLimit,
            permutations: permutations, seed: seed
        ) { texts in
            let tensor = try cache.features(of: texts.map { TextInput($0) }, encoder: encoder, pooling: pooling, maxLength: maxLength)
            return try Matrix(rows: tensor.shape[0], columns: tensor.shape[1], floats: tensor.scalars)
        }
    }

    /// Measures the divergences between `source` and `target` under any `TextEmbedder` (a
    /// served model's embeddings endpoint), over whitespace words: such a model brings no
    /// tokenizer to count WordPiece tokens with.
    public static func measure(
        source: (name: String, texts: [String]), target: (name: String, texts: [String]), embedder: any TextEmbedder,
        sampleLimit: Int = defaultSampleLimit, permutations: Int = defaultPermutations, seed: UInt64 = 0
    ) throws -> DomainComparison {
        try measure(
            source: source, target: target, tokens: .words, tokenizer: nil, sampleLimit: sampleLimit, permutations: permutations,
            seed: seed
        ) { texts in
            let vectors = try embedder.embed(texts.map { TextInput($0) })
            return try Matrix(rows: vectors.count, columns: vectors.first?.count ?? 0, floats: vectors.flatMap { $0 })
        }
    }

    /// Measures the divergences between `source` and `target` with any embedder (a served
    /// model's embeddings endpoint, say), one row per text in `embed`'s result. Word tokens
    /// need no tokenizer; WordPiece tokens need `tokenizer`.
    ///
    /// - Throws: `AdaptationError.invalidData` naming the side that is empty (or has fewer
    ///   than 4 texts), or when WordPiece tokens are asked for without a tokenizer.
    public static func measure(
        source: (name: String, texts: [String]), target: (name: String, texts: [String]), tokens: Tokens,
        tokenizer: WordPieceTokenizer?, sampleLimit: Int = defaultSampleLimit, permutations: Int = defaultPermutations,
        seed: UInt64 = 0, embed: ([String]) throws -> Matrix
    ) throws -> DomainComparison {
        let started = Date()
        for side in [source, target] where side.texts.count < 4 {
            throw AdaptationError.invalidData(
                path: side.name, line: nil,
                reason: side.texts.isEmpty ? "the corpus is empty; divergence needs text on both sides"
                    : "has \(side.texts.count) text(s); divergence needs at least 4 per side")
        }
        if tokens == .wordpiece, tokenizer == nil {
            throw AdaptationError.invalidData(
                path: source.name, line: nil, reason: "WordPiece token counts need the model's tokenizer; count words instead")
        }
        func tokenCounts(_ texts: [String]) -> [String: Int] {
            tokenizer.map { counts(texts, tokens: tokens, tokenizer: $0) } ?? counts(words: texts)
        }
        let unigram = try DomainDivergence.unigram(tokenCounts(source.texts), tokenCounts(target.texts))
        func features(_ texts: [String], seed: UInt64) throws -> Matrix {
            var chosen = texts
            if chosen.count > sampleLimit {
                var generator = SplitMix64(seed: seed)
                generator.shuffle(&chosen)
                chosen = Array(chosen.prefix(sampleLimit))
            }
            return try embed(chosen)
        }
        let a = try features(source.texts, seed: seed)
        let b = try features(target.texts, seed: seed &+ 1)
        try Interruption.checkpoint()
        return DomainComparison(
            tokens: tokens, sourceTexts: source.texts.count, targetTexts: target.texts.count, unigram: unigram,
            cosine: try DomainDivergence.cosineSimilarityOfMeans(a, b),
            maximumMeanDiscrepancy: try MaximumMeanDiscrepancy.test(a, b, permutations: permutations, seed: seed),
            proxyADistance: try ProxyADistance.measure(a, b, seed: seed),
            seconds: Date().timeIntervalSince(started))
    }

    /// Token counts of a corpus.
    public static func counts(_ texts: [String], tokens: Tokens, tokenizer: WordPieceTokenizer) -> [String: Int] {
        guard tokens == .wordpiece else { return counts(words: texts) }
        var counts: [String: Int] = [:]
        for text in texts {
            for piece in tokenizer.tokenize(text) { counts[piece, default: 0] += 1 }
        }
        return counts
    }

    /// Whitespace-separated word counts of a corpus (no tokenizer needed).
    public static func counts(words texts: [String]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for text in texts {
            for word in text.split(whereSeparator: \.isWhitespace) { counts[String(word), default: 0] += 1 }
        }
        return counts
    }
}
