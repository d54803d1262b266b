import Adaptation
import Backends
import Evaluation
import Foundation
import Probes
import ResultStore
import Transformers

extension Suite {
    /// The probes that run on a cell of `strategy` (display name) whose scored tasks are `tasks`.
    func probes(strategy: String, tasks: [String]) -> [ResolvedProbe] {
        probes.filter { probe in tasks.contains { probe.applies(strategy: strategy, task: $0) } }
    }

    /// Percentile-bootstrap settings of probe intervals: the suite's evaluation settings, seed 0
    /// (the same resamples for the base model and every cell, so drift pairs them).
    var probeBootstrap: ProbeBootstrap? {
        get throws {
            let evaluation = definition.evaluation
            guard evaluation.bootstrapResamples > 0 else { return nil }
            return try ProbeBootstrap(resamples: evaluation.bootstrapResamples, confidence: evaluation.confidence, seed: 0)
        }
    }
}

/// The base model's probe results a run compares its cells with: loaded from the database by
/// content key, or computed (once per run) and stored when absent.
final class ProbeBaselineStore {
    let suite: Suite
    let database: ResultDatabase
    let runID: Int64?
    private var loaded: [String: (id: Int64, result: ProbeResult)] = [:]

    init(suite: Suite, database: ResultDatabase, runID: Int64?) {
        self.suite = suite
        self.database = database
        self.runID = runID
    }

    /// What a baseline's key hashes: the version, the base model, the probe and its intervals.
    struct Configuration: Encodable {
        var adaptEvalVersion = AdaptEvalVersion.current
        var model: AdaptationConfiguration.Model
        var probe: ProbeIdentity
        var resamples: Int
        var confidence: Double
        enum CodingKeys: String, CodingKey { case adaptEvalVersion = "adapteval_version", model, probe, resamples, confidence }
    }

    /// The base model's result for a probe, or nil when the probe does not run on the base.
    func baseline(for probe: ResolvedProbe) throws -> (id: Int64, result: ProbeResult)? {
        guard probe.probesBase else { return nil }
        let configuration = try CellConfiguration.canonical(Configuration(
            model: .init(weightsSHA256: suite.model.weightsSHA256, fileSHA256: suite.model.fileSHA256), probe: probe.identity,
            resamples: suite.definition.evaluation.bootstrapResamples, confidence: suite.definition.evaluation.confidence))
        return try baseline(probe: probe.name, kind: probe.kind, model: (suite.model.name, suite.model.weightsSHA256),
                            configuration: configuration) {
            let model = try NativeModel(checkpoint: Checkpoint(directory: suite.model.directory), name: suite.model.name)
            return try probe.probe.run(on: model, bootstrap: try suite.probeBootstrap)
        }
    }

    /// The stored result whose key hashes `configuration` (everything that decides it), or
    /// `compute`'s, stored under that key. One computation per key and run.
    func baseline(
        probe name: String, kind: ProbeKind, model: (name: String, sha256: String), configuration: String,
        compute: () throws -> ProbeResult
    ) throws -> (id: Int64, result: ProbeResult) {
        let key = SHA256.hex(of: Array(configuration.utf8))
        if let known = loaded[key] { return known }
        let found: (id: Int64, result: ProbeResult)
        if let stored = try database.probeBaseline(key: key), let id = stored.record.id {
            found = (id, try ProbeRows.result(kind: kind, metrics: stored.metrics, items: stored.items))
        } else {
            let result = try compute()
            let record = try database.storeProbeBaseline(
                ProbeBaselineRecord(
                    key: key, model: model.name, modelSHA256: model.sha256, probe: name, kind: kind.rawValue, config: configuration,
                    runID: runID, wallSeconds: result.seconds),
                metrics: ProbeRows.metrics(result, task: "", probe: name), items: try ProbeRows.items(result, task: "", probe: name))
            guard let id = record.id else { throw ResultStoreError.failed(path: database.path, reason: "the probe baseline got no id") }
            found = (id, result)
        }
        loaded[key] = found
        return found
    }
}

extension CellExecutor {
    /// Runs the cell's probes on each probed task's adapted classifier, with drift from the
    /// base model where it was probed too.
    func runProbes(_ cell: PlannedCell, on finals: [(task: TaskData, classifier: Classifier)]) throws -> CellProbeResults {
        var results = CellProbeResults()
        let probed = cell.multitask == nil ? Array(finals.suffix(1)) : finals
        for (task, classifier) in probed {
            let probes = suite.probes(strategy: cell.strategy.displayName, tasks: [task.name])
            guard !probes.isEmpty else { continue }
            // Masked-LM probes score the adapted encoder through the base checkpoint's head.
            let head = probes.contains { $0.kind.capability == .maskedLanguageModel }
                ? try NativeModel.maskedLanguageModelHead(base: suite.model.directory, for: classifier.model) : nil
            let model = NativeModel(
                classifier: classifier,
                identity: ModelIdentity(name: "\(cell.strategy.displayName) \(cell.chainDescription) seed \(cell.seed)",
                                        fingerprint: cell.adaptationKey),
                maskedLanguageModelHead: head)
            for probe in probes {
                try Interruption.checkpoint()
                let result = try probe.probe.run(on: model, bootstrap: try suite.probeBootstrap)
                results.metrics += ProbeRows.metrics(result, task: task.name, probe: probe.name)
                if suite.definition.evaluation.savePredictions {
                    results.items += try ProbeRows.items(result, task: task.name, probe: probe.name)
                }
                if let baseline = try baselines?.baseline(for: probe) {
                    let drift = try ProbeDrift.compare(base: baseline.result, adapted: result, bootstrap: try suite.probeBootstrap)
                    results.drift += drift.map { ProbeRows.drift($0, task: task.name, probe: probe.name, kind: probe.kind, baseline: baseline.id) }
                }
            }
        }
        return results
    }
}

/// Probe results as database rows and back.
enum ProbeRows {
    static func metrics(_ result: ProbeResult, task: String, probe: String) -> [ProbeMetricRow] {
        result.measurements.map { measurement in
            ProbeMetricRow(
                task: task, probe: probe, kind: result.kind.rawValue, metric: measurement.metric.name,
                group: measurement.metric.group, value: measurement.value, low: measurement.low, high: measurement.high,
                count: measurement.count, ideal: measurement.metric.ideal, harmDirection: measurement.metric.harmDirection?.rawValue,
                note: measurement.note)
        }
    }

    static func items(_ result: ProbeResult, task: String, probe: String) throws -> [ProbeItemRow] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try result.items.map { item in
            ProbeItemRow(
                task: task, probe: probe, item: item.id, attributes: String(decoding: try encoder.encode(item.attributes), as: UTF8.self),
                scores: String(decoding: try encoder.encode(item.values), as: UTF8.self))
        }
    }

    static func drift(_ drift: ProbeDrift, task: String, probe: String, kind: ProbeKind, baseline: Int64) -> ProbeDriftRow {
        var row = ProbeDriftRow(
            task: task, probe: probe, kind: kind.rawValue, metric: drift.metric.name, group: drift.metric.group, base: drift.base,
            adapted: drift.adapted, drift: drift.drift, low: drift.low, high: drift.high, ideal: drift.metric.ideal ?? 0,
            harmDirection: (drift.metric.harmDirection ?? .away).rawValue, harmDrift: drift.harmDrift, harmLow: drift.harmLow,
            harmHigh: drift.harmHigh, paired: drift.paired, items: drift.items)
        row.baselineID = baseline
        return row
    }

    /// A stored result back as the probe's result (for drift against a baseline of an earlier run).
    static func result(kind: ProbeKind, metrics: [ProbeMetricRow], items: [ProbeItemRow]) throws -> ProbeResult {
        let decoder = JSONDecoder()
        return ProbeResult(
            kind: kind,
            measurements: metrics.map { row in
                ProbeMeasurement(
                    metric: ProbeMetric(name: row.metric, group: row.group, ideal: row.ideal,
                                        harmDirection: row.harmDirection.flatMap(HarmDirection.init(rawValue:))),
                    value: row.value, low: row.low, high: row.high, count: row.count, note: row.note)
            },
            items: try items.map { row in
                ProbeItem(
                    id: row.item, attributes: try decoder.decode([String: String].self, from: Data(row.attributes.utf8)),
                    values: try decoder.decode([String: Double].self, from: Data(row.scores.utf8)))
            })
    }
}
