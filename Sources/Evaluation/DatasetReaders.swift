import Foundation

/// Readers for the classification sets in ../shared/data and for user files with column
/// mappings. Each sample's id is "<file name>:<record line>" (or the review's unique id).
public enum DatasetReaders {
    /// SST-2 from GLUE (`train.tsv`, `dev.tsv`): `sentence<TAB>label`, label 0 negative, 1 positive.
    public static func sst2(path: String) throws -> Dataset {
        try delimited(path: path, textColumn: "sentence", labelColumn: "label", delimiter: "\t", quoting: false,
                      labelNames: ["0": "negative", "1": "positive"])
    }

    /// Davidson et al. (2017) `labeled_data.csv`: `tweet` with `class` 0 hate speech,
    /// 1 offensive language, 2 neither.
    public static func davidson(path: String) throws -> Dataset {
        try delimited(path: path, textColumn: "tweet", labelColumn: "class",
                      labelNames: ["0": "hate_speech", "1": "offensive_language", "2": "neither"])
    }

    /// One domain of the Multi-Domain Sentiment set (Blitzer et al. 2007): the folder's
    /// `positive.review` and `negative.review`, labels from the file names, `<review_text>` as
    /// the text (HTML entities decoded, stray control bytes removed).
    public static func multiDomainSentiment(folder: String) throws -> Dataset {
        var samples: [Sample] = []
        for label in ["negative", "positive"] {
            let path = (folder as NSString).appendingPathComponent("\(label).review")
            for review in try reviews(path: path) {
                samples.append(Sample(id: review.id, text: review.text, label: label))
            }
        }
        return Dataset(name: (folder as NSString).lastPathComponent, samples: samples, labelNames: ["negative", "positive"])
    }

    /// The reviews of one `.review` file: pseudo-XML, read tag by tag, never as XML.
    static func reviews(path: String) throws -> [(id: String, text: String)] {
        guard let data = FileManager.default.contents(atPath: path) else { throw EvaluationError.fileNotFound(path: path) }
        guard let raw = String(data: data, encoding: .utf8) else {
            throw EvaluationError.malformedFile(path: path, line: nil, reason: "not valid UTF-8")
        }
        let text = String(String.UnicodeScalarView(raw.unicodeScalars.filter {
            $0 == "\n" || $0 == "\t" || $0.value >= 0x20
        }))
        var result: [(id: String, text: String)] = []
        var current: String?
        var values: [String: [Substring]] = [:]
        var lineNumber = 0
        var reviewLine = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "<review>" {
                values = [:]
                reviewLine = lineNumber
            } else if trimmed == "</review>" {
                guard let body = values["review_text"] else {
                    throw EvaluationError.malformedFile(path: path, line: reviewLine, reason: "a review has no <review_text>")
                }
                let id = values["unique_id"]?.joined(separator: " ").trimmingCharacters(in: .whitespaces) ?? "\(path):\(reviewLine)"
                result.append((id, decodeEntities(body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))))
            } else if trimmed.hasPrefix("</"), trimmed.hasSuffix(">") {
                current = nil
            } else if trimmed.hasPrefix("<"), trimmed.hasSuffix(">"), !trimmed.contains(" "), trimmed != "<data>" {
                current = String(trimmed.dropFirst().dropLast())
                values[current!] = []
            } else if let current {
                values[current, default: []].append(line)
            }
        }
        return result
    }

    /// Decodes `&amp;`, `&quot;`, `&lt;`, `&gt;`, `&apos;` and numeric entities; leaves a bare `&`.
    public static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = ""
        var index = text.startIndex
        let named = ["amp": "&", "quot": "\"", "lt": "<", "gt": ">", "apos": "'", "nbsp": "\u{A0}"]
        while index < text.endIndex {
            if text[index] == "&", let semicolon = text[index...].prefix(10).firstIndex(of: ";") {
                let name = text[text.index(after: index)..<semicolon]
                var replacement: String?
                if let value = named[String(name)] {
                    replacement = value
                } else if name.hasPrefix("#x") || name.hasPrefix("#X"), let code = UInt32(name.dropFirst(2), radix: 16) {
                    replacement = Unicode.Scalar(code).map { String(Character($0)) }
                } else if name.hasPrefix("#"), let code = UInt32(name.dropFirst()) {
                    replacement = Unicode.Scalar(code).map { String(Character($0)) }
                }
                if let replacement {
                    output += replacement
                    index = text.index(after: semicolon)
                    continue
                }
            }
            output.append(text[index])
            index = text.index(after: index)
        }
        return output
    }

    /// A CSV or TSV file with a header, mapping columns to text, label and an optional pair.
    /// `labelNames` renames raw label values (e.g. "1" → "positive"). With `requireLabels`
    /// false, a header without the label column reads as unlabelled text (every label "").
    public static func delimited(
        path: String, textColumn: String, labelColumn: String, pairColumn: String? = nil,
        delimiter: Character = ",", quoting: Bool = true, labelNames: [String: String] = [:], requireLabels: Bool = true
    ) throws -> Dataset {
        let table = try DelimitedText(contentsOf: path, delimiter: delimiter, quoting: quoting)
        let text = try table.column(textColumn, path: path)
        let label = !requireLabels && !table.header.contains(labelColumn) ? nil : try table.column(labelColumn, path: path)
        let pair = try pairColumn.map { try table.column($0, path: path) }
        let name = (path as NSString).lastPathComponent
        let samples = table.records.map { record in
            let raw = label.map { record.fields[$0].trimmingCharacters(in: .whitespaces) } ?? ""
            return Sample(id: "\(name):\(record.line)", text: record.fields[text].trimmingCharacters(in: .whitespaces),
                          pair: pair.map { record.fields[$0] }, label: labelNames[raw] ?? raw, line: record.line)
        }
        guard !samples.isEmpty else { throw EvaluationError.malformedFile(path: path, line: nil, reason: "no records") }
        if !labelNames.isEmpty {
            let order = labelNames.keys.sorted { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }.compactMap { labelNames[$0] }
            let unknown = Set(samples.map(\.label)).subtracting(order)
            guard unknown.isEmpty else {
                throw EvaluationError.malformedFile(path: path, line: nil, reason: "unexpected labels \(unknown.sorted())")
            }
            return Dataset(name: name, samples: samples, labelNames: order)
        }
        return Dataset(name: name, samples: samples, labelNames: label == nil ? [] : nil)
    }
}
