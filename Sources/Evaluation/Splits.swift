/// Seeded, stratified splits: each label's samples are shuffled with the seed and divided in
/// the requested proportions, so every split keeps the label distribution. A dataset without
/// label names (unlabelled text, scored pairs) is shuffled and divided as one group.
public enum Splits {
    /// Splits `dataset` into parts with the given fractions (summing to at most 1), each part
    /// capped at `limits[i]` samples when given, keeping label proportions. Deterministic for a
    /// seed; labels stay in the dataset's order and samples in shuffled order within a part.
    public static func stratified(
        _ dataset: Dataset, fractions: [Double], limits: [Int?] = [], seed: UInt64
    ) throws -> [Dataset] {
        // Without label names (unlabelled text, scored pairs) every sample is in one group.
        let labelIndex = Dictionary(dataset.labelNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let unlabelled = dataset.labelNames.isEmpty
        let parts = try stratifiedIndices(
            labels: dataset.samples.map { unlabelled ? 0 : labelIndex[$0.label] ?? -1 }, classCount: max(dataset.labelNames.count, 1),
            fractions: fractions, seed: seed
        ).map { $0.map { dataset.samples[$0] } }
        return parts.enumerated().map { index, samples in
            var chosen = samples
            if index < limits.count, let limit = limits[index], chosen.count > limit {
                chosen = capped(chosen, limit: limit, labelNames: dataset.labelNames)
            }
            return Dataset(name: "\(dataset.name)[\(index)]", samples: chosen, labelNames: dataset.labelNames)
        }
    }

    /// Divides row indices 0..<labels.count in the given fractions (summing to at most 1) so
    /// that each part keeps the label proportions: each label's rows are shuffled with the seed
    /// (Fisher–Yates over `SplitMix64`) and cut at the rounded cumulative fractions. Labels are
    /// class indices in 0..<classCount; rows with another label belong to no part. Parts list
    /// labels in class order and rows in shuffled order within a label.
    public static func stratifiedIndices(labels: [Int], classCount: Int, fractions: [Double], seed: UInt64) throws
        -> [[Int]]
    {
        guard !fractions.isEmpty, fractions.allSatisfy({ $0 > 0 }), fractions.reduce(0, +) <= 1 + 1e-9 else {
            throw EvaluationError.invalidArgument(reason: "split fractions must be positive and sum to at most 1, got \(fractions)")
        }
        var parts = fractions.map { _ in [Int]() }
        var generator = SplitMix64(seed: seed)
        for label in 0..<classCount {
            var group = labels.indices.filter { labels[$0] == label }
            generator.shuffle(&group)
            var start = 0
            var cumulative = 0.0
            for (part, fraction) in fractions.enumerated() {
                cumulative += fraction
                let end = min(group.count, Int((cumulative * Double(group.count)).rounded()))
                parts[part] += group[start..<max(start, end)]
                start = max(start, end)
            }
        }
        return parts
    }

    /// Exactly `limit` samples with label proportions kept: each label gets the floor of its
    /// share, and the samples left over go to the largest remainders (ties in label order).
    static func capped(_ samples: [Sample], limit: Int, labelNames: [String]) -> [Sample] {
        if labelNames.isEmpty { return Array(samples.prefix(limit)) }
        let byLabel = Dictionary(grouping: samples, by: \.label)
        let shares = labelNames.map { Double(byLabel[$0]?.count ?? 0) * Double(limit) / Double(samples.count) }
        var quotas = shares.map { Int($0.rounded(.down)) }
        let order = shares.indices.sorted { a, b in
            let (ra, rb) = (shares[a] - Double(quotas[a]), shares[b] - Double(quotas[b]))
            return ra != rb ? ra > rb : a < b
        }
        for label in order.prefix(limit - quotas.reduce(0, +)) { quotas[label] += 1 }
        return labelNames.enumerated().flatMap { index, label in Array((byLabel[label] ?? []).prefix(quotas[index])) }
    }
}
