import Foundation
import GRDB

/// The results database: one SQLite file in WAL mode, so `sqlite3`, reports and other processes
/// can read while a run writes. Every write is one transaction.
public final class ResultDatabase: Sendable {
    /// The file's path, as given.
    public let path: String
    let writer: DatabasePool

    /// Opens (creating when absent) and migrates the database at `path`.
    ///
    /// - Parameter readOnly: opens an existing file without migrating or writing.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.readonly = readOnly
        configuration.label = "adapteval-results"
        if readOnly, !FileManager.default.fileExists(atPath: path) {
            throw ResultStoreError.cannotOpen(path: path, reason: "no such file")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !readOnly, !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            throw ResultStoreError.cannotOpen(path: path, reason: "the folder \(directory) does not exist")
        }
        do {
            writer = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw ResultStoreError.cannotOpen(path: path, reason: Self.describe(error))
        }
        let migrator = Self.migrator
        do {
            let applied = try writer.read { db in
                try db.tableExists("grdb_migrations") ? try migrator.appliedIdentifiers(db) : []
            }
            let unknown = applied.subtracting(migrator.migrations)
            guard unknown.isEmpty else { throw ResultStoreError.newerSchema(path: path, unknown: unknown.sorted()) }
            if !readOnly {
                try migrator.migrate(writer)
            } else if applied.isEmpty {
                throw ResultStoreError.cannotOpen(path: path, reason: "not an AdaptEval results database (no schema)")
            }
        } catch let error as ResultStoreError {
            throw error
        } catch {
            throw ResultStoreError.cannotOpen(path: path, reason: Self.describe(error))
        }
    }

    /// Creates a database with the migrations up to `lastMigration` only, as an older
    /// AdaptEval left it (tests of upgrades).
    static func createOlder(path: String, upTo lastMigration: String) throws {
        let pool = try DatabasePool(path: path)
        try migrator.migrate(pool, upTo: lastMigration)
    }

    /// Every migration this build knows, in order.
    public static var knownMigrations: [String] { migrator.migrations }

    /// The names of the migrations applied to this file, in order.
    public func appliedMigrations() throws -> [String] {
        try read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// Runs a read against a consistent snapshot, wrapping SQLite errors with the path.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try writer.read(body) } catch let error as ResultStoreError { throw error } catch {
            throw ResultStoreError.failed(path: path, reason: Self.describe(error))
        }
    }

    /// Runs one write transaction, wrapping SQLite errors with the path.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try writer.write(body) } catch let error as ResultStoreError { throw error } catch {
            throw ResultStoreError.failed(path: path, reason: Self.describe(error))
        }
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? error.description
        }
        return error.localizedDescription
    }

    /// Moves the write-ahead log into the main file, so copying the .sqlite file alone is enough.
    public func checkpoint() throws {
        do {
            _ = try writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        } catch {
            throw ResultStoreError.failed(path: path, reason: Self.describe(error))
        }
    }
}
