import Testing

@testable import Evaluation

@Suite struct StrategyRecommendationTests {
    static func strategies(_ entries: [StrategyRecommendation.Entry]) -> [RecommendedStrategy] { entries.map(\.strategy) }

    static func reasons(_ recommendation: StrategyRecommendation, _ strategy: RecommendedStrategy) -> [String] {
        (recommendation.recommended + recommendation.ruledOut).first { $0.strategy == strategy }?.reasons ?? []
    }

    @Test("very little data puts a linear probe and few-shot first and rules out full fine-tuning, quoting n and k")
    func scarceData() throws {
        let recommendation = try StrategyRecommendation(RecommendationInputs(labelledExamples: 240, classCount: 3))
        #expect(Self.strategies(recommendation.recommended) == [.linearProbe, .fewShot, .lora])
        #expect(Self.strategies(recommendation.ruledOut) == [.full])
        #expect(Self.reasons(recommendation, .linearProbe) == [
            "n = 240 labelled examples over k = 3 classes (80 per class < 100): a frozen encoder with a fitted linear probe is the data-efficient choice"
        ])
        #expect(Self.reasons(recommendation, .full).first?.hasPrefix("n = 240 labelled examples over k = 3 classes (80 per class < 100)") == true)
    }

    @Test("moderate data puts LoRA then adapters first, quoting Hu et al.'s 96%")
    func moderateData() throws {
        let recommendation = try StrategyRecommendation(RecommendationInputs(labelledExamples: 2_500, classCount: 3))
        #expect(Self.strategies(recommendation.recommended) == [.lora, .adapter, .linearProbe, .full, .promptTuning])
        let lora = Self.reasons(recommendation, .lora)
        #expect(lora.count == 1)
        #expect(lora[0].contains("n = 2,500 labelled examples over k = 3 classes (833.333 per class, between 100 and 1,000)"))
        #expect(lora[0].contains("LoRA keeps ≥ 96% of full fine-tuning's score (Hu et al. 2021)"))
        #expect(recommendation.ruledOut.isEmpty)
    }

    @Test("plenty of data and budget puts full fine-tuning first, with the budget figures as notes")
    func plentifulData() throws {
        let recommendation = try StrategyRecommendation(RecommendationInputs(
            labelledExamples: 67_349, classCount: 2, budgetMinutes: 120, minutesPerStrategy: [.full: 95, .lora: 40]))
        #expect(Self.strategies(recommendation.recommended) == [.full, .lora, .adapter, .promptTuning])
        #expect(Self.reasons(recommendation, .full).last == "full takes 95 minutes ≤ the budget of 120 minutes")
        #expect(Self.reasons(recommendation, .full).first?.contains("(33,674.5 per class ≥ 1,000)") == true)
    }

    @Test("a strategy over the budget is ruled out with both figures, and the next one leads")
    func budgetTooSmallForFull() throws {
        let recommendation = try StrategyRecommendation(RecommendationInputs(
            labelledExamples: 67_349, classCount: 2, budgetMinutes: 60, minutesPerStrategy: [.full: 95, .lora: 40]))
        #expect(recommendation.recommended.first?.strategy == .lora)
        #expect(Self.strategies(recommendation.ruledOut) == [.full])
        #expect(Self.reasons(recommendation, .full).last == "full takes 95 minutes > the budget of 60 minutes")
        #expect(Self.reasons(recommendation, .lora).last == "lora takes 40 minutes ≤ the budget of 60 minutes")
    }

    @Test("close source domains (JS ≤ 0.3 bits) recommend multi-stage transfer")
    func closeSourcesRecommendMultiStage() throws {
        let recommendation = try StrategyRecommendation(RecommendationInputs(
            labelledExamples: 240, classCount: 2, sourceDivergenceBits: 0.12, sourceTasksAvailable: true))
        // 120 per class: moderate; multi-stage (2.5) between LoRA (3) and adapters (2)
        #expect(Self.strategies(recommendation.recommended).prefix(3) == [.lora, .multiStage, .adapter])
        #expect(Self.reasons(recommendation, .multiStage).first?.hasPrefix("JS(source, target) = 0.12 bits ≤ 0.3: the domains are close") == true)
    }

    @Test("distant source domains (JS > 0.3 bits) prefer multi-task and rule out direct transfer")
    func distantSourcesPreferMultiTask() throws {
        let recommendation = try StrategyRecommendation(RecommendationInputs(
            labelledExamples: 240, classCount: 2, sourceDivergenceBits: 0.45, sourceTasksAvailable: true))
        #expect(Self.strategies(recommendation.recommended).contains(.multiTask))
        #expect(Self.strategies(recommendation.ruledOut) == [.multiStage])
        #expect(Self.reasons(recommendation, .multiTask).first?.hasPrefix("JS(source, target) = 0.45 bits > 0.3") == true)
        #expect(Self.reasons(recommendation, .multiStage).first?.contains("risks negative transfer") == true)
    }

    @Test("sources without a measured divergence still suggest multi-stage transfer, asking for the measurement")
    func unmeasuredSources() throws {
        let recommendation = try StrategyRecommendation(RecommendationInputs(labelledExamples: 100, classCount: 2, sourceTasksAvailable: true))
        #expect(Self.reasons(recommendation, .multiStage).first?.contains("adapteval diverge") == true)
        // Without sources there is no transfer advice at all.
        let alone = try StrategyRecommendation(RecommendationInputs(labelledExamples: 100, classCount: 2, sourceDivergenceBits: 0.1))
        #expect(!Self.strategies(alone.recommended + alone.ruledOut).contains(.multiStage))
    }

    @Test("many tasks favour one adapter per task")
    func manyTasksFavourAdapters() throws {
        let recommendation = try StrategyRecommendation(RecommendationInputs(labelledExamples: 2_000, classCount: 4, taskCount: 5))
        // moderate data: LoRA 3; adapters 2 + 2 for five tasks
        #expect(Self.strategies(recommendation.recommended).prefix(2) == [.adapter, .lora])
        #expect(Self.reasons(recommendation, .adapter).last?.hasPrefix("T = 5 target tasks ≥ 3: one adapter per task") == true)
    }

    @Test("the encoder with the highest LogME is chosen, quoting the runner-up")
    func encoderByTransferability() throws {
        let recommendation = try StrategyRecommendation(RecommendationInputs(
            labelledExamples: 500, classCount: 2, encoderTransferability: ["minilm": 0.912, "biobert": 1.234, "bert-base": 1.05]))
        #expect(recommendation.encoder?.name == "biobert")
        #expect(recommendation.encoder?.reason.hasPrefix("LogME 1.234 for biobert > 1.05 for bert-base, the next best of 3 encoders") == true)
        #expect(try StrategyRecommendation(RecommendationInputs(labelledExamples: 500, classCount: 2)).encoder == nil)
    }

    @Test("figures out of range are rejected with the figure named")
    func badFigures() {
        #expect(throws: EvaluationError.invalidArgument(reason: "classes must be at least 2, got 1")) {
            try StrategyRecommendation(RecommendationInputs(labelledExamples: 100, classCount: 1))
        }
        #expect(throws: EvaluationError.self) { try StrategyRecommendation(RecommendationInputs(labelledExamples: 0, classCount: 2)) }
        #expect(throws: EvaluationError.self) { try StrategyRecommendation(RecommendationInputs(labelledExamples: 10, classCount: 2, budgetMinutes: 0)) }
        #expect(throws: EvaluationError.self) {
            try StrategyRecommendation(RecommendationInputs(labelledExamples: 10, classCount: 2, sourceDivergenceBits: 1.5))
        }
        #expect(throws: EvaluationError.invalidArgument(reason: "minutes for lora must be a finite number above 0, got -3.0")) {
            try StrategyRecommendation(RecommendationInputs(labelledExamples: 10, classCount: 2, minutesPerStrategy: [.lora: -3]))
        }
    }

    @Test("numbers in reasons read as people write them")
    func reasonNumbers() {
        #expect(ReasonFormat.number(67_349) == "67,349")
        #expect(ReasonFormat.number(1_000) == "1,000")
        #expect(ReasonFormat.number(0.125) == "0.125")
        #expect(ReasonFormat.number(80) == "80")
        #expect(ReasonFormat.number(833.3333) == "833.333")
    }
}
