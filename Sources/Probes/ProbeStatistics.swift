import Evaluation

/// A probe's metrics as functions of how often each item counts.
///
/// With every weight 1 the values are the probe's measurements; a bootstrap resample is a
/// vector of whole-number weights (how often each item was drawn). One function serves the
/// point estimates, their intervals and the paired intervals of drift, so each metric is
/// defined once.
public protocol ProbeStatistics {
    /// The metrics, in the order `values(weights:)` returns them.
    var metrics: [ProbeMetric] { get }
    /// How many items each metric rests on, in `metrics` order.
    var counts: [Int] { get }
    var itemCount: Int { get }
    /// The stratum of each item for resampling (items are drawn within their stratum, so
    /// every stratum keeps its size), or nil for one stratum.
    var strata: [Int]? { get }
    /// Each metric with item i counted `weights[i]` times; NaN where a resample leaves a
    /// metric undefined (a group with no negative example, say).
    func values(weights: [Double]) -> [Double]
}

extension ProbeStatistics {
    public var strata: [Int]? { nil }

    /// The measurements with every item counted once, each with its percentile-bootstrap
    /// interval when `bootstrap` is given.
    public func measurements(bootstrap: ProbeBootstrap?) throws -> [ProbeMeasurement] {
        let point = values(weights: [Double](repeating: 1, count: itemCount))
        let intervals = try bootstrap?.intervals(itemCount: itemCount, strata: strata, components: metrics.count) {
            values(weights: $0)
        }
        return metrics.indices.map { index in
            let interval = point[index].isFinite ? intervals?[index] : nil
            return ProbeMeasurement(
                metric: metrics[index], value: point[index], low: interval?.low, high: interval?.high, count: counts[index])
        }
    }
}

/// Percentile bootstrap intervals for several statistics of the same resamples (Efron and
/// Tibshirani 1993, ch. 13), optionally stratified.
///
/// Without strata each resample draws n item indices with replacement exactly as
/// `Bootstrap.percentileInterval` does (the same `SplitMix64` stream), so a single statistic
/// gets the same interval from either. With strata, each stratum's items are drawn from that
/// stratum only, in stratum order. Quantiles interpolate linearly (`Bootstrap.quantile`).
/// Replicates where a statistic is undefined (NaN) are left out of its quantiles; a statistic
/// undefined on more than half of the resamples gets no interval.
public struct ProbeBootstrap: Sendable, Equatable {
    public var resamples: Int
    public var confidence: Double
    public var seed: UInt64

    public init(resamples: Int = 1000, confidence: Double = 0.95, seed: UInt64 = 0) throws {
        guard resamples >= 1 else {
            throw ProbeError.invalidSetting(name: "resamples", reason: "must be at least 1, got \(resamples)")
        }
        guard confidence > 0, confidence < 1 else {
            throw ProbeError.invalidSetting(name: "confidence", reason: "must be in (0, 1), e.g. 0.95, got \(confidence)")
        }
        self.resamples = resamples
        self.confidence = confidence
        self.seed = seed
    }

    /// The interval of each of `components` statistics; `statistic` gets the item weights of
    /// one resample. Stops at the next resample when an interruption was requested.
    public func intervals(
        itemCount: Int, strata: [Int]?, components: Int, statistic: ([Double]) -> [Double]
    ) throws -> [(low: Double, high: Double)?] {
        guard itemCount > 0 else { return [(low: Double, high: Double)?](repeating: nil, count: components) }
        let groups: [[Int]]
        if let strata {
            var byStratum: [Int: [Int]] = [:]
            for (item, stratum) in strata.enumerated() { byStratum[stratum, default: []].append(item) }
            groups = byStratum.keys.sorted().map { byStratum[$0]! }
        } else {
            groups = [Array(0..<itemCount)]
        }
        var generator = SplitMix64(seed: seed)
        var weights = [Double](repeating: 0, count: itemCount)
        var replicates = [[Double]](repeating: [], count: components)
        for resample in 0..<resamples {
            if resample % 64 == 0 { try Interruption.checkpoint() }
            for index in weights.indices { weights[index] = 0 }
            for group in groups {
                for _ in 0..<group.count { weights[group[generator.below(group.count)]] += 1 }
            }
            let values = statistic(weights)
            for component in 0..<components where values[component].isFinite {
                replicates[component].append(values[component])
            }
        }
        return replicates.map { values in
            guard values.count * 2 >= resamples else { return nil }
            let sorted = values.sorted()
            return (Bootstrap.quantile(sorted, (1 - confidence) / 2), Bootstrap.quantile(sorted, (1 + confidence) / 2))
        }
    }
}
