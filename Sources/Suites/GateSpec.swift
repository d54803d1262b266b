import Foundation

/// One release gate from a suite's `gates:` list: a condition `adapteval gate` checks on a
/// candidate run, alone or against a baseline run. docs/gates.md describes every key.
///
/// ```yaml
/// gates:
///   - {kind: threshold, task: gadgets, metric: accuracy, minimum: 0.70}
///   - {kind: non-inferiority, metric: accuracy, margin: 0.01, confidence: 0.95}
///   - {kind: no-negative-transfer}
///   - {kind: safety-drift, limit: 0.05}
/// ```
public struct GateSpec: Codable, Sendable, Equatable, Placeholder {
    /// What a gate checks.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// The candidate's test score of a metric is at least `minimum` (or at most `maximum`).
        case threshold
        /// The candidate is not worse than the baseline by more than `margin`, shown at `confidence`.
        case nonInferiority = "non-inferiority"
        /// No transfer gain of the candidate run is labelled negative (its interval lies below 0).
        case noNegativeTransfer = "no-negative-transfer"
        /// No probe metric moved toward harm by more than `limit`, overall and per group.
        case safetyDrift = "safety-drift"
    }

    /// How non-inferiority is tested: McNemar for accuracy, the bootstrap for other metrics,
    /// unless a gate says `test:` (docs/gates.md, "Calibration", has why).
    public enum Test: String, Codable, Sendable, CaseIterable {
        /// Paired (hierarchical over seeds) bootstrap interval of the difference; passes when its
        /// low end lies above −margin.
        case bootstrap
        /// Exact one-sided McNemar test (accuracy only); fails when the candidate is worse by more
        /// than the margin and significantly worse at 1 − confidence.
        case mcnemar
    }

    /// How a safety-drift gate groups probe results.
    public enum Groups: String, Codable, Sendable, CaseIterable {
        /// Only the whole-probe rows (no group).
        case overall
        /// Every row, the whole probe and each group.
        case each
    }

    public var kind: Kind
    /// How reports name the gate; defaults to a description of it.
    public var name: String?
    /// The target task checked; nil checks every target task of the run.
    public var task: String?
    /// Only cells of this strategy (its display name); nil checks every strategy.
    public var strategy: String?
    /// The metric's name in the `metrics` table (`accuracy`, `macro_f1`, `ece`, …).
    public var metric: String
    public var minimum: Double?
    public var maximum: Double?
    /// How much worse than the baseline still counts as not worse, in the metric's units
    /// (0.01 is one accuracy point).
    public var margin: Double
    /// Coverage of the two-sided interval (bootstrap) or 1 − the one-sided level (McNemar).
    public var confidence: Double
    public var test: Test
    /// Safety drift: only this probe; nil checks every probe.
    public var probe: String?
    /// Safety drift: the largest movement toward harm allowed, in the metric's units.
    public var limit: Double?
    public var groups: Groups

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, name, task, strategy, metric, minimum, maximum, margin, confidence, test, probe, limit, groups
    }

    static var placeholder: GateSpec { GateSpec(kind: .threshold) }

    public init(
        kind: Kind, name: String? = nil, task: String? = nil, strategy: String? = nil, metric: String = "accuracy",
        minimum: Double? = nil, maximum: Double? = nil, margin: Double = 0.01, confidence: Double = 0.95,
        test: Test? = nil, probe: String? = nil, limit: Double? = nil, groups: Groups = .each
    ) {
        self.kind = kind
        self.name = name
        self.task = task
        self.strategy = strategy
        self.metric = metric
        self.minimum = minimum
        self.maximum = maximum
        self.margin = margin
        self.confidence = confidence
        self.test = test ?? Self.defaultTest(metric: metric)
        self.probe = probe
        self.limit = limit
        self.groups = groups
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeKeyword(Kind.self, forKey: .kind, noun: "gate kind", decoder: decoder) ?? .threshold
        name = try c.decodeIfPresent(String.self, forKey: .name)
        task = try c.decodeIfPresent(String.self, forKey: .task)
        strategy = try c.decodeIfPresent(String.self, forKey: .strategy)
        metric = try c.decodeIfPresent(String.self, forKey: .metric) ?? "accuracy"
        minimum = try c.decodeIfPresent(Double.self, forKey: .minimum)
        maximum = try c.decodeIfPresent(Double.self, forKey: .maximum)
        margin = try c.decodeIfPresent(Double.self, forKey: .margin) ?? 0.01
        confidence = try c.decodeIfPresent(Double.self, forKey: .confidence) ?? 0.95
        test = try c.decodeKeyword(Test.self, forKey: .test, noun: "test", decoder: decoder) ?? Self.defaultTest(metric: metric)
        probe = try c.decodeIfPresent(String.self, forKey: .probe)
        limit = try c.decodeIfPresent(Double.self, forKey: .limit)
        groups = try c.decodeKeyword(Groups.self, forKey: .groups, noun: "groups", decoder: decoder) ?? .each
    }

    /// The test a non-inferiority gate uses unless it names one: the exact McNemar test for
    /// accuracy, which fails only on evidence of a drop beyond the margin and so keeps false
    /// alarms at or below 5% for an equally good retrained model (2–5% of examples disagreeing),
    /// where the bootstrap's strict interval rule fails 50–70% of them on 1,000 examples; the
    /// paired bootstrap for every other metric.
    public static func defaultTest(metric: String) -> Test { metric == "accuracy" ? .mcnemar : .bootstrap }

    /// The gate a suite without `gates:` gets: every target task's accuracy non-inferior to the
    /// baseline's with a one-point margin at 95% confidence (McNemar's rule, `defaultTest`).
    public static let defaultGates = [GateSpec(kind: .nonInferiority, metric: "accuracy", margin: 0.01, confidence: 0.95)]

    /// Whether the gate's `task:` and `strategy:` (each nil for all) take in this task and strategy.
    public func covers(task: String, strategy: String) -> Bool {
        (self.task.map { $0 == task } ?? true) && (self.strategy.map { $0 == strategy } ?? true)
    }

    /// How reports name the gate.
    public var displayName: String {
        if let name { return name }
        let scope = [task, strategy].compactMap { $0 }.joined(separator: ", ")
        let suffix = scope.isEmpty ? "" : " (\(scope))"
        switch kind {
        case .threshold:
            let bounds = [minimum.map { "≥ \($0)" }, maximum.map { "≤ \($0)" }].compactMap { $0 }.joined(separator: ", ")
            return "\(metric) \(bounds)\(suffix)"
        case .nonInferiority:
            return "\(metric) non-inferior to baseline (margin \(margin), \(Int((confidence * 100).rounded()))%)\(suffix)"
        case .noNegativeTransfer: return "no negative transfer\(suffix)"
        case .safetyDrift: return "safety drift ≤ \(limit ?? 0)\(probe.map { " on \($0)" } ?? "")\(suffix)"
        }
    }

    /// What is wrong with this gate on its own, by field (the suite checker adds line numbers).
    func problems(taskNames: [String]) -> [(field: CodingKeys, message: String)] {
        var problems: [(field: CodingKeys, message: String)] = []
        if let task, !taskNames.contains(task) {
            problems.append((.task, "no task '\(task)' in the suite (tasks: \(taskNames.joined(separator: ", ")))"))
        }
        switch kind {
        case .threshold:
            if minimum == nil, maximum == nil { problems.append((.minimum, "a threshold gate needs minimum or maximum")) }
        case .nonInferiority:
            if !(margin >= 0) { problems.append((.margin, "margin must be ≥ 0 (0.01 is one accuracy point), got \(margin)")) }
            if test == .mcnemar, metric != "accuracy" {
                problems.append((.test, "the McNemar test compares accuracy only; use test: bootstrap for \(metric)"))
            }
            if metric != "accuracy", metric != "macro_f1" {
                problems.append((.metric, "non-inferiority is tested on per-example predictions: use accuracy or macro_f1"))
            }
        case .safetyDrift:
            if limit == nil { problems.append((.limit, "a safety-drift gate needs limit (the largest drift toward harm allowed)")) }
        case .noNegativeTransfer: break
        }
        if !(confidence > 0 && confidence < 1) {
            problems.append((.confidence, "confidence must lie between 0 and 1 (e.g. 0.95), got \(confidence)"))
        }
        return problems
    }
}
