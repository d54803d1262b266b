import Foundation
import TestSupport
import Testing

@testable import Transformers

/// A small vocabulary written for these tests; ids are positions.
let tinyVocabulary = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", ",", "!", "un", "##aff",
    "##able", "naive", "facade", "中", "文", "the", "cat", "##s", "a", "b", "c", "[", "]", "Hello",
    "-", "'", "t", "don", "e",
]

func tinyTokenizer(_ normalizer: BertNormalizer = BertNormalizer(), maximumCharactersPerWord: Int = 100) throws
    -> WordPieceTokenizer
{
    try WordPieceTokenizer(
        vocabulary: tinyVocabulary, normalizer: normalizer, maximumCharactersPerWord: maximumCharactersPerWord)
}

@Suite struct WordPieceTokenizerTests {
    @Test func punctuationIsSplitOffAndTextIsLowerCased() throws {
        #expect(try tinyTokenizer().tokenize("Hello, World!") == ["hello", ",", "world", "!"])
    }

    @Test func wordsSplitIntoTheLongestVocabularyPiecesFirst() throws {
        #expect(try tinyTokenizer().tokenize("unaffable cats") == ["un", "##aff", "##able", "cat", "##s"])
    }

    @Test func aWordWithAnUnmatchedRemainderBecomesOneUnknownToken() throws {
        #expect(try tinyTokenizer().tokenize("unaffablex cat") == ["[UNK]", "cat"])
    }

    @Test func accentsAreStrippedAfterCanonicalDecomposition() throws {
        #expect(try tinyTokenizer().tokenize("Naïve FAÇADE") == ["naive", "facade"])
        // Already-decomposed input (e + combining acute) gives the same result.
        #expect(try tinyTokenizer().tokenize("nai\u{308}ve") == ["naive"])
    }

    @Test func chineseCharactersBecomeSeparateWordsEvenWithoutSpaces() throws {
        #expect(try tinyTokenizer().tokenize("中文cat") == ["中", "文", "cat"])
    }

    @Test func controlCharactersAreDeletedAndWhitespaceOfAnyKindSplits() throws {
        #expect(try tinyTokenizer().tokenize("ca\u{7}t\tthe\r\nhello\u{A0}world\u{2003}a") == [
            "cat", "the", "hello", "world", "a",
        ])
        #expect(try tinyTokenizer().tokenize("c\u{200B}at") == ["cat"])  // zero-width space is Cf
    }

    @Test func wordsLongerThanTheCharacterLimitAreUnknown() throws {
        let tokenizer = try tinyTokenizer(maximumCharactersPerWord: 5)
        #expect(tokenizer.tokenize("abcabc cat") == ["[UNK]", "cat"])
    }

    @Test func specialTokensInTheTextAreMatchedLiterallyAndCaseSensitively() throws {
        let tokenizer = try tinyTokenizer()
        #expect(tokenizer.tokenize("a[SEP]b") == ["a", "[SEP]", "b"])
        #expect(tokenizer.tokenize("[sep]") == ["[", "[UNK]", "]"])
    }

    @Test func apostrophesAndHyphensAreSeparatePunctuation() throws {
        #expect(try tinyTokenizer().tokenize("don't e-a") == ["don", "'", "t", "e", "-", "a"])
    }

    @Test func theCasedModeKeepsCaseAndAccents() throws {
        let tokenizer = try tinyTokenizer(BertNormalizer(stripAccents: false, lowercase: false))
        #expect(tokenizer.tokenize("Hello hello HELLO") == ["Hello", "hello", "[UNK]"])
    }

    @Test func encodingAddsClassAndSeparatorTokensAndTruncatesTheBody() throws {
        let tokenizer = try tinyTokenizer()
        let full = tokenizer.encode("a b c")
        #expect(full.ids == [2, 19, 20, 21, 3])
        #expect(full.tokens == ["[CLS]", "a", "b", "c", "[SEP]"])
        #expect(full.typeIDs == [0, 0, 0, 0, 0])
        #expect(tokenizer.encode("a b c", maxLength: 4).ids == [2, 19, 20, 3])
        #expect(tokenizer.encode("", maxLength: 4).ids == [2, 3])
    }

    @Test func pairsGetSegmentIdsAndTruncateTheLongerSideFirst() throws {
        let tokenizer = try tinyTokenizer()
        let pair = tokenizer.encode("a b c", "cat", maxLength: 7)
        #expect(pair.tokens == ["[CLS]", "a", "b", "c", "[SEP]", "cat", "[SEP]"])
        #expect(pair.typeIDs == [0, 0, 0, 0, 0, 1, 1])
        let truncated = tokenizer.encode("a b c", "cat", maxLength: 6)
        #expect(truncated.tokens == ["[CLS]", "a", "b", "[SEP]", "cat", "[SEP]"])
    }

    @Test func batchesArePaddedOnTheRightWithMasks() throws {
        let batch = try tinyTokenizer().encodeBatch(["a b", "cat"])
        #expect(batch.inputIDs == [[2, 19, 20, 3], [2, 17, 3, 0]])
        #expect(batch.attentionMask == [[1, 1, 1, 1], [1, 1, 1, 0]])
        #expect(batch.tokenTypeIDs == [[0, 0, 0, 0], [0, 0, 0, 0]])
    }

    @Test func aVocabularyWithoutTheSpecialTokensIsRejected() {
        #expect(throws: TransformersError.self) {
            try WordPieceTokenizer(vocabulary: ["a", "b"])
        }
    }

    @Test func vocabTxtAndTokenizerConfigLoadFromAFolder() throws {
        let directory = try TestPaths.temporaryDirectory()
        try (tinyVocabulary.joined(separator: "\n") + "\n").write(
            to: directory.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        try #"{"do_lower_case": false, "model_max_length": 64}"#.write(
            to: directory.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
        let tokenizer = try WordPieceTokenizer.load(from: directory)
        #expect(tokenizer.vocabulary == tinyVocabulary)
        #expect(tokenizer.normalizer.lowercase == false)
        #expect(tokenizer.normalizer.stripAccents == false)
        #expect(tokenizer.modelMaximumLength == 64)
        #expect(tokenizer.tokenize("Hello") == ["Hello"])
    }

    @Test func aWordPieceTokenizerJSONIsPreferredOverVocabTxt() throws {
        let directory = try TestPaths.temporaryDirectory()
        try "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n".write(
            to: directory.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let vocabulary = Dictionary(uniqueKeysWithValues: tinyVocabulary.enumerated().map { ($1, $0) })
        let json: [String: Any] = [
            "model": ["type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": 100, "vocab": vocabulary],
            "normalizer": ["type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                           "strip_accents": NSNull(), "lowercase": true],
            "pre_tokenizer": ["type": "BertPreTokenizer"],
            "added_tokens": [["content": "[MASK]", "special": true]],
        ]
        try JSONSerialization.data(withJSONObject: json).write(to: directory.appendingPathComponent("tokenizer.json"))
        let tokenizer = try WordPieceTokenizer.load(from: directory)
        #expect(tokenizer.vocabulary == tinyVocabulary)
        #expect(tokenizer.tokenize("Naïve cats[MASK]") == ["naive", "cat", "##s", "[MASK]"])
    }

    @Test func aVocabularyFileThatIsNotUTF8IsRejectedByPath() throws {
        let directory = try TestPaths.temporaryDirectory()
        let url = directory.appendingPathComponent("vocab.txt")
        try Data([0x5B, 0x50, 0xFF, 0xFE, 0x0A]).write(to: url)
        do {
            _ = try WordPieceTokenizer.load(from: directory)
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.localizedDescription == "\(url.path): not valid UTF-8")
        }
    }

    @Test func aNonWordPieceNormalizerIsRejectedByName() throws {
        let directory = try TestPaths.temporaryDirectory()
        let json: [String: Any] = [
            "model": ["type": "WordPiece", "vocab": ["[UNK]": 0]],
            "normalizer": ["type": "NFKC"],
        ]
        try JSONSerialization.data(withJSONObject: json).write(to: directory.appendingPathComponent("tokenizer.json"))
        do {
            _ = try WordPieceTokenizer.load(from: directory)
            Issue.record("accepted an NFKC normalizer")
        } catch {
            #expect(error.localizedDescription.contains("NFKC"))
        }
    }
}
