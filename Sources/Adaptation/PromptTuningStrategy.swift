import Transformers

/// Learned soft-prompt vectors inserted after [CLS] with the encoder frozen (Lester et al.
/// 2021); the vectors start as copies of randomly chosen vocabulary embeddings, the
/// initialisation the paper found best, and the head trains with them.
public struct PromptTuningStrategy: AdaptationStrategy {
    public static let name = "prompt-tuning"
    public static let optionNames = ["length"]
    public static let defaultLearningRate: Float = 3e-3
    public var length = 20

    public init(length: Int = 20) { self.length = length }

    public init(options: StrategyOptions) throws {
        length = try options.integer("length", default: 20)
    }

    public var options: StrategyOptions { StrategyOptions(scalars: ["length": String(length)]) }

    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        let classifier = Classifier.fresh(base: base, labelNames: labelNames, pooling: pooling, generator: &generator)
        if let existing = classifier.model.softPrompt {
            // A later stage of a chain keeps training the prompt learned before.
            classifier.train { $0 === existing }
            return classifier
        }
        classifier.train { _ in false }
        try attach(to: classifier.model, generator: &generator)
        return classifier
    }

    /// A soft prompt of `length` vectors copied from random vocabulary rows, when the encoder has none.
    public func attach(to model: BertModel, generator: inout SeededGenerator) throws {
        guard length >= 1 else {
            throw AdaptationError.invalidOption(name: "length", reason: "must be at least 1, got \(length)")
        }
        guard model.softPrompt == nil else { return }
        let table = model.wordEmbeddings.table.value
        let hidden = table.shape[1]
        // Skip the first 1,000 ids, which in BERT vocabularies are special and unused tokens.
        let first = min(1000, table.shape[0] - 1)
        var rows = Tensor(shape: [length, hidden])
        for slot in 0..<length {
            let id = first + Int(generator.next() % UInt64(table.shape[0] - first))
            rows.scalars.replaceSubrange((slot * hidden)..<((slot + 1) * hidden), with: table.row(id))
        }
        model.softPrompt = Parameter(name: Self.parameterName, value: rows, decays: false)
    }

    public static let parameterName = "prompt.embeddings"
}
