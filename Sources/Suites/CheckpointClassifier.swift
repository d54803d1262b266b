import Adaptation
import Evaluation
import Foundation
import Transformers

/// An adapted classifier checkpoint on its base model as a `TextClassifier`: how a suite
/// scores generated text (toxicity, sentiment) with any classifier AdaptEval trained.
final class CheckpointClassifier: TextClassifier {
    let classifier: Classifier
    var labelNames: [String] { classifier.labelNames }
    /// Texts per forward pass.
    let batchSize = 64

    init(checkpoint: URL, base: URL) throws {
        classifier = try AdaptedCheckpoint.load(from: checkpoint, base: try Checkpoint(directory: base))
    }

    func probabilities(_ inputs: [TextInput]) throws -> [[Double]] {
        var rows: [[Double]] = []
        rows.reserveCapacity(inputs.count)
        var start = 0
        while start < inputs.count {
            try Interruption.checkpoint()
            let end = min(start + batchSize * 8, inputs.count)
            // Labels are not read when only probabilities are wanted.
            let examples = inputs[start..<end].map { LabelledExample(text: $0.text, pair: $0.pair, label: 0) }
            let probabilities = try classifier.logits(examples, batchSize: batchSize).softmax()
            let width = probabilities.shape[1]
            for row in 0..<examples.count { rows.append((0..<width).map { Double(probabilities[row, $0]) }) }
            start = end
        }
        return rows
    }
}

/// A score per text from a classifier: Σ P(labels) − Σ P(negative labels), in [0, 1] for
/// toxicity (labels `toxic`) and in [−1, 1] for sentiment (`positive` minus `negative`).
struct LabelScorer {
    let classifier: any TextClassifier
    let labels: [Int]
    let negativeLabels: [Int]

    init(_ classifier: any TextClassifier, labels: [String], negativeLabels: [String] = []) throws {
        func indices(_ names: [String]) throws -> [Int] {
            try names.map { name in
                guard let index = classifier.labelNames.firstIndex(of: name) else {
                    throw EvaluationError.invalidArgument(
                        reason: "the scorer has no label '\(name)' (its labels: \(classifier.labelNames.joined(separator: ", ")))")
                }
                return index
            }
        }
        self.classifier = classifier
        self.labels = try indices(labels)
        self.negativeLabels = try indices(negativeLabels)
    }

    func scores(_ texts: [String]) throws -> [Double] {
        try classifier.probabilities(texts.map { TextInput($0) }).map { row in
            labels.reduce(0) { $0 + row[$1] } - negativeLabels.reduce(0) { $0 + row[$1] }
        }
    }
}
