import Foundation
import GRDB

extension ResultDatabase {
    /// The finished cell with this content key, if the cache holds one.
    public func finishedCell(key: String) throws -> CellRecord? {
        try read { db in try CellRecord.filter(sql: "key = ? AND status = 'finished'", arguments: [key]).fetchOne(db) }
    }

    /// Links a cached cell to a run without recomputing it.
    public func linkReusedCell(runID: Int64, cellID: Int64, position: Int) throws {
        try write { db in
            try RunCellRecord(runID: runID, cellID: cellID, position: position, reused: true).insert(db, onConflict: .ignore)
        }
    }

    /// Records that a run starts computing a cell. A failed or abandoned (`running`) cell with
    /// the same key is replaced, so a resumed run never duplicates a cell; if another process
    /// finished the key meanwhile, that cell is linked and returned with `alreadyFinished`.
    ///
    /// With `recomputing` (`--force`), a finished cell keeps its id (runs that linked it keep
    /// the link) but loses its results, which the new computation replaces.
    public func beginCell(_ cell: CellRecord, runID: Int64, position: Int, recomputing: Bool = false) throws
        -> (cell: CellRecord, alreadyFinished: Bool)
    {
        try write { db in
            if let existing = try CellRecord.filter(sql: "key = ?", arguments: [cell.key]).fetchOne(db) {
                if existing.status == .finished, recomputing, let id = existing.id {
                    for table in ["epochs", "metrics", "predictions", "artifacts"] {
                        try db.execute(sql: "DELETE FROM \(table) WHERE cell_id = ?", arguments: [id])
                    }
                    var replaced = cell
                    replaced.id = id
                    replaced.runID = runID
                    replaced.status = .running
                    try replaced.update(db)
                    try RunCellRecord(runID: runID, cellID: id, position: position, reused: false).insert(db, onConflict: .replace)
                    return (replaced, false)
                }
                if existing.status == .finished, let id = existing.id {
                    try RunCellRecord(runID: runID, cellID: id, position: position, reused: true).insert(db, onConflict: .ignore)
                    return (existing, true)
                }
                try existing.delete(db)
            }
            var cell = cell
            cell.runID = runID
            cell.status = .running
            try cell.insert(db)
            try RunCellRecord(runID: runID, cellID: cell.id ?? 0, position: position, reused: false).insert(db)
            return (cell, false)
        }
    }

    /// Writes a finished cell's results and marks it finished, all in one transaction.
    public func finishCell(id: Int64, result: CellResult, at date: Date = Date()) throws {
        try write { db in
            try result.epochs.insert(db, cellID: id)
            try result.metrics.insert(db, cellID: id)
            try result.predictions.insert(db, cellID: id)
            try result.artifacts.insert(db, cellID: id)
            try db.execute(
                sql: """
                    UPDATE cells SET status = 'finished', error = NULL, trainable_parameters = ?, total_parameters = ?,
                        best_epoch = ?, stop_reason = ?, wall_seconds = ?, finished_at = ? WHERE id = ?
                    """,
                arguments: [result.trainableParameters, result.totalParameters, result.bestEpoch, result.stopReason,
                            result.wallSeconds, date, id])
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
