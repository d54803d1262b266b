import Adaptation
import Evaluation
import Foundation

/// A classifier over any embedder: each label is a unit vector (a prototype), and a text gets
/// p(label j) = softmax_j(s · cos(e(text), p_j)) with the native strategies' scale s.
///
/// Few-shot: p_j is the normalised mean of k embedded training examples of label j (prototypical
/// networks, Snell et al. 2017). Zero-shot: p_j embeds a description of label j (the text-only
/// form of CLIP's zero-shot classifier, Radford et al. 2021). The same rules as the native
/// `few-shot` and `zero-shot` strategies, over a remote embedding endpoint.
public final class PrototypeClassifier: TextClassifier {
    public let labelNames: [String]
    public let prototypes: [[Double]]
    let embedder: any TextEmbedder
    let scale: Double

    public init(embedder: any TextEmbedder, labelNames: [String], prototypes: [[Double]], scale: Double) {
        self.embedder = embedder
        self.labelNames = labelNames
        self.prototypes = prototypes
        self.scale = scale
    }

    /// Prototypes from k examples per label drawn with `seed`.
    public static func fewShot(
        embedder: any TextEmbedder, labelNames: [String], examples: [PromptTemplate.Demonstration], perClass: Int, seed: UInt64
    ) throws -> PrototypeClassifier {
        let chosen = try PromptTemplate.demonstrations(from: examples, perClass: perClass, classCount: labelNames.count, seed: seed)
        let vectors = try embedder.embed(chosen.map(\.input))
        let prototypes = try labelNames.indices.map { label in
            try unit(mean(chosen.indices.filter { chosen[$0].label == label }.map { vectors[$0].map(Double.init) }))
        }
        return PrototypeClassifier(embedder: embedder, labelNames: labelNames, prototypes: prototypes, scale: Double(FewShot().scale))
    }

    /// Prototypes from one description per label.
    public static func zeroShot(embedder: any TextEmbedder, labelNames: [String], descriptions: [String]) throws -> PrototypeClassifier {
        guard descriptions.count == labelNames.count else {
            throw EvaluationError.invalidArgument(
                reason: "give \(labelNames.count) descriptions, one per label (\(labelNames.joined(separator: ", "))), got \(descriptions.count)")
        }
        let vectors = try embedder.embed(descriptions.map { TextInput($0) })
        return PrototypeClassifier(
            embedder: embedder, labelNames: labelNames, prototypes: try vectors.map { try unit($0.map(Double.init)) },
            scale: Double(ZeroShot().scale))
    }

    public func probabilities(_ inputs: [TextInput]) throws -> [[Double]] {
        try embedder.embed(inputs).map { vector in
            let direction = try Self.unit(vector.map(Double.init))
            guard direction.count == prototypes.first?.count else {
                throw EvaluationError.invalidArgument(
                    reason: "the embedder returned \(direction.count) numbers, the prototypes have \(prototypes.first?.count ?? 0)")
            }
            let logits = prototypes.map { prototype in scale * zip(prototype, direction).reduce(0) { $0 + $1.0 * $1.1 } }
            return PromptClassifier.softmax(logits)
        }
    }

    static func mean(_ vectors: [[Double]]) throws -> [Double] {
        guard let width = vectors.first?.count else { throw EvaluationError.invalidArgument(reason: "a prototype needs at least one example") }
        var sum = [Double](repeating: 0, count: width)
        for vector in vectors {
            for column in 0..<width { sum[column] += vector[column] }
        }
        return sum.map { $0 / Double(vectors.count) }
    }

    /// v / ‖v‖; a zero vector has no direction and is refused.
    static func unit(_ vector: [Double]) throws -> [Double] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else { throw EvaluationError.invalidArgument(reason: "an embedding is all zeros or not finite") }
        return vector.map { $0 / norm }
    }
}
