extension ReportContent {
    /// How far apart the suite's domains are, one square matrix per measure.
    public struct DomainDivergence: Sendable, Equatable {
        /// One divergence measure between every ordered pair of domains.
        public struct Measure: Sendable, Equatable {
            /// e.g. "Jensen–Shannon divergence".
            public var name: String
            /// e.g. "bits"; nil for unitless measures.
            public var unit: String?
            /// `values[row][column]` compares domain `row` (P) with domain `column` (Q); nil
            /// where not computed.
            public var values: [[Double?]]
            /// Permutation p-values in the same layout, for measures that have them (MMD²).
            public var pValues: [[Double?]]?

            public init(name: String, unit: String? = nil, values: [[Double?]], pValues: [[Double?]]? = nil) {
                self.name = name
                self.unit = unit
                self.values = values
                self.pValues = pValues
            }

            /// The value at (row, column), nil when absent or outside the matrix.
            public func value(_ row: Int, _ column: Int) -> Double? { Self.entry(values, row, column) }

            /// The p-value at (row, column), nil when absent or outside the matrix.
            public func pValue(_ row: Int, _ column: Int) -> Double? { pValues.flatMap { Self.entry($0, row, column) } }

            private static func entry(_ matrix: [[Double?]], _ row: Int, _ column: Int) -> Double? {
                guard matrix.indices.contains(row), matrix[row].indices.contains(column) else { return nil }
                return matrix[row][column]
            }
        }

        public var domains: [String]
        public var measures: [Measure]

        public init(domains: [String] = [], measures: [Measure] = []) {
            self.domains = domains
            self.measures = measures
        }
    }
}
