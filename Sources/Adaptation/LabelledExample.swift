import Foundation

/// One classification example: a text (or text pair) and its label index.
public struct LabelledExample: Sendable, Equatable {
    public var text: String
    public var pair: String?
    public var label: Int

    public init(text: String, pair: String? = nil, label: Int) {
        self.text = text
        self.pair = pair
        self.label = label
    }
}

/// Labelled examples with the label names their indices refer to.
public struct LabelledDataset: Sendable {
    public var examples: [LabelledExample]
    public var labelNames: [String]

    public init(examples: [LabelledExample], labelNames: [String]) {
        self.examples = examples
        self.labelNames = labelNames
    }

    /// Reads JSON Lines `{"text": …, "label": …}` (optional `"pair"`); labels may be strings or
    /// integers. `labelNames` fixes the label order (a test set must use the training set's);
    /// otherwise integers keep their values and strings are sorted.
    public static func readJSONLines(path: String, labelNames fixed: [String]? = nil) throws -> LabelledDataset {
        var raw: [(text: String, pair: String?, label: String, line: Int)] = []
        for (lineNumber, object) in try JSONLinesReader.objects(path: path) {
            guard let text = object["text"] as? String else {
                throw AdaptationError.invalidData(path: path, line: lineNumber, reason: "missing string field \"text\"")
            }
            let label: String
            switch object["label"] {
            case let value as String: label = value
            case let value as NSNumber where Double(value.intValue) == value.doubleValue: label = String(value.intValue)
            default:
                throw AdaptationError.invalidData(
                    path: path, line: lineNumber, reason: "\"label\" must be a string or an integer")
            }
            raw.append((text, object["pair"] as? String, label, lineNumber))
        }
        guard !raw.isEmpty else {
            throw AdaptationError.invalidData(path: path, line: nil, reason: "no examples")
        }
        let names: [String]
        if let fixed {
            names = fixed
        } else {
            let distinct = Set(raw.map(\.label))
            if distinct.allSatisfy({ Int($0) != nil }) {
                names = distinct.sorted { Int($0)! < Int($1)! }
            } else {
                names = distinct.sorted()
            }
        }
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let examples = try raw.map { row -> LabelledExample in
            guard let label = index[row.label] else {
                throw AdaptationError.invalidData(
                    path: path, line: row.line,
                    reason: "label '\(row.label)' does not occur in the training data (labels: \(names.joined(separator: ", ")))")
            }
            return LabelledExample(text: row.text, pair: row.pair, label: label)
        }
        return LabelledDataset(examples: examples, labelNames: names)
    }
}
