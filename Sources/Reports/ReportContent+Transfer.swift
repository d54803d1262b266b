extension ReportContent {
    /// Transfer gains: score through a source task minus score without it, per strategy and target.
    public struct TransferGains: Sendable, Equatable {
        /// One gain with its paired-bootstrap interval and what it means.
        public struct Comparison: Sendable, Equatable {
            /// Positive when the interval lies above 0, negative when below, else inconclusive
            /// (DESIGN.md, "Transfer gain").
            public enum Verdict: String, Sendable, Equatable, CaseIterable {
                case positive, negative, inconclusive
            }

            /// e.g. "LoRA: SST-2 → kitchen".
            public var label: String
            public var gain: Estimate
            public var verdict: Verdict
            /// The p-value after the multiple-comparison adjustment the statistics layer applied.
            public var adjustedPValue: Double?

            public init(label: String, gain: Estimate, verdict: Verdict, adjustedPValue: Double? = nil) {
                self.label = label
                self.gain = gain
                self.verdict = verdict
                self.adjustedPValue = adjustedPValue
            }
        }

        /// The score the gains are differences of, e.g. "test accuracy"; titles the axis.
        public var metric: String
        public var comparisons: [Comparison]

        public init(metric: String = "score", comparisons: [Comparison] = []) {
            self.metric = metric
            self.comparisons = comparisons
        }
    }
}
