import Adaptation
import ArgumentParser
import Evaluation
import Foundation
import Transformers

struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Recommend adaptation strategies for a task from measured figures: data size, compute budget, divergence, transferability.",
        discussion: """
            Measures what the model-selection rules need (docs/metrics.md, "Strategy \
            recommendation"): the labelled examples and classes of --train; the encoder's \
            forward time on them, from which each strategy's training minutes are estimated \
            (3 epochs; a training step costs about 3 forward passes for full fine-tuning and \
            2.2 for LoRA, adapters and prompt tuning; the linear probe one pass); the \
            Jensen–Shannon divergence of each --source corpus to the target (the closest one \
            counts); and LogME of the model on the target. Prints each strategy with the \
            reasons and figures it rests on.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "The target task's labelled training data.") var train: String
    @Option(name: .long, help: "A source corpus to transfer from (same --format); repeat for several.") var source: [String] = []
    @Option(name: .long, help: "Minutes available for adapting.") var budgetMinutes: Double?
    @Option(name: .long, help: "How many tasks the adapted model must serve.") var tasks = 1
    @OptionGroup var data: DataOptions
    @OptionGroup var length: LengthOptions
    @Flag(name: .long, help: "Write JSON.") var json = false

    /// Examples the forward-time and LogME measurement reads at most (a seeded sample).
    static let measuredExamples = 2_000
    static let epochs = 3.0
    /// Forward-pass equivalents of one training step per example, by strategy.
    static let stepCost: [RecommendedStrategy: Double] = [.full: 3, .lora: 2.2, .adapter: 2.2, .promptTuning: 2.2]

    func validate() throws {
        if let budgetMinutes, !(budgetMinutes > 0) { throw ValidationError("--budget-minutes must be above 0, got \(budgetMinutes)") }
        guard tasks >= 1 else { throw ValidationError("--tasks must be at least 1, got \(tasks)") }
    }

    func run() throws {
        let checkpoint = try modelOptions.load()
        let dataset = try data.read(train)
        var sample = dataset.examples
        if sample.count > Self.measuredExamples {
            var generator = SplitMix64(seed: 0)
            generator.shuffle(&sample)
            sample = Array(sample.prefix(Self.measuredExamples))
        }
        let encoder = try FrozenEncoder(base: checkpoint)
        let transferability = try TransferabilityEstimate.measure(
            encoder: modelOptions.model, encoder, examples: sample, classCount: dataset.labelNames.count,
            cache: FeatureCache(directory: nil), maxLength: length.maxLength)
        let secondsPerExample = transferability.seconds / Double(max(sample.count, 1))
        let n = Double(dataset.examples.count)
        var sourceExamples = 0.0
        var divergences: [(String, Double)] = []
        let targetCounts = DomainComparison.counts(dataset.examples.map(\.text), tokens: .wordpiece, tokenizer: checkpoint.tokenizer)
        for path in source {
            let texts = try data.readTexts(path)
            guard !texts.isEmpty else {
                throw AdaptationError.invalidData(path: path, line: nil, reason: "the --source corpus holds no texts")
            }
            sourceExamples += Double(texts.count)
            let counts = DomainComparison.counts(texts, tokens: .wordpiece, tokenizer: checkpoint.tokenizer)
            divergences.append((path, try DomainDivergence.unigram(counts, targetCounts).jensenShannon))
        }
        func minutes(_ examples: Double, _ cost: Double) -> Double { max(Self.epochs * examples * secondsPerExample * cost / 60, 1e-3) }
        var estimated: [RecommendedStrategy: Double] = [:]
        for (strategy, cost) in Self.stepCost { estimated[strategy] = minutes(n, cost) }
        estimated[.linearProbe] = max(n * secondsPerExample / 60, 1e-3)
        estimated[.fewShot] = max(Double(8 * dataset.labelNames.count) * secondsPerExample / 60, 1e-3)
        if !source.isEmpty {
            estimated[.multiStage] = minutes(n + sourceExamples, 2.2)
            estimated[.multiTask] = minutes(n + sourceExamples, 2.2)
        }
        let closest = divergences.min { $0.1 < $1.1 }
        let inputs = RecommendationInputs(
            labelledExamples: dataset.examples.count, classCount: dataset.labelNames.count, budgetMinutes: budgetMinutes,
            minutesPerStrategy: estimated, sourceDivergenceBits: closest?.1,
            encoderTransferability: [modelOptions.model: transferability.logME], sourceTasksAvailable: !source.isEmpty,
            taskCount: tasks)
        let recommendation = try StrategyRecommendation(inputs)
        if json {
            func entries(_ list: [StrategyRecommendation.Entry]) -> [[String: Any]] {
                list.map { ["strategy": $0.strategy.rawValue, "reasons": $0.reasons] }
            }
            try RunsFormatting.printJSON([
                "figures": [
                    "labelled_examples": dataset.examples.count, "classes": dataset.labelNames.count,
                    "budget_minutes": budgetMinutes as Any? ?? NSNull(), "seconds_per_example_forward": secondsPerExample,
                    "estimated_minutes": Dictionary(uniqueKeysWithValues: estimated.map { ($0.key.rawValue, $0.value) }),
                    "logme": transferability.logME, "h_score": transferability.hScore,
                    "source_divergence_bits": Dictionary(uniqueKeysWithValues: divergences.map { ($0.0, $0.1) }),
                ] as [String: Any],
                "recommended": entries(recommendation.recommended), "ruled_out": entries(recommendation.ruledOut),
            ])
            return
        }
        print("figures: \(dataset.examples.count) labelled examples, \(dataset.labelNames.count) classes, "
              + String(format: "%.1f ms per example forward, LogME %.4f, H-score %.4f", secondsPerExample * 1000, transferability.logME,
                       transferability.hScore)
              + (budgetMinutes.map { String(format: ", budget %.0f min", $0) } ?? ""))
        for (path, bits) in divergences { print(String(format: "  JS(%@ → target) = %.4f bits", path, bits)) }
        print("estimated training minutes: " + RecommendedStrategy.allCases.compactMap { strategy in
            estimated[strategy].map { String(format: "%@ %.1f", strategy.rawValue, $0) }
        }.joined(separator: ", "))
        print("\nrecommended, best first:")
        for (rank, entry) in recommendation.recommended.enumerated() {
            print("  \(rank + 1). \(entry.strategy.rawValue)")
            for reason in entry.reasons { print("       - \(reason)") }
        }
        if !recommendation.ruledOut.isEmpty {
            print("\nruled out:")
            for entry in recommendation.ruledOut {
                print("  \(entry.strategy.rawValue)")
                for reason in entry.reasons { print("       - \(reason)") }
            }
        }
    }
}
