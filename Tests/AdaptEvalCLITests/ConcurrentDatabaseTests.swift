import Foundation
import ResultStore
import TestSupport
import Testing

@Suite struct ConcurrentDatabaseTests {
    /// Several processes that create one new database at the same moment: each must find it
    /// created and migrated exactly once, whichever process got there first (two processes
    /// used to apply the first migration together, and the loser failed).
    @Test(.timeLimit(.minutes(3)))
    func processesCreatingOneNewDatabaseAtOnceAllSucceed() throws {
        let folder = try TestPaths.temporaryDirectory("adapteval-concurrent")
        let source = folder.appendingPathComponent("source.sqlite").path
        let seed = try ResultDatabase(path: source)
        _ = try seed.startRun(RunRecord(
            suiteName: "s", suiteVersion: "1", suitePath: "/s.yaml", suiteSHA256: "0", config: "{}", status: .finished, tag: nil,
            gitRevision: nil, adaptEvalVersion: "test", host: "h", processID: 1, threads: 1, shard: nil, plannedCells: 0))
        try seed.checkpoint()

        let rounds = 12
        let processes = 6
        var failures: [String] = []
        for round in 0..<rounds {
            let fresh = folder.appendingPathComponent("fresh-\(round).sqlite").path
            let children = try (0..<processes).map { _ in try ChildProcess(["merge", source, "-o", fresh]) }
            for child in children {
                if child.waitForExit(timeout: 60) == nil { child.kill() }
                if child.status != 0 { failures.append("round \(round): exit \(child.status): \(child.standardError)") }
            }
            let merged = try ResultDatabase(path: fresh, readOnly: true)
            #expect(try merged.appliedMigrations() == ["v1-runs-cells-results"])
            #expect(try merged.runSummaries().count == 1, "round \(round): the run was merged more than once")
        }
        #expect(failures.isEmpty, "\(failures.count) of \(rounds * processes) processes failed:\n\(failures.joined(separator: "\n"))")
    }
}
