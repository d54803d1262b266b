import Foundation
import GRDB

/// One cell of a plan (model × strategy × task chain × seed), identified by its content key.
/// A finished cell is shared by every run that planned the same key.
public struct CellRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "cells"

    public enum Status: String, Codable, Sendable, DatabaseValueConvertible {
        case running, finished, failed
    }

    public var id: Int64?
    /// The evaluation key: sha256 of everything that determines the cell's scores (the
    /// adaptation key's inputs plus the evaluation and probe settings).
    public var key: String
    /// The adaptation key: sha256 of what determines the trained weights (model, data,
    /// strategy, training settings, seed, version); nil for cells stored before it existed.
    public var adaptationKey: String?
    /// The cell whose adapted checkpoint this cell evaluated instead of training, if any.
    public var trainingCellID: Int64?
    /// The run that computed the cell.
    public var runID: Int64?
    public var model: String
    public var modelSHA256: String
    public var strategy: String
    /// Strategy options as a JSON object with sorted keys.
    public var options: String
    public var seed: Int64
    /// Task names in training order, as a JSON array; the last is the target.
    public var chain: String
    public var targetTask: String
    /// The resolved configuration the key hashes, as JSON.
    public var config: String
    public var status: Status
    public var error: String?
    public var trainableParameters: Int?
    public var totalParameters: Int?
    public var bestEpoch: Int?
    public var stopReason: String?
    public var wallSeconds: Double?
    public var startedAt: Date
    public var finishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, key, runID = "run_id", model, modelSHA256 = "model_sha256", strategy, options, seed, chain
        case targetTask = "target_task", config, status, error, trainableParameters = "trainable_parameters"
        case totalParameters = "total_parameters", bestEpoch = "best_epoch", stopReason = "stop_reason"
        case wallSeconds = "wall_seconds", startedAt = "started_at", finishedAt = "finished_at"
        case adaptationKey = "adaptation_key", trainingCellID = "training_cell_id"
    }

    public init(
        key: String, adaptationKey: String? = nil, model: String, modelSHA256: String, strategy: String, options: String,
        seed: Int64, chain: String, targetTask: String, config: String, startedAt: Date = Date()
    ) {
        self.key = key
        self.adaptationKey = adaptationKey
        self.model = model
        self.modelSHA256 = modelSHA256
        self.strategy = strategy
        self.options = options
        self.seed = seed
        self.chain = chain
        self.targetTask = targetTask
        self.config = config
        self.status = .running
        self.startedAt = startedAt
    }

    /// The chain's task names.
    public var chainTasks: [String] {
        (try? JSONDecoder().decode([String].self, from: Data(chain.utf8))) ?? []
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A cell's place in a run: computed by it or reused from the cache.
public struct RunCellRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "run_cells"
    public var runID: Int64
    public var cellID: Int64
    public var position: Int
    public var reused: Bool

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", cellID = "cell_id", position, reused
    }

    public init(runID: Int64, cellID: Int64, position: Int, reused: Bool) {
        self.runID = runID
        self.cellID = cellID
        self.position = position
        self.reused = reused
    }
}
