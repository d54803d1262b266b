import Foundation

extension DatasetReaders {
    /// Every non-blank line's JSON object with its 1-based line number; `-` reads standard
    /// input. A line that is not UTF-8 or not a JSON object is an error naming the file and line.
    public static func jsonObjects(path: String) throws -> [(line: Int, object: [String: Any])] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else { throw EvaluationError.fileNotFound(path: path) }
            data = contents
        }
        var result: [(line: Int, object: [String: Any])] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard let string = String(data: Data(line), encoding: .utf8) else {
                throw EvaluationError.malformedFile(path: path, line: lineNumber, reason: "not valid UTF-8")
            }
            if string.allSatisfy(\.isWhitespace) { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                throw EvaluationError.malformedFile(path: path, line: lineNumber, reason: "not a JSON object")
            }
            result.append((lineNumber, object))
        }
        return result
    }

    /// The string field `field` of every line (unlabelled texts to tokenize, embed or score).
    public static func texts(path: String, field: String = "text") throws -> [String] {
        try jsonObjects(path: path).map { row in
            guard let value = row.object[field] as? String else {
                throw EvaluationError.malformedFile(path: path, line: row.line, reason: "missing string field \"\(field)\"")
            }
            return value
        }
    }

    /// JSON Lines with one object per non-blank line: a string `text`, a string or integer
    /// `label`, optional `pair` and `id` (default "<file name>:<line>"). Field names can be
    /// mapped like CSV columns; `-` reads standard input.
    ///
    /// With `requireLabels` false, a file in which no line has the label field is read as
    /// unlabelled text (every label ""), for masked-LM pretraining and sentence pairs; a file
    /// in which some lines have it still needs it on every line.
    public static func jsonLines(
        path: String, textField: String = "text", labelField: String = "label", pairField: String? = nil,
        requireLabels: Bool = true
    ) throws -> Dataset {
        let name = path == "-" ? "stdin" : (path as NSString).lastPathComponent
        var samples: [Sample] = []
        let objects = try jsonObjects(path: path)
        let unlabelled = !requireLabels && !objects.contains { $0.object[labelField] != nil }
        for (lineNumber, object) in objects {
            guard let text = object[textField] as? String else {
                throw EvaluationError.malformedFile(path: path, line: lineNumber, reason: "missing string field \"\(textField)\"")
            }
            let label: String
            switch object[labelField] {
            case _ where unlabelled: label = ""
            case let value as String: label = value
            case let value as NSNumber where Double(value.intValue) == value.doubleValue && !value.isJSONBoolean: label = String(value.intValue)
            default:
                throw EvaluationError.malformedFile(
                    path: path, line: lineNumber, reason: "\"\(labelField)\" must be a string or an integer")
            }
            let pair = pairField.flatMap { object[$0] as? String } ?? (pairField == nil ? object["pair"] as? String : nil)
            let id = (object["id"] as? String) ?? (object["id"] as? NSNumber).map { "\($0)" } ?? "\(name):\(lineNumber)"
            samples.append(Sample(id: id, text: text, pair: pair, label: label, line: lineNumber))
        }
        guard !samples.isEmpty else { throw EvaluationError.malformedFile(path: path, line: nil, reason: "no records") }
        return Dataset(name: name, samples: samples, labelNames: unlabelled ? [] : nil)
    }
}

extension NSNumber {
    /// Whether JSON's `true` or `false` produced it. `is Bool` cannot tell: on Linux the numbers
    /// 0 and 1 bridge to Bool too, so a 0/1 label would be refused; a JSON boolean alone is
    /// stored with the `char` type code.
    var isJSONBoolean: Bool { String(cString: objCType) == "c" }
}
