import Evaluation
import Foundation

/// How a prompt's answer becomes a label.
public enum PromptScoring: String, Sendable, Hashable, Codable, CaseIterable {
    /// The log-likelihood of each label's verbaliser as the prompt's continuation, softmaxed
    /// over labels: p(label j) = exp(ℓ_j) / Σ_k exp(ℓ_k), ℓ_j = Σ_t log P(token t of " v_j" | prompt, …).
    case likelihood
    /// A greedy generated answer, parsed for a verbaliser (`PromptTemplate.parse`).
    case generation
}

/// A classifier made of a language model and an instruction prompt (zero-shot with no
/// demonstrations, k-shot with k per class). Nothing trains; the demonstrations are the only
/// thing drawn from training data.
public final class PromptClassifier: TextClassifier {
    public let labelNames: [String]
    public let template: PromptTemplate
    public let demonstrations: [PromptTemplate.Demonstration]
    public let scoring: PromptScoring
    let languageModel: (any CausalLanguageModel)?
    let generator: (any TextGenerator)?
    /// Tokens a generated answer may take (it stops at a line break).
    public var answerTokens = 8

    /// One input's answer.
    public struct Answer: Sendable, Equatable {
        /// Label probabilities: the softmax of the verbalisers' log-likelihoods, or one-hot on
        /// the parsed label; nil when a generated answer names no label.
        public var probabilities: [Double]?
        /// The label chosen (the most probable, the first of ties), or nil.
        public var label: Int?
        /// The generated answer (generation scoring).
        public var text: String?
    }

    /// - Parameters:
    ///   - model: supplies the causal LM (likelihood scoring) or the generator (generation).
    public init(model: any ModelUnderTest, labelNames: [String], template: PromptTemplate,
                demonstrations: [PromptTemplate.Demonstration], scoring: PromptScoring) throws {
        guard template.verbalizers.count == labelNames.count else {
            throw EvaluationError.invalidArgument(
                reason: "give \(labelNames.count) verbalizers, one per label (\(labelNames.joined(separator: ", "))), got \(template.verbalizers.count)")
        }
        if let empty = template.verbalizers.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw EvaluationError.invalidArgument(reason: "the verbalizer of label '\(labelNames[empty])' is empty")
        }
        self.labelNames = labelNames
        self.template = template
        self.demonstrations = demonstrations
        self.scoring = scoring
        switch scoring {
        case .likelihood:
            languageModel = try model.require(model.causalLanguageModel, "score continuations (echo log-probabilities)",
                                              for: "prompt scoring by likelihood")
            generator = nil
        case .generation:
            generator = try model.require(model.generator, "generate text", for: "prompt scoring by generated answers")
            languageModel = nil
        }
    }

    public func answers(_ inputs: [TextInput]) throws -> [Answer] {
        let prompts = inputs.map { template.prompt(for: $0, demonstrations: demonstrations) }
        switch scoring {
        case .likelihood:
            guard let languageModel else { return [] }
            let classes = labelNames.count
            var requests: [(prompt: String, continuation: String)] = []
            requests.reserveCapacity(prompts.count * classes)
            for prompt in prompts {
                for label in 0..<classes { requests.append((prompt, template.continuation(for: label))) }
            }
            let scores = try languageModel.continuationLogProbabilities(requests).map { $0.reduce(0, +) }
            return prompts.indices.map { row in
                let probabilities = Self.softmax(Array(scores[(row * classes)..<((row + 1) * classes)]))
                return Answer(probabilities: probabilities, label: Self.argmax(probabilities), text: nil)
            }
        case .generation:
            guard let generator else { return [] }
            let settings = GenerationSettings(maxTokens: answerTokens, temperature: 0, topP: 1, samples: 1, seed: 0, stop: ["\n"])
            return try generator.generate(prompts, settings: settings).map { samples in
                let text = samples.first?.text ?? ""
                guard let label = template.parse(text) else { return Answer(probabilities: nil, label: nil, text: text) }
                var probabilities = [Double](repeating: 0, count: labelNames.count)
                probabilities[label] = 1
                return Answer(probabilities: probabilities, label: label, text: text)
            }
        }
    }

    /// Label probabilities; an answer that names no label gets the uniform distribution.
    public func probabilities(_ inputs: [TextInput]) throws -> [[Double]] {
        let uniform = [Double](repeating: 1 / Double(labelNames.count), count: labelNames.count)
        return try answers(inputs).map { $0.probabilities ?? uniform }
    }

    /// exp(x_i − max x) / Σ exp(x_j − max x), which cannot overflow; a row of −∞ (every
    /// verbaliser impossible) is uniform.
    public static func softmax(_ values: [Double]) -> [Double] {
        guard let largest = values.max(), largest.isFinite else {
            return [Double](repeating: 1 / Double(max(values.count, 1)), count: values.count)
        }
        let exponentials = values.map { Foundation.exp($0 - largest) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { $0 / total }
    }

    /// The index of the largest value (the first of ties), nil for none.
    public static func argmax(_ values: [Double]) -> Int? {
        values.indices.max { values[$0] < values[$1] || (values[$0] == values[$1] && $0 > $1) }
    }
}
