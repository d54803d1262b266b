import Evaluation
import Foundation
import GRDB

/// The results database: one SQLite file in WAL mode, so `sqlite3`, reports and other processes
/// can read while a run writes. Every write is one transaction.
///
/// Opened for writing, a new file is created and migrated privately and then linked into place,
/// so processes starting on the same new path at once never migrate it together. Opened for
/// reading, nothing is ever written, also when the file or its folder is read-only (see
/// `openForReading` and docs/schema.md, "Read-only databases").
public final class ResultDatabase: Sendable {
    /// The file's path, as given.
    public let path: String
    /// Whether SQLite reads the file as unchangeable (a copy this process may not write; see
    /// `openForReading`).
    public let isImmutable: Bool
    let writer: any DatabaseWriter

    /// Opens (creating when absent) and migrates the database at `path`.
    ///
    /// - Parameter readOnly: opens an existing file without migrating or writing.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.label = "adapteval-results"
        if readOnly {
            (writer, isImmutable) = try Self.openForReading(path, configuration: configuration)
        } else {
            writer = try Self.openForWriting(path, configuration: configuration)
            isImmutable = false
        }
        let migrator = Self.migrator
        do {
            let applied = try writer.read { db in
                try db.tableExists("grdb_migrations") ? try migrator.appliedIdentifiers(db) : []
            }
            let unknown = applied.subtracting(migrator.migrations)
            guard unknown.isEmpty else { throw ResultStoreError.newerSchema(path: path, unknown: unknown.sorted()) }
            if readOnly {
                if applied.isEmpty {
                    throw ResultStoreError.cannotOpen(path: path, reason: "not an AdaptEval results database (no schema)")
                }
            } else if applied != Set(migrator.migrations) {
                try Self.migrate(writer, with: migrator)
            }
        } catch let error as ResultStoreError {
            throw error
        } catch {
            throw readOnly ? ResultStoreError.cannotOpen(path: path, reason: Self.describe(error)) : Self.openingError(path, error)
        }
    }

    /// Applies the migrations the file lacks. GRDB reads which are applied before its
    /// transaction, so another process may apply the same ones in between (ours then fails on
    /// tables that exist): what counts is that the schema is complete afterwards.
    static func migrate(_ writer: any DatabaseWriter, with migrator: DatabaseMigrator) throws {
        do {
            try migrator.migrate(writer)
        } catch {
            guard (try? writer.read({ db in try migrator.hasCompletedMigrations(db) })) == true else { throw error }
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
            if let error = error as? DatabaseError, error.resultCode == .SQLITE_READONLY {
                throw ResultStoreError.readOnly(path: path, reason: Self.describe(error))
            }
            throw ResultStoreError.failed(path: path, reason: Self.describe(error))
        }
    }

    /// SQLite's message, or plain words for a file error.
    static func describe(_ error: Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? error.description
        }
        return FileSystemErrorDescription.message(for: error)
    }

    /// Moves the write-ahead log into the main file, so copying the .sqlite file alone is enough.
    ///
    /// Best effort: while another process reads (a second run on the same file, `runs list`),
    /// the log cannot be emptied and SQLite answers "database is locked"; nothing is lost, and
    /// the last writer to close the file moves the log in. Returns whether it was emptied.
    @discardableResult
    public func checkpoint() throws -> Bool {
        do {
            _ = try writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            return true
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            return false
        } catch {
            throw ResultStoreError.failed(path: path, reason: Self.describe(error))
        }
    }
}
