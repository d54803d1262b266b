/// A strategy the recommender can name; raw values are the suite-file names.
public enum RecommendedStrategy: String, Sendable, Equatable, Codable, CaseIterable {
    case linearProbe = "linear-probe"
    case fewShot = "few-shot"
    case lora
    case adapter
    case promptTuning = "prompt-tuning"
    case full
    case multiStage = "multi-stage"
    case multiTask = "multi-task"
}

/// The measured figures a recommendation rests on.
public struct RecommendationInputs: Sendable, Equatable {
    /// n, labelled training examples of the target task.
    public var labelledExamples: Int
    /// k, classes of the target task (≥ 2).
    public var classCount: Int
    /// The compute budget for adapting, in minutes; nil when unconstrained.
    public var budgetMinutes: Double?
    /// Measured or estimated minutes to adapt with each strategy.
    public var minutesPerStrategy: [RecommendedStrategy: Double]
    /// Jensen–Shannon divergence in bits (0…1) between the closest (or largest) source task's
    /// corpus and the target's; nil when not measured.
    public var sourceDivergenceBits: Double?
    /// LogME transferability of each candidate encoder on the target (You et al. 2021),
    /// encoder name → score; higher is better.
    public var encoderTransferability: [String: Double]
    /// Whether labelled source tasks exist to transfer from.
    public var sourceTasksAvailable: Bool
    /// How many target tasks the adapted model must serve (≥ 1).
    public var taskCount: Int

    public init(
        labelledExamples: Int, classCount: Int, budgetMinutes: Double? = nil,
        minutesPerStrategy: [RecommendedStrategy: Double] = [:], sourceDivergenceBits: Double? = nil,
        encoderTransferability: [String: Double] = [:], sourceTasksAvailable: Bool = false, taskCount: Int = 1
    ) {
        self.labelledExamples = labelledExamples
        self.classCount = classCount
        self.budgetMinutes = budgetMinutes
        self.minutesPerStrategy = minutesPerStrategy
        self.sourceDivergenceBits = sourceDivergenceBits
        self.encoderTransferability = encoderTransferability
        self.sourceTasksAvailable = sourceTasksAvailable
        self.taskCount = taskCount
    }
}

/// Which strategies to try first, from measured figures, by the documented rules of the
/// model-selection matrix (docs/metrics.md); every reason quotes the figure it rests on.
///
/// Each rule that fires adds a weight and a reason to a strategy; strategies are ordered by
/// total weight (ties in the order of `RecommendedStrategy.allCases`). A rule can also rule
/// a strategy out (over budget, domains too far apart for direct transfer); those go to
/// `ruledOut` with their reasons instead.
public struct StrategyRecommendation: Sendable, Equatable {
    /// A strategy with the reasons for or against it.
    public struct Entry: Sendable, Equatable {
        public var strategy: RecommendedStrategy
        public var reasons: [String]
    }

    /// The encoder to adapt, when transferability scores were given.
    public struct EncoderChoice: Sendable, Equatable {
        public var name: String
        public var score: Double
        public var reason: String
    }

    /// Below this many labelled examples per class a frozen encoder with a probe (or
    /// prototypes) comes first: fine-tuning millions of weights on fewer examples overfits.
    public static let scarceExamplesPerClass = 100.0
    /// From this many labelled examples per class full fine-tuning comes first when the
    /// budget allows it.
    public static let plentifulExamplesPerClass = 1_000.0
    /// Above this Jensen–Shannon divergence (bits) between source and target corpora, prefer
    /// multi-task training over direct source → target transfer (DESIGN.md, "Definitions").
    public static let divergenceLimitBits = 0.3
    /// From this many target tasks, one adapter per task over a shared encoder pays off.
    public static let manyTasks = 3
    /// The share of full fine-tuning's score LoRA kept on GLUE with RoBERTa and DeBERTa (Hu et
    /// al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models", table 2), quoted in
    /// reasons.
    public static let loraRetainedShare = 0.96

    /// Strategies to try, best first.
    public var recommended: [Entry]
    /// Strategies a rule advises against, with why.
    public var ruledOut: [Entry]
    public var encoder: EncoderChoice?

    /// - Throws: `EvaluationError.invalidArgument` when a figure is out of range (n < 1,
    ///   k < 2, a budget or time ≤ 0 or not finite, a divergence outside [0, 1], a task count
    ///   < 1, a non-finite transferability score).
    public init(_ inputs: RecommendationInputs) throws {
        try Self.check(inputs)
        var weights: [RecommendedStrategy: Double] = [:]
        var reasons: [RecommendedStrategy: [String]] = [:]
        var ruledOutReasons: [RecommendedStrategy: [String]] = [:]
        var notes: [RecommendedStrategy: [String]] = [:]
        for rule in Self.rules(for: inputs) {
            switch rule.effect {
            case .favour(let weight):
                weights[rule.strategy, default: 0] += weight
                reasons[rule.strategy, default: []].append(rule.reason)
            case .ruleOut:
                ruledOutReasons[rule.strategy, default: []].append(rule.reason)
            case .note:
                notes[rule.strategy, default: []].append(rule.reason)
            }
        }
        let order = RecommendedStrategy.allCases
        recommended = order
            .filter { weights[$0] != nil && ruledOutReasons[$0] == nil }
            .enumerated()
            .sorted { first, second in
                let (firstWeight, secondWeight) = (weights[first.element, default: 0], weights[second.element, default: 0])
                return firstWeight != secondWeight ? firstWeight > secondWeight : first.offset < second.offset
            }
            .map { Entry(strategy: $0.element, reasons: reasons[$0.element, default: []] + notes[$0.element, default: []]) }
        ruledOut = order.compactMap { strategy in
            ruledOutReasons[strategy].map { Entry(strategy: strategy, reasons: $0) }
        }
        encoder = Self.encoderChoice(inputs.encoderTransferability)
    }

    private static func check(_ inputs: RecommendationInputs) throws {
        func fail(_ reason: String) -> EvaluationError { .invalidArgument(reason: reason) }
        guard inputs.labelledExamples >= 1 else { throw fail("labelled examples must be at least 1, got \(inputs.labelledExamples)") }
        guard inputs.classCount >= 2 else { throw fail("classes must be at least 2, got \(inputs.classCount)") }
        guard inputs.taskCount >= 1 else { throw fail("task count must be at least 1, got \(inputs.taskCount)") }
        if let budget = inputs.budgetMinutes, !(budget > 0 && budget.isFinite) {
            throw fail("budget minutes must be a finite number above 0, got \(budget)")
        }
        if let (strategy, minutes) = inputs.minutesPerStrategy.first(where: { !($0.value > 0 && $0.value.isFinite) }) {
            throw fail("minutes for \(strategy.rawValue) must be a finite number above 0, got \(minutes)")
        }
        if let divergence = inputs.sourceDivergenceBits, !(0...1).contains(divergence) {
            throw fail("source divergence must be a Jensen–Shannon divergence in bits, in [0, 1], got \(divergence)")
        }
        if let (name, score) = inputs.encoderTransferability.first(where: { !$0.value.isFinite }) {
            throw fail("transferability score of encoder '\(name)' must be finite, got \(score)")
        }
    }

    /// The encoder with the highest LogME score, with the runner-up quoted.
    private static func encoderChoice(_ scores: [String: Double]) -> EncoderChoice? {
        let ranked = scores.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        guard let best = ranked.first else { return nil }
        var reason = "LogME \(ReasonFormat.number(best.value)) for \(best.key)"
        if ranked.count > 1 {
            let runnerUp = ranked[1]
            reason += " > \(ReasonFormat.number(runnerUp.value)) for \(runnerUp.key), the next best of \(ranked.count) encoders"
        }
        reason += ": the highest evidence that its frozen features fit this task's labels (You et al. 2021)"
        return EncoderChoice(name: best.key, score: best.value, reason: reason)
    }
}
