/// A two-sided confidence interval [low, high] at a confidence level, and how it was made.
public struct ConfidenceInterval: Sendable, Equatable, Codable {
    /// How a bootstrap interval is read off the bootstrap distribution.
    public enum Method: String, Sendable, Equatable, Codable, CaseIterable {
        /// The (1−c)/2 and (1+c)/2 quantiles of the replicates (Efron and Tibshirani 1993,
        /// ch. 13).
        case percentile
        /// Bias-corrected and accelerated quantiles (Efron 1987; Efron and Tibshirani 1993,
        /// ch. 14): second-order accurate, and correct under monotone transformations.
        case bca
    }

    public var low: Double
    public var high: Double
    /// The coverage the interval was built for, in (0, 1), e.g. 0.95.
    public var confidence: Double
    public var method: Method

    public init(low: Double, high: Double, confidence: Double, method: Method) {
        self.low = low
        self.high = high
        self.confidence = confidence
        self.method = method
    }

    /// Whether `value` lies in [low, high].
    public func contains(_ value: Double) -> Bool { low <= value && value <= high }

    /// high − low.
    public var width: Double { high - low }
}
