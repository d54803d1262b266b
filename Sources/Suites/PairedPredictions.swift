import Evaluation
import Foundation
import ResultStore

/// One group's target test predictions, seed by seed, aligned example by example.
struct GroupPredictions: Sendable {
    /// The example order every seed's rows follow.
    var exampleIDs: [String]
    /// Per seed (ascending), one row per example of `exampleIDs`.
    var rows: [[PredictionRow]]
    /// The bins the cells' ECE was stored with.
    var calibrationBins: Int
    /// The task's labels in the order of each row's probabilities (the target stage's
    /// `label_names` in the cell configuration); nil when the configuration does not say.
    var probabilityLabels: [String]?
    /// The suite's interval settings (`evaluation.bootstrap_resamples`, `confidence`).
    var bootstrapResamples: Int?
    var confidence: Double?

    /// Loads and aligns the stored predictions of `cells`, in the order of `exampleIDs` (the
    /// first seed's order when nil).
    ///
    /// - Throws: `SuiteError.invalidArgument` when a cell stored no predictions, or was not
    ///   tested on exactly those examples.
    init(database: ResultDatabase, cells: [RunResults.SeedCell], key: CellGroupKey, run: String, exampleIDs: [String]? = nil) throws {
        var aligned: [[PredictionRow]] = []
        var order = exampleIDs
        for cell in cells {
            let stage = cell.cell.chainTasks.count - 1
            let stored = try database.testPredictions(ofCell: cell.cell.id ?? 0, stage: stage, task: cell.cell.targetTask)
            guard !stored.isEmpty else {
                throw SuiteError.invalidArgument(
                    name: "run", reason: "cell \(cell.cell.id ?? 0) (\(key)) stored no test predictions; "
                        + "run the suite with evaluation.save_predictions: true")
            }
            let ids = order ?? stored.map(\.exampleID)
            order = ids
            guard stored.count == ids.count else {
                throw SuiteError.invalidArgument(
                    name: "run", reason: "the \(run)'s \(key) has \(stored.count) test examples, the candidate's \(ids.count)")
            }
            let byID = Dictionary(stored.map { ($0.exampleID, $0) }, uniquingKeysWith: { first, _ in first })
            aligned.append(try ids.map { id in
                guard let row = byID[id] else {
                    throw SuiteError.invalidArgument(
                        name: "run", reason: "the \(run) run's \(key) was not tested on example '\(id)': "
                            + "runs compare only on the same test split")
                }
                return row
            })
        }
        self.exampleIDs = order ?? []
        rows = aligned
        let config = cells.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.cell.config.utf8)) as? [String: Any] }
        let evaluation = config?["evaluation"] as? [String: Any]
        calibrationBins = evaluation?["calibration_bins"] as? Int ?? 15
        bootstrapResamples = evaluation?["bootstrap_resamples"] as? Int
        confidence = evaluation?["confidence"] as? Double
        let stages = (config?["adaptation"] as? [String: Any])?["stages"] as? [[String: Any]]
        probabilityLabels = (stages?.last?["data"] as? [String: Any])?["label_names"] as? [String]
    }

    /// The labels the stored metrics were computed over: the task's, in order, then any other
    /// label a row names (the "(no answer)" class of a prompt that named none), as
    /// `CellExecutor` appends it.
    var labelNames: [String] {
        var names = probabilityLabels ?? []
        var seen = Set(names)
        for row in rows.first ?? [] where seen.insert(row.gold).inserted { names.append(row.gold) }
        for seed in rows {
            for row in seed where seen.insert(row.predicted).inserted { names.append(row.predicted) }
        }
        return names
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
    /// The label each index stands for.
    public var labelNames: [String]
    /// The stored predictions behind the indices, for metrics that need more than labels; nil
    /// for predictions made up in memory.
    var candidateGroup: GroupPredictions?
    var baselineGroup: GroupPredictions?

    public var candidateCorrect: [[Bool]] { candidate.map { zip($0, gold).map { $0 == $1 } } }
    public var baselineCorrect: [[Bool]] { baseline.map { zip($0, gold).map { $0 == $1 } } }

    /// Aligns the predictions of two groups' cells. Seeds pair in ascending order (the first
    /// min(n, m) of each when the counts differ); examples pair by example id.
    ///
    /// - Throws: `SuiteError.invalidArgument` when a cell stored no predictions or the two
    ///   runs were tested on different examples.
    public init(database: ResultDatabase, candidate: [RunResults.SeedCell], baseline: [RunResults.SeedCell], key: CellGroupKey) throws {
        let seeds = min(candidate.count, baseline.count)
        guard seeds > 0 else { throw SuiteError.invalidArgument(name: "run", reason: "no seeds to compare for \(key)") }
        let candidateGroup = try GroupPredictions(database: database, cells: Array(candidate.prefix(seeds)), key: key, run: "candidate")
        let baselineGroup = try GroupPredictions(
            database: database, cells: Array(baseline.prefix(seeds)), key: key, run: "baseline", exampleIDs: candidateGroup.exampleIDs)
        var labels = candidateGroup.labelNames
        for name in baselineGroup.labelNames where !labels.contains(name) { labels.append(name) }
        let index = Dictionary(labels.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        gold = (candidateGroup.rows.first ?? []).map { index[$0.gold] ?? 0 }
        self.candidate = candidateGroup.rows.map { $0.map { index[$0.predicted] ?? 0 } }
        self.baseline = baselineGroup.rows.map { $0.map { index[$0.predicted] ?? 0 } }
        classCount = labels.count
        labelNames = labels
        self.candidateGroup = candidateGroup
        self.baselineGroup = baselineGroup
    }

    init(gold: [Int], candidate: [[Int]], baseline: [[Int]], classCount: Int) {
        self.gold = gold
        self.candidate = candidate
        self.baseline = baseline
        self.classCount = classCount
        labelNames = (0..<classCount).map(String.init)
    }
}
