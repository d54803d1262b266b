import Foundation
import GRDB

/// A row that belongs to one cell (and is deleted with it).
public protocol CellChildRecord: MutablePersistableRecord {
    var id: Int64? { get set }
    var cellID: Int64 { get set }
}

extension Array where Element: CellChildRecord {
    /// Inserts every row as a new row of cell `cellID`.
    func insert(_ db: Database, cellID: Int64) throws {
        for var row in self {
            row.id = nil
            row.cellID = cellID
            try row.insert(db)
        }
    }
}

/// One task's values at one evaluation during training: the curve the overfitting audit reads.
///
/// Stored as a row of `epochs` with its named values in `epoch_values` (see docs/schema.md).
public struct EpochRow: Sendable, Equatable {
    public var id: Int64?
    public var cellID: Int64 = 0
    /// The chain stage (0-based) that trained.
    public var stage: Int
    public var task: String
    /// The evaluation's number within the stage (0-based); multi-task stages record one row
    /// per task for each evaluation.
    public var evaluation: Int
    public var epoch: Int
    public var step: Int
    public var learningRate: Double
    public var seconds: Double
    /// Whether early stopping chose this evaluation.
    public var isBest: Bool
    /// Named values: `train_loss`, `train_eval_loss`, `train_accuracy`, `validation_loss`,
    /// `validation_accuracy`, `validation_macro_f1`, and whatever else the objective reports.
    public var values: [String: Double]

    public init(
        stage: Int, task: String, evaluation: Int, epoch: Int, step: Int, learningRate: Double, seconds: Double, isBest: Bool,
        values: [String: Double]
    ) {
        self.stage = stage
        self.task = task
        self.evaluation = evaluation
        self.epoch = epoch
        self.step = step
        self.learningRate = learningRate
        self.seconds = seconds
        self.isBest = isBest
        self.values = values
    }

    /// A named value, if recorded.
    public func value(_ name: String) -> Double? { values[name] }
}

/// One score of a cell on one task's split, measured after a chain stage, with an optional
/// confidence interval.
public struct MetricRow: Codable, Sendable, Equatable, FetchableRecord, CellChildRecord {
    public static let databaseTableName = "metrics"
    public var id: Int64?
    public var cellID: Int64 = 0
    public var stage: Int
    public var task: String
    public var split: String
    public var name: String
    public var value: Double
    public var low: Double?
    public var high: Double?

    enum CodingKeys: String, CodingKey {
        case id, cellID = "cell_id", stage, task, split, name, value, low, high
    }

    public init(stage: Int, task: String, split: String, name: String, value: Double, low: Double? = nil, high: Double? = nil) {
        self.stage = stage
        self.task = task
        self.split = split
        self.name = name
        self.value = value
        self.low = low
        self.high = high
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One example's gold label, predicted label and class probabilities.
public struct PredictionRow: Codable, Sendable, Equatable, FetchableRecord, CellChildRecord {
    public static let databaseTableName = "predictions"
    public var id: Int64?
    public var cellID: Int64 = 0
    public var stage: Int
    public var task: String
    public var split: String
    public var position: Int
    public var exampleID: String
    public var gold: String
    public var predicted: String
    /// Probabilities in label order, as a JSON array.
    public var probabilities: String

    enum CodingKeys: String, CodingKey {
        case id, cellID = "cell_id", stage, task, split, position, exampleID = "example_id", gold, predicted, probabilities
    }

    public init(stage: Int, task: String, split: String, position: Int, exampleID: String, gold: String, predicted: String,
                probabilities: [Double]) {
        self.stage = stage
        self.task = task
        self.split = split
        self.position = position
        self.exampleID = exampleID
        self.gold = gold
        self.predicted = predicted
        self.probabilities = "[" + probabilities.map { String(format: "%.6g", $0) }.joined(separator: ",") + "]"
    }

    /// A row whose numbers are scores kept exactly (shortest round-trip form), not rounded like
    /// probabilities: an embedding task's similarities or per-query values, from which its
    /// correlations and means are recomputed to the last digit (ties among rounded cosines
    /// would move a Spearman coefficient).
    public init(stage: Int, task: String, split: String, position: Int, exampleID: String, gold: String, predicted: String,
                scores: [Double]) {
        self.init(stage: stage, task: task, split: split, position: position, exampleID: exampleID, gold: gold, predicted: predicted,
                  probabilities: [])
        probabilities = "[" + scores.map { "\($0)" }.joined(separator: ",") + "]"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A file a cell produced (the adapted checkpoint's weights and metadata).
public struct ArtifactRow: Codable, Sendable, Equatable, FetchableRecord, CellChildRecord {
    public static let databaseTableName = "artifacts"
    /// `kind` of an adapted checkpoint's weights file.
    public static let adaptedWeights = "adapted-weights"
    /// `kind` of an adapted checkpoint's metadata file.
    public static let adaptedMetadata = "adapted-metadata"
    public var id: Int64?
    public var cellID: Int64 = 0
    public var kind: String
    public var path: String
    public var sha256: String
    public var bytes: Int64

    enum CodingKeys: String, CodingKey {
        case id, cellID = "cell_id", kind, path, sha256, bytes
    }

    public init(kind: String, path: String, sha256: String, bytes: Int64) {
        self.kind = kind
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Everything a finished cell produced, written in one transaction.
public struct CellResult: Sendable, Equatable {
    public var trainableParameters: Int
    public var totalParameters: Int
    public var bestEpoch: Int?
    public var stopReason: String
    public var wallSeconds: Double
    public var epochs: [EpochRow]
    public var metrics: [MetricRow]
    public var predictions: [PredictionRow]
    public var artifacts: [ArtifactRow]
    /// The cell whose adapted checkpoint was evaluated instead of training, if any.
    public var trainingCellID: Int64?
    /// Bias and toxicity probes of the adapted model, and their drift from the base model.
    public var probes = CellProbeResults()

    public init(
        trainableParameters: Int, totalParameters: Int, bestEpoch: Int?, stopReason: String, wallSeconds: Double,
        epochs: [EpochRow] = [], metrics: [MetricRow] = [], predictions: [PredictionRow] = [], artifacts: [ArtifactRow] = [],
        trainingCellID: Int64? = nil
    ) {
        self.trainingCellID = trainingCellID
        self.trainableParameters = trainableParameters
        self.totalParameters = totalParameters
        self.bestEpoch = bestEpoch
        self.stopReason = stopReason
        self.wallSeconds = wallSeconds
        self.epochs = epochs
        self.metrics = metrics
        self.predictions = predictions
        self.artifacts = artifacts
    }
}
