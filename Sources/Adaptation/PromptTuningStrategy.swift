import Transformers

/// Learned soft-prompt vectors inserted after [CLS] with the encoder frozen (Lester et al.
/// 2021); the vectors start as copies of randomly chosen vocabulary embeddings, the
/// initialisation the paper found best, and the head trains with them.
public struct PromptTuningStrategy: AdaptationStrategy {
    public let name = "prompt-tuning"
    public var length = 20

    public init(length: Int = 20) { self.length = length }

    public var options: [String: String] { ["length": String(length)] }

    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        guard length >= 1 else {
            throw AdaptationError.invalidOption(name: "--prompt-length", reason: "must be at least 1, got \(length)")
        }
        let classifier = Classifier.fresh(base: base, labelNames: labelNames, pooling: pooling, generator: &generator)
        if let existing = classifier.model.softPrompt {
            // A later stage of a chain keeps training the prompt learned before.
            classifier.train { $0 === existing }
            return classifier
        }
        classifier.train { _ in false }
        let table = base.model.wordEmbeddings.table.value
        let hidden = table.shape[1]
        // Skip the first 1,000 ids, which in BERT vocabularies are special and unused tokens.
        let first = min(1000, table.shape[0] - 1)
        var rows = Tensor(shape: [length, hidden])
        for slot in 0..<length {
            let id = first + Int(generator.next() % UInt64(table.shape[0] - first))
            rows.scalars.replaceSubrange((slot * hidden)..<((slot + 1) * hidden), with: table.row(id))
        }
        classifier.model.softPrompt = Parameter(name: Self.parameterName, value: rows, decays: false)
        return classifier
    }

    public static let parameterName = "prompt.embeddings"
}
