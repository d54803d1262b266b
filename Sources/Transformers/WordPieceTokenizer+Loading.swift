import Foundation

extension WordPieceTokenizer {
    /// Loads the tokenizer of a checkpoint folder.
    ///
    /// `tokenizer.json` is preferred when it describes a WordPiece model (that is what
    /// `BertTokenizerFast` runs); otherwise `vocab.txt` with the options of
    /// `tokenizer_config.json` (BERT defaults when that file is absent).
    public static func load(from directory: URL) throws -> WordPieceTokenizer {
        let fast = directory.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: fast.path) {
            if let tokenizer = try loadTokenizerJSON(fast) { return tokenizer }
        }
        let vocabularyFile = directory.appendingPathComponent("vocab.txt")
        guard FileManager.default.fileExists(atPath: vocabularyFile.path) else {
            throw TransformersError.invalidTokenizer(
                path: directory.path,
                reason: "no tokenizer: expected vocab.txt or a WordPiece tokenizer.json")
        }
        let vocabulary = try readVocabularyFile(vocabularyFile)
        let configFile = directory.appendingPathComponent("tokenizer_config.json")
        var object: [String: Any] = [:]
        if FileManager.default.fileExists(atPath: configFile.path) {
            object = try readJSONObject(configFile)
        }
        let reader = ConfigReader(object: object, path: configFile.path)
        let lowercase = try reader.bool("do_lower_case", default: true)
        let stripAccents = try optionalBool(object["strip_accents"], key: "strip_accents", path: configFile.path)
        let normalizer = BertNormalizer(
            cleanText: true,
            separateChineseCharacters: try reader.bool("tokenize_chinese_chars", default: true),
            stripAccents: stripAccents ?? lowercase, lowercase: lowercase)
        func special(_ key: String, _ fallback: String) throws -> String {
            try tokenString(object[key], key: key, path: configFile.path) ?? fallback
        }
        let maximumLength = try? reader.integer("model_max_length")
        return try WordPieceTokenizer(
            vocabulary: vocabulary, normalizer: normalizer,
            unknownToken: try special("unk_token", "[UNK]"),
            classToken: try special("cls_token", "[CLS]"),
            separatorToken: try special("sep_token", "[SEP]"),
            padToken: try special("pad_token", "[PAD]"),
            maskToken: try special("mask_token", "[MASK]"),
            modelMaximumLength: maximumLength.flatMap { $0 > 0 && $0 < 1_000_000 ? $0 : nil },
            source: vocabularyFile.path)
    }

    /// Reads `vocab.txt`: one token per line, the id is the line number from 0.
    static func readVocabularyFile(_ url: URL) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TransformersError.fileNotFound(path: url.path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TransformersError.invalidTokenizer(path: url.path, reason: "not valid UTF-8")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else {
            throw TransformersError.invalidTokenizer(path: url.path, reason: "the vocabulary is empty")
        }
        return lines
    }

    /// Reads a WordPiece `tokenizer.json`; returns nil when it describes another model type.
    static func loadTokenizerJSON(_ url: URL) throws -> WordPieceTokenizer? {
        let object = try readJSONObject(url)
        let path = url.path
        guard let model = object["model"] as? [String: Any] else {
            throw TransformersError.invalidTokenizer(path: path, reason: "missing 'model'")
        }
        guard (model["type"] as? String) == "WordPiece" else { return nil }
        guard let vocabularyObject = model["vocab"] as? [String: Any] else {
            throw TransformersError.invalidTokenizer(path: path, reason: "'model.vocab' is missing")
        }
        var vocabulary = [String](repeating: "", count: vocabularyObject.count)
        var seen = [Bool](repeating: false, count: vocabularyObject.count)
        for (token, value) in vocabularyObject {
            guard let number = value as? NSNumber, let id = Int(exactly: number.doubleValue),
                vocabulary.indices.contains(id), !seen[id]
            else {
                throw TransformersError.invalidTokenizer(
                    path: path,
                    reason: "'model.vocab' id of '\(token)' is not a unique integer below "
                        + "\(vocabulary.count)")
            }
            vocabulary[id] = token
            seen[id] = true
        }
        var normalizer = BertNormalizer()
        if let normalizerObject = object["normalizer"] as? [String: Any] {
            guard (normalizerObject["type"] as? String) == "BertNormalizer" else {
                throw TransformersError.invalidTokenizer(
                    path: path,
                    reason: "normalizer '\(normalizerObject["type"] ?? "?")' is not supported "
                        + "(supported: BertNormalizer)")
            }
            let reader = ConfigReader(object: normalizerObject, path: path)
            normalizer.cleanText = try reader.bool("clean_text", default: true)
            normalizer.separateChineseCharacters = try reader.bool("handle_chinese_chars", default: true)
            normalizer.lowercase = try reader.bool("lowercase", default: true)
            normalizer.stripAccents =
                try optionalBool(normalizerObject["strip_accents"], key: "normalizer.strip_accents", path: path)
                ?? normalizer.lowercase
        }
        if let preTokenizer = object["pre_tokenizer"] as? [String: Any],
            let type = preTokenizer["type"] as? String, type != "BertPreTokenizer"
        {
            throw TransformersError.invalidTokenizer(
                path: path, reason: "pre_tokenizer '\(type)' is not supported (supported: BertPreTokenizer)")
        }
        let addedTokens = (object["added_tokens"] as? [[String: Any]] ?? []).compactMap {
            $0["content"] as? String
        }
        let reader = ConfigReader(object: model, path: path)
        let configFile = url.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        var specials: [String: Any] = [:]
        if FileManager.default.fileExists(atPath: configFile.path) {
            specials = try readJSONObject(configFile)
        }
        func special(_ key: String, _ fallback: String) throws -> String {
            try tokenString(specials[key], key: key, path: configFile.path) ?? fallback
        }
        let maximumLength = (specials["model_max_length"] as? NSNumber).map { Int($0.doubleValue) }
        return try WordPieceTokenizer(
            vocabulary: vocabulary, normalizer: normalizer,
            unknownToken: try reader.string("unk_token", default: "[UNK]"),
            classToken: try special("cls_token", "[CLS]"),
            separatorToken: try special("sep_token", "[SEP]"),
            padToken: try special("pad_token", "[PAD]"),
            maskToken: try special("mask_token", "[MASK]"),
            additionalLiteralTokens: addedTokens,
            continuingPrefix: try reader.string("continuing_subword_prefix", default: "##"),
            maximumCharactersPerWord: try reader.positiveInteger("max_input_chars_per_word", default: 100),
            modelMaximumLength: maximumLength.flatMap { $0 > 0 && $0 < 1_000_000 ? $0 : nil },
            source: path)
    }

    static func readJSONObject(_ url: URL) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TransformersError.fileNotFound(path: url.path)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TransformersError.invalidTokenizer(path: url.path, reason: "not a JSON object")
        }
        return object
    }

    /// A special token given either as a string or as `{"content": …}`.
    private static func tokenString(_ value: Any?, key: String, path: String) throws -> String? {
        switch value {
        case nil, is NSNull: return nil
        case let text as String: return text
        case let object as [String: Any]:
            if let content = object["content"] as? String { return content }
            fallthrough
        default:
            throw TransformersError.invalidTokenizer(
                path: path, reason: "'\(key)' must be a string or an object with 'content'")
        }
    }

    private static func optionalBool(_ value: Any?, key: String, path: String) throws -> Bool? {
        switch value {
        case nil, is NSNull: return nil
        case let flag as Bool: return flag
        default:
            throw TransformersError.invalidTokenizer(path: path, reason: "'\(key)' must be true, false or null")
        }
    }
}
