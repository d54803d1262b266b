import Adaptation
import Evaluation
import Foundation

/// A linear probe over any embedder: multinomial L2 logistic regression on the embeddings of
/// the training split, its inverse strength C chosen by accuracy on the validation split from
/// `LogisticRegression.defaultStrengthGrid` (the native `linear-probe` strategy's rule, as
/// SentEval, CLIP and MTEB fit linear probes: Conneau & Kiela 2018, Radford et al. 2021).
///
/// The embeddings are the endpoint's as they come (per-token ones averaged by `RemoteModel`),
/// unnormalised, like the native probe's pooled features.
public final class LinearProbeClassifier: TextClassifier {
    public let labelNames: [String]
    /// The fitted model and every C tried with its validation accuracy.
    public let selection: StrengthSelection
    let embedder: any TextEmbedder

    /// Embeds both splits and fits; every label needs a training example.
    public init(
        embedder: any TextEmbedder, labelNames: [String], training: [PromptTemplate.Demonstration],
        validation: [PromptTemplate.Demonstration], grid: [Double] = LogisticRegression.defaultStrengthGrid
    ) throws {
        guard !training.isEmpty, !validation.isEmpty else {
            throw EvaluationError.invalidArgument(
                reason: "a linear probe needs training and validation examples (got \(training.count) and \(validation.count))")
        }
        self.embedder = embedder
        self.labelNames = labelNames
        func features(_ examples: [PromptTemplate.Demonstration], name: String) throws -> LabelledFeatures {
            let vectors = try embedder.embed(examples.map(\.input)).map { $0.map(Double.init) }
            return try LabelledFeatures(
                features: try Matrix(rowArrays: vectors), labels: examples.map(\.label), classCount: labelNames.count, name: name)
        }
        selection = try LogisticRegression.fitSelectingStrength(
            train: try features(training, name: "training embeddings"),
            validation: try features(validation, name: "validation embeddings"), grid: grid)
    }

    public func probabilities(_ inputs: [TextInput]) throws -> [[Double]] {
        guard !inputs.isEmpty else { return [] }
        let vectors = try embedder.embed(inputs).map { $0.map(Double.init) }
        let probabilities = try selection.model.predictProbabilities(try Matrix(rowArrays: vectors))
        return (0..<probabilities.rows).map { Array(probabilities.row($0)) }
    }
}
