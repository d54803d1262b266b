import Foundation

/// One tokenised text: ids with special tokens, their strings and segment (token type) ids.
public struct Encoding: Sendable, Equatable {
    public var ids: [Int32]
    public var tokens: [String]
    public var typeIDs: [Int32]

    public var count: Int { ids.count }
}

/// Encodings padded to a common length, with attention masks (1 for real tokens, 0 for padding).
public struct PaddedBatch: Sendable, Equatable {
    public var inputIDs: [[Int32]]
    public var attentionMask: [[Int32]]
    public var tokenTypeIDs: [[Int32]]

    /// The padded length shared by every row.
    public var length: Int { inputIDs.first?.count ?? 0 }
}

/// A WordPiece tokenizer equal to Hugging Face's `BertTokenizerFast`: special tokens matched
/// literally, `BertNormalizer`, the BERT pre-tokenizer (split on white space, isolate
/// punctuation), greedy longest-match-first WordPiece with a `##` continuation prefix.
public struct WordPieceTokenizer: Sendable {
    /// Token strings by id.
    public let vocabulary: [String]
    public let normalizer: BertNormalizer
    public let unknownToken: String
    public let classToken: String
    public let separatorToken: String
    public let padToken: String
    public let maskToken: String
    public let continuingPrefix: String
    /// Words longer than this (in Unicode scalars) become the unknown token, as in BERT.
    public let maximumCharactersPerWord: Int
    /// The longest input the model accepts, from `tokenizer_config.json` when given.
    public let modelMaximumLength: Int?

    private let ids: [ByteKey: Int32]
    /// Tokens matched literally in raw text before normalisation, longest first.
    private let literalTokens: [[Unicode.Scalar]]
    private let unknownID: Int32
    public let classID: Int32
    public let separatorID: Int32
    public let padID: Int32

    /// Builds a tokenizer over a vocabulary (id = position); the special tokens must be in it.
    public init(
        vocabulary: [String], normalizer: BertNormalizer = BertNormalizer(),
        unknownToken: String = "[UNK]", classToken: String = "[CLS]",
        separatorToken: String = "[SEP]", padToken: String = "[PAD]", maskToken: String = "[MASK]",
        additionalLiteralTokens: [String] = [], continuingPrefix: String = "##",
        maximumCharactersPerWord: Int = 100, modelMaximumLength: Int? = nil,
        source: String = "vocabulary"
    ) throws {
        var ids: [ByteKey: Int32] = [:]
        ids.reserveCapacity(vocabulary.count)
        for (id, token) in vocabulary.enumerated() where ids[ByteKey(token)] == nil {
            ids[ByteKey(token)] = Int32(id)
        }
        func require(_ token: String, _ role: String) throws -> Int32 {
            guard let id = ids[ByteKey(token)] else {
                throw TransformersError.invalidTokenizer(
                    path: source, reason: "the \(role) token '\(token)' is not in the vocabulary")
            }
            return id
        }
        self.unknownID = try require(unknownToken, "unknown")
        self.classID = try require(classToken, "class")
        self.separatorID = try require(separatorToken, "separator")
        self.padID = try require(padToken, "padding")
        _ = try require(maskToken, "mask")
        self.vocabulary = vocabulary
        self.normalizer = normalizer
        self.unknownToken = unknownToken
        self.classToken = classToken
        self.separatorToken = separatorToken
        self.padToken = padToken
        self.maskToken = maskToken
        self.continuingPrefix = continuingPrefix
        self.maximumCharactersPerWord = maximumCharactersPerWord
        self.modelMaximumLength = modelMaximumLength
        self.ids = ids
        let literals = Set(
            [unknownToken, classToken, separatorToken, padToken, maskToken] + additionalLiteralTokens)
        self.literalTokens = literals.filter { ids[ByteKey($0)] != nil && !$0.isEmpty }
            .map { Array($0.unicodeScalars) }
            .sorted { $0.count > $1.count }
    }

    /// The id of a token string, if it is in the vocabulary.
    public func id(of token: String) -> Int32? { ids[ByteKey(token)] }

    /// The token string of an id.
    public func token(of id: Int32) -> String? {
        vocabulary.indices.contains(Int(id)) ? vocabulary[Int(id)] : nil
    }

    /// WordPiece tokens of `text` without special tokens added around them.
    public func tokenize(_ text: String) -> [String] {
        pieces(of: text).map(\.token)
    }

    /// Encodes one text as [CLS] tokens [SEP], keeping at most `maxLength` ids.
    public func encode(_ text: String, maxLength: Int = 512) -> Encoding {
        var body = pieces(of: text)
        let room = max(0, maxLength - 2)
        if body.count > room { body.removeLast(body.count - room) }
        var encoding = Encoding(ids: [classID], tokens: [classToken], typeIDs: [0])
        for piece in body {
            encoding.ids.append(piece.id)
            encoding.tokens.append(piece.token)
            encoding.typeIDs.append(0)
        }
        encoding.ids.append(separatorID)
        encoding.tokens.append(separatorToken)
        encoding.typeIDs.append(0)
        return encoding
    }

    /// Encodes a sentence pair as [CLS] A [SEP] B [SEP] with segment ids 0 then 1, truncating the
    /// longer side one token at a time until it fits (Hugging Face's `longest_first`).
    public func encode(_ first: String, _ second: String, maxLength: Int = 512) -> Encoding {
        var a = pieces(of: first)
        var b = pieces(of: second)
        let room = max(0, maxLength - 3)
        while a.count + b.count > room {
            if a.count > b.count { a.removeLast() } else { b.removeLast() }
        }
        var encoding = Encoding(ids: [classID], tokens: [classToken], typeIDs: [0])
        for (part, type) in [(a, Int32(0)), (b, Int32(1))] {
            for piece in part {
                encoding.ids.append(piece.id)
                encoding.tokens.append(piece.token)
                encoding.typeIDs.append(type)
            }
            encoding.ids.append(separatorID)
            encoding.tokens.append(separatorToken)
            encoding.typeIDs.append(type)
        }
        return encoding
    }

    /// Encodes texts and pads them on the right to the longest, with attention masks.
    public func encodeBatch(_ texts: [String], maxLength: Int = 512) -> PaddedBatch {
        let encodings = texts.map { encode($0, maxLength: maxLength) }
        return Self.pad(encodings, padID: padID)
    }

    /// Right-pads encodings to the longest one.
    public static func pad(_ encodings: [Encoding], padID: Int32) -> PaddedBatch {
        let length = encodings.map(\.count).max() ?? 0
        var batch = PaddedBatch(inputIDs: [], attentionMask: [], tokenTypeIDs: [])
        for encoding in encodings {
            let padding = length - encoding.count
            batch.inputIDs.append(encoding.ids + Array(repeating: padID, count: padding))
            batch.attentionMask.append(
                Array(repeating: 1, count: encoding.count) + Array(repeating: 0, count: padding))
            batch.tokenTypeIDs.append(encoding.typeIDs + Array(repeating: 0, count: padding))
        }
        return batch
    }

    // MARK: - Pipeline

    private struct Piece {
        var id: Int32
        var token: String
    }

    private func pieces(of text: String) -> [Piece] {
        var result: [Piece] = []
        for segment in splitOnLiteralTokens(text) {
            switch segment {
            case .literal(let scalars):
                let token = String(String.UnicodeScalarView(scalars))
                result.append(Piece(id: ids[ByteKey(token)] ?? unknownID, token: token))
            case .text(let scalars):
                let normalized = normalizer.normalize(
                    Substring(String(String.UnicodeScalarView(scalars))))
                for word in Self.preTokenize(normalized) {
                    wordPiece(word, into: &result)
                }
            }
        }
        return result
    }

    private enum Segment {
        case literal([Unicode.Scalar])
        case text([Unicode.Scalar])
    }

    /// Splits raw text around exact occurrences of special tokens (leftmost, longest first).
    private func splitOnLiteralTokens(_ text: String) -> [Segment] {
        let scalars = Array(text.unicodeScalars)
        guard !literalTokens.isEmpty else { return [.text(scalars)] }
        var segments: [Segment] = []
        var pending: [Unicode.Scalar] = []
        var index = 0
        scan: while index < scalars.count {
            for literal in literalTokens
            where literal.first == scalars[index] && index + literal.count <= scalars.count
                && scalars[index..<(index + literal.count)].elementsEqual(literal)
            {
                if !pending.isEmpty { segments.append(.text(pending)) }
                pending = []
                segments.append(.literal(literal))
                index += literal.count
                continue scan
            }
            pending.append(scalars[index])
            index += 1
        }
        if !pending.isEmpty { segments.append(.text(pending)) }
        return segments
    }

    /// Splits normalised text on white space and isolates each punctuation scalar.
    static func preTokenize(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in scalars {
            if scalar.properties.isWhitespace || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                if !current.isEmpty { words.append(current) }
                current = []
            } else if BertNormalizer.isPunctuation(scalar) {
                if !current.isEmpty { words.append(current) }
                current = []
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Greedy longest-match-first WordPiece; a word with any unmatched remainder becomes [UNK].
    private func wordPiece(_ word: [Unicode.Scalar], into result: inout [Piece]) {
        if word.count > maximumCharactersPerWord {
            result.append(Piece(id: unknownID, token: unknownToken))
            return
        }
        let prefix = Array(continuingPrefix.utf8)
        var found: [Piece] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var match: Piece?
            while start < end {
                var bytes: [UInt8] = start > 0 ? prefix : []
                for scalar in word[start..<end] { bytes.append(contentsOf: scalar.utf8) }
                if let id = ids[ByteKey(bytes: bytes)] {
                    match = Piece(id: id, token: vocabulary[Int(id)])
                    break
                }
                end -= 1
            }
            guard let piece = match else {
                result.append(Piece(id: unknownID, token: unknownToken))
                return
            }
            found.append(piece)
            start = end
        }
        result.append(contentsOf: found)
    }
}

/// A vocabulary key compared by UTF-8 bytes, as the Rust tokenizer does; Swift `String`
/// equality would merge canonically equivalent tokens.
struct ByteKey: Hashable, Sendable {
    let bytes: [UInt8]
    init(_ string: String) { bytes = Array(string.utf8) }
    init(bytes: [UInt8]) { self.bytes = bytes }
}
