/// One labelled text (or text pair) with a stable identifier for per-example results.
public struct Sample: Sendable, Equatable, Hashable {
    public var id: String
    public var text: String
    public var pair: String?
    public var label: String
    /// The 1-based line of the file where the sample starts, for messages.
    public var line: Int?

    public init(id: String, text: String, pair: String? = nil, label: String, line: Int? = nil) {
        self.id = id
        self.text = text
        self.pair = pair
        self.label = label
        self.line = line
    }
}

/// Samples with the label names they use, in a fixed order.
public struct Dataset: Sendable, Equatable {
    public var name: String
    public var samples: [Sample]
    /// Distinct labels: numeric labels in numeric order, others sorted.
    public var labelNames: [String]

    public init(name: String, samples: [Sample], labelNames: [String]? = nil) {
        self.name = name
        self.samples = samples
        self.labelNames = labelNames ?? Dataset.orderedLabels(samples.map(\.label))
    }

    /// Labels in numeric order when all are integers, otherwise lexicographic.
    public static func orderedLabels(_ labels: [String]) -> [String] {
        let distinct = Set(labels)
        if distinct.allSatisfy({ Int($0) != nil }) {
            return distinct.sorted { Int($0)! < Int($1)! }
        }
        return distinct.sorted()
    }

    /// How many samples carry each label, in `labelNames` order.
    public var labelCounts: [Int] {
        let counts = Dictionary(grouping: samples, by: \.label).mapValues(\.count)
        return labelNames.map { counts[$0] ?? 0 }
    }
}
