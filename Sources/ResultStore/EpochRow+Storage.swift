import Foundation
import GRDB

/// The `epochs` row itself; the values live in `epoch_values`.
struct EpochStorageRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "epochs"
    var id: Int64?
    var cellID: Int64
    var stage: Int
    var task: String
    var evaluation: Int
    var epoch: Int
    var step: Int
    var learningRate: Double
    var seconds: Double
    var isBest: Bool

    enum CodingKeys: String, CodingKey {
        case id, cellID = "cell_id", stage, task, evaluation, epoch, step, learningRate = "learning_rate", seconds
        case isBest = "is_best"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension Array where Element == EpochRow {
    /// Inserts every row (and its values) as a new row of cell `cellID`.
    func insert(_ db: Database, cellID: Int64) throws {
        for row in self {
            var stored = EpochStorageRow(
                id: nil, cellID: cellID, stage: row.stage, task: row.task, evaluation: row.evaluation, epoch: row.epoch,
                step: row.step, learningRate: row.learningRate, seconds: row.seconds, isBest: row.isBest)
            try stored.insert(db)
            for (name, value) in row.values.sorted(by: { $0.key < $1.key }) where value.isFinite {
                try db.execute(sql: "INSERT INTO epoch_values (epoch_id, name, value) VALUES (?, ?, ?)",
                               arguments: [stored.id, name, value])
            }
        }
    }
}

extension EpochRow {
    /// The curves of the given cells, each in insertion order, with their values.
    static func fetch(_ db: Database, cellIDs: [Int64]) throws -> [Int64: [EpochRow]] {
        guard !cellIDs.isEmpty else { return [:] }
        let list = cellIDs.map(String.init).joined(separator: ",")
        let stored = try EpochStorageRow.fetchAll(db, sql: "SELECT * FROM epochs WHERE cell_id IN (\(list)) ORDER BY id")
        var values: [Int64: [String: Double]] = [:]
        let rows = try Row.fetchAll(db, sql: """
            SELECT v.epoch_id, v.name, v.value FROM epoch_values v JOIN epochs e ON e.id = v.epoch_id
            WHERE e.cell_id IN (\(list))
            """)
        for row in rows {
            let id: Int64 = row["epoch_id"]
            let name: String = row["name"]
            let value: Double? = row["value"]
            if let value { values[id, default: [:]][name] = value }
        }
        var result: [Int64: [EpochRow]] = [:]
        for row in stored {
            var epoch = EpochRow(
                stage: row.stage, task: row.task, evaluation: row.evaluation, epoch: row.epoch, step: row.step,
                learningRate: row.learningRate, seconds: row.seconds, isBest: row.isBest, values: values[row.id ?? 0] ?? [:])
            epoch.id = row.id
            epoch.cellID = row.cellID
            result[row.cellID, default: []].append(epoch)
        }
        return result
    }
}
