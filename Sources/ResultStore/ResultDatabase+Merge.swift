import Foundation
import GRDB

/// What a merge added and what it recognised as already present.
public struct MergeSummary: Sendable, Equatable {
    public var runsAdded = 0
    public var runsAlreadyPresent = 0
    public var cellsAdded = 0
    /// Cells whose content key was already finished in the target.
    public var cellsAlreadyPresent = 0
    /// Unfinished cells in the target replaced by a finished copy from a source.
    public var cellsReplaced = 0
    /// The ids, in this database, of the runs the merge added.
    public var addedRunIDs: [Int64] = []
    /// Cached served-model answers the target lacked.
    public var responsesAdded = 0

    public init() {}
}

extension ResultDatabase {
    /// Adds every run and cell of another results database (a shard's, say) to this one.
    ///
    /// Runs are matched by uuid and cells by content key, so merging the same file twice, or
    /// shards that share cached cells, adds nothing twice. A finished cell wins over a failed
    /// or abandoned one. Each source is merged in one transaction.
    public func merge(from source: ResultDatabase) throws -> MergeSummary {
        struct Snapshot {
            var runs: [RunRecord]
            var cells: [CellRecord]
            var links: [RunCellRecord]
            var epochs: [Int64: [EpochRow]]
            var metrics: [Int64: [MetricRow]]
            var predictions: [Int64: [PredictionRow]]
            var artifacts: [Int64: [ArtifactRow]]
            var responses: [ResponseRecord]
            var probes: ProbeSnapshot
        }
        let snapshot = try source.read { db in
            Snapshot(
                runs: try RunRecord.order(sql: "id").fetchAll(db),
                cells: try CellRecord.order(sql: "id").fetchAll(db),
                links: try RunCellRecord.fetchAll(db),
                epochs: try EpochRow.fetch(db, cellIDs: try Int64.fetchAll(db, sql: "SELECT id FROM cells")),
                metrics: Dictionary(grouping: try MetricRow.order(sql: "id").fetchAll(db), by: \.cellID),
                predictions: Dictionary(grouping: try PredictionRow.order(sql: "id").fetchAll(db), by: \.cellID),
                artifacts: Dictionary(grouping: try ArtifactRow.order(sql: "id").fetchAll(db), by: \.cellID),
                responses: try db.tableExists(ResponseRecord.databaseTableName) ? ResponseRecord.fetchAll(db) : [],
                probes: try ProbeSnapshot(db))
        }
        return try write { db in
            var summary = MergeSummary()
            var runIDs: [Int64: Int64] = [:]
            for run in snapshot.runs {
                guard let sourceID = run.id else { continue }
                if let existing = try RunRecord.filter(sql: "uuid = ?", arguments: [run.uuid]).fetchOne(db), let id = existing.id {
                    runIDs[sourceID] = id
                    summary.runsAlreadyPresent += 1
                } else {
                    var copy = run
                    copy.id = nil
                    try copy.insert(db)
                    runIDs[sourceID] = copy.id
                    summary.runsAdded += 1
                    if let id = copy.id { summary.addedRunIDs.append(id) }
                }
            }
            var cellIDs: [Int64: Int64] = [:]
            var addedCells: [Int64: Int64] = [:]
            for cell in snapshot.cells {
                guard let sourceID = cell.id else { continue }
                if let existing = try CellRecord.filter(sql: "key = ?", arguments: [cell.key]).fetchOne(db), let id = existing.id {
                    if existing.status == .finished || cell.status != .finished {
                        cellIDs[sourceID] = id
                        summary.cellsAlreadyPresent += 1
                        continue
                    }
                    try existing.delete(db)
                    summary.cellsReplaced += 1
                } else {
                    summary.cellsAdded += 1
                }
                var copy = cell
                copy.id = nil
                copy.runID = cell.runID.flatMap { runIDs[$0] }
                // Ids are the source's; the cell it was trained by gets its new id below.
                copy.trainingCellID = nil
                try copy.insert(db)
                guard let id = copy.id else { continue }
                cellIDs[sourceID] = id
                addedCells[sourceID] = id
                try (snapshot.epochs[sourceID] ?? []).insert(db, cellID: id)
                try (snapshot.metrics[sourceID] ?? []).insert(db, cellID: id)
                try (snapshot.predictions[sourceID] ?? []).insert(db, cellID: id)
                try (snapshot.artifacts[sourceID] ?? []).insert(db, cellID: id)
            }
            for cell in snapshot.cells {
                guard let sourceID = cell.id, let id = addedCells[sourceID], let trainer = cell.trainingCellID else { continue }
                try db.execute(sql: "UPDATE cells SET training_cell_id = ? WHERE id = ?", arguments: [cellIDs[trainer], id])
            }
            try snapshot.probes.merge(into: db, runIDs: runIDs, addedCells: addedCells)
            for link in snapshot.links {
                guard let runID = runIDs[link.runID], let cellID = cellIDs[link.cellID] else { continue }
                try RunCellRecord(runID: runID, cellID: cellID, position: link.position, reused: link.reused)
                    .insert(db, onConflict: .ignore)
            }
            summary.responsesAdded = try ResponseRecord.copy(snapshot.responses, into: db)
            return summary
        }
    }
}
