extension ReportContent {
    /// The gate's outcome, each gate's result and the largest changes: what a reader sees first.
    public struct Verdict: Sendable, Equatable {
        /// The result of the gate as a whole or of one gate.
        public enum Outcome: String, Sendable, Equatable, CaseIterable {
            case passed
            case failed
            /// No gate ran, or a gate lacked the data it checks.
            case notEvaluated
        }

        /// One gate: a named condition on the run's results and what came of it.
        public struct Gate: Sendable, Equatable {
            public var name: String
            public var outcome: Outcome
            /// One line saying what was measured against what, e.g.
            /// "accuracy 0.871 < 0.880 on kitchen (full)".
            public var detail: String
            /// How long evaluating the gate took, for JUnit's `time`.
            public var seconds: Double?

            public init(name: String, outcome: Outcome, detail: String, seconds: Double? = nil) {
                self.name = name
                self.outcome = outcome
                self.detail = detail
                self.seconds = seconds
            }
        }

        /// One of the largest changes the run brought, against the baseline or by transfer.
        public struct Change: Sendable, Equatable {
            /// Whether the change is good news, bad news, or not distinguishable from noise.
            public enum Direction: String, Sendable, Equatable, CaseIterable {
                case improvement, regression, inconclusive
            }

            /// What changed, e.g. "LoRA on kitchen (SST-2 → kitchen)".
            public var subject: String
            public var metric: String
            public var difference: Estimate
            public var direction: Direction

            public init(subject: String, metric: String, difference: Estimate, direction: Direction) {
                self.subject = subject
                self.metric = metric
                self.difference = difference
                self.direction = direction
            }
        }

        /// The gate as a whole, as the gate command decided it.
        public var outcome: Outcome
        public var gates: [Gate]
        /// Largest first; the report shows them all (the gate command keeps three).
        public var largestChanges: [Change]
        /// When the gate ran: ISO 8601 in UTC without a zone designator, as JUnit's `timestamp`
        /// takes it ("2026-12-02T05:50:00").
        public var evaluatedAt: String?
        /// The machine the gate ran on (JUnit's `hostname`).
        public var host: String?

        public init(
            outcome: Outcome = .notEvaluated, gates: [Gate] = [], largestChanges: [Change] = [], evaluatedAt: String? = nil,
            host: String? = nil
        ) {
            self.outcome = outcome
            self.gates = gates
            self.largestChanges = largestChanges
            self.evaluatedAt = evaluatedAt
            self.host = host
        }

        /// The number of gates with each outcome.
        public func count(_ outcome: Outcome) -> Int { gates.count { $0.outcome == outcome } }
    }
}
