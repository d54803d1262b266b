import Foundation

/// The rules of the model-selection matrix (docs/metrics.md has them as a table).
extension StrategyRecommendation {
    /// What a rule does to a strategy.
    enum Effect: Equatable {
        /// Adds weight towards trying the strategy first.
        case favour(Double)
        /// Advises against the strategy.
        case ruleOut
        /// A supporting figure, shown only when the strategy is recommended for other reasons.
        case note
    }

    struct Rule: Equatable {
        var strategy: RecommendedStrategy
        var effect: Effect
        var reason: String
    }

    static func rules(for inputs: RecommendationInputs) -> [Rule] {
        dataRules(inputs) + budgetRules(inputs) + sourceRules(inputs) + taskRules(inputs)
    }

    /// Very little data → frozen encoder first; moderate → parameter-efficient; plenty → full.
    private static func dataRules(_ inputs: RecommendationInputs) -> [Rule] {
        let perClass = Double(inputs.labelledExamples) / Double(inputs.classCount)
        let figure = "n = \(ReasonFormat.number(Double(inputs.labelledExamples))) labelled examples over k = \(inputs.classCount) classes"
            + " (\(ReasonFormat.number(perClass)) per class"
        let scarce = ReasonFormat.number(scarceExamplesPerClass)
        let plentiful = ReasonFormat.number(plentifulExamplesPerClass)
        let loraEvidence = "LoRA keeps ≥ \(ReasonFormat.number(loraRetainedShare * 100))% of full fine-tuning's score (Hu et al. 2021)"
        let promptTuning = { (regime: String) in
            Rule(strategy: .promptTuning, effect: .favour(0.5),
                reason: "\(regime): soft prompts train the fewest weights but match fine-tuning only at billions of parameters (Lester et al. 2021)")
        }
        let adapterEvidence = "bottleneck adapters come within 0.4 GLUE points of full fine-tuning training 3.6% of the weights per task (Houlsby et al. 2019)"
        if perClass < scarceExamplesPerClass {
            let regime = "\(figure) < \(scarce))"
            return [
                Rule(strategy: .linearProbe, effect: .favour(3), reason: "\(regime): a frozen encoder with a fitted linear probe is the data-efficient choice"),
                Rule(strategy: .fewShot, effect: .favour(2), reason: "\(regime): class prototypes need no gradient training, so the few labels cannot be overfit"),
                Rule(strategy: .lora, effect: .favour(1), reason: "\(regime): LoRA trains few weights, the fallback when a probe underfits"),
                Rule(strategy: .full, effect: .ruleOut, reason: "\(regime): updating every weight on so few labels overfits; run it only as a reference"),
            ]
        }
        if perClass < plentifulExamplesPerClass {
            let regime = "\(figure), between \(scarce) and \(plentiful))"
            return [
                Rule(strategy: .lora, effect: .favour(3), reason: "\(regime): parameter-efficient fine-tuning fits this much data; \(loraEvidence)"),
                Rule(strategy: .adapter, effect: .favour(2), reason: "\(regime): \(adapterEvidence)"),
                Rule(strategy: .full, effect: .favour(1), reason: "\(regime): full fine-tuning is the reference the efficient strategies are measured against"),
                Rule(strategy: .linearProbe, effect: .favour(1), reason: "\(regime): a frozen-encoder probe is the cheap baseline"),
                promptTuning(regime),
            ]
        }
        let regime = "\(figure) ≥ \(plentiful))"
        return [
            Rule(strategy: .full, effect: .favour(3), reason: "\(regime): enough labels to update every weight without overfitting; full fine-tuning is the strongest choice the budget allows"),
            Rule(strategy: .lora, effect: .favour(2), reason: "\(regime): \(loraEvidence) at a fraction of the trained weights"),
            Rule(strategy: .adapter, effect: .favour(1), reason: "\(regime): \(adapterEvidence)"),
            promptTuning(regime),
        ]
    }

    /// A strategy whose measured or estimated time exceeds the budget is ruled out.
    private static func budgetRules(_ inputs: RecommendationInputs) -> [Rule] {
        guard let budget = inputs.budgetMinutes else { return [] }
        return RecommendedStrategy.allCases.compactMap { strategy in
            guard let minutes = inputs.minutesPerStrategy[strategy] else { return nil }
            let figure = "\(strategy.rawValue) takes \(ReasonFormat.number(minutes)) minutes"
            return minutes > budget
                ? Rule(strategy: strategy, effect: .ruleOut, reason: "\(figure) > the budget of \(ReasonFormat.number(budget)) minutes")
                : Rule(strategy: strategy, effect: .note, reason: "\(figure) ≤ the budget of \(ReasonFormat.number(budget)) minutes")
        }
    }

    /// Close source domains → multi-stage transfer; distant ones → multi-task instead.
    private static func sourceRules(_ inputs: RecommendationInputs) -> [Rule] {
        guard inputs.sourceTasksAvailable else { return [] }
        guard let divergence = inputs.sourceDivergenceBits else {
            return [Rule(strategy: .multiStage, effect: .favour(1),
                reason: "source tasks exist but their divergence to the target is not measured (adapteval diverge): multi-stage transfer is worth a try, with its gain interval checked")]
        }
        let figure = "JS(source, target) = \(ReasonFormat.number(divergence)) bits"
        let limit = ReasonFormat.number(divergenceLimitBits)
        if divergence <= divergenceLimitBits {
            return [
                Rule(strategy: .multiStage, effect: .favour(2.5), reason: "\(figure) ≤ \(limit): the domains are close, so source → target transfer is worth trying; check its gain interval"),
                Rule(strategy: .multiTask, effect: .favour(1), reason: "\(figure) ≤ \(limit): training source and target together is the alternative to sequential transfer"),
            ]
        }
        return [
            Rule(strategy: .multiTask, effect: .favour(2), reason: "\(figure) > \(limit): the domains are far apart; prefer multi-task training (shared encoder, one head per task) over direct transfer"),
            Rule(strategy: .multiStage, effect: .ruleOut, reason: "\(figure) > \(limit): direct source → target transfer between distant domains risks negative transfer"),
        ]
    }

    /// Many tasks → one adapter per task over a shared encoder.
    private static func taskRules(_ inputs: RecommendationInputs) -> [Rule] {
        guard inputs.taskCount >= manyTasks else { return [] }
        let figure = "T = \(inputs.taskCount) target tasks ≥ \(manyTasks)"
        return [
            Rule(strategy: .adapter, effect: .favour(2), reason: "\(figure): one adapter per task over a shared frozen encoder stores 3.6% of the weights per task (Houlsby et al. 2019) instead of a full copy each"),
            Rule(strategy: .multiTask, effect: .favour(1), reason: "\(figure): one shared encoder trained on all tasks at once serves them together"),
        ]
    }
}

/// Numbers as reasons quote them: thousands separated by commas, at most three decimals,
/// no trailing zeros ("2,400", "33,674.5", "0.125").
enum ReasonFormat {
    static func number(_ value: Double) -> String {
        var text = String(format: "%.3f", abs(value))
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        let parts = text.split(separator: ".", maxSplits: 1)
        let digits = parts[0]
        var grouped = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        if parts.count > 1 { grouped += "." + parts[1] }
        return (value < 0 && grouped != "0" ? "-" : "") + grouped
    }
}
