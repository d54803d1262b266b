import Foundation

extension DatasetReaders {
    /// JSON Lines with one object per non-blank line: a string `text`, a string or integer
    /// `label`, optional `pair` and `id` (default "<file name>:<line>"). Field names can be
    /// mapped like CSV columns.
    public static func jsonLines(
        path: String, textField: String = "text", labelField: String = "label", pairField: String? = nil
    ) throws -> Dataset {
        guard let data = FileManager.default.contents(atPath: path) else { throw EvaluationError.fileNotFound(path: path) }
        let name = (path as NSString).lastPathComponent
        var samples: [Sample] = []
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
            guard let text = object[textField] as? String else {
                throw EvaluationError.malformedFile(path: path, line: lineNumber, reason: "missing string field \"\(textField)\"")
            }
            let label: String
            switch object[labelField] {
            case let value as String: label = value
            case let value as NSNumber where Double(value.intValue) == value.doubleValue && !(value is Bool): label = String(value.intValue)
            default:
                throw EvaluationError.malformedFile(
                    path: path, line: lineNumber, reason: "\"\(labelField)\" must be a string or an integer")
            }
            let pair = pairField.flatMap { object[$0] as? String } ?? (pairField == nil ? object["pair"] as? String : nil)
            let id = (object["id"] as? String) ?? (object["id"] as? NSNumber).map { "\($0)" } ?? "\(name):\(lineNumber)"
            samples.append(Sample(id: id, text: text, pair: pair, label: label))
        }
        guard !samples.isEmpty else { throw EvaluationError.malformedFile(path: path, line: nil, reason: "no records") }
        return Dataset(name: name, samples: samples)
    }
}
