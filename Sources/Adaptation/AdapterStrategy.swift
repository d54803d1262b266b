import Transformers

/// Bottleneck adapters after each layer's attention and feed-forward projections, with the
/// encoder frozen except its layer norms, as Houlsby et al. (2019) train them.
public struct AdapterStrategy: AdaptationStrategy {
    public static let name = "adapter"
    public static let optionNames = ["size"]
    public static let defaultLearningRate: Float = 5e-4
    /// The bottleneck width.
    public var bottleneck = 64
    public var trainsLayerNorms = true

    public init(bottleneck: Int = 64, trainsLayerNorms: Bool = true) {
        self.bottleneck = bottleneck
        self.trainsLayerNorms = trainsLayerNorms
    }

    public init(options: StrategyOptions) throws {
        bottleneck = try options.integer("size", default: 64)
    }

    public var options: StrategyOptions { StrategyOptions(scalars: ["size": String(bottleneck)]) }

    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        let classifier = Classifier.fresh(base: base, labelNames: labelNames, pooling: pooling, generator: &generator)
        try attach(to: classifier.model, generator: &generator)
        classifier.train { trainsLayerNorms && $0.name.contains("LayerNorm") || $0.name.contains(".adapter.") }
        return classifier
    }

    public func attach(to model: BertModel, generator: inout SeededGenerator) throws {
        guard bottleneck >= 1 else {
            throw AdaptationError.invalidOption(name: "size", reason: "must be at least 1, got \(bottleneck)")
        }
        Self.attach(to: model, bottleneck: bottleneck, generator: &generator)
    }

    /// Adds fresh (identity) adapters to every layer that has none; existing adapters (from an
    /// earlier stage of a chain) are kept and train on.
    public static func attach(to model: BertModel, bottleneck: Int, generator: inout SeededGenerator) {
        let hidden = model.configuration.hiddenSize
        for index in model.layers.indices where model.layers[index].attentionAdapter == nil {
            model.layers[index].attentionAdapter = BottleneckAdapter(
                name: "encoder.layer.\(index).attention.output", width: hidden, bottleneck: bottleneck, generator: &generator)
            model.layers[index].outputAdapter = BottleneckAdapter(
                name: "encoder.layer.\(index).output", width: hidden, bottleneck: bottleneck, generator: &generator)
        }
    }
}
