import Adaptation

extension TaskData {
    /// The data this task's stages learn from, or nil for embedding tasks (never trained).
    var trainingData: TrainingData? {
        switch kind {
        case .classification: return .labelledExamples
        case .text: return .text
        case .pairs: return .sentencePairs
        case .sts, .retrieval, .pairClassification: return nil
        }
    }

    /// The strategy that trains a stage on this task in a cell of strategy `cell`: the cell's
    /// own when it learns from this task's kind of data; for unlabelled text and sentence pairs
    /// otherwise the task's `strategy:` (default `mlm` and `contrastive`); nil for embedding
    /// tasks, which no stage trains.
    func stageStrategy(in cell: StrategySpec) -> StrategySpec? {
        guard let wanted = trainingData else { return nil }
        if StrategyRegistry.type(named: cell.name)?.trainingData == wanted { return cell }
        switch wanted {
        case .labelledExamples: return cell
        case .text: return stageStrategy ?? StrategySpec(name: MaskedLanguageModelStrategy.name)
        case .sentencePairs: return stageStrategy ?? StrategySpec(name: ContrastiveStrategy.name)
        }
    }
}

extension Suite {
    /// Whether the plan has a cell of strategy `spec` on `chain`: the strategy must be able to
    /// train every labelled stage of the chain, and a strategy with an encoder objective (mlm,
    /// contrastive) must have a stage of its own kind (otherwise its cell would repeat another).
    func plans(_ spec: StrategySpec, on chain: [String]) -> Bool {
        // Names outside the registry (a served model's `prompt`) are checked and planned elsewhere.
        guard let type = StrategyRegistry.type(named: spec.name) else { return true }
        let tasks = chain.compactMap { task($0) }
        // Scratch builds a random encoder for its own classifier; it has nothing to offer other tasks.
        if spec.name == ScratchBaseline.name { return tasks.allSatisfy { $0.kind == .classification } }
        if type.trainingData != .labelledExamples {
            return !tasks.contains { $0.kind == .classification } && tasks.contains { $0.trainingData == type.trainingData }
        }
        return true
    }
}
