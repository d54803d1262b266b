import Evaluation
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ResultDatabase {
    /// Opens `path` for writing, creating it when absent. A file or folder this process may not
    /// write is refused before SQLite tries (it would open the file read-only and fail at the
    /// first write with "attempt to write a readonly database").
    static func openForWriting(_ path: String, configuration: Configuration) throws -> DatabasePool {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder) else {
            throw ResultStoreError.cannotOpen(path: path, reason: "the folder \(folder) does not exist")
        }
        if let reason = readOnlyReason(path: path, folder: folder) {
            throw ResultStoreError.readOnly(path: path, reason: reason)
        }
        if !FileManager.default.fileExists(atPath: path) {
            try createMigrated(path, configuration: configuration)
        }
        do {
            return try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw openingError(path, error)
        }
    }

    /// Why this process may not write the database at `path`, or nil when it may. SQLite needs
    /// the folder too: it creates the `-wal` and `-shm` files beside the database.
    static func readOnlyReason(path: String, folder: String) -> String? {
        if access(folder, W_OK) != 0 {
            return errno == EROFS
                ? "the folder \(folder) is on a read-only file system"
                : "you may not create files in the folder \(folder), where SQLite keeps its -wal and -shm files"
        }
        if FileManager.default.fileExists(atPath: path), access(path, W_OK) != 0 {
            return errno == EROFS ? "the file is on a read-only file system" : "you may not write the file"
        }
        return nil
    }

    /// Creates a database at `path` that is complete from its first moment: migrated in WAL mode
    /// in a private file beside it, then hard-linked into place.
    ///
    /// Processes starting on the same new path at once each build their own file; the first
    /// link wins and the others open the winner's. Migrating one new file from two processes
    /// used to fail: both saw no schema, and the second's `CREATE TABLE` met the first's tables
    /// (and switching a new file to WAL can meet another process's lock outside the busy timeout).
    static func createMigrated(_ path: String, configuration: Configuration) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).creating").path
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) }
        }
        do {
            var settings = configuration
            settings.journalMode = .wal
            let queue = try DatabaseQueue(path: temporary, configuration: settings)
            try migrator.migrate(queue)
            // Everything into the main file, which is the only one linked.
            _ = try queue.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            try queue.close()
        } catch {
            throw openingError(path, error)
        }
        guard link(temporary, path) != 0 else { return }
        switch errno {
        case EEXIST:
            return  // another process created it first
        case EPERM, EOPNOTSUPP, EMLINK:
            return  // no hard links here: the caller creates the file in place, and `migrate` tolerates a race
        case let code:
            throw ResultStoreError.cannotOpen(path: path, reason: FileSystemErrorDescription.reason(forCode: code))
        }
    }

    /// Opens an existing file without ever writing to it.
    ///
    /// SQLite reads a WAL-mode file through a shared-memory index (`-shm`) that it creates beside
    /// the file, which a read-only folder forbids ("attempt to write a readonly database"), and
    /// which would otherwise be left, owned by this user, in someone else's folder. So a file
    /// this process may not write is opened `immutable` when its write-ahead log is empty (all
    /// its content is in the main file): no locks, no `-shm`. The trade-off: SQLite then assumes
    /// nobody changes the file while it is open; a writer that does (its owner running a suite
    /// at that moment) can make this reader see a half-written state. A non-empty log can only
    /// be read through the index: it is used when present or creatable, and otherwise the error
    /// says how to read the copy.
    static func openForReading(_ path: String, configuration: Configuration) throws -> (DatabaseQueue, immutable: Bool) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ResultStoreError.cannotOpen(path: path, reason: "no such file")
        }
        var settings = configuration
        settings.readonly = true
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let folderWritable = access(folder, W_OK) == 0
        let mayWrite = folderWritable && access(path, W_OK) == 0
        let log = path + "-wal"
        let logBytes = ((try? FileManager.default.attributesOfItem(atPath: log))?[.size] as? NSNumber)?.int64Value ?? 0
        let immutable = !mayWrite && logBytes == 0
        if !mayWrite, logBytes > 0, !folderWritable, !FileManager.default.fileExists(atPath: path + "-shm") {
            throw ResultStoreError.cannotOpen(
                path: path,
                reason: "its write-ahead log \(log) holds changes not yet in the file, and SQLite cannot create "
                    + "\(path)-shm to read them because the folder is read-only; copy the database together with "
                    + "its -wal file to a writable folder and read the copy")
        }
        let location = immutable ? URL(fileURLWithPath: path).absoluteString + "?immutable=1" : path
        do {
            return (try DatabaseQueue(path: location, configuration: settings), immutable)
        } catch {
            throw ResultStoreError.cannotOpen(path: path, reason: describe(error))
        }
    }

    /// The error for a failure while opening or migrating for writing: a database SQLite found
    /// read-only is the user's to fix (exit 2), like a missing folder.
    static func openingError(_ path: String, _ error: Error) -> ResultStoreError {
        if let error = error as? ResultStoreError { return error }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_READONLY {
            return .readOnly(path: path, reason: describe(error))
        }
        return .cannotOpen(path: path, reason: describe(error))
    }
}
