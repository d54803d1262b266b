import Evaluation
import Foundation
import ResultStore

/// What `adapteval gate` decided: each gate's outcome with the checks it made, and the
/// largest changes against the baseline.
public struct GateVerdict: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        case passed, failed
        /// Nothing the gate checks was present in both runs (e.g. no group matched).
        case notEvaluated = "not-evaluated"

        /// The outcome of a whole made of parts (a gate of its checks, a verdict of its gates):
        /// failed when any part failed, passed when none failed and one passed, else not evaluated.
        public static func combining(_ parts: some Sequence<Outcome>) -> Outcome {
            var passed = false
            for part in parts {
                if part == .failed { return .failed }
                passed = passed || part == .passed
            }
            return passed ? .passed : .notEvaluated
        }

        /// The outcome of stored checks (`GateResultRecord.outcome`); an unknown word counts as not evaluated.
        public static func combining(_ checks: [GateResultRecord]) -> Outcome {
            combining(checks.map { Outcome(rawValue: $0.outcome) ?? .notEvaluated })
        }
    }

    /// One gate of the suite and the checks it made, one per group of cells or probe row.
    public struct GateOutcome: Sendable {
        public var spec: GateSpec
        public var outcome: Outcome
        public var checks: [GateResultRecord]
        public var seconds: Double

        /// One line for reports: the failures, or what passed.
        public var detail: String {
            let failed = checks.filter { $0.outcome == Outcome.failed.rawValue }
            let shown = failed.isEmpty ? checks : failed
            let prefix = failed.isEmpty ? "\(checks.count) check(s) passed" : "\(failed.count) of \(checks.count) check(s) failed"
            return ([prefix] + shown.prefix(6).map(\.detail)).joined(separator: "; ")
                + (shown.count > 6 ? "; … \(shown.count - 6) more" : "")
        }
    }

    public var candidate: RunRecord
    public var baseline: RunRecord
    public var gates: [GateOutcome]
    /// Accuracy comparisons of every matched group, largest absolute change first.
    public var changes: [MetricComparison]
    /// Whether the gates came from the suite (`gates:`) or are the default gate.
    public var usesDefaultGates: Bool
    /// When the gates were evaluated.
    public var evaluatedAt = Date()

    /// Failed when any gate failed; passed when none failed and at least one passed.
    public var outcome: Outcome { Outcome.combining(gates.map(\.outcome)) }

    /// The verdict as the database stores it.
    public var record: GateVerdictRecord {
        GateVerdictRecord(
            candidateRunID: candidate.id ?? 0, baselineRunID: baseline.id ?? 0, outcome: outcome.rawValue,
            evaluatedAt: evaluatedAt, results: gates.flatMap(\.checks))
    }
}

/// Evaluates a suite's gates on a candidate run against a baseline run.
///
/// Groups of cells are matched by target task, strategy and chain (``CellGroupKey``).
/// Non-inferiority uses the paired bootstrap over stored per-example predictions (seeds
/// resampled, then examples: `PairedBootstrap`) or the exact McNemar test; "no negative
/// transfer" reads the stored transfer labels; safety drift reads `probe_drift`.
public struct GateEvaluator {
    public var database: ResultDatabase
    public var resamples: Int

    public init(database: ResultDatabase, resamples: Int = 2000) {
        self.database = database
        self.resamples = resamples
    }

    /// The gates the candidate's suite declared (stored with the run), or nil when it declared none.
    ///
    /// - Throws: `SuiteError.invalidArgument` when the stored gates cannot be read (a newer
    ///   AdaptEval's gate kind, say): a release gate must not fall back to weaker gates silently.
    public static func declaredGates(of run: RunRecord) throws -> [GateSpec]? {
        struct Stored: Decodable { var gates: [GateSpec]? }
        do {
            return try JSONDecoder().decode(Stored.self, from: Data(run.config.utf8)).gates
        } catch {
            throw SuiteError.invalidArgument(
                name: "--candidate", reason: "the gates stored with run \(run.id ?? 0) cannot be read (\(error)); "
                    + "evaluate it with the AdaptEval version that ran it (\(run.adaptEvalVersion))")
        }
    }

    /// Evaluates `gates` (default: the candidate suite's, else `GateSpec.defaultGates`).
    ///
    /// - Throws: `SuiteError.invalidArgument` (exit 2) when a gate names a task or metric the
    ///   runs do not have, when no group of the candidate matches the baseline, or when a gate's
    ///   data (transfer results, probe drift) is absent from the candidate run.
    public func evaluate(candidateRunID: Int64, baselineRunID: Int64, gates: [GateSpec]? = nil) throws -> GateVerdict {
        let candidate = try RunResults(database: database, runID: candidateRunID)
        let baseline = try RunResults(database: database, runID: baselineRunID)
        // An interrupted, failed or still running candidate would be judged on whichever cells
        // happened to finish.
        guard candidate.run.status == .finished else {
            throw SuiteError.invalidArgument(
                name: "--candidate", reason: "run \(candidateRunID) is \(candidate.run.status.rawValue), and a gate judges "
                    + "finished runs only: run its suite again to finish it (finished cells are reused)")
        }
        let declared = try gates ?? Self.declaredGates(of: candidate.run)
        let specs = declared ?? GateSpec.defaultGates
        var outcomes: [GateVerdict.GateOutcome] = []
        var pairs: [CellGroupKey: PairedPredictions] = [:]
        func predictions(_ key: CellGroupKey) throws -> PairedPredictions {
            if let known = pairs[key] { return known }
            let paired = try PairedPredictions(
                database: database, candidate: candidate.groups[key] ?? [], baseline: baseline.groups[key] ?? [], key: key)
            pairs[key] = paired
            return paired
        }
        for spec in specs {
            let started = Date()
            let checks: [GateResultRecord]
            switch spec.kind {
            case .threshold: checks = try thresholdChecks(spec, candidate: candidate)
            case .nonInferiority:
                checks = try nonInferiorityChecks(spec, candidate: candidate, baseline: baseline, predictions: predictions)
            case .noNegativeTransfer: checks = try transferChecks(spec, runID: candidateRunID)
            case .safetyDrift: checks = try driftChecks(spec, runID: candidateRunID)
            }
            outcomes.append(GateVerdict.GateOutcome(
                spec: spec, outcome: .combining(checks), checks: checks, seconds: Date().timeIntervalSince(started)))
        }
        let bootstrap = try RunComparison.defaultBootstrap()
        var changes: [MetricComparison] = []
        for key in candidate.keys where baseline.groups[key] != nil && candidate.mean("accuracy", of: key) != nil {
            guard let paired = try? predictions(key) else { continue }
            changes.append(try MetricComparison.paired(
                "accuracy", key: key, predictions: paired, bootstrap: bootstrap, candidate: candidate.mean("accuracy", of: key),
                baseline: baseline.mean("accuracy", of: key)))
        }
        changes.sort { abs($0.pairedChange) > abs($1.pairedChange) }
        return GateVerdict(
            candidate: candidate.run, baseline: baseline.run, gates: outcomes, changes: changes, usesDefaultGates: declared == nil)
    }

    /// The candidate's groups a gate applies to; throws when the gate names a task or strategy
    /// the run does not have.
    func groups(_ spec: GateSpec, in results: RunResults) throws -> [CellGroupKey] {
        let keys = results.keys
        if let task = spec.task, !keys.contains(where: { $0.task == task }) {
            throw SuiteError.invalidArgument(
                name: "gates", reason: "gate '\(spec.displayName)' names task '\(task)', which run \(results.run.id ?? 0) "
                    + "has no finished cell for (target tasks: \(Set(keys.map(\.task)).sorted().joined(separator: ", ")))")
        }
        if let strategy = spec.strategy, !keys.contains(where: { $0.strategy == strategy }) {
            throw SuiteError.invalidArgument(
                name: "gates", reason: "gate '\(spec.displayName)' names strategy '\(strategy)', which run \(results.run.id ?? 0) "
                    + "does not have (strategies: \(Set(keys.map(\.strategy)).sorted().joined(separator: ", ")))")
        }
        let chosen = keys.filter { spec.covers(task: $0.task, strategy: $0.strategy) }
        guard !chosen.isEmpty else {
            throw SuiteError.invalidArgument(name: "--candidate", reason: "run \(results.run.id ?? 0) has no finished cell")
        }
        return chosen
    }

    func requireMetric(_ spec: GateSpec, in results: RunResults) throws {
        let names = results.metricNames
        guard names.contains(spec.metric) else {
            throw SuiteError.invalidArgument(
                name: "gates", reason: "gate '\(spec.displayName)' names metric '\(spec.metric)', which run "
                    + "\(results.run.id ?? 0) does not have (metrics: \(names.sorted().joined(separator: ", ")))")
        }
    }

    func thresholdChecks(_ spec: GateSpec, candidate: RunResults) throws -> [GateResultRecord] {
        try requireMetric(spec, in: candidate)
        return try groups(spec, in: candidate).compactMap { key in
            guard let value = candidate.mean(spec.metric, of: key) else { return nil }
            let cells = candidate.groups[key] ?? []
            let single = cells.count == 1 ? cells.first?.metrics[spec.metric] : nil
            let tooLow = spec.minimum.map { value < $0 } ?? false
            let tooHigh = spec.maximum.map { value > $0 } ?? false
            let passed = !tooLow && !tooHigh
            let bound = tooLow ? "< \(spec.minimum ?? 0)" : tooHigh ? "> \(spec.maximum ?? 0)"
                : [spec.minimum.map { "≥ \($0)" }, spec.maximum.map { "≤ \($0)" }].compactMap { $0 }.joined(separator: ", ")
            return GateResultRecord(
                gate: spec.displayName, kind: spec.kind.rawValue, task: key.task, strategy: key.strategy, chain: key.chain,
                metric: spec.metric, outcome: passed ? "passed" : "failed", value: value, low: single?.low, high: single?.high,
                limit: tooHigh ? spec.maximum : spec.minimum ?? spec.maximum,
                detail: "\(spec.metric) \(Self.format(value)) \(bound) for \(key)")
        }
    }

    func nonInferiorityChecks(
        _ spec: GateSpec, candidate: RunResults, baseline: RunResults, predictions: (CellGroupKey) throws -> PairedPredictions
    ) throws -> [GateResultRecord] {
        try requireMetric(spec, in: candidate)
        // Only groups scored by the metric: an STS task beside a classifier has no accuracy.
        let keys = try groups(spec, in: candidate).filter { candidate.mean(spec.metric, of: $0) != nil }
        let matched = keys.filter { baseline.groups[$0] != nil }
        guard !matched.isEmpty else {
            throw SuiteError.invalidArgument(
                name: "--baseline", reason: "no cell of run \(candidate.run.id ?? 0) matches run \(baseline.run.id ?? 0) by task, "
                    + "strategy and chain (candidate: \(keys.map(\.description).joined(separator: "; ")); baseline: "
                    + "\(baseline.keys.map(\.description).joined(separator: "; ")))")
        }
        let bootstrap = try PairedBootstrap(resamples: resamples, confidence: spec.confidence, method: .bca, seed: 0)
        var checks: [GateResultRecord] = []
        for key in keys {
            guard matched.contains(key) else {
                checks.append(GateResultRecord(
                    gate: spec.displayName, kind: spec.kind.rawValue, task: key.task, strategy: key.strategy, chain: key.chain,
                    metric: spec.metric, outcome: GateVerdict.Outcome.notEvaluated.rawValue,
                    detail: "\(key): the baseline run has no such cell"))
                continue
            }
            let comparison = try MetricComparison.paired(spec.metric, key: key, predictions: predictions(key), bootstrap: bootstrap)
            checks.append(try Self.nonInferiority(spec, comparison: comparison))
        }
        // A cell the baseline has and the candidate lacks is quality nobody checked: it fails.
        let missing = baseline.keys.filter { key in
            !keys.contains(key) && baseline.mean(spec.metric, of: key) != nil
                && spec.covers(task: key.task, strategy: key.strategy)
        }
        for key in missing {
            checks.append(GateResultRecord(
                gate: spec.displayName, kind: spec.kind.rawValue, task: key.task, strategy: key.strategy, chain: key.chain,
                metric: spec.metric, outcome: GateVerdict.Outcome.failed.rawValue,
                detail: "\(key): the baseline run has this cell and the candidate run does not"))
        }
        return checks
    }

    /// The non-inferiority decision on one comparison (also what the calibration tests run).
    static func nonInferiority(_ spec: GateSpec, comparison: MetricComparison) throws -> GateResultRecord {
        guard let difference = comparison.difference else {
            throw SuiteError.invalidArgument(name: "gates", reason: "\(spec.metric) has no paired difference")
        }
        let passed: Bool
        let pValue: Double
        let how: String
        switch spec.test {
        case .bootstrap:
            passed = try difference.isNonInferior(margin: spec.margin)
            pValue = try difference.nonInferiorityPValue(margin: spec.margin)
            how = "low end \(format(difference.interval.low)) \(passed ? ">" : "≤") −\(format(spec.margin))"
        case .mcnemar:
            guard let test = comparison.mcNemar else {
                throw SuiteError.invalidArgument(name: "gates", reason: "McNemar compares accuracy only")
            }
            pValue = test.candidateWorsePValue
            passed = !(difference.estimate < -spec.margin && pValue < 1 - spec.confidence)
            how = "McNemar one-sided p \(format(pValue)) (b = \(test.referenceOnlyCorrect), c = \(test.candidateOnlyCorrect))"
        }
        let percent = Int((spec.confidence * 100).rounded())
        return GateResultRecord(
            gate: spec.displayName, kind: spec.kind.rawValue, task: comparison.key.task, strategy: comparison.key.strategy,
            chain: comparison.key.chain, metric: spec.metric, outcome: passed ? "passed" : "failed",
            value: difference.estimate, low: difference.interval.low, high: difference.interval.high, pValue: pValue,
            limit: -spec.margin,
            detail: "\(comparison.key): \(spec.metric) Δ \(format(difference.estimate, signed: true)) "
                + "[\(format(difference.interval.low)), \(format(difference.interval.high))] \(percent)%, \(how)")
    }

    func transferChecks(_ spec: GateSpec, runID: Int64) throws -> [GateResultRecord] {
        guard let rows = try database.transferResults(runID: runID) else {
            throw SuiteError.invalidArgument(
                name: "--candidate", reason: "no transfer results in \(database.path) (it has no transfer_results table); "
                    + "run the suite with this AdaptEval version, or remove the no-negative-transfer gate")
        }
        let gains = rows.filter { row in
            row.kind == "transfer_gain" && spec.covers(task: row.task, strategy: row.strategy)
        }
        guard !gains.isEmpty else {
            throw SuiteError.invalidArgument(
                name: "--candidate", reason: "no transfer results in the candidate run \(runID) (its suite has no source task "
                    + "chain, or the run predates the transfer verdicts)")
        }
        return gains.map { row in
            // Only a measured label passes or fails; "no-baseline" and the like checked nothing.
            let outcome: GateVerdict.Outcome = switch TransferLabel(rawValue: row.label) {
            case .negative: .failed
            case .positive, .inconclusive: .passed
            case nil: .notEvaluated
            }
            let interval = row.low.flatMap { low in row.high.map { "[\(Self.format(low)), \(Self.format($0))]" } } ?? ""
            let gain = row.value.map { Self.format($0, signed: true) } ?? "not measured"
            return GateResultRecord(
                gate: spec.displayName, kind: spec.kind.rawValue, task: row.task, strategy: row.strategy,
                chain: row.chainDescription, metric: row.metric, outcome: outcome.rawValue, value: row.value,
                low: row.low, high: row.high, limit: 0,
                detail: "\(row.strategy) on \(row.task) (\(row.chainDescription)): transfer gain \(gain) \(interval) \(row.label)")
        }
    }

    func driftChecks(_ spec: GateSpec, runID: Int64) throws -> [GateResultRecord] {
        let rows = (try database.probeDrift(runID: runID) ?? []).filter { row in
            (spec.probe.map { $0 == row.probe } ?? true) && spec.covers(task: row.task, strategy: row.strategy)
                && (spec.groups == .each || row.groupName.isEmpty)
        }
        guard !rows.isEmpty else {
            throw SuiteError.invalidArgument(
                name: "--candidate", reason: "no probe results in the candidate run \(runID)"
                    + (spec.probe.map { " for probe '\($0)'" } ?? "") + " (add probes: to the suite and run it again)")
        }
        let limit = spec.limit ?? 0
        return rows.map { row in
            let group = row.groupName.isEmpty ? "overall" : row.groupName
            let exceeded = row.harmDrift > limit
            return GateResultRecord(
                gate: spec.displayName, kind: spec.kind.rawValue, task: row.task, strategy: row.strategy, chain: nil,
                metric: "\(row.probe)/\(row.metric)[\(group)]", outcome: exceeded ? "failed" : "passed", value: row.harmDrift,
                low: row.harmLow, high: row.harmHigh, limit: limit,
                detail: "\(row.strategy) on \(row.task): \(row.probe) \(row.metric) (\(group)) moved "
                    + "\(Self.format(row.harmDrift, signed: true)) toward harm (\(Self.format(row.base)) → "
                    + "\(Self.format(row.adapted))), limit \(Self.format(limit))")
        }
    }

    static func format(_ value: Double, signed: Bool = false) -> String {
        let text = String(format: "%.4f", value)
        return signed && value >= 0 ? "+" + text : text
    }
}
