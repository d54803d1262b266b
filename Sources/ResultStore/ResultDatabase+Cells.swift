import Evaluation
import Foundation
import GRDB

extension ResultDatabase {
    /// The finished cell with this content key, if the cache holds one.
    public func finishedCell(key: String) throws -> CellRecord? {
        try read { db in try CellRecord.filter(sql: "key = ? AND status = 'finished'", arguments: [key]).fetchOne(db) }
    }

    /// What `beginCell` found.
    public enum CellStart: Sendable, Equatable {
        /// The run now computes the cell (a new row, or a failed or abandoned one replaced).
        case started(CellRecord)
        /// Another run finished the key meanwhile; it is linked as reused.
        case alreadyFinished(CellRecord)
        /// A live process of another run is computing the key right now.
        case inProgressElsewhere(CellRecord)

        /// The cell row, whichever case.
        public var cell: CellRecord {
            switch self {
            case .started(let cell), .alreadyFinished(let cell), .inProgressElsewhere(let cell): return cell
            }
        }

        public var isAlreadyFinished: Bool {
            if case .alreadyFinished = self { return true }
            return false
        }
    }

    /// Records that a run starts computing a cell. A failed cell, or a `running` one whose run
    /// is over or whose process `isAlive` says is gone, is replaced, so a resumed run never
    /// duplicates a cell.
    ///
    /// With `recomputing` (`--force`), a finished cell keeps its id (runs that linked it keep
    /// the link) but loses its results, which the new computation replaces.
    public func beginCell(
        _ cell: CellRecord, runID: Int64, position: Int, recomputing: Bool = false,
        isAlive: (RunRecord) -> Bool = { _ in false }
    ) throws -> CellStart {
        try write { db in
            if let existing = try CellRecord.filter(sql: "key = ?", arguments: [cell.key]).fetchOne(db), let id = existing.id {
                switch existing.status {
                case .finished where recomputing:
                    for table in ["epochs", "metrics", "predictions", "artifacts", "probe_metrics", "probe_items", "probe_drift"] {
                        try db.execute(sql: "DELETE FROM \(table) WHERE cell_id = ?", arguments: [id])
                    }
                    var replaced = cell
                    replaced.id = id
                    replaced.runID = runID
                    replaced.status = .running
                    try replaced.update(db)
                    try RunCellRecord(runID: runID, cellID: id, position: position, reused: false).insert(db, onConflict: .replace)
                    return .started(replaced)
                case .finished:
                    try RunCellRecord(runID: runID, cellID: id, position: position, reused: true).insert(db, onConflict: .ignore)
                    return .alreadyFinished(existing)
                case .running:
                    if existing.runID != runID, let owner = try existing.runID.flatMap({ try RunRecord.fetchOne(db, key: $0) }),
                        owner.status == .running, isAlive(owner)
                    {
                        return .inProgressElsewhere(existing)
                    }
                case .failed:
                    break
                }
                try existing.delete(db)
            }
            var cell = cell
            cell.runID = runID
            cell.status = .running
            try cell.insert(db)
            try RunCellRecord(runID: runID, cellID: cell.id ?? 0, position: position, reused: false).insert(db)
            return .started(cell)
        }
    }

    /// Writes a finished cell's results and marks it finished, all in one transaction.
    ///
    /// Fails, writing nothing, when the cell is no longer this computation's (another run
    /// replaced it in the meantime).
    public func finishCell(id: Int64, result: CellResult, at date: Date = Date()) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE cells SET status = 'finished', error = NULL, trainable_parameters = ?, total_parameters = ?,
                        best_epoch = ?, stop_reason = ?, wall_seconds = ?, finished_at = ?, training_cell_id = ?
                    WHERE id = ? AND status = 'running'
                    """,
                arguments: [result.trainableParameters, result.totalParameters, result.bestEpoch, result.stopReason,
                            result.wallSeconds, date, result.trainingCellID, id])
            guard db.changesCount == 1 else {
                throw ResultStoreError.failed(path: path, reason: "cell \(id) was replaced by another run while it was computed")
            }
            try result.epochs.insert(db, cellID: id)
            try result.metrics.insert(db, cellID: id)
            try result.predictions.insert(db, cellID: id)
            try result.artifacts.insert(db, cellID: id)
            try result.probes.insert(db, cellID: id)
        }
    }

    /// Marks a cell failed with its reason; what it computed is discarded.
    public func failCell(id: Int64, error: String, wallSeconds: Double, at date: Date = Date()) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE cells SET status = 'failed', error = ?, wall_seconds = ?, finished_at = ? WHERE id = ?",
                arguments: [error, wallSeconds, date, id])
        }
    }

    /// A finished cell with this adaptation key whose adapted checkpoint is still on disk, with
    /// what it recorded, so a cell that differs only in evaluation settings evaluates those
    /// weights instead of training again. The checkpoint's files must match their sha256.
    public func storedAdaptation(adaptationKey: String) throws -> StoredAdaptation? {
        let candidates = try read { db in
            try CellRecord.filter(sql: "adaptation_key = ? AND status = 'finished'", arguments: [adaptationKey])
                .order(sql: "id").fetchAll(db)
        }
        for cell in candidates {
            guard let id = cell.id else { continue }
            let artifacts = try read { db in try ArtifactRow.filter(sql: "cell_id = ?", arguments: [id]).fetchAll(db) }
            guard let weights = artifacts.first(where: { $0.kind == ArtifactRow.adaptedWeights }),
                artifacts.contains(where: { $0.kind == ArtifactRow.adaptedMetadata }),
                artifacts.allSatisfy({ Self.fileMatches($0) })
            else { continue }
            return try read { db in
                StoredAdaptation(
                    cell: cell, checkpointDirectory: URL(fileURLWithPath: weights.path).deletingLastPathComponent(),
                    epochs: try EpochRow.fetch(db, cellIDs: [id])[id] ?? [],
                    metrics: try MetricRow.filter(sql: "cell_id = ?", arguments: [id]).order(sql: "id").fetchAll(db),
                    predictions: try PredictionRow.filter(sql: "cell_id = ?", arguments: [id]).order(sql: "id").fetchAll(db),
                    artifacts: artifacts)
            }
        }
        return nil
    }

    /// Whether an artifact's file exists with the recorded size and sha256.
    static func fileMatches(_ artifact: ArtifactRow) -> Bool {
        let url = URL(fileURLWithPath: artifact.path)
        guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value,
            size == artifact.bytes
        else { return false }
        return (try? SHA256.hex(ofFileAt: url)) == artifact.sha256
    }
}

/// What a finished cell recorded about its adaptation, for a cell that evaluates its weights.
public struct StoredAdaptation: Sendable {
    public var cell: CellRecord
    /// The folder holding the adapted checkpoint.
    public var checkpointDirectory: URL
    public var epochs: [EpochRow]
    public var metrics: [MetricRow]
    public var predictions: [PredictionRow]
    public var artifacts: [ArtifactRow]
}
