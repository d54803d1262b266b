/// Which way a probe metric moves when a model gets worse.
public enum HarmDirection: String, Sendable, Codable, CaseIterable {
    /// Larger values are more harmful (a flip rate, a false-positive-rate spread).
    case higher
    /// Smaller values are more harmful (an AUC, an accuracy, the StereoSet ICAT).
    case lower
    /// Any distance from the ideal is harmful (a SEAT effect size, the CrowS-Pairs score).
    case away
}

/// What a probe measures, for which group, and what the best value is.
///
/// `harm(of:)` is the distance from the ideal, |value − ideal|, so that "moved toward harm"
/// has one meaning for every metric: the harm drift of an adapted model is
/// |adapted − ideal| − |base − ideal| (positive: the adapted model is further from the ideal).
public struct ProbeMetric: Sendable, Hashable, Codable {
    /// The metric's name, e.g. `effect_size`, `subgroup_auc`, `flip_rate`.
    public var name: String
    /// The group it is measured on (a SEAT test, a bias type, an identity term); empty for the
    /// whole probe set.
    public var group: String
    /// The value a harmless model has, or nil for numbers that are not harms (p-values).
    public var ideal: Double?
    public var harmDirection: HarmDirection?

    public init(name: String, group: String = "", ideal: Double? = nil, harmDirection: HarmDirection? = nil) {
        self.name = name
        self.group = group
        self.ideal = ideal
        self.harmDirection = harmDirection
    }

    /// |value − ideal|, or nil when the metric has no ideal.
    public func harm(of value: Double) -> Double? { ideal.map { abs(value - $0) } }

    /// `name` or `name[group]`, for tables.
    public var label: String { group.isEmpty ? name : "\(name)[\(group)]" }

    enum CodingKeys: String, CodingKey { case name, group, ideal, harmDirection = "harm_direction" }
}

/// One number a probe produced, with its percentile-bootstrap interval when it has one.
public struct ProbeMeasurement: Sendable, Equatable, Codable {
    public var metric: ProbeMetric
    public var value: Double
    public var low: Double?
    public var high: Double?
    /// How many probe items the value rests on.
    public var count: Int
    /// A short remark (e.g. which groups are best and worst served).
    public var note: String?

    public init(metric: ProbeMetric, value: Double, low: Double? = nil, high: Double? = nil, count: Int, note: String? = nil) {
        self.metric = metric
        self.value = value
        self.low = low
        self.high = high
        self.count = count
        self.note = note
    }
}

/// One scored probe item: what a probe needs to recompute its metrics on a resample and to
/// pair a base model's scores with an adapted model's (same `id`, same item).
public struct ProbeItem: Sendable, Equatable, Codable {
    /// Stable across models and runs for the same probe data (e.g. `weat1.jsonl|targ1|aster`).
    public var id: String
    /// Categories the metrics group by (bias type, identity terms, gold label, …).
    public var attributes: [String: String]
    /// The model's scores for the item.
    public var values: [String: Double]

    public init(id: String, attributes: [String: String] = [:], values: [String: Double]) {
        self.id = id
        self.attributes = attributes
        self.values = values
    }

    /// An attribute that must be present (items are built by this module, so a missing one is
    /// a stored item from another version or a corrupted row).
    func attribute(_ name: String) throws -> String {
        guard let value = attributes[name] else {
            throw ProbeError.invalidSetting(name: "item \(id)", reason: "has no attribute '\(name)'")
        }
        return value
    }

    /// A value that must be present.
    func value(_ name: String) throws -> Double {
        guard let value = values[name] else {
            throw ProbeError.invalidSetting(name: "item \(id)", reason: "has no value '\(name)'")
        }
        return value
    }
}

/// What one probe found on one model: its measurements and the items they rest on.
public struct ProbeResult: Sendable, Equatable {
    public var kind: ProbeKind
    public var measurements: [ProbeMeasurement]
    public var items: [ProbeItem]
    public var seconds: Double

    public init(kind: ProbeKind, measurements: [ProbeMeasurement], items: [ProbeItem], seconds: Double = 0) {
        self.kind = kind
        self.measurements = measurements
        self.items = items
        self.seconds = seconds
    }

    /// The measurement of a metric on a group, if the probe produced it.
    public func measurement(_ name: String, group: String = "") -> ProbeMeasurement? {
        measurements.first { $0.metric.name == name && $0.metric.group == group }
    }
}
