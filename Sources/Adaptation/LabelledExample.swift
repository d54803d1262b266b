import Evaluation
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

    /// A dataset's samples as label indices: `labelNames` fixes the order (a test set must use
    /// the training set's); otherwise the dataset's own label order. A label outside that order
    /// is an error naming `source` and the sample.
    public init(_ dataset: Dataset, labelNames fixed: [String]? = nil, source: String) throws {
        let names = fixed ?? dataset.labelNames
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        examples = try dataset.samples.map { sample in
            guard let label = index[sample.label] else {
                throw AdaptationError.invalidData(
                    path: source, line: sample.line,
                    reason: "label '\(sample.label)'" + (sample.line == nil ? " of \(sample.id)" : "")
                        + " does not occur in the training data (labels: \(names.joined(separator: ", ")))")
            }
            return LabelledExample(text: sample.text, pair: sample.pair, label: label)
        }
        labelNames = names
    }
}
