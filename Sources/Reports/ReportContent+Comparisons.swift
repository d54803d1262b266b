extension ReportContent {
    /// How one probe metric of one group moved from the base model to an adapted model.
    public struct ProbeDrift: Sendable, Equatable {
        /// The adapted model, e.g. "full · SST-2 → kitchen".
        public var model: String
        /// e.g. "CrowS-Pairs", "toxicity prompts".
        public var probe: String
        /// e.g. "stereotype preference (%)", "expected maximum toxicity".
        public var metric: String
        /// e.g. "gender", "religion"; "all" for probes without groups.
        public var group: String
        public var base: Double
        public var adapted: Double
        /// adapted − base, with its interval.
        public var delta: Estimate
        /// Whether the drift is beyond the suite's threshold for this metric.
        public var exceedsThreshold: Bool

        public init(
            model: String, probe: String, metric: String, group: String, base: Double, adapted: Double,
            delta: Estimate, exceedsThreshold: Bool
        ) {
            self.model = model
            self.probe = probe
            self.metric = metric
            self.group = group
            self.base = base
            self.adapted = adapted
            self.delta = delta
            self.exceedsThreshold = exceedsThreshold
        }
    }

    /// This run against a baseline run, cell by cell, with a significance test per row.
    public struct BaselineComparison: Sendable, Equatable {
        public struct Row: Sendable, Equatable {
            public var task: String
            public var strategy: String
            public var chain: String
            public var metric: String
            public var candidate: Double
            public var baseline: Double
            /// candidate − baseline, with its interval.
            public var difference: Estimate
            public var pValue: Double?
            public var isSignificant: Bool
            /// The test behind the p-value, e.g. "McNemar exact".
            public var test: String

            public init(
                task: String, strategy: String, chain: String, metric: String, candidate: Double, baseline: Double,
                difference: Estimate, pValue: Double?, isSignificant: Bool, test: String
            ) {
                self.task = task
                self.strategy = strategy
                self.chain = chain
                self.metric = metric
                self.candidate = candidate
                self.baseline = baseline
                self.difference = difference
                self.pValue = pValue
                self.isSignificant = isSignificant
                self.test = test
            }
        }

        /// How the baseline run is named to users; nil when there is none.
        public var baselineRunID: String?
        public var rows: [Row]

        public init(baselineRunID: String? = nil, rows: [Row] = []) {
            self.baselineRunID = baselineRunID
            self.rows = rows
        }
    }
}
