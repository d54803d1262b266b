import Foundation
import ResultStore
import TestSupport
import Testing

/// Results databases the user may read but not write (a CI artifact, a read-only mount, another
/// user's file), opened by every command that only reads, as an unprivileged user; commands
/// that must write say the file is read-only.
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root to switch to an unprivileged user and to mount"))
struct ReadOnlyDatabaseTests {
    /// Runs commands as `nobody` with no supplementary groups.
    static let nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    static func asNobody(_ arguments: [String]) throws -> CommandRunner.Result {
        try CommandRunner.run(arguments, environment: ["HOME": "/tmp"], prefix: nobody)
    }

    /// A database with one finished run of two cells, written by root beside its suite.
    static func finishedRun() throws -> (fixture: TinySuite, database: URL) {
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["linear-probe"], epochs: 1))
        let database = fixture.path("results.sqlite")
        let run = try CommandRunner.run(["run", fixture.suite.path, "--db", database.path])
        #expect(run.status == 0, "\(run.standardError)")
        return (fixture, database)
    }

    /// A folder `nobody` may write in, for outputs.
    static func writableFolder() throws -> URL {
        let folder = try TestPaths.temporaryDirectory("adapteval-nobody")
        chmod(folder.path, 0o777)
        return folder
    }

    /// Every reading command on `path`: each exits 0 and shows the run.
    static func expectEveryReadingCommandWorks(on path: String, suite: URL, _ context: String) throws {
        let list = try asNobody(["runs", "list", "--db", path])
        #expect(list.status == 0 && list.standardOutput.contains("finished"), "\(context): runs list: \(list.standardError)")
        let listJSON = try asNobody(["runs", "list", "--db", path, "--json"])
        #expect(listJSON.status == 0, "\(context): runs list --json: \(listJSON.standardError)")
        let show = try asNobody(["runs", "show", "latest", "--db", path])
        #expect(show.status == 0 && show.standardOutput.contains("linear-probe"), "\(context): runs show: \(show.standardError)")
        let csv = try asNobody(["export", "--db", path, "--format", "csv"])
        #expect(csv.status == 0 && csv.standardOutput.split(separator: "\n").count > 1, "\(context): export csv: \(csv.standardError)")
        let json = try asNobody(["export", "--db", path, "--format", "json", "--run", "latest"])
        #expect(json.status == 0 && json.standardOutput.contains("\"runs\""), "\(context): export json: \(json.standardError)")
        let dry = try asNobody(["run", suite.path, "--db", path, "--dry-run", "--json"])
        let plan = try? JSONSerialization.jsonObject(with: Data(dry.standardOutput.utf8)) as? [String: Any]
        let cached = (plan?["cells"] as? [[String: Any]])?.allSatisfy { $0["cached"] as? Bool == true }
        #expect(dry.status == 0 && cached == true, "\(context): run --dry-run: \(dry.standardError)")
        let merged = try writableFolder().appendingPathComponent("merged.sqlite").path
        let merge = try asNobody(["merge", path, "-o", merged])
        #expect(merge.status == 0, "\(context): merge: \(merge.standardError)")
        #expect(try ResultDatabase(path: merged, readOnly: true).runSummaries().count == 1, "\(context): merged runs")
    }

    /// Commands that must write the read-only database: exit 2, saying so.
    static func expectWritingCommandsRefuse(_ path: String, suite: URL, _ context: String) throws {
        let run = try asNobody(["run", suite.path, "--db", path])
        #expect(run.status == 2, "\(context): run: exit \(run.status) \(run.standardError)")
        #expect(run.standardError.contains("\(path) is read-only (the file or its folder)"), "\(context): \(run.standardError)")
        let other = try writableFolder().appendingPathComponent("other.sqlite").path
        _ = try ResultDatabase(path: other)
        let merge = try asNobody(["merge", other, "-o", path])
        #expect(merge.status == 2 && merge.standardError.contains("is read-only"), "\(context): merge -o: \(merge.standardError)")
        #expect(!run.standardError.contains("attempt to write a readonly database"))
    }

    @Test func aReadOnlyFileInAFolderNobodyMayWriteIsReadByEveryReadingCommand() throws {
        let (fixture, database) = try Self.finishedRun()
        let shared = try TestPaths.temporaryDirectory("adapteval-readonly")  // 0755, owned by root
        let copy = shared.appendingPathComponent("r.sqlite")
        try FileManager.default.copyItem(at: database, to: copy)
        chmod(copy.path, 0o444)
        try Self.expectEveryReadingCommandWorks(on: copy.path, suite: fixture.suite, "read-only folder")
        try Self.expectWritingCommandsRefuse(copy.path, suite: fixture.suite, "read-only folder")
        #expect(try FileManager.default.contentsOfDirectory(atPath: shared.path) == ["r.sqlite"])
    }

    @Test func aReadOnlyFileInAFolderNobodyMayWriteToLeavesNoFilesBesideIt() throws {
        let (fixture, database) = try Self.finishedRun()
        let shared = try Self.writableFolder()
        let copy = shared.appendingPathComponent("r.sqlite")
        try FileManager.default.copyItem(at: database, to: copy)
        chmod(copy.path, 0o444)
        try Self.expectEveryReadingCommandWorks(on: copy.path, suite: fixture.suite, "writable folder")
        try Self.expectWritingCommandsRefuse(copy.path, suite: fixture.suite, "writable folder")
        // Read as an immutable file: no -wal or -shm left, owned by nobody, in the owner's folder.
        let left = try FileManager.default.contentsOfDirectory(atPath: shared.path).filter { $0.hasPrefix("r.sqlite") }
        #expect(left == ["r.sqlite"])
    }

    @Test func aReadOnlyMountIsReadByEveryReadingCommandEvenWithAPendingWriteAheadLog() throws {
        let (fixture, database) = try Self.finishedRun()
        // A second run written into the log only: the writer keeps the file open, so nothing is
        // checkpointed, and the copy has a -wal and -shm that must be read, not ignored.
        let source = try TestPaths.temporaryDirectory("adapteval-mount-source")
        let writer = try ResultDatabase(path: database.path)
        _ = try writer.startRun(RunRecord(
            suiteName: "tiny", suiteVersion: "1", suitePath: fixture.suite.path, suiteSHA256: "0", config: "{}",
            status: .finished, tag: "only-in-the-log", gitRevision: nil, adaptEvalVersion: "test", host: "h", processID: 1,
            threads: 1, shard: nil, plannedCells: 0))
        for suffix in ["", "-wal", "-shm"] {
            try FileManager.default.copyItem(
                at: URL(fileURLWithPath: database.path + suffix), to: source.appendingPathComponent("r.sqlite" + suffix))
        }
        withExtendedLifetime(writer) {}
        #expect(((try FileManager.default.attributesOfItem(atPath: source.appendingPathComponent("r.sqlite-wal").path))[.size]
                 as? NSNumber)?.intValue ?? 0 > 0, "the copy should have a non-empty log")

        let mount = try TestPaths.temporaryDirectory("adapteval-mount")
        try Self.mountReadOnly(source, at: mount)
        defer { _ = try? Self.system(["/usr/bin/umount", mount.path]) }
        let copy = mount.appendingPathComponent("r.sqlite").path
        let list = try Self.asNobody(["runs", "list", "--db", copy, "--json"])
        #expect(list.status == 0, "\(list.standardError)")
        #expect(list.standardOutput.contains("only-in-the-log"), "the run in the write-ahead log is missing")
        try Self.expectWritingCommandsRefuse(copy, suite: fixture.suite, "read-only mount")

        // The same file after a checkpoint (no log): read as immutable from the mount.
        let plain = try TestPaths.temporaryDirectory("adapteval-mount-plain")
        try FileManager.default.copyItem(at: database, to: plain.appendingPathComponent("r.sqlite"))
        let plainMount = try TestPaths.temporaryDirectory("adapteval-mount")
        try Self.mountReadOnly(plain, at: plainMount)
        defer { _ = try? Self.system(["/usr/bin/umount", plainMount.path]) }
        try Self.expectEveryReadingCommandWorks(on: plainMount.appendingPathComponent("r.sqlite").path, suite: fixture.suite,
                                                "read-only mount")
    }

    /// A read-only bind mount of `source` at `target`.
    static func mountReadOnly(_ source: URL, at target: URL) throws {
        try system(["/usr/bin/mount", "--bind", source.path, target.path])
        try system(["/usr/bin/mount", "-o", "remount,bind,ro", target.path])
    }

    @discardableResult
    static func system(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(arguments.joined(separator: " ")) failed"])
        }
        return process.terminationStatus
    }
}
