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
                    for table in ["epochs", "metrics", "predictions", "artifacts"] {
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
                        best_epoch = ?, stop_reason = ?, wall_seconds = ?, finished_at = ? WHERE id = ? AND status = 'running'
                    """,
                arguments: [result.trainableParameters, result.totalParameters, result.bestEpoch, result.stopReason,
                            result.wallSeconds, date, id])
            guard db.changesCount == 1 else {
                throw ResultStoreError.failed(path: path, reason: "cell \(id) was replaced by another run while it was computed")
            }
            try result.epochs.insert(db, cellID: id)
            try result.metrics.insert(db, cellID: id)
            try result.predictions.insert(db, cellID: id)
            try result.artifacts.insert(db, cellID: id)
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
}
