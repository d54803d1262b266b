import Evaluation
import Foundation
import GRDB

/// The results database keeps served models' answers (`responses`, docs/schema.md), so suites
/// and `adapteval generate --cache FILE` answer a repeated request without sending it. A
/// cache-only file is an ordinary results database whose other tables stay empty.
extension ResultDatabase: ResponseCache {
    public func cachedResponse(digest: String) throws -> Data? {
        try read { db in try Data.fetchOne(db, sql: "SELECT body FROM responses WHERE digest = ?", arguments: [digest]) }
    }

    /// One transaction per answer, so an interrupted batch keeps every answer that arrived.
    /// The first answer under a digest stays.
    public func storeResponse(_ body: Data, digest: String, endpoint: String) throws {
        try write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO responses (digest, endpoint, body, created_at) VALUES (?, ?, ?, ?)",
                arguments: [digest, endpoint, body, Date()])
        }
    }

    /// How many answers the cache holds.
    public func cachedResponseCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM responses") ?? 0 }
    }
}

/// A cached answer as merging copies it.
struct ResponseRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "responses"
    var digest: String
    var endpoint: String
    var body: Data
    var createdAt: Date

    enum CodingKeys: String, CodingKey { case digest, endpoint, body, createdAt = "created_at" }

    /// Copies answers the target lacks; returns how many were added.
    static func copy(_ records: [ResponseRecord], into db: Database) throws -> Int {
        var added = 0
        for record in records {
            try record.insert(db, onConflict: .ignore)
            added += db.changesCount
        }
        return added
    }
}
