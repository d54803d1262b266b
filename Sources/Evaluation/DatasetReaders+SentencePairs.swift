import Foundation

extension DatasetReaders {
    /// Sentence pairs with a similarity score: the STS Benchmark's tab-separated layout, or JSON
    /// Lines with `sentence1`, `sentence2` and `score` when the path ends in `.jsonl`.
    ///
    /// Each sample's `text` and `pair` are the two sentences and its `label` the score as
    /// written (checked to be a finite number; `Sample.score` reads it back).
    public static func scoredPairs(path: String) throws -> Dataset {
        let suffix = (path as NSString).pathExtension.lowercased()
        return suffix == "jsonl" || suffix == "ndjson" ? try scoredPairsJSONLines(path: path) : try stsBenchmark(path: path)
    }

    /// The STS Benchmark (Cer et al. 2017) as SentEval distributes it: UTF-8, tab-separated, no
    /// header and no quoting (sentences contain `"` characters that are text), fields genre,
    /// source file, year, id, score, sentence 1, sentence 2. Lines may carry further fields
    /// after the second sentence (some copies append the sources), which are ignored. Ids are
    /// "<file name>:<line>".
    public static func stsBenchmark(path: String) throws -> Dataset {
        guard let data = FileManager.default.contents(atPath: path) else { throw EvaluationError.fileNotFound(path: path) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EvaluationError.malformedFile(path: path, line: nil, reason: "not valid UTF-8")
        }
        let name = (path as NSString).lastPathComponent
        var samples: [Sample] = []
        // "\r\n" is one Character in Swift, so CRLF line ends are separators of their own.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, rawLine) in lines.enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy(\.isWhitespace) { continue }
            let number = index + 1
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 7 else {
                throw EvaluationError.malformedFile(
                    path: path, line: number,
                    reason: "\(fields.count) tab-separated fields; an STS Benchmark line has 7 (genre, file, year, id, "
                        + "score, sentence 1, sentence 2)")
            }
            let score = try checkedScore(String(fields[4]), path: path, line: number, field: "the score (field 5)")
            samples.append(Sample(
                id: "\(name):\(number)", text: String(fields[5]), pair: String(fields[6]), label: score, line: number))
        }
        guard !samples.isEmpty else { throw EvaluationError.malformedFile(path: path, line: nil, reason: "no sentence pairs") }
        return Dataset(name: name, samples: samples, labelNames: [])
    }

    /// JSON Lines with string fields `sentence1` and `sentence2` and a numeric `score` (a
    /// number, or a string holding one); optional `id`.
    public static func scoredPairsJSONLines(path: String) throws -> Dataset {
        let name = path == "-" ? "stdin" : (path as NSString).lastPathComponent
        var samples: [Sample] = []
        for (line, object) in try jsonObjects(path: path) {
            func text(_ field: String) throws -> String {
                guard let value = object[field] as? String else {
                    throw EvaluationError.malformedFile(path: path, line: line, reason: "missing string field \"\(field)\"")
                }
                return value
            }
            let score: String
            switch object["score"] {
            case let value as NSNumber where !value.isJSONBoolean: score = try checkedScore(value.stringValue, path: path, line: line, field: "\"score\"")
            case let value as String: score = try checkedScore(value, path: path, line: line, field: "\"score\"")
            default:
                throw EvaluationError.malformedFile(path: path, line: line, reason: "\"score\" must be a number")
            }
            let id = (object["id"] as? String) ?? (object["id"] as? NSNumber).map { "\($0)" } ?? "\(name):\(line)"
            samples.append(Sample(id: id, text: try text("sentence1"), pair: try text("sentence2"), label: score, line: line))
        }
        guard !samples.isEmpty else { throw EvaluationError.malformedFile(path: path, line: nil, reason: "no sentence pairs") }
        return Dataset(name: name, samples: samples, labelNames: [])
    }

    /// The text of a finite number, trimmed, or an error naming the file, line and field.
    static func checkedScore(_ raw: String, path: String, line: Int, field: String) throws -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        guard let value = Double(trimmed), value.isFinite else {
            throw EvaluationError.malformedFile(path: path, line: line, reason: "\(field) '\(raw)' is not a number")
        }
        return trimmed
    }
}

extension Sample {
    /// The label read as a number: the similarity score of a scored sentence pair, or nil.
    public var score: Double? { Double(label) }
}

extension Dataset {
    /// Whether every sample has a label (readers give unlabelled samples the label "").
    public var isLabelled: Bool { !samples.isEmpty && !samples.contains { $0.label.isEmpty } }

    /// Whether every sample is a sentence pair.
    public var hasPairs: Bool { !samples.isEmpty && !samples.contains { $0.pair == nil } }

    /// The first sample without a second sentence, for messages.
    public var firstSampleWithoutPair: Sample? { samples.first { $0.pair == nil } }
}
