import ResultStore

/// Everything an audit report shows about one run, independent of where the numbers came from.
///
/// The lead section is the ``Verdict``; the others follow in the order the report prints them.
/// A run in progress has empty sections: each section is printed anyway, with one line saying
/// that it has no data yet and what produces it, so a report can be rendered at any time.
public struct ReportContent: Sendable, Equatable {
    /// The report's heading, e.g. "Sentiment domain shift: checkpoint v2".
    public var title: String
    public var suiteName: String
    /// How the run is named to users, e.g. "12" or "12 (3f2a…)".
    public var runID: String
    /// The user's label for the run (`adapteval run --tag`).
    public var tag: String?
    public var status: RunRecord.Status
    public var verdict: Verdict
    public var scores: ScoreTable
    public var transfer: TransferGains
    public var learningCurves: [LearningCurve]
    public var overfitting: [OverfittingAssessment]
    public var efficiency: ParameterEfficiency
    public var divergence: DomainDivergence
    public var probeDrift: [ProbeDrift]
    public var baseline: BaselineComparison
    /// Facts that identify what produced the numbers, in the order they are printed.
    public var provenance: [ProvenanceEntry]

    public init(
        title: String, suiteName: String, runID: String, tag: String? = nil, status: RunRecord.Status,
        verdict: Verdict = Verdict(), scores: ScoreTable = ScoreTable(), transfer: TransferGains = TransferGains(),
        learningCurves: [LearningCurve] = [], overfitting: [OverfittingAssessment] = [],
        efficiency: ParameterEfficiency = ParameterEfficiency(), divergence: DomainDivergence = DomainDivergence(),
        probeDrift: [ProbeDrift] = [], baseline: BaselineComparison = BaselineComparison(),
        provenance: [ProvenanceEntry] = []
    ) {
        self.title = title
        self.suiteName = suiteName
        self.runID = runID
        self.tag = tag
        self.status = status
        self.verdict = verdict
        self.scores = scores
        self.transfer = transfer
        self.learningCurves = learningCurves
        self.overfitting = overfitting
        self.efficiency = efficiency
        self.divergence = divergence
        self.probeDrift = probeDrift
        self.baseline = baseline
        self.provenance = provenance
    }
}

extension ReportContent {
    /// A measured value with its optional confidence interval and the number of seeds behind it.
    ///
    /// Printed as "0.903 [0.873, 0.930]"; an interval is shown only when both bounds are given.
    public struct Estimate: Sendable, Equatable {
        public var value: Double
        public var low: Double?
        public var high: Double?
        /// How many seeds the value aggregates, when it aggregates any.
        public var seedCount: Int?

        public init(_ value: Double, low: Double? = nil, high: Double? = nil, seedCount: Int? = nil) {
            self.value = value
            self.low = low
            self.high = high
            self.seedCount = seedCount
        }

        /// Both bounds, or nil when either is missing.
        public var interval: (low: Double, high: Double)? {
            guard let low, let high else { return nil }
            return (low, high)
        }
    }

    /// One line of the provenance block: a name and its value (hashes, seeds, versions, …).
    public struct ProvenanceEntry: Sendable, Equatable {
        public var key: String
        public var value: String

        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }
}
