import Foundation
import GRDB

extension ResultDatabase {
    /// Replaces the run's transfer results and its cells' audits in one transaction (a run
    /// judged again, after a merge or a resume, keeps only the latest verdicts).
    public func storeVerdicts(runID: Int64, transfer: [TransferResultRow], audits: [Int64: [OverfittingAuditRow]]) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM transfer_results WHERE run_id = ?", arguments: [runID])
            for var row in transfer {
                row.id = nil
                row.runID = runID
                try row.insert(db)
            }
            for (cellID, rows) in audits {
                try db.execute(sql: "DELETE FROM overfitting_audits WHERE cell_id = ?", arguments: [cellID])
                for var row in rows {
                    row.id = nil
                    row.cellID = cellID
                    try row.insert(db)
                }
            }
        }
    }

    /// The stored divergence with this content key, if any.
    public func divergence(key: String) throws -> DivergenceRow? {
        try read { db in try DivergenceRow.filter(sql: "key = ?", arguments: [key]).fetchOne(db) }
    }

    /// Stores a divergence (or reuses the one with its key) and links it to a run's pair of
    /// tasks, in one transaction.
    public func linkDivergence(_ row: DivergenceRow, runID: Int64, sourceTask: String, targetTask: String) throws {
        try write { db in
            var stored = try DivergenceRow.filter(sql: "key = ?", arguments: [row.key]).fetchOne(db)
            if stored == nil {
                var inserted = row
                inserted.id = nil
                try inserted.insert(db)
                stored = inserted
            }
            guard let id = stored?.id else { return }
            try db.execute(
                sql: "INSERT OR REPLACE INTO run_divergences (run_id, source_task, target_task, divergence_id) VALUES (?, ?, ?, ?)",
                arguments: [runID, sourceTask, targetTask, id])
        }
    }

    /// What the run's verdict step stored (empty for runs judged before verdicts existed).
    public func verdicts(ofRun runID: Int64) throws -> RunVerdicts {
        try read { db in
            // A read-only database written before verdicts existed is not migrated: no tables.
            guard try db.tableExists("transfer_results") else { return RunVerdicts(transfer: [], audits: [:], divergences: []) }
            let transfer = try TransferResultRow.filter(sql: "run_id = ?", arguments: [runID]).order(sql: "id").fetchAll(db)
            let audits = try OverfittingAuditRow.fetchAll(
                db, sql: """
                    SELECT overfitting_audits.* FROM overfitting_audits JOIN run_cells USING (cell_id)
                    WHERE run_cells.run_id = ? ORDER BY run_cells.position, stage, task
                    """, arguments: [runID])
            let links = try Row.fetchAll(
                db, sql: "SELECT source_task, target_task, divergence_id FROM run_divergences WHERE run_id = ? ORDER BY source_task, target_task",
                arguments: [runID])
            var divergences: [RunDivergence] = []
            for link in links {
                let id: Int64 = link["divergence_id"]
                guard let row = try DivergenceRow.fetchOne(db, key: id) else { continue }
                divergences.append(RunDivergence(sourceTask: link["source_task"], targetTask: link["target_task"], divergence: row))
            }
            return RunVerdicts(transfer: transfer, audits: Dictionary(grouping: audits, by: \.cellID), divergences: divergences)
        }
    }
}
