import Evaluation
import Foundation
import Transformers

/// How well an encoder's frozen features suit a labelled task before any training: LogME
/// (You et al. 2021) and H-score (Bao et al. 2019) on the pooled features of the task's
/// training examples, read through the frozen-feature cache.
public struct TransferabilityEstimate: Sendable, Equatable {
    /// The encoder's name as the caller gave it.
    public var encoder: String
    /// Mean per-class log marginal evidence per example; higher is better.
    public var logME: Double
    /// tr(cov(f)⁻¹ cov(E[f | y])); higher is better.
    public var hScore: Double
    public var examples: Int
    public var seconds: Double

    /// Both estimates for `examples` under `encoder`.
    public static func measure(
        encoder name: String, _ encoder: FrozenEncoder, examples: [LabelledExample], classCount: Int, cache: FeatureCache,
        pooling: Pooling = .mean, maxLength: Int = 128
    ) throws -> TransferabilityEstimate {
        let started = Date()
        let features = try FeatureSource(cache: cache, encoder: encoder, pooling: pooling, maxLength: maxLength).features(of: examples)
        let data = try LabelledFeatures(features: try features.matrix(), labels: features.labels, classCount: classCount, name: name)
        return TransferabilityEstimate(
            encoder: name, logME: try LogME(data).score, hScore: try HScore.score(data), examples: examples.count,
            seconds: Date().timeIntervalSince(started))
    }
}
