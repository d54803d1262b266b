/// One named comparison in a family: its estimate, interval and raw p-value.
public struct NamedComparison: Sendable, Equatable {
    /// What is compared, e.g. "lora vs full on sst2"; unique within a family.
    public var name: String
    public var estimate: Double
    /// The interval of the estimate, when the test that made it has one.
    public var interval: ConfidenceInterval?
    /// The value of "no effect": 0 for differences, 1 for ratios.
    public var noEffect: Double
    /// The unadjusted p-value, in [0, 1].
    public var pValue: Double

    public init(name: String, estimate: Double, interval: ConfidenceInterval? = nil, noEffect: Double = 0, pValue: Double) {
        self.name = name
        self.estimate = estimate
        self.interval = interval
        self.noEffect = noEffect
        self.pValue = pValue
    }

    /// A bootstrap estimate under a name, with its interval and two-sided p-value.
    public init(name: String, bootstrap: BootstrapEstimate) {
        self.init(name: name, estimate: bootstrap.estimate, interval: bootstrap.interval, noEffect: bootstrap.noEffect, pValue: bootstrap.pValue)
    }
}

/// A comparison with its p-value adjusted for the family it was tested in.
public struct AdjustedComparison: Sendable, Equatable {
    public var comparison: NamedComparison
    /// Holm-adjusted over the family, in [0, 1].
    public var adjustedPValue: Double
    /// The transfer label of the interval, when there is one (from the unadjusted interval:
    /// DESIGN.md defines the label by the 95% interval alone).
    public var label: TransferLabel?

    /// Whether the comparison is significant at family-wise level α (Holm: adjusted p ≤ α).
    public func isSignificant(at alpha: Double = 0.05) -> Bool { adjustedPValue <= alpha }
}

/// The comparisons of one report or gate, adjusted together: every p-value the family holds
/// goes through one Holm–Bonferroni step-down (`HolmBonferroni.adjusted`), so "significant"
/// means the same in the report, `compare` and `gate`.
public enum ComparisonFamily {
    /// The comparisons with Holm-adjusted p-values and labels, in input order.
    ///
    /// - Throws: `EvaluationError.invalidArgument` for a repeated name or a p-value outside
    ///   [0, 1].
    public static func holmAdjusted(_ comparisons: [NamedComparison]) throws -> [AdjustedComparison] {
        var seen = Set<String>()
        for comparison in comparisons where !seen.insert(comparison.name).inserted {
            throw EvaluationError.invalidArgument(reason: "comparison '\(comparison.name)' appears twice in one family; give each a unique name")
        }
        let adjusted = try HolmBonferroni.adjusted(comparisons.map(\.pValue))
        return zip(comparisons, adjusted).map { comparison, pValue in
            AdjustedComparison(
                comparison: comparison, adjustedPValue: pValue,
                label: comparison.interval.map { TransferLabel(interval: $0, noEffect: comparison.noEffect) })
        }
    }
}
