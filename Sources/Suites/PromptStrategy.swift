import Adaptation
import Backends
import Foundation

/// Prompt learning on a served model (strategy `prompt`): zero-shot (`shots: 0`) or k-shot
/// instruction prompts with k demonstrations per class drawn from the training split with the
/// cell's seed; nothing trains (`PromptClassifier`).
struct PromptStrategy: Equatable {
    static let name = "prompt"
    static let optionNames = ["shots", "instruction", "verbalizers", "scoring"]

    /// How answers become labels: `auto` scores verbalisers by likelihood and falls back to
    /// parsing generated answers when the server gives no log-probabilities.
    enum Scoring: String, CaseIterable { case auto, likelihood, generation }

    var shots = 0
    var instruction: String?
    var verbalizers: [String]?
    var scoring = Scoring.auto

    init(options: StrategyOptions) throws {
        try options.check(accepted: Self.optionNames, by: Self.name)
        shots = try options.integer("shots", default: 0, minimum: 0)
        instruction = options.scalars["instruction"]
        verbalizers = options.list("verbalizers")
        if let text = options.scalars["scoring"] {
            guard let value = Scoring(rawValue: text) else {
                throw AdaptationError.invalidOption(
                    name: "scoring", reason: "unknown scoring '\(text)' (use \(Scoring.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            scoring = value
        }
        if let instruction, instruction.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw AdaptationError.invalidOption(name: "instruction", reason: "is empty; leave it out for the default")
        }
    }

    /// The options with defaults filled in, as results record them.
    var options: StrategyOptions {
        var options = StrategyOptions(scalars: [
            "shots": String(shots), "scoring": scoring.rawValue, "instruction": instruction ?? PromptTemplate.defaultInstruction,
        ])
        if let verbalizers { options.lists["verbalizers"] = verbalizers }
        return options
    }

    /// The template for a task: the given verbalisers, or the label names.
    func template(labelNames: [String]) -> PromptTemplate {
        PromptTemplate(instruction: instruction, verbalizers: verbalizers ?? labelNames)
    }
}

extension StrategySpec {
    /// Strategies a served model runs: prompts over its generator or likelihoods, and the
    /// embedding strategies over its embeddings.
    static let remoteStrategies = [PromptStrategy.name, ZeroShot.name, FewShot.name, LinearProbe.name]

    /// The options recorded with results (defaults filled in), for native and remote strategies.
    func resolvedOptions(labelDescriptions: [String]?) throws -> StrategyOptions {
        if name == PromptStrategy.name { return try PromptStrategy(options: strategyOptions).options }
        return try makeStrategy(labelDescriptions: labelDescriptions).options
    }
}
