import Transformers

/// Bottleneck adapters after each layer's attention and feed-forward projections, with the
/// encoder frozen except its layer norms, as Houlsby et al. (2019) train them.
public struct AdapterStrategy: AdaptationStrategy {
    public let name = "adapter"
    public var bottleneck = 64
    public var trainsLayerNorms = true

    public init(bottleneck: Int = 64, trainsLayerNorms: Bool = true) {
        self.bottleneck = bottleneck
        self.trainsLayerNorms = trainsLayerNorms
    }

    public var options: [String: String] {
        ["bottleneck": String(bottleneck), "layer_norms": String(trainsLayerNorms)]
    }

    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        guard bottleneck >= 1 else {
            throw AdaptationError.invalidOption(name: "--adapter-size", reason: "must be at least 1, got \(bottleneck)")
        }
        let classifier = Classifier.fresh(base: base, labelNames: labelNames, pooling: pooling, generator: &generator)
        Self.attach(to: classifier.model, bottleneck: bottleneck, generator: &generator)
        classifier.train { trainsLayerNorms && $0.name.contains("LayerNorm") || $0.name.contains(".adapter.") }
        return classifier
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
