import Foundation
import GRDB

/// One stored `adapteval gate` decision: which runs, when, and how it ended.
public struct GateVerdictRecord: Sendable, Equatable {
    public var id: Int64?
    public var candidateRunID: Int64
    public var baselineRunID: Int64
    /// `passed`, `failed` or `not-evaluated`.
    public var outcome: String
    public var evaluatedAt: Date
    public var results: [GateResultRecord]

    public init(
        id: Int64? = nil, candidateRunID: Int64, baselineRunID: Int64, outcome: String, evaluatedAt: Date = Date(),
        results: [GateResultRecord]
    ) {
        self.id = id
        self.candidateRunID = candidateRunID
        self.baselineRunID = baselineRunID
        self.outcome = outcome
        self.evaluatedAt = evaluatedAt
        self.results = results
    }
}

/// One gate's check on one group of cells (task, strategy, chain), with the number it rests on.
public struct GateResultRecord: Codable, Sendable, Equatable, FetchableRecord {
    public var gate: String
    public var kind: String
    public var task: String?
    public var strategy: String?
    public var chain: String?
    public var metric: String?
    public var outcome: String
    public var value: Double?
    public var low: Double?
    public var high: Double?
    public var pValue: Double?
    /// The limit the value was held against (a minimum, −margin, a drift limit).
    public var limit: Double?
    public var detail: String

    enum CodingKeys: String, CodingKey {
        case gate, kind, task, strategy, chain, metric, outcome, value, low, high, pValue = "p_value", limit = "limit_value"
        case detail
    }

    public init(
        gate: String, kind: String, task: String? = nil, strategy: String? = nil, chain: String? = nil, metric: String? = nil,
        outcome: String, value: Double? = nil, low: Double? = nil, high: Double? = nil, pValue: Double? = nil,
        limit: Double? = nil, detail: String
    ) {
        self.gate = gate
        self.kind = kind
        self.task = task
        self.strategy = strategy
        self.chain = chain
        self.metric = metric
        self.outcome = outcome
        self.value = value
        self.low = low
        self.high = high
        self.pValue = pValue
        self.limit = limit
        self.detail = detail
    }
}

/// A `transfer_results` row (written by the verdict step at the end of a run), as the gate reads it.
public struct StoredTransferResult: Sendable, Equatable, FetchableRecord, Decodable {
    public var kind: String
    public var task: String
    public var strategy: String
    /// The chain as `cells.chain` stores it (a JSON array of task names).
    public var chain: String
    public var reference: String?

    /// The chain's tasks joined by " → ".
    public var chainDescription: String {
        ((try? JSONDecoder().decode([String].self, from: Data(chain.utf8))) ?? [chain]).joined(separator: " → ")
    }
    public var metric: String
    /// Null when the comparison could not be made (label `no-baseline`, `no-predictions`).
    public var value: Double?
    public var low: Double?
    public var high: Double?
    /// The p-value after Holm's adjustment over the run's family of comparisons.
    public var pHolm: Double?
    public var label: String

    enum CodingKeys: String, CodingKey {
        case kind, task, strategy, chain, reference, metric, value, low, high, pHolm = "p_holm", label
    }
}

/// A `probe_drift` row of one of a run's cells: how far adaptation moved a probe metric toward harm.
public struct StoredProbeDrift: Sendable, Equatable, FetchableRecord, Decodable {
    public var strategy: String
    public var task: String
    public var probe: String
    public var metric: String
    public var groupName: String
    public var base: Double
    public var adapted: Double
    /// adapted − base, with its interval (paired when both models scored the same items).
    public var drift: Double
    public var low: Double?
    public var high: Double?
    public var harmDrift: Double
    public var harmLow: Double?
    public var harmHigh: Double?

    enum CodingKeys: String, CodingKey {
        case strategy, task, probe, metric, groupName = "group_name", base, adapted, drift, low, high
        case harmDrift = "harm_drift", harmLow = "harm_low", harmHigh = "harm_high"
    }
}

extension ResultDatabase {
    /// The gate's tables (migration `v3-gate-verdicts`): one verdict per `adapteval gate` on a
    /// writable database, one result row per gate and group of cells it checked.
    static func createGateVerdictTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE gate_verdicts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                candidate_run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                baseline_run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                outcome TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'not-evaluated')),
                evaluated_at DATETIME NOT NULL
            );
            CREATE INDEX gate_verdicts_candidate ON gate_verdicts(candidate_run_id);
            CREATE TABLE gate_results (
                verdict_id INTEGER NOT NULL REFERENCES gate_verdicts(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                gate TEXT NOT NULL,
                kind TEXT NOT NULL,
                task TEXT,
                strategy TEXT,
                chain TEXT,
                metric TEXT,
                outcome TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'not-evaluated')),
                value REAL,
                low REAL,
                high REAL,
                p_value REAL,
                limit_value REAL,
                detail TEXT NOT NULL,
                PRIMARY KEY (verdict_id, position)
            );
            """)
    }

    /// Stores a gate verdict and its results in one transaction; returns its id.
    @discardableResult
    public func storeGateVerdict(_ verdict: GateVerdictRecord) throws -> Int64 {
        try write { db in
            try db.execute(
                sql: "INSERT INTO gate_verdicts (candidate_run_id, baseline_run_id, outcome, evaluated_at) VALUES (?, ?, ?, ?)",
                arguments: [verdict.candidateRunID, verdict.baselineRunID, verdict.outcome, verdict.evaluatedAt])
            let id = db.lastInsertedRowID
            for (position, result) in verdict.results.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO gate_results (verdict_id, position, gate, kind, task, strategy, chain, metric, outcome,
                            value, low, high, p_value, limit_value, detail)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [id, position, result.gate, result.kind, result.task, result.strategy, result.chain,
                                result.metric, result.outcome, result.value, result.low, result.high, result.pValue,
                                result.limit, result.detail])
            }
            return id
        }
    }

    /// The newest stored gate verdict whose candidate is `runID`, with its results.
    public func latestGateVerdict(candidateRunID runID: Int64) throws -> GateVerdictRecord? {
        try read { db in
            guard try db.tableExists("gate_verdicts"),
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM gate_verdicts WHERE candidate_run_id = ? ORDER BY id DESC LIMIT 1",
                    arguments: [runID])
            else { return nil }
            let id: Int64 = row["id"]
            let results = try GateResultRecord.fetchAll(
                db, sql: "SELECT * FROM gate_results WHERE verdict_id = ? ORDER BY position", arguments: [id])
            return GateVerdictRecord(
                id: id, candidateRunID: row["candidate_run_id"], baselineRunID: row["baseline_run_id"],
                outcome: row["outcome"], evaluatedAt: row["evaluated_at"], results: results)
        }
    }

    /// The newest run carrying `tag`, if any.
    public func latestRunID(tagged tag: String) throws -> Int64? {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM runs WHERE tag = ?", arguments: [tag]) }
    }

    /// Names a run (`adapteval runs tag`), replacing its previous tag and moving the name from
    /// any other run that carried it (a tag resolves to its newest run, so an older run could
    /// not otherwise take it back).
    public func setTag(_ tag: String, runID: Int64) throws {
        _ = try run(id: runID)
        try write { db in
            try db.execute(sql: "UPDATE runs SET tag = NULL WHERE tag = ? AND id != ?", arguments: [tag, runID])
            try db.execute(sql: "UPDATE runs SET tag = ? WHERE id = ?", arguments: [tag, runID])
        }
    }

    /// Whether the database holds `table` (tables other branches' migrations add may be absent).
    public func hasTable(_ table: String) throws -> Bool {
        try read { db in try db.tableExists(table) }
    }

    /// The transfer results stored for a run, or nil when the database has no `transfer_results` table.
    public func transferResults(runID: Int64) throws -> [StoredTransferResult]? {
        try read { db in
            guard try db.tableExists("transfer_results") else { return nil }
            return try StoredTransferResult.fetchAll(
                db, sql: """
                    SELECT kind, task, strategy, chain, reference, metric, value, low, high, p_holm, label
                    FROM transfer_results WHERE run_id = ? ORDER BY id
                    """, arguments: [runID])
        }
    }

    /// The probe drift of a run's cells, or nil when the database has no `probe_drift` table.
    public func probeDrift(runID: Int64) throws -> [StoredProbeDrift]? {
        try read { db in
            guard try db.tableExists("probe_drift") else { return nil }
            return try StoredProbeDrift.fetchAll(
                db, sql: """
                    SELECT c.strategy, d.task, d.probe, d.metric, d.group_name, d.base, d.adapted, d.drift, d.low,
                           d.high, d.harm_drift, d.harm_low, d.harm_high
                    FROM probe_drift d JOIN run_cells rc ON rc.cell_id = d.cell_id JOIN cells c ON c.id = d.cell_id
                    WHERE rc.run_id = ? AND d.harm_drift IS NOT NULL ORDER BY d.rowid
                    """, arguments: [runID])
        }
    }
}

extension ResultDatabase {
    /// Why this process may not write the database at `path`, or nil when it may: a command
    /// that writes only incidentally (`gate` storing its verdict) opens such a file read-only
    /// and says what it did not store.
    public static func writeRefusal(path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        return readOnlyReason(path: path, folder: folder.isEmpty ? "." : folder)
    }
}

/// One measured source → target pair of a run (`run_divergences` joined with `divergences`).
public struct StoredDivergence: Sendable, Equatable, FetchableRecord, Decodable {
    public var sourceTask: String
    public var targetTask: String
    public var jensenShannon: Double
    public var klSourceTarget: Double
    public var cosine: Double
    public var mmd2: Double
    public var mmdPValue: Double
    public var proxyADistance: Double

    enum CodingKeys: String, CodingKey {
        case sourceTask = "source_task", targetTask = "target_task", jensenShannon = "jensen_shannon"
        case klSourceTarget = "kl_source_target", cosine, mmd2, mmdPValue = "mmd_p_value", proxyADistance = "proxy_a_distance"
    }
}

extension ResultDatabase {
    /// The divergences measured for a run, or nil when the database has no `run_divergences` table.
    public func divergences(runID: Int64) throws -> [StoredDivergence]? {
        try read { db in
            guard try db.tableExists("run_divergences"), try db.tableExists("divergences") else { return nil }
            return try StoredDivergence.fetchAll(
                db, sql: """
                    SELECT r.source_task, r.target_task, d.jensen_shannon, d.kl_source_target, d.cosine, d.mmd2,
                           d.mmd_p_value, d.proxy_a_distance
                    FROM run_divergences r JOIN divergences d ON d.id = r.divergence_id
                    WHERE r.run_id = ? ORDER BY r.source_task, r.target_task
                    """, arguments: [runID])
        }
    }
}
