import Transformers

/// The linear maps of a BERT layer that LoRA can adapt.
public enum LoRATarget: String, Sendable, CaseIterable, Codable {
    case query, key, value
    case attentionOutput = "attention-output"
    case intermediate, output

    var keyPath: WritableKeyPath<BertLayer, Linear> {
        switch self {
        case .query: return \.query
        case .key: return \.key
        case .value: return \.value
        case .attentionOutput: return \.attentionOutput
        case .intermediate: return \.intermediate
        case .output: return \.output
        }
    }

    var checkpointSuffix: String {
        switch self {
        case .query: return "attention.self.query"
        case .key: return "attention.self.key"
        case .value: return "attention.self.value"
        case .attentionOutput: return "attention.output.dense"
        case .intermediate: return "intermediate.dense"
        case .output: return "output.dense"
        }
    }
}

/// Low-rank adapters on chosen linear maps with the encoder frozen (Hu et al. 2021); merged
/// into the weights after training so evaluation runs at base-model speed.
public struct LoRAStrategy: AdaptationStrategy {
    public static let name = "lora"
    public static let optionNames = ["rank", "alpha", "dropout", "targets"]
    public var rank = 8
    public var alpha: Float = 16
    public var dropout: Float = 0.1
    public var targets: [LoRATarget] = [.query, .value]
    /// Merge after training (evaluation); keep unmerged to continue training or to save.
    public var mergesAfterTraining = true

    public init(rank: Int = 8, alpha: Float = 16, dropout: Float = 0.1, targets: [LoRATarget] = [.query, .value]) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targets = targets
    }

    public init(options: StrategyOptions) throws {
        rank = try options.integer("rank", default: 8)
        alpha = try options.number("alpha", default: 16, in: Float.leastNonzeroMagnitude..<Float.infinity)
        dropout = try options.number("dropout", default: 0.1, in: 0..<1)
        if let names = options.list("targets") {
            guard !names.isEmpty else { throw AdaptationError.invalidOption(name: "targets", reason: "name at least one") }
            targets = try names.map { name in
                guard let target = LoRATarget(rawValue: name) else {
                    throw AdaptationError.invalidOption(
                        name: "targets",
                        reason: "unknown target '\(name)' (use \(LoRATarget.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return target
            }
        }
    }

    public var options: StrategyOptions {
        StrategyOptions(scalars: ["rank": String(rank), "alpha": String(alpha), "dropout": String(dropout)],
                        lists: ["targets": targets.map(\.rawValue)])
    }

    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        let classifier = Classifier.fresh(base: base, labelNames: labelNames, pooling: pooling, generator: &generator)
        classifier.train { _ in false }
        try attach(to: classifier.model, generator: &generator)
        return classifier
    }

    /// Adds fresh adapters (B = 0) to every target of every layer.
    public func attach(to model: BertModel, generator: inout SeededGenerator) throws {
        guard rank >= 1 else { throw AdaptationError.invalidOption(name: "rank", reason: "must be at least 1, got \(rank)") }
        guard (0..<1).contains(dropout) else {
            throw AdaptationError.invalidOption(name: "dropout", reason: "must be in [0, 1), got \(dropout)")
        }
        guard !targets.isEmpty else { throw AdaptationError.invalidOption(name: "targets", reason: "name at least one") }
        for index in model.layers.indices {
            for target in targets {
                let linear = model.layers[index][keyPath: target.keyPath]
                model.layers[index][keyPath: target.keyPath].adapter = LowRankAdapter(
                    name: "encoder.layer.\(index).\(target.checkpointSuffix)", inputSize: linear.inputSize,
                    outputSize: linear.outputSize, rank: rank, alpha: alpha, dropout: dropout, generator: &generator)
            }
        }
    }

    public func finish(_ classifier: Classifier) {
        guard mergesAfterTraining else { return }
        merge(into: classifier.model)
    }

    /// Folds every target's adapter into its weight, W ← W + (α/r)·B·A, and removes it.
    public func merge(into model: BertModel) {
        for index in model.layers.indices {
            for target in targets { model.layers[index][keyPath: target.keyPath].mergeAdapter() }
        }
    }
}
