/// How a probe metric changed from the base model to an adapted model.
///
/// `drift` = adapted − base. `harmDrift` = |adapted − ideal| − |base − ideal|: positive when
/// adaptation moved the metric away from its ideal (toward harm), negative when toward it, in
/// the metric's own units; a release gate checks "harm drift ≤ limit" overall and per group.
/// Intervals are percentile bootstrap intervals of the same quantities: paired (the same item
/// resample scored by both models) when both models were probed on the same items, otherwise
/// from independent resamples of each model's items.
public struct ProbeDrift: Sendable, Equatable, Codable {
    public var metric: ProbeMetric
    public var base: Double
    public var adapted: Double
    public var drift: Double
    public var low: Double?
    public var high: Double?
    public var harmDrift: Double
    public var harmLow: Double?
    public var harmHigh: Double?
    /// Whether the interval pairs the two models' scores of the same items.
    public var paired: Bool
    /// Items the interval resamples (each model's, when unpaired).
    public var items: Int

    /// Drift of every metric with an ideal that both results measured, in the adapted result's
    /// order; items are matched by id.
    public static func compare(base: ProbeResult, adapted: ProbeResult, bootstrap: ProbeBootstrap?) throws -> [ProbeDrift] {
        guard base.kind == adapted.kind else {
            throw ProbeError.invalidSetting(name: "drift", reason: "cannot compare \(base.kind.rawValue) with \(adapted.kind.rawValue)")
        }
        let baseValues = Dictionary(base.measurements.map { (Key($0.metric), $0.value) }, uniquingKeysWith: { first, _ in first })
        let compared = adapted.measurements.filter { $0.metric.ideal != nil && baseValues[Key($0.metric)] != nil }
        guard !compared.isEmpty else { return [] }

        let baseIDs = base.items.map(\.id)
        let paired = Set(baseIDs) == Set(adapted.items.map(\.id)) && Set(baseIDs).count == baseIDs.count
        var intervals: [(low: Double, high: Double)?] = [(low: Double, high: Double)?](repeating: nil, count: 2 * compared.count)
        var itemCount = adapted.items.count
        if let bootstrap, !base.items.isEmpty, !adapted.items.isEmpty {
            let baseStatistics = try base.kind.statistics(items: base.items)
            let adaptedItems: [ProbeItem]
            if paired {
                let byID = Dictionary(uniqueKeysWithValues: adapted.items.map { ($0.id, $0) })
                adaptedItems = baseIDs.compactMap { byID[$0] }
            } else {
                adaptedItems = adapted.items
            }
            let adaptedStatistics = try base.kind.statistics(items: adaptedItems)
            let baseIndex = Dictionary(baseStatistics.metrics.enumerated().map { (Key($1), $0) }, uniquingKeysWith: { first, _ in first })
            let adaptedIndex = Dictionary(
                adaptedStatistics.metrics.enumerated().map { (Key($1), $0) }, uniquingKeysWith: { first, _ in first })
            let positions = compared.map { (baseIndex[Key($0.metric)], adaptedIndex[Key($0.metric)]) }
            /// Drift then harm drift of each compared metric from the two models' values.
            func differences(_ baseValues: [Double], _ adaptedValues: [Double]) -> [Double] {
                var result = [Double](repeating: .nan, count: 2 * compared.count)
                for (index, (b, a)) in positions.enumerated() {
                    guard let b, let a, let ideal = compared[index].metric.ideal else { continue }
                    result[index] = adaptedValues[a] - baseValues[b]
                    result[compared.count + index] = abs(adaptedValues[a] - ideal) - abs(baseValues[b] - ideal)
                }
                return result
            }
            if paired {
                itemCount = baseIDs.count
                intervals = try bootstrap.intervals(
                    itemCount: baseIDs.count, strata: baseStatistics.strata, components: 2 * compared.count
                ) { weights in
                    differences(baseStatistics.values(weights: weights), adaptedStatistics.values(weights: weights))
                }
            } else {
                // Each model's items resampled on their own: base items first, then adapted,
                // in separate strata.
                let baseCount = baseStatistics.itemCount
                let offset = (baseStatistics.strata?.max() ?? 0) + 1
                let strata = (baseStatistics.strata ?? [Int](repeating: 0, count: baseCount))
                    + (adaptedStatistics.strata ?? [Int](repeating: 0, count: adaptedStatistics.itemCount)).map { $0 + offset }
                intervals = try bootstrap.intervals(
                    itemCount: baseCount + adaptedStatistics.itemCount, strata: strata, components: 2 * compared.count
                ) { weights in
                    differences(baseStatistics.values(weights: Array(weights[..<baseCount])),
                                adaptedStatistics.values(weights: Array(weights[baseCount...])))
                }
            }
        }
        return compared.enumerated().map { index, measurement in
            let baseValue = baseValues[Key(measurement.metric)]!
            let ideal = measurement.metric.ideal!
            let drift = intervals[index]
            let harm = intervals[compared.count + index]
            return ProbeDrift(
                metric: measurement.metric, base: baseValue, adapted: measurement.value, drift: measurement.value - baseValue,
                low: drift?.low, high: drift?.high,
                harmDrift: abs(measurement.value - ideal) - abs(baseValue - ideal), harmLow: harm?.low, harmHigh: harm?.high,
                paired: paired, items: itemCount)
        }
    }

    /// A metric's identity for matching: name and group.
    struct Key: Hashable {
        var name: String
        var group: String
        init(_ metric: ProbeMetric) {
            name = metric.name
            group = metric.group
        }
    }

    enum CodingKeys: String, CodingKey {
        case metric, base, adapted, drift, low, high, harmDrift = "harm_drift", harmLow = "harm_low", harmHigh = "harm_high"
        case paired, items
    }
}
