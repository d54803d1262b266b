import Foundation
import ResultStore
import TestSupport
import Testing

/// A checkpoint that cannot be written fails its cell (exit 3) with a message naming the file
/// that could not be written and why, leaves no `.partial` folder, and leaves the database whole.
@Suite struct ArtifactWriteTests {
    /// Three cells: the direct linear probe saves only its head (a few hundred bytes); full
    /// fine-tuning, direct and after the food stage, saves an encoder (about 80 KB at hidden size 32).
    static func suite() throws -> TinySuite {
        try TinySuite.make(yaml: TinySuite.yaml(strategies: ["full", "linear-probe"], epochs: 1), hidden: 32)
    }

    static func failedReasons(_ db: String) throws -> [String] {
        let database = try ResultDatabase(path: db, readOnly: true)
        let run = try #require(try database.latestRunID())
        return try database.cells(ofRun: run).filter { $0.cell.status == .failed }.compactMap(\.cell.error)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to mount a small tmpfs"))
    func aFullDiskFailsTheCellsWhoseCheckpointsDoNotFitAndSaysHowMuchSpaceTheyNeed() throws {
        let fixture = try Self.suite()
        let artifacts = fixture.path("artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        try ReadOnlyDatabaseTests.system(["/usr/bin/mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", artifacts.path])
        defer { _ = try? ReadOnlyDatabaseTests.system(["/usr/bin/umount", artifacts.path]) }
        let db = fixture.path("results.sqlite").path
        let result = try CommandRunner.run(["run", fixture.suite.path, "--db", db, "--artifacts", artifacts.path])
        #expect(result.status == 3, "\(result.standardError)")
        #expect(result.standardError.contains("2 cell(s) failed"), "\(result.standardError)")

        let reasons = try Self.failedReasons(db)
        #expect(reasons.count == 2)
        for reason in reasons {
            #expect(reason.hasPrefix("cannot write \(artifacts.path)/"), "\(reason)")
            #expect(reason.contains("/adapter.safetensors: no space left on device (the adapted checkpoint needs about "),
                    "\(reason)")
            #expect(reason.contains(" KB free where \(artifacts.path) is)"), "\(reason)")
            #expect(!reason.contains("cannot be read"))
        }
        // Only the finished cell's checkpoint is there: no `.partial` folder of a failed one.
        let entries = try FileManager.default.contentsOfDirectory(atPath: artifacts.path)
        #expect(entries.count == 1 && !entries[0].hasPrefix("."), "\(entries)")
        // The database is whole: the finished cell has its results and the others their reasons.
        let database = try ResultDatabase(path: db, readOnly: true)
        let cells = try database.cells(ofRun: try #require(try database.latestRunID()))
        #expect(cells.map(\.cell.status).filter { $0 == .finished }.count == 1)
        #expect(cells.first { $0.cell.status == .finished }.map { !$0.metrics.isEmpty && $0.artifacts.count == 2 } == true)
    }

    @Test func anArtifactsFolderBelowAFileFailsTheCellsSayingSo() throws {
        let fixture = try Self.suite()
        let db = fixture.path("results.sqlite").path
        let artifacts = fixture.suite.path + "/artifacts"
        let result = try CommandRunner.run(["run", fixture.suite.path, "--db", db, "--artifacts", artifacts])
        #expect(result.status == 3, "\(result.standardError)")
        let reasons = try Self.failedReasons(db)
        #expect(reasons.count == 3)
        for reason in reasons {
            #expect(reason == "cannot write \(artifacts): a part of the path is a file, not a folder", "\(reason)")
        }
    }
}
