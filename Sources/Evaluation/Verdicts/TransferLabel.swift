/// Whether transfer helped, hurt or cannot be told apart from no effect, read off the
/// confidence interval of a gain (DESIGN.md, "Definitions": positive transfer when the 95%
/// paired-bootstrap interval of score(with transfer) − score(without) lies above 0, negative
/// when below, otherwise inconclusive).
public enum TransferLabel: String, Sendable, Equatable, Codable, CaseIterable {
    /// The whole interval lies above no effect.
    case positive
    /// The whole interval lies below no effect.
    case negative
    /// The interval contains no effect (an end exactly at it counts as containing it).
    case inconclusive

    /// The label of `interval` against `noEffect` (0 for a gain, 1 for a ratio).
    public init(interval: ConfidenceInterval, noEffect: Double = 0) {
        if interval.low > noEffect {
            self = .positive
        } else if interval.high < noEffect {
            self = .negative
        } else {
            self = .inconclusive
        }
    }

    /// The label of a bootstrap estimate's interval against its own no-effect value.
    public init(_ estimate: BootstrapEstimate) {
        self.init(interval: estimate.interval, noEffect: estimate.noEffect)
    }
}
