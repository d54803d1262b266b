import Foundation
import GRDB

/// A run with the counts `runs list` shows.
public struct RunSummary: Sendable, Equatable {
    public var run: RunRecord
    public var finishedCells: Int
    public var failedCells: Int
    public var reusedCells: Int
    public var linkedCells: Int
}

/// A cell as a run saw it, with its results.
public struct RunCellDetail: Sendable, Equatable {
    public var position: Int
    public var reused: Bool
    public var cell: CellRecord
    public var metrics: [MetricRow]
    public var epochs: [EpochRow]
    public var artifacts: [ArtifactRow]
}

extension ResultDatabase {
    /// Inserts a new run and returns it with its id.
    public func startRun(_ run: RunRecord) throws -> RunRecord {
        try write { db in
            var run = run
            try run.insert(db)
            return run
        }
    }

    /// Sets a run's final status and finish time.
    public func finishRun(id: Int64, status: RunRecord.Status, at date: Date = Date()) throws {
        try write { db in
            try db.execute(sql: "UPDATE runs SET status = ?, finished_at = ? WHERE id = ?", arguments: [status, date, id])
        }
    }

    /// Marks runs on `host` still `running` whose process no longer exists as interrupted
    /// (they were killed); returns their ids.
    @discardableResult
    public func markAbandonedRuns(host: String, isAlive: (Int64) -> Bool) throws -> [Int64] {
        try write { db in
            let candidates = try RunRecord.filter(sql: "status = 'running' AND host = ?", arguments: [host]).fetchAll(db)
            let abandoned = candidates.filter { !isAlive($0.processID) }.compactMap(\.id)
            for id in abandoned {
                try db.execute(sql: "UPDATE runs SET status = 'interrupted' WHERE id = ?", arguments: [id])
            }
            return abandoned
        }
    }

    /// Every run, newest first, with cell counts.
    public func runSummaries() throws -> [RunSummary] {
        try read { db in
            let runs = try RunRecord.order(sql: "id DESC").fetchAll(db)
            return try runs.map { run in
                let row = try Row.fetchOne(db, sql: """
                    SELECT count(*) AS linked,
                           coalesce(sum(c.status = 'finished'), 0) AS finished,
                           coalesce(sum(c.status = 'failed'), 0) AS failed,
                           coalesce(sum(rc.reused), 0) AS reused
                    FROM run_cells rc JOIN cells c ON c.id = rc.cell_id WHERE rc.run_id = ?
                    """, arguments: [run.id])
                return RunSummary(
                    run: run, finishedCells: row?["finished"] ?? 0, failedCells: row?["failed"] ?? 0,
                    reusedCells: row?["reused"] ?? 0, linkedCells: row?["linked"] ?? 0)
            }
        }
    }

    /// One run, or `ResultStoreError.noSuchRun`.
    public func run(id: Int64) throws -> RunRecord {
        guard let run = try read({ db in try RunRecord.fetchOne(db, key: id) }) else {
            throw ResultStoreError.noSuchRun(path: path, id: id)
        }
        return run
    }

    /// The newest run's id, if any.
    public func latestRunID() throws -> Int64? {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM runs") }
    }

    /// A run's cells in plan order, each with metrics, epochs and artifacts.
    public func cells(ofRun id: Int64) throws -> [RunCellDetail] {
        _ = try run(id: id)
        return try read { db in
            let links = try RunCellRecord.filter(sql: "run_id = ?", arguments: [id]).order(sql: "position").fetchAll(db)
            let epochs = try EpochRow.fetch(db, cellIDs: links.map(\.cellID))
            return try links.compactMap { link in
                guard let cell = try CellRecord.fetchOne(db, key: link.cellID) else { return nil }
                return RunCellDetail(
                    position: link.position, reused: link.reused, cell: cell,
                    metrics: try MetricRow.filter(sql: "cell_id = ?", arguments: [link.cellID]).order(sql: "id").fetchAll(db),
                    epochs: epochs[link.cellID] ?? [],
                    artifacts: try ArtifactRow.filter(sql: "cell_id = ?", arguments: [link.cellID]).order(sql: "id").fetchAll(db))
            }
        }
    }

    /// The predictions of a cell, in stage, task, split and example order.
    public func predictions(ofCell id: Int64) throws -> [PredictionRow] {
        try read { db in
            try PredictionRow.filter(sql: "cell_id = ?", arguments: [id]).order(sql: "stage, task, split, position").fetchAll(db)
        }
    }

    /// A cell's test predictions of one task after one stage, in example order: what paired
    /// comparisons read, filtered in SQL rather than after loading every stage's rows.
    public func testPredictions(ofCell id: Int64, stage: Int, task: String) throws -> [PredictionRow] {
        try read { db in
            try PredictionRow.filter(sql: "cell_id = ? AND stage = ? AND task = ? AND split = 'test'", arguments: [id, stage, task])
                .order(sql: "position").fetchAll(db)
        }
    }

    /// Row counts per table, for checks and `runs list --json`.
    public func tableCounts() throws -> [String: Int] {
        try read { db in
            var counts: [String: Int] = [:]
            for table in ["runs", "cells", "run_cells", "epochs", "metrics", "predictions", "artifacts"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return counts
        }
    }
}
