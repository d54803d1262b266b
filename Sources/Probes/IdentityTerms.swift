import Evaluation
import Foundation

/// A list of identity terms (`adjectives_people.txt` of Dixon et al. 2018, or the user's own)
/// and which of them a text mentions.
///
/// A term is mentioned where it occurs as whole words, case-insensitively: the characters
/// before and after it are not letters, digits or `_` (the `\bterm\b` regular expression of
/// the Jigsaw bias-analysis code). A text can mention several terms ("african american"
/// also mentions "african" and "american").
public struct IdentityTerms: Sendable, Equatable {
    /// Lower-cased terms in list order, without duplicates.
    public var terms: [String]
    /// Where the list came from, for messages.
    public var source: String
    /// Each term's scalars.
    private var termScalars: [[Unicode.Scalar]]

    public init(terms: [String], source: String) throws {
        var seen = Set<String>()
        self.terms = terms.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty && seen.insert($0).inserted }
        self.source = source
        termScalars = self.terms.map { Array($0.unicodeScalars) }
        guard self.terms.count >= 2 else {
            throw ProbeError.malformedFile(path: source, line: nil, reason: "needs at least two identity terms, one per line")
        }
    }

    /// Reads a word list: one term per non-blank line.
    public static func read(path: String) throws -> IdentityTerms {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProbeError.malformedFile(path: path, line: nil, reason: "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ProbeError.malformedFile(path: path, line: nil, reason: "not valid UTF-8")
        }
        return try IdentityTerms(terms: text.components(separatedBy: .newlines), source: path)
    }

    /// The terms `text` mentions, in list order.
    public func mentioned(in text: String) -> [String] {
        let lowered = Self.loweredScalars(text)
        return terms.indices.filter { !Self.occurrences(of: termScalars[$0], in: lowered).isEmpty }.map { terms[$0] }
    }

    /// The whole-word occurrences of a term in a text (both lower-cased), as scalar ranges.
    static func occurrences(of term: [Unicode.Scalar], in text: [Unicode.Scalar]) -> [Range<Int>] {
        guard !term.isEmpty, term.count <= text.count else { return [] }
        var found: [Range<Int>] = []
        var start = 0
        while start + term.count <= text.count {
            if text[start] == term[0], (1..<term.count).allSatisfy({ text[start + $0] == term[$0] }),
                start == 0 || !isWordCharacter(text[start - 1]),
                start + term.count == text.count || !isWordCharacter(text[start + term.count])
            {
                found.append(start..<(start + term.count))
                start += term.count
            } else {
                start += 1
            }
        }
        return found
    }

    /// The text's scalars lower-cased one for one (so positions match the original's).
    static func loweredScalars(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.map { scalar in
            if scalar.isASCII {
                return ("A"..."Z").contains(scalar) ? Unicode.Scalar(UInt8(scalar.value + 32)) : scalar
            }
            return String(scalar).lowercased().unicodeScalars.first ?? scalar
        }
    }

    /// `\w` of Python's `re` with UNICODE: letters, digits (and other alphanumerics) and `_`.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// `text` with every whole-word occurrence of `term` replaced by `replacement`, keeping a
    /// capital first letter. Nil when the term does not occur.
    public func replacing(_ term: String, with replacement: String, in text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        let lowered = Self.loweredScalars(text)
        let ranges = Self.occurrences(of: Array(term.unicodeScalars), in: lowered)
        guard !ranges.isEmpty else { return nil }
        var result = String.UnicodeScalarView()
        var position = 0
        for range in ranges {
            result.append(contentsOf: scalars[position..<range.lowerBound])
            var swapped = replacement
            if let first = scalars[range.lowerBound].properties.isUppercase ? replacement.first : nil {
                swapped = first.uppercased() + replacement.dropFirst()
            }
            result.append(contentsOf: swapped.unicodeScalars)
            position = range.upperBound
        }
        result.append(contentsOf: scalars[position...])
        return String(result)
    }
}

/// Texts labelled toxic or non-toxic, from the identity-term and toxicity files of
/// ../shared/data §4 or the user's own.
public enum ToxicityLabelledTexts {
    /// The label names of the samples read.
    public static let toxic = "toxic"
    public static let nonToxic = "nontoxic"

    /// Whether a raw label means toxic (`BAD`, `toxic`, `True`, `1`, `hate`) or not
    /// (`NOT_BAD`, `nontoxic`, `non-toxic`, `False`, `0`, `neutral`); nil for anything else.
    public static func isToxic(_ raw: String) -> Bool? {
        switch raw.trimmingCharacters(in: .whitespaces).lowercased() {
        case "bad", "toxic", "true", "1", "hate": return true
        case "not_bad", "nontoxic", "non-toxic", "false", "0", "neutral": return false
        default: return nil
        }
    }

    /// Reads a CSV with a header whose text column is one of `Text`, `phrase`, `comment`,
    /// `text` and whose label column is one of `Label`, `toxicity`, `toxic`, `label`
    /// (`bias_madlibs_77k.csv`, `en_sentence_templates.csv`, the fuzzed Wikipedia Talk test
    /// sets), or JSON Lines with `text` and `label`. Sample ids are `<file>:<line>`.
    public static func read(path: String) throws -> Dataset {
        let name = (path as NSString).lastPathComponent
        var rows: [(line: Int, text: String, label: String)] = []
        if path.hasSuffix(".jsonl") {
            for row in try DatasetReaders.jsonObjects(path: path) {
                guard let text = row.object["text"] as? String else {
                    throw ProbeError.malformedFile(path: path, line: row.line, reason: "no string \"text\"")
                }
                let label = (row.object["label"] as? String) ?? (row.object["label"] as? NSNumber).map { "\($0)" } ?? ""
                rows.append((row.line, text, label))
            }
        } else {
            let table = try DelimitedText(contentsOf: path)
            guard let text = ["Text", "phrase", "comment", "text"].lazy.compactMap({ table.header.firstIndex(of: $0) }).first,
                let label = ["Label", "toxicity", "toxic", "label"].lazy.compactMap({ table.header.firstIndex(of: $0) }).first
            else {
                throw ProbeError.malformedFile(
                    path: path, line: 1,
                    reason: "needs a text column (Text, phrase, comment or text) and a label column (Label, toxicity, toxic or label); the header is \(table.header.joined(separator: ","))")
            }
            rows = table.records.map { ($0.line, $0.fields[text], $0.fields[label]) }
        }
        let samples = try rows.map { row in
            guard let toxic = isToxic(row.label) else {
                throw ProbeError.malformedFile(
                    path: path, line: row.line,
                    reason: "label '\(row.label)' is neither toxic (BAD, toxic, True, 1) nor non-toxic (NOT_BAD, nontoxic, False, 0)")
            }
            return Sample(id: "\(name):\(row.line)", text: row.text, label: toxic ? Self.toxic : Self.nonToxic,
                          line: row.line)
        }
        guard !samples.isEmpty else { throw ProbeError.malformedFile(path: path, line: nil, reason: "holds no texts") }
        // The dataset is named by its path, for messages about its lines.
        return Dataset(name: path, samples: samples, labelNames: [nonToxic, toxic])
    }

    /// A seeded sample of at most `limit` texts with the label proportions kept (the first
    /// `limit` of a stratified shuffle), in file order.
    public static func sample(_ dataset: Dataset, limit: Int?, seed: UInt64) throws -> Dataset {
        guard let limit, limit < dataset.samples.count else { return dataset }
        guard limit >= 1 else { throw ProbeError.invalidSetting(name: "limit", reason: "must be at least 1, got \(limit)") }
        var chosen = try Splits.stratified(dataset, fractions: [1], limits: [limit], seed: seed)[0]
        chosen.samples.sort { ($0.line ?? 0) < ($1.line ?? 0) }
        chosen.name = dataset.name
        return chosen
    }
}
