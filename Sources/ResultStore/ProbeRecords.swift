import Foundation
import GRDB

/// A probe run on a base model, stored once per content key (model, probe and settings) and
/// shared by every run and cell that compares against it.
public struct ProbeBaselineRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "probe_baselines"
    public var id: Int64?
    public var key: String
    public var model: String
    public var modelSHA256: String
    /// The suite entry's name (its label, or the probe's name).
    public var probe: String
    /// The probe kind (`seat`, `crows-pairs`, …).
    public var kind: String
    /// The canonical JSON the key hashes.
    public var config: String
    /// The run that computed it.
    public var runID: Int64?
    public var wallSeconds: Double
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, key, model, modelSHA256 = "model_sha256", probe, kind, config, runID = "run_id", wallSeconds = "wall_seconds"
        case createdAt = "created_at"
    }

    public init(key: String, model: String, modelSHA256: String, probe: String, kind: String, config: String, runID: Int64?,
                wallSeconds: Double, createdAt: Date = Date()) {
        self.key = key
        self.model = model
        self.modelSHA256 = modelSHA256
        self.probe = probe
        self.kind = kind
        self.config = config
        self.runID = runID
        self.wallSeconds = wallSeconds
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row that belongs to a cell or to a probe baseline (exactly one of the two).
public protocol ProbeOwnedRecord: MutablePersistableRecord {
    var id: Int64? { get set }
    var cellID: Int64? { get set }
    var baselineID: Int64? { get set }
}

extension Array where Element: ProbeOwnedRecord {
    /// Inserts every row as a new row of cell `cellID` or of baseline `baselineID`.
    func insert(_ db: Database, cellID: Int64?, baselineID: Int64?) throws {
        for var row in self {
            row.id = nil
            row.cellID = cellID
            row.baselineID = baselineID
            try row.insert(db)
        }
    }
}

/// One probe measurement: a metric on a group, with its interval, ideal and harmful direction.
public struct ProbeMetricRow: Codable, Sendable, Equatable, FetchableRecord, ProbeOwnedRecord {
    public static let databaseTableName = "probe_metrics"
    public var id: Int64?
    public var cellID: Int64?
    public var baselineID: Int64?
    /// The task whose classifier was probed (empty for a base model).
    public var task: String
    public var probe: String
    public var kind: String
    public var metric: String
    /// The group measured (a SEAT test, a bias type, an identity term); empty for all items.
    public var group: String
    public var value: Double
    public var low: Double?
    public var high: Double?
    public var count: Int
    /// The harmless value, or nil for numbers that are not harms (p-values).
    public var ideal: Double?
    /// `higher`, `lower` or `away` (from the ideal): which way is harmful.
    public var harmDirection: String?
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case id, cellID = "cell_id", baselineID = "baseline_id", task, probe, kind, metric, group = "group_name", value, low, high
        case count, ideal, harmDirection = "harm_direction", note
    }

    public init(task: String, probe: String, kind: String, metric: String, group: String, value: Double, low: Double?,
                high: Double?, count: Int, ideal: Double?, harmDirection: String?, note: String?) {
        self.task = task
        self.probe = probe
        self.kind = kind
        self.metric = metric
        self.group = group
        self.value = value
        self.low = low
        self.high = high
        self.count = count
        self.ideal = ideal
        self.harmDirection = harmDirection
        self.note = note
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One scored probe item, so metrics and paired drift can be recomputed from the database.
public struct ProbeItemRow: Codable, Sendable, Equatable, FetchableRecord, ProbeOwnedRecord {
    public static let databaseTableName = "probe_items"
    public var id: Int64?
    public var cellID: Int64?
    public var baselineID: Int64?
    public var task: String
    public var probe: String
    public var item: String
    /// JSON object of the item's categories.
    public var attributes: String
    /// JSON object of the model's scores for the item.
    public var scores: String

    enum CodingKeys: String, CodingKey {
        case id, cellID = "cell_id", baselineID = "baseline_id", task, probe, item, attributes, scores
    }

    public init(task: String, probe: String, item: String, attributes: String, scores: String) {
        self.task = task
        self.probe = probe
        self.item = item
        self.attributes = attributes
        self.scores = scores
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// How one probe metric moved from the base model to a cell's adapted model: the row a release
/// gate reads ("harm drift ≤ limit", overall or per group).
public struct ProbeDriftRow: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord, CellChildRecord {
    public static let databaseTableName = "probe_drift"
    public var id: Int64?
    public var cellID: Int64 = 0
    public var baselineID: Int64?
    public var task: String
    public var probe: String
    public var kind: String
    public var metric: String
    public var group: String
    public var base: Double
    public var adapted: Double
    /// adapted − base, with its interval.
    public var drift: Double
    public var low: Double?
    public var high: Double?
    public var ideal: Double
    public var harmDirection: String
    /// |adapted − ideal| − |base − ideal|: positive is a move toward harm.
    public var harmDrift: Double
    public var harmLow: Double?
    public var harmHigh: Double?
    /// Whether the interval pairs both models' scores of the same items.
    public var paired: Bool
    public var items: Int

    enum CodingKeys: String, CodingKey {
        case id, cellID = "cell_id", baselineID = "baseline_id", task, probe, kind, metric, group = "group_name", base, adapted
        case drift, low, high, ideal, harmDirection = "harm_direction", harmDrift = "harm_drift", harmLow = "harm_low"
        case harmHigh = "harm_high", paired, items
    }

    public init(task: String, probe: String, kind: String, metric: String, group: String, base: Double, adapted: Double,
                drift: Double, low: Double?, high: Double?, ideal: Double, harmDirection: String, harmDrift: Double,
                harmLow: Double?, harmHigh: Double?, paired: Bool, items: Int) {
        self.task = task
        self.probe = probe
        self.kind = kind
        self.metric = metric
        self.group = group
        self.base = base
        self.adapted = adapted
        self.drift = drift
        self.low = low
        self.high = high
        self.ideal = ideal
        self.harmDirection = harmDirection
        self.harmDrift = harmDrift
        self.harmLow = harmLow
        self.harmHigh = harmHigh
        self.paired = paired
        self.items = items
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A cell's probe results, written with the cell in one transaction.
public struct CellProbeResults: Sendable, Equatable {
    public var metrics: [ProbeMetricRow]
    public var items: [ProbeItemRow]
    public var drift: [ProbeDriftRow]

    public init(metrics: [ProbeMetricRow] = [], items: [ProbeItemRow] = [], drift: [ProbeDriftRow] = []) {
        self.metrics = metrics
        self.items = items
        self.drift = drift
    }

    var isEmpty: Bool { metrics.isEmpty && items.isEmpty && drift.isEmpty }

    func insert(_ db: Database, cellID: Int64) throws {
        try metrics.insert(db, cellID: cellID, baselineID: nil)
        try items.insert(db, cellID: cellID, baselineID: nil)
        try drift.insert(db, cellID: cellID)
    }
}

/// A base model's stored probe result.
public struct StoredProbeBaseline: Sendable {
    public var record: ProbeBaselineRecord
    public var metrics: [ProbeMetricRow]
    public var items: [ProbeItemRow]
}

/// A run's probe results: per cell its metrics and drift, and the baselines they compare with.
public struct RunProbeResults: Sendable {
    public var metrics: [Int64: [ProbeMetricRow]]
    public var drift: [Int64: [ProbeDriftRow]]
    public var baselines: [ProbeBaselineRecord]
    public var baselineMetrics: [Int64: [ProbeMetricRow]]
}

extension ResultDatabase {
    /// The stored baseline with this key, with its metrics and items.
    public func probeBaseline(key: String) throws -> StoredProbeBaseline? {
        try read { db in
            guard let record = try ProbeBaselineRecord.filter(sql: "key = ?", arguments: [key]).fetchOne(db), let id = record.id
            else { return nil }
            return StoredProbeBaseline(
                record: record,
                metrics: try ProbeMetricRow.filter(sql: "baseline_id = ?", arguments: [id]).order(sql: "id").fetchAll(db),
                items: try ProbeItemRow.filter(sql: "baseline_id = ?", arguments: [id]).order(sql: "id").fetchAll(db))
        }
    }

    /// Stores a baseline with its metrics and items in one transaction; when another process
    /// stored the same key meanwhile, keeps and returns that one.
    public func storeProbeBaseline(_ record: ProbeBaselineRecord, metrics: [ProbeMetricRow], items: [ProbeItemRow]) throws
        -> ProbeBaselineRecord
    {
        try write { db in
            if let existing = try ProbeBaselineRecord.filter(sql: "key = ?", arguments: [record.key]).fetchOne(db) { return existing }
            var stored = record
            try stored.insert(db)
            try metrics.insert(db, cellID: nil, baselineID: stored.id)
            try items.insert(db, cellID: nil, baselineID: stored.id)
            return stored
        }
    }

    /// The probe metrics and drift of a run's cells, and the baselines they compare with.
    public func probeResults(ofRun id: Int64) throws -> RunProbeResults {
        _ = try run(id: id)
        return try read { db in
            // A read-only database from before the probe migration has no probe tables.
            guard try db.tableExists("probe_drift") else {
                return RunProbeResults(metrics: [:], drift: [:], baselines: [], baselineMetrics: [:])
            }
            let cells = "SELECT cell_id FROM run_cells WHERE run_id = ?"
            let metrics = try ProbeMetricRow.filter(sql: "cell_id IN (\(cells))", arguments: [id]).order(sql: "id").fetchAll(db)
            let drift = try ProbeDriftRow.filter(sql: "cell_id IN (\(cells))", arguments: [id]).order(sql: "id").fetchAll(db)
            let baselineIDs = Set(drift.compactMap(\.baselineID))
            let baselines = try ProbeBaselineRecord.filter(
                sql: "run_id = ? OR id IN (SELECT baseline_id FROM probe_drift WHERE cell_id IN (\(cells)))", arguments: [id, id]
            ).order(sql: "id").fetchAll(db)
            let ids = Set(baselines.compactMap(\.id)).union(baselineIDs)
            let baselineMetrics = try ProbeMetricRow.filter(
                sql: "baseline_id IN (\(ids.map(String.init).joined(separator: ",")))"
            ).order(sql: "id").fetchAll(db)
            return RunProbeResults(
                metrics: Dictionary(grouping: metrics) { $0.cellID ?? 0 }, drift: Dictionary(grouping: drift, by: \.cellID),
                baselines: baselines, baselineMetrics: Dictionary(grouping: baselineMetrics) { $0.baselineID ?? 0 })
        }
    }
}

/// The probe rows of a database being merged into another.
struct ProbeSnapshot {
    var baselines: [ProbeBaselineRecord]
    var metrics: [ProbeMetricRow]
    var items: [ProbeItemRow]
    var drift: [ProbeDriftRow]

    init(_ db: Database) throws {
        // A read-only source from before the probe migration has none.
        guard try db.tableExists("probe_drift") else {
            (baselines, metrics, items, drift) = ([], [], [], [])
            return
        }
        baselines = try ProbeBaselineRecord.order(sql: "id").fetchAll(db)
        metrics = try ProbeMetricRow.order(sql: "id").fetchAll(db)
        items = try ProbeItemRow.order(sql: "id").fetchAll(db)
        drift = try ProbeDriftRow.order(sql: "id").fetchAll(db)
    }

    /// Adds baselines missing by key, and the probe rows of the cells the merge added
    /// (`cellIDs` maps source cell ids to new ones; cells already present keep theirs).
    func merge(into db: Database, runIDs: [Int64: Int64], addedCells cellIDs: [Int64: Int64]) throws {
        var baselineIDs: [Int64: Int64] = [:]
        for baseline in baselines {
            guard let sourceID = baseline.id else { continue }
            if let existing = try ProbeBaselineRecord.filter(sql: "key = ?", arguments: [baseline.key]).fetchOne(db) {
                baselineIDs[sourceID] = existing.id
                continue
            }
            var copy = baseline
            copy.id = nil
            copy.runID = baseline.runID.flatMap { runIDs[$0] }
            try copy.insert(db)
            baselineIDs[sourceID] = copy.id
            try metrics.filter { $0.baselineID == sourceID }.insert(db, cellID: nil, baselineID: copy.id)
            try items.filter { $0.baselineID == sourceID }.insert(db, cellID: nil, baselineID: copy.id)
        }
        for (sourceID, id) in cellIDs {
            try metrics.filter { $0.cellID == sourceID }.insert(db, cellID: id, baselineID: nil)
            try items.filter { $0.cellID == sourceID }.insert(db, cellID: id, baselineID: nil)
            try drift.filter { $0.cellID == sourceID }.map { row in
                var copy = row
                copy.baselineID = row.baselineID.flatMap { baselineIDs[$0] }
                return copy
            }.insert(db, cellID: id)
        }
    }
}
