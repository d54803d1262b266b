import Evaluation
import Foundation
import Reports
import ResultStore

/// Loads one run from the results database into the report model (`adapteval report`).
///
/// Every number comes from what the database stores: scores and intervals from `metrics`,
/// curves from `epochs`, transfer gains from `transfer_results`, drift from `probe_drift`, the
/// verdict from `gate_verdicts`. Only the comparison with a baseline run, which nothing stores
/// per pair of runs, is computed, with the same functions `compare` and `gate` use.
public enum RunReport {
    /// The report content of run `runID`, compared with `baselineRunID` when given.
    public static func content(database: ResultDatabase, runID: Int64, baselineRunID: Int64? = nil) throws -> ReportContent {
        let results = try RunResults(database: database, runID: runID)
        let run = results.run
        let details = try database.cells(ofRun: runID)
        var content = ReportContent(
            title: "\(run.suiteName): run \(runID)" + (run.tag.map { " (\($0))" } ?? ""), suiteName: run.suiteName,
            runID: "\(runID)", tag: run.tag, status: run.status)
        content.scores = scoreTable(results, database: database)
        content.learningCurves = details.filter { $0.cell.status == .finished }.map(learningCurve)
        content.overfitting = overfitting(try database.verdicts(ofRun: runID).audits, details: details)
        content.efficiency = efficiency(results)
        let transfer = try database.transferResults(runID: runID)
        if let transfer { content.transfer = transferGains(transfer) }
        if let divergences = try database.divergences(runID: runID) {
            content.divergence = divergence(divergences)
        }
        let drift = try database.probeDrift(runID: runID)
        if let drift {
            content.probeDrift = drift.map { row in
                ReportContent.ProbeDrift(
                    model: row.strategy + " · " + row.task, probe: row.probe, metric: row.metric,
                    group: row.groupName.isEmpty ? "all" : row.groupName, base: row.base, adapted: row.adapted,
                    delta: ReportContent.Estimate(row.drift, low: row.low, high: row.high),
                    exceedsThreshold: (row.harmLow ?? row.harmDrift) > 0)
            }
        }
        content.verdict.largestChanges = largestEffects(transfer: transfer ?? [], drift: drift ?? [])
        if let baselineRunID {
            let comparison = try RunComparison(database: database, candidateRunID: runID, baselineRunID: baselineRunID)
            content.baseline = ReportContent.BaselineComparison(
                baselineRunID: "\(baselineRunID)",
                rows: comparison.rowsBySignificance.map { row in
                    ReportContent.BaselineComparison.Row(
                        task: row.key.task, strategy: row.key.strategy, chain: row.key.chain, metric: row.metric,
                        candidate: row.candidate, baseline: row.baseline,
                        difference: ReportContent.Estimate(
                            row.difference?.estimate ?? row.candidate - row.baseline, low: row.difference?.interval.low,
                            high: row.difference?.interval.high, seedCount: row.seeds),
                        pValue: row.pValue, isSignificant: row.isSignificant(),
                        test: row.mcNemar != nil ? "McNemar exact" : row.difference != nil ? "paired bootstrap (BCa)" : "none")
                })
            // A run compared with itself has no changes; its own effects stay the largest.
            if baselineRunID != runID {
                content.verdict.largestChanges = comparison.rows.filter { $0.metric == "accuracy" }
                    .sorted { abs($0.pairedChange) > abs($1.pairedChange) }.prefix(3).map(\.reportChange)
            }
        }
        if let stored = try database.latestGateVerdict(candidateRunID: runID) {
            content.verdict.outcome = GateVerdict.Outcome(rawValue: stored.outcome)?.reportOutcome ?? .notEvaluated
            var order: [String] = []
            var checks: [String: [GateResultRecord]] = [:]
            for result in stored.results {
                if checks[result.gate] == nil { order.append(result.gate) }
                checks[result.gate, default: []].append(result)
            }
            content.verdict.gates = order.map { name in
                let rows = checks[name] ?? []
                let failed = rows.filter { $0.outcome == GateVerdict.Outcome.failed.rawValue }
                return ReportContent.Verdict.Gate(
                    name: name, outcome: GateVerdict.Outcome.combining(rows).reportOutcome,
                    detail: (failed.isEmpty ? rows : failed).prefix(4).map(\.detail).joined(separator: "; ")
                        + " (against run \(stored.baselineRunID))")
            }
        }
        content.provenance = provenance(run, cells: details.map(\.cell))
        return content
    }

    /// Strategy and route (rows) against target tasks (columns): each task's headline test
    /// metric (``RunResults/headlineMetrics``), mean over seeds. One seed shows its stored
    /// interval; several seeds show a hierarchical bootstrap over seeds and test examples of
    /// the stored predictions (``ResampledMetric``), which carries seed-to-seed variation.
    static func scoreTable(_ results: RunResults, database: ResultDatabase) -> ReportContent.ScoreTable {
        let tasks = Array(Set(results.keys.map(\.task))).sorted()
        var metricOfTask: [String: String] = [:]
        var rows: [String: [String: ReportContent.Estimate]] = [:]
        var rowOrder: [(strategy: String, route: String)] = []
        for key in results.keys {
            let route = route(of: key)
            let rowKey = key.strategy + "\u{1F}" + route
            if rows[rowKey] == nil { rowOrder.append((key.strategy, route)) }
            guard let metric = results.headlineMetric(of: key), let value = results.mean(metric, of: key) else { continue }
            metricOfTask[key.task] = metricOfTask[key.task] ?? metric
            let cells = results.groups[key] ?? []
            var interval: (low: Double, high: Double)?
            if cells.count == 1, let row = cells.first?.metrics[metric], let low = row.low, let high = row.high {
                interval = (low, high)
            }
            // The suite's own resamples and confidence, percentile as the stored one-seed intervals.
            if cells.count > 1, let predictions = try? GroupPredictions(database: database, cells: cells, key: key, run: "run"),
                let resampled = ResampledMetric(metric, group: predictions),
                let bootstrap = try? PairedBootstrap(
                    resamples: max(predictions.bootstrapResamples ?? 2000, 1), confidence: predictions.confidence ?? 0.95,
                    method: .percentile, seed: 0),
                let estimate = try? bootstrap.estimate(seeds: resampled.seeds, examples: resampled.examples, statistic: resampled.mean)
            {
                interval = (estimate.interval.low, estimate.interval.high)
            }
            rows[rowKey, default: [:]][key.task] = ReportContent.Estimate(
                value, low: interval?.low, high: interval?.high, seedCount: cells.count)
        }
        return ReportContent.ScoreTable(
            caption: "Test score on each target task (accuracy unless the column names another metric), mean over seeds; "
                + "interval at the suite's confidence: percentile bootstrap over test examples for one seed, over seeds and then "
                + "test examples for several",
            columns: tasks.map { task in
                let metric = metricOfTask[task] ?? "accuracy"
                return metric == "accuracy" ? task : "\(task) (\(metric))"
            },
            rows: rowOrder.map { row in
                ReportContent.ScoreTable.Row(
                    strategy: row.strategy, chain: row.route,
                    scores: tasks.map { rows[row.strategy + "\u{1F}" + row.route]?[$0] })
            })
    }

    /// "direct" or "via restaurants": the chain without its target.
    static func route(of key: CellGroupKey) -> String {
        let tasks = key.chain.components(separatedBy: " → ")
        return tasks.count <= 1 ? "direct" : "via " + tasks.dropLast().joined(separator: " → ")
    }

    static func learningCurve(_ detail: RunCellDetail) -> ReportContent.LearningCurve {
        let cell = detail.cell
        let stage = cell.chainTasks.count - 1
        let epochs = detail.epochs.filter { $0.stage == stage }
        func points(_ name: String) -> [ReportContent.LearningCurve.Point] {
            epochs.compactMap { epoch in epoch.value(name).map { ReportContent.LearningCurve.Point(Double(epoch.epoch), $0) } }
        }
        return ReportContent.LearningCurve(
            title: "\(cell.strategy) · \(cell.chainTasks.joined(separator: " → ")) · seed \(cell.seed)", progress: .epoch,
            trainLoss: points("train_loss"), validationLoss: points("validation_loss"),
            trainAccuracy: points("train_accuracy"), validationAccuracy: points("validation_accuracy"),
            selectedAt: epochs.last { $0.isBest }.map { Double($0.epoch) }, stopReason: cell.stopReason)
    }

    /// The stored overfitting audits (`overfitting_audits`), one row per trained stage, with the
    /// validation accuracy and the train − validation accuracy gap at the kept evaluation read
    /// from the same curve the audit judged.
    static func overfitting(_ audits: [Int64: [OverfittingAuditRow]], details: [RunCellDetail]) -> [ReportContent.OverfittingAssessment] {
        details.flatMap { detail -> [ReportContent.OverfittingAssessment] in
            guard let id = detail.cell.id else { return [] }
            let cell = detail.cell
            return (audits[id] ?? []).map { audit in
                let curve = detail.epochs.filter { $0.stage == audit.stage && $0.task == audit.task }.sorted { $0.evaluation < $1.evaluation }
                func value(_ name: String, at index: Int) -> Double? { curve.indices.contains(index) ? curve[index].value(name) : nil }
                let kept = value("validation_accuracy", at: audit.keptEvaluation)
                let gap = value("train_accuracy", at: audit.keptEvaluation).flatMap { train in kept.map { train - $0 } }
                let stage = cell.chainTasks.count > 1 ? " · stage \(audit.stage + 1) (\(audit.task))" : ""
                return ReportContent.OverfittingAssessment(
                    cell: "\(cell.strategy) · \(cell.chainTasks.joined(separator: " → ")) · seed \(cell.seed)\(stage)",
                    generalizationGap: gap, bestEpoch: audit.keptEpoch, lastEpoch: audit.lastEpoch, bestScore: kept,
                    lastScore: value("validation_accuracy", at: audit.lastEvaluation), stopReason: audit.stopReason,
                    isOverfitting: audit.verdict == "overfitting")
            }
        }
    }

    static func efficiency(_ results: RunResults) -> ReportContent.ParameterEfficiency {
        ReportContent.ParameterEfficiency(
            metric: "test accuracy",
            entries: results.keys.compactMap { key in
                let cells = results.groups[key] ?? []
                guard let parameters = cells.first?.cell.trainableParameters, let score = results.mean("accuracy", of: key)
                else { return nil }
                let minutes = cells.compactMap(\.cell.wallSeconds).reduce(0, +) / 60 / Double(max(cells.count, 1))
                return ReportContent.ParameterEfficiency.Entry(
                    label: "\(key.strategy) · \(key.chain)", trainableParameters: parameters,
                    score: ReportContent.Estimate(score, seedCount: cells.count), trainingMinutes: minutes)
            })
    }

    /// Without a baseline run, the largest effects the run measured itself: the three largest
    /// transfer gains (against training on the target alone), else the three largest probe
    /// drifts (against the base model), largest absolute value first.
    static func largestEffects(transfer: [StoredTransferResult], drift: [StoredProbeDrift]) -> [ReportContent.Verdict.Change] {
        typealias Change = ReportContent.Verdict.Change
        // Gains in different units are ranked in points (accuracy × 100 against Spearman × 100).
        let ranked = transfer.filter { $0.kind == "transfer_gain" && $0.value != nil }
            .sorted { abs(points($0.value ?? 0, $0.metric)) > abs(points($1.value ?? 0, $1.metric)) }
        let gains = ranked.compactMap { row in
            row.value.map { value in
                Change(
                    subject: "\(row.strategy): \(row.chainDescription)", metric: "transfer gain in \(row.metric)",
                    difference: ReportContent.Estimate(value, low: row.low, high: row.high),
                    direction: row.label == "positive" ? .improvement : row.label == "negative" ? .regression : .inconclusive)
            }
        }
        let drifts = drift.map { row in
            Change(
                subject: "\(row.strategy) · \(row.task): \(row.probe)" + (row.groupName.isEmpty ? "" : " (\(row.groupName))"),
                metric: "drift of \(row.metric) from the base model",
                difference: ReportContent.Estimate(row.drift, low: row.low, high: row.high),
                direction: (row.harmLow ?? row.harmDrift) > 0 ? .regression : (row.harmHigh ?? row.harmDrift) < 0 ? .improvement : .inconclusive)
        }
        let changes = gains.isEmpty ? drifts.sorted { abs($0.difference.value) > abs($1.difference.value) } : gains
        return Array(changes.prefix(3))
    }

    /// A score difference on a 0–100 scale: correlations are stored × 100 already, fractions
    /// (accuracy, nDCG@10, average precision) are scaled.
    static func points(_ value: Double, _ metric: String) -> Double {
        ResampledMetric.isPercent(metric) ? value : 100 * value
    }

    static func transferGains(_ rows: [StoredTransferResult]) -> ReportContent.TransferGains {
        let gains = rows.filter { $0.kind == "transfer_gain" && $0.value != nil }
        // Targets scored in different units (accuracy as a fraction, Spearman × 100) share one
        // axis only in points: fractions are then scaled by 100 and each bar names its metric.
        let metrics = gains.map(\.metric).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let mixed = metrics.count > 1
        func scale(_ metric: String) -> Double { mixed ? points(1, metric) : 1 }
        return ReportContent.TransferGains(
            metric: mixed ? "points (" + metrics.joined(separator: ", ") + ", on a 0–100 scale)" : "test " + (metrics.first ?? "accuracy"),
            comparisons: gains.map { row in
                let factor = scale(row.metric)
                return ReportContent.TransferGains.Comparison(
                    label: "\(row.strategy): \(row.chainDescription)" + (mixed ? " (\(row.metric))" : ""),
                    gain: ReportContent.Estimate((row.value ?? 0) * factor, low: row.low.map { $0 * factor }, high: row.high.map { $0 * factor }),
                    verdict: ReportContent.TransferGains.Comparison.Verdict(rawValue: row.label) ?? .inconclusive,
                    adjustedPValue: row.pHolm)
            })
    }

    /// Source tasks (rows) against target tasks (columns), one matrix per measure.
    static func divergence(_ rows: [StoredDivergence]) -> ReportContent.DomainDivergence {
        let domains = Array(Set(rows.flatMap { [$0.sourceTask, $0.targetTask] })).sorted()
        func matrix(_ value: (StoredDivergence) -> Double) -> [[Double?]] {
            domains.map { source in
                domains.map { target in rows.first { $0.sourceTask == source && $0.targetTask == target }.map(value) }
            }
        }
        return ReportContent.DomainDivergence(
            domains: domains,
            measures: [
                .init(name: "Jensen–Shannon divergence", unit: "bits", values: matrix(\.jensenShannon)),
                .init(name: "KL(source ‖ target)", unit: "bits", values: matrix(\.klSourceTarget)),
                .init(name: "Cosine of mean embeddings", values: matrix(\.cosine)),
                .init(name: "MMD²", values: matrix(\.mmd2), pValues: matrix(\.mmdPValue)),
                .init(name: "Proxy A-distance", values: matrix(\.proxyADistance)),
            ])
    }

    static func provenance(_ run: RunRecord, cells: [CellRecord]) -> [ReportContent.ProvenanceEntry] {
        var entries = [
            ReportContent.ProvenanceEntry("Suite", "\(run.suiteName) \(run.suiteVersion) (\(run.suitePath))"),
            ReportContent.ProvenanceEntry("Suite sha256", run.suiteSHA256),
        ]
        let models = Dictionary(cells.map { ($0.model, $0.modelSHA256) }, uniquingKeysWith: { first, _ in first })
        for (model, sha256) in models.sorted(by: { $0.key < $1.key }) {
            entries.append(ReportContent.ProvenanceEntry("Model", "\(model) (model.safetensors sha256 \(sha256))"))
        }
        entries.append(ReportContent.ProvenanceEntry("Seeds", Set(cells.map(\.seed)).sorted().map(String.init).joined(separator: ", ")))
        let data = dataHashes(cells)
        if !data.isEmpty { entries.append(ReportContent.ProvenanceEntry("Data sha256", data.joined(separator: ", "))) }
        entries += [
            ReportContent.ProvenanceEntry("AdaptEval", run.adaptEvalVersion),
            ReportContent.ProvenanceEntry("Git revision", run.gitRevision ?? "not in a git repository"),
            ReportContent.ProvenanceEntry("Host", "\(run.host), \(run.threads) threads"),
            ReportContent.ProvenanceEntry("Started", ISO8601DateFormatter().string(from: run.startedAt)),
            ReportContent.ProvenanceEntry("Status", run.status.rawValue),
        ]
        if let shard = run.shard { entries.append(ReportContent.ProvenanceEntry("Shard", shard)) }
        entries.append(ReportContent.ProvenanceEntry("Command line", run.commandLine ?? "not recorded for this run"))
        return entries
    }

    /// The sha256 of every data file the cells read: each cell's configuration (the JSON its
    /// key hashes) lists them under `file_sha256`; each is listed once.
    static func dataHashes(_ cells: [CellRecord]) -> [String] {
        var hashes: [String] = []
        func collect(_ value: Any, key: String?) {
            if let object = value as? [String: Any] {
                for (name, child) in object { collect(child, key: name) }
            } else if let array = value as? [Any] {
                for child in array { collect(child, key: key) }
            } else if key == "file_sha256", let hash = value as? String, !hashes.contains(hash) {
                hashes.append(hash)
            }
        }
        for cell in cells {
            if let object = try? JSONSerialization.jsonObject(with: Data(cell.config.utf8)) { collect(object, key: nil) }
        }
        return hashes
    }
}
