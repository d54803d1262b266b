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

    /// A metric's mean over a group's seeds, or nil when no seed has it.
    public func mean(_ metric: String, of key: CellGroupKey) -> Double? {
        let values = (groups[key] ?? []).compactMap { $0.metrics[metric]?.value }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}

/// The target test predictions of two matched groups, aligned example by example and seed by
/// seed, ready for the paired tests.
public struct PairedPredictions: Sendable {
    /// Label index of each test example.
    public var gold: [Int]
    /// Predicted label indices per seed per example.
    public var candidate: [[Int]]
    public var baseline: [[Int]]
    public var classCount: Int

    public var candidateCorrect: [[Bool]] { candidate.map { zip($0, gold).map { $0 == $1 } } }
    public var baselineCorrect: [[Bool]] { baseline.map { zip($0, gold).map { $0 == $1 } } }

    /// Aligns the predictions of two groups' cells. Seeds pair in ascending order (the first
    /// min(n, m) of each when the counts differ); examples pair by example id.
    ///
    /// - Throws: `SuiteError.invalidArgument` when a cell stored no predictions or the two
    ///   runs were tested on different examples.
    public init(database: ResultDatabase, candidate: [RunResults.SeedCell], baseline: [RunResults.SeedCell], key: CellGroupKey) throws {
        let seeds = min(candidate.count, baseline.count)
        func rows(_ cell: RunResults.SeedCell) throws -> [PredictionRow] {
            let stage = cell.cell.chainTasks.count - 1
            let rows = try database.predictions(ofCell: cell.cell.id ?? 0).filter {
                $0.stage == stage && $0.task == cell.cell.targetTask && $0.split == "test"
            }
            guard !rows.isEmpty else {
                throw SuiteError.invalidArgument(
                    name: "run", reason: "cell \(cell.cell.id ?? 0) (\(key)) stored no test predictions; "
                        + "run the suite with evaluation.save_predictions: true")
            }
            return rows
        }
        let candidateRows = try candidate.prefix(seeds).map(rows)
        let baselineRows = try baseline.prefix(seeds).map(rows)
        guard let reference = candidateRows.first else {
            throw SuiteError.invalidArgument(name: "run", reason: "no seeds to compare for \(key)")
        }
        let exampleIDs = reference.map(\.exampleID)
        var labels: [String: Int] = [:]
        func index(_ label: String) -> Int {
            if let known = labels[label] { return known }
            labels[label] = labels.count
            return labels.count - 1
        }
        gold = reference.map { index($0.gold) }
        func aligned(_ rows: [PredictionRow], run: String) throws -> [Int] {
            let byID = Dictionary(rows.map { ($0.exampleID, $0) }, uniquingKeysWith: { first, _ in first })
            return try exampleIDs.map { id in
                guard let row = byID[id] else {
                    throw SuiteError.invalidArgument(
                        name: "run", reason: "the \(run) run's \(key) was not tested on example '\(id)': "
                            + "runs compare only on the same test split")
                }
                return index(row.predicted)
            }
        }
        self.candidate = try candidateRows.map { try aligned($0, run: "candidate") }
        self.baseline = try baselineRows.map { try aligned($0, run: "baseline") }
        for rows in baselineRows where rows.count != exampleIDs.count {
            throw SuiteError.invalidArgument(
                name: "run", reason: "the baseline's \(key) has \(rows.count) test examples, the candidate's \(exampleIDs.count)")
        }
        classCount = labels.count
    }

    init(gold: [Int], candidate: [[Int]], baseline: [[Int]], classCount: Int) {
        self.gold = gold
        self.candidate = candidate
        self.baseline = baseline
        self.classCount = classCount
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

    /// The p-value a reader should see: McNemar's two-sided for accuracy, else the bootstrap's.
    public var pValue: Double? { mcNemar?.twoSidedPValue ?? difference?.pValue }

    /// Whether the difference is significant at `level`.
    public func isSignificant(level: Double = 0.05) -> Bool { (pValue ?? 1) < level }

    /// The metrics compared on per-example predictions.
    public static let pairedMetrics = ["accuracy", "macro_f1"]

    /// Compares a paired metric (`accuracy` or `macro_f1`) on aligned predictions.
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
        case "macro_f1":
            estimate = try bootstrap.macroF1Difference(
                gold: predictions.gold, candidate: predictions.candidate, baseline: predictions.baseline,
                classCount: predictions.classCount)
        default:
            throw SuiteError.invalidArgument(
                name: "metric", reason: "'\(metric)' is not compared on predictions (use \(pairedMetrics.joined(separator: " or ")))")
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
            let predictions = try? PairedPredictions(database: database, candidate: candidateCells, baseline: baselineCells, key: key)
            for metric in names.sorted() {
                guard let candidateValue = candidate.mean(metric, of: key), let baselineValue = baseline.mean(metric, of: key)
                else { continue }
                if let predictions, MetricComparison.pairedMetrics.contains(metric) {
                    rows.append(try MetricComparison.paired(
                        metric, key: key, predictions: predictions, bootstrap: bootstrap, candidate: candidateValue,
                        baseline: baselineValue))
                } else {
                    rows.append(MetricComparison(
                        key: key, metric: metric, candidate: candidateValue, baseline: baselineValue, difference: nil,
                        mcNemar: nil, seeds: min(candidateCells.count, baselineCells.count), examples: 0))
                }
            }
        }
        self.rows = rows
    }

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
