import Evaluation
import Foundation
import ResultStore

/// The cells of a run that answer one question: the same target task, strategy and chain,
/// one cell per seed. Runs are matched on this, so a baseline and a candidate may come from
/// different suite files or models.
public struct CellGroupKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var task: String
    public var strategy: String
    /// The chain's tasks joined by " → ".
    public var chain: String

    public init(task: String, strategy: String, chain: String) {
        self.task = task
        self.strategy = strategy
        self.chain = chain
    }

    public static func < (lhs: CellGroupKey, rhs: CellGroupKey) -> Bool {
        (lhs.task, lhs.strategy, lhs.chain) < (rhs.task, rhs.strategy, rhs.chain)
    }

    public var description: String { "\(strategy) on \(task) (\(chain))" }
}

/// A run's finished cells grouped by ``CellGroupKey``, with each cell's target test scores.
public struct RunResults: Sendable {
    /// One seed's cell: its target-task test metrics and, when stored, its predictions.
    public struct SeedCell: Sendable {
        public var cell: CellRecord
        /// Target task, test split, last stage, by metric name.
        public var metrics: [String: MetricRow]
    }

    public var run: RunRecord
    public var groups: [CellGroupKey: [SeedCell]]

    /// Loads the finished cells of run `runID`, seeds in ascending order within each group.
    public init(database: ResultDatabase, runID: Int64) throws {
        run = try database.run(id: runID)
        var groups: [CellGroupKey: [SeedCell]] = [:]
        for detail in try database.cells(ofRun: runID) where detail.cell.status == .finished {
            let cell = detail.cell
            let chain = cell.chainTasks
            let key = CellGroupKey(task: cell.targetTask, strategy: cell.strategy, chain: chain.joined(separator: " → "))
            let target = detail.metrics.filter { $0.task == cell.targetTask && $0.split == "test" && $0.stage == chain.count - 1 }
            groups[key, default: []].append(
                SeedCell(cell: cell, metrics: Dictionary(target.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })))
        }
        self.groups = groups.mapValues { $0.sorted { $0.cell.seed < $1.cell.seed } }
    }

    /// Group keys in a stable order.
    public var keys: [CellGroupKey] { groups.keys.sorted() }

    /// Metric names some cell of the run has on its target test split.
    public var metricNames: Set<String> { Set(groups.values.flatMap { $0.flatMap(\.metrics.keys) }) }

    /// The metrics a group is summarised by, in order of preference: accuracy for classifiers,
    /// Spearman × 100 for STS, nDCG@10 for retrieval, average precision for pair classification
    /// (MTEB's main scores).
    public static let headlineMetrics = ["accuracy", "spearman", "ndcg@10", "average_precision"]

    /// The first of ``headlineMetrics`` the group's cells have.
    public func headlineMetric(of key: CellGroupKey) -> String? {
        Self.headlineMetric(among: Set((groups[key] ?? []).flatMap(\.metrics.keys)))
    }

    /// The first of ``headlineMetrics`` among `names`.
    public static func headlineMetric(among names: Set<String>) -> String? {
        headlineMetrics.first { names.contains($0) }
    }

    /// A metric's mean over a group's seeds, or nil when no seed has it.
    public func mean(_ metric: String, of key: CellGroupKey) -> Double? {
        let values = (groups[key] ?? []).compactMap { $0.metrics[metric]?.value }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}

/// One metric of one matched group in two runs: both values, the paired difference with its
/// bootstrap interval and p-value, and McNemar's test for accuracy.
public struct MetricComparison: Sendable {
    public var key: CellGroupKey
    public var metric: String
    /// Means over seeds of the stored values.
    public var candidate: Double
    public var baseline: Double
    /// Candidate − baseline, paired over examples and seeds; nil for metrics without per-example
    /// predictions behind them (their difference is `candidate − baseline` without a test).
    public var difference: BootstrapEstimate?
    /// Exact McNemar test on correctness pooled over seeds (accuracy only).
    public var mcNemar: McNemarTest?
    public var seeds: Int
    public var examples: Int
    /// Why the metric has no paired test, when it has none.
    public var note: String?

    /// The p-value a reader should see: McNemar's two-sided for accuracy, else the bootstrap's.
    public var pValue: Double? { mcNemar?.twoSidedPValue ?? difference?.pValue }

    /// Whether the difference is significant at `level`.
    public func isSignificant(level: Double = 0.05) -> Bool { (pValue ?? 1) < level }

    /// Compares `metric` on aligned predictions: accuracy with McNemar's test beside the
    /// bootstrap, every other stored metric by recomputing it on each resample
    /// (``ResampledMetric``).
    ///
    /// - Throws: `SuiteError.invalidArgument` when `metric` cannot be recomputed from predictions.
    public static func paired(
        _ metric: String, key: CellGroupKey, predictions: PairedPredictions, bootstrap: PairedBootstrap,
        candidate: Double? = nil, baseline: Double? = nil
    ) throws -> MetricComparison {
        let estimate: BootstrapEstimate
        var mcNemar: McNemarTest?
        switch metric {
        case "accuracy":
            let candidateCorrect = predictions.candidateCorrect
            let baselineCorrect = predictions.baselineCorrect
            estimate = try bootstrap.accuracyDifference(candidate: candidateCorrect, baseline: baselineCorrect)
            mcNemar = try McNemarTest(reference: baselineCorrect.flatMap { $0 }, candidate: candidateCorrect.flatMap { $0 })
        default:
            if let candidateGroup = predictions.candidateGroup, let baselineGroup = predictions.baselineGroup {
                // Each side scored over its own labels and bins, as its value was stored.
                guard let candidateMetric = ResampledMetric(metric, group: candidateGroup),
                    let baselineMetric = ResampledMetric(metric, group: baselineGroup)
                else {
                    throw SuiteError.invalidArgument(
                        name: "metric", reason: "'\(metric)' cannot be recomputed from the stored predictions of \(key)")
                }
                estimate = try ResampledMetric.compare(candidateMetric, baselineMetric, bootstrap: bootstrap)
            } else if metric == "macro_f1" {
                estimate = try bootstrap.macroF1Difference(
                    gold: predictions.gold, candidate: predictions.candidate, baseline: predictions.baseline,
                    classCount: predictions.classCount)
            } else {
                throw SuiteError.invalidArgument(name: "metric", reason: "'\(metric)' needs stored predictions to be compared")
            }
        }
        return MetricComparison(
            key: key, metric: metric, candidate: candidate ?? Double.nan, baseline: baseline ?? Double.nan,
            difference: estimate, mcNemar: mcNemar, seeds: predictions.candidate.count, examples: predictions.gold.count)
    }
}

/// Every metric of every group two runs share, compared: what `adapteval compare` prints and
/// the report's baseline section shows.
public struct RunComparison: Sendable {
    public var candidate: RunResults
    public var baseline: RunResults
    public var rows: [MetricComparison]
    /// Groups of the candidate the baseline does not have, and the reverse.
    public var unmatchedCandidate: [CellGroupKey]
    public var unmatchedBaseline: [CellGroupKey]

    /// The bootstrap every comparison and gate uses unless told otherwise: 2,000 BCa resamples, seed 0.
    public static func defaultBootstrap(confidence: Double = 0.95) throws -> PairedBootstrap {
        try PairedBootstrap(resamples: 2000, confidence: confidence, method: .bca, seed: 0)
    }

    public init(database: ResultDatabase, candidateRunID: Int64, baselineRunID: Int64, bootstrap: PairedBootstrap? = nil) throws {
        let candidate = try RunResults(database: database, runID: candidateRunID)
        let baseline = try RunResults(database: database, runID: baselineRunID)
        self.candidate = candidate
        self.baseline = baseline
        let bootstrap = try bootstrap ?? Self.defaultBootstrap()
        let shared = candidate.keys.filter { baseline.groups[$0] != nil }
        unmatchedCandidate = candidate.keys.filter { baseline.groups[$0] == nil }
        unmatchedBaseline = baseline.keys.filter { candidate.groups[$0] == nil }
        var rows: [MetricComparison] = []
        for key in shared {
            let candidateCells = candidate.groups[key] ?? []
            let baselineCells = baseline.groups[key] ?? []
            let names = Set(candidateCells.flatMap(\.metrics.keys)).intersection(baselineCells.flatMap(\.metrics.keys))
            var predictions: PairedPredictions?
            var unpaired: String?
            do {
                predictions = try PairedPredictions(database: database, candidate: candidateCells, baseline: baselineCells, key: key)
            } catch {
                unpaired = Self.reason(error)
            }
            for metric in names.sorted() {
                guard let candidateValue = candidate.mean(metric, of: key), let baselineValue = baseline.mean(metric, of: key)
                else { continue }
                // A metric without a test is still listed, with the reason it has none.
                var note = unpaired
                if let predictions {
                    do {
                        rows.append(try MetricComparison.paired(
                            metric, key: key, predictions: predictions, bootstrap: bootstrap, candidate: candidateValue,
                            baseline: baselineValue))
                        continue
                    } catch {
                        note = "\(metric) of \(key): " + Self.reason(error)
                    }
                }
                rows.append(MetricComparison(
                    key: key, metric: metric, candidate: candidateValue, baseline: baselineValue, difference: nil,
                    mcNemar: nil, seeds: min(candidateCells.count, baselineCells.count), examples: 0, note: note))
            }
        }
        self.rows = rows
    }

    /// An error's message for a note.
    static func reason(_ error: any Error) -> String { (error as? LocalizedError)?.errorDescription ?? "\(error)" }

    /// Rows with significant changes first, then by the size of the change.
    public var rowsBySignificance: [MetricComparison] {
        rows.enumerated().sorted { lhs, rhs in
            let (a, b) = (lhs.element, rhs.element)
            if a.isSignificant() != b.isSignificant() { return a.isSignificant() }
            let (da, db) = (abs(a.candidate - a.baseline), abs(b.candidate - b.baseline))
            if da != db { return da > db }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
