import Evaluation
import Transformers

/// Pooled features of labelled examples under a frozen encoder.
public struct LabelledFeatureSet {
    /// [examples, hidden], not normalised.
    public var features: Tensor
    public var labels: [Int]

    public init(features: Tensor, labels: [Int]) {
        self.features = features
        self.labels = labels
    }

    /// The rows as a Double matrix for Evaluation's fitting and statistics.
    public func matrix() throws -> Matrix {
        try Matrix(rows: features.shape[0], columns: features.shape.count > 1 ? features.shape[1] : 0, floats: features.scalars)
    }
}

/// A strategy that fits its head on frozen features (computed once through `FeatureCache`)
/// instead of training by gradient steps through the encoder.
public protocol FeatureFittedStrategy: AdaptationStrategy {
    /// Sets the head of `classifier` (whose encoder is frozen) from the features; returns what
    /// the fit recorded (one record per candidate setting tried).
    func fit(_ classifier: Classifier, training: LabelledFeatureSet, validation: LabelledFeatureSet,
             generator: inout SeededGenerator) throws -> TrainingHistory
}

/// Where a stage gets frozen features: the cache, the encoder they come from and how texts
/// are pooled.
public struct FeatureSource {
    public var cache: FeatureCache
    public var encoder: FrozenEncoder
    public var pooling: Pooling
    public var maxLength: Int

    public init(cache: FeatureCache, encoder: FrozenEncoder, pooling: Pooling, maxLength: Int) {
        self.cache = cache
        self.encoder = encoder
        self.pooling = pooling
        self.maxLength = maxLength
    }

    /// The examples' features and labels.
    public func features(of examples: [LabelledExample]) throws -> LabelledFeatureSet {
        LabelledFeatureSet(
            features: try cache.features(of: examples.map { TextInput($0.text, pair: $0.pair) }, encoder: encoder,
                                         pooling: pooling, maxLength: maxLength),
            labels: examples.map(\.label))
    }
}
