import Foundation
import ResultStore
import TestSupport
import Testing

/// Starts `adapteval` without waiting for it.
func startAdaptEval(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = CommandRunner.executable
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// Polls the database (as another process would) until `condition` holds or time runs out.
func waitForDatabase(_ path: String, timeout: Double = 120, until condition: (ResultDatabase) throws -> Bool) throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if let database = try? ResultDatabase(path: path, readOnly: true), (try? condition(database)) == true { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return false
}

@Suite struct RunCommandTests {
    /// Ten cells that each take a noticeable time, so a kill lands mid-run: three strategies
    /// direct and the two that carry learning through the food stage, two seeds.
    static func slowSuite() throws -> TinySuite {
        try TinySuite.make(
            yaml: TinySuite.yaml(strategies: ["full", "bitfit", "linear-probe"], seeds: [1, 2], epochs: 3),
            examplesPerDomain: 240, hidden: 32, layers: 2)
    }

    @Test func aRunKilledWithSIGKILLResumesWithoutLosingOrDuplicatingCells() throws {
        let fixture = try Self.slowSuite()
        let db = fixture.path("results.sqlite").path
        let child = try startAdaptEval(["run", fixture.suite.path, "--db", db])
        let started = try waitForDatabase(db) { try $0.runSummaries().first.map { $0.finishedCells >= 2 } ?? false }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(started, "no cell finished before the time limit")
        #expect(child.terminationReason == .uncaughtSignal)
        let killed = try ResultDatabase(path: db, readOnly: true)
        let before = try killed.runSummaries()
        #expect(before.count == 1 && before[0].run.status == .running)
        let finishedBefore = try killed.cells(ofRun: try #require(before[0].run.id)).filter { $0.cell.status == .finished }
        #expect(finishedBefore.count >= 2 && finishedBefore.count < 10, "the kill should land mid-run")

        let resumed = try CommandRunner.run(["run", fixture.suite.path, "--db", db, "--json"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let outcome = try JSONSerialization.jsonObject(with: Data(resumed.standardOutput.utf8)) as? [String: Any] ?? [:]
        #expect(outcome["reused"] as? Int == finishedBefore.count)
        #expect(outcome["computed"] as? Int == 10 - finishedBefore.count)
        let database = try ResultDatabase(path: db, readOnly: true)
        let counts = try database.tableCounts()
        #expect(counts["cells"] == 10)
        let runs = try database.runSummaries()
        #expect(runs.map(\.run.status) == [.finished, .interrupted], "the killed run is marked interrupted")
        let cells = try database.cells(ofRun: try #require(runs[0].run.id))
        #expect(cells.count == 10 && cells.allSatisfy { $0.cell.status == .finished })
        for old in finishedBefore {
            let now = try #require(cells.first { $0.cell.key == old.cell.key })
            #expect(now.cell.id == old.cell.id && now.reused && now.metrics == old.metrics)
        }
    }

    @Test func twoProcessesRunningOneSuiteOnOneDatabaseShareTheWorkWithoutDuplicates() throws {
        let fixture = try Self.slowSuite()
        let db = fixture.path("results.sqlite").path
        let first = try ChildProcess(["run", fixture.suite.path, "--db", db])
        let second = try ChildProcess(["run", fixture.suite.path, "--db", db])
        for child in [first, second] where child.waitForExit(timeout: 300) == nil { child.kill() }
        // A process that left cells to the other (which was computing them) ends with an
        // incomplete run, exit 3, saying so; the two together computed every cell once.
        for child in [first, second] where child.status != 0 {
            #expect(child.status == 3 && child.standardError.contains("left unfinished (being computed by run "),
                    "exit \(child.status): \(child.standardError)")
        }
        let database = try ResultDatabase(path: db, readOnly: true)
        #expect(try database.tableCounts()["cells"] == 10)
        let runs = try database.runSummaries()
        #expect(runs.count == 2)
        for run in runs {
            let cells = try database.cells(ofRun: try #require(run.run.id))
            #expect(cells.allSatisfy { $0.cell.status == .finished })
        }
        // Every cell was computed by exactly one of the two processes.
        let computed = try runs.flatMap { try database.cells(ofRun: $0.run.id!).filter { !$0.reused }.map(\.cell.key) }
        #expect(computed.count == Set(computed).count && computed.count == 10)
    }

    @Test func aRunThatLeavesACellToAnotherLiveRunExits3AndCountsIt() throws {
        // Two cells: the linear probe on movies with seeds 1 and 2.
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["linear-probe"], seeds: [1, 2], epochs: 1))
        let db = fixture.path("results.sqlite").path
        let plan = try CommandRunner.run(["run", fixture.suite.path, "--db", db, "--dry-run", "--json"])
        let planned = (try JSONSerialization.jsonObject(with: Data(plan.standardOutput.utf8)) as? [String: Any])?["cells"]
        let key = try #require((planned as? [[String: Any]])?.first?["key"] as? String)
        // A live run on this host (this test process) is computing the first cell.
        let database = try ResultDatabase(path: db)
        let other = try #require(try database.startRun(RunRecord(
            suiteName: "tiny", suiteVersion: "1", suitePath: fixture.suite.path, suiteSHA256: "0", config: "{}", tag: nil,
            gitRevision: nil, adaptEvalVersion: "test", host: ProcessInfo.processInfo.hostName,
            processID: Int64(getpid()), threads: 1, shard: nil, plannedCells: 2)).id)
        _ = try database.beginCell(
            CellRecord(key: key, model: "tiny", modelSHA256: "0", strategy: "linear-probe", options: "{}", seed: 1,
                       chain: #"["movies"]"#, targetTask: "movies", config: "{}"),
            runID: other, position: 0)

        let result = try CommandRunner.run(["run", fixture.suite.path, "--db", db])
        #expect(result.status == 3, "\(result.standardError)")
        #expect(result.standardOutput.contains("2 cell(s): 1 computed, 0 reused, 0 failed, 1 left unfinished (being computed by run \(other))"),
                "\(result.standardOutput)")
        #expect(result.standardError.contains("1 cell(s) left unfinished (being computed by run \(other)); the run is incomplete"),
                "\(result.standardError)")
        let again = try CommandRunner.run(["run", fixture.suite.path, "--db", db, "--json"])
        #expect(again.status == 3)
        let outcome = try JSONSerialization.jsonObject(with: Data(again.standardOutput.utf8)) as? [String: Any] ?? [:]
        #expect(outcome["unfinished"] as? Int == 1 && outcome["reused"] as? Int == 1 && outcome["computed"] as? Int == 0)
        let runs = try ResultDatabase(path: db, readOnly: true).runSummaries()
        #expect(runs.prefix(2).allSatisfy { $0.run.status == .interrupted }, "an incomplete run is not finished")
    }

    @Test func ctrlCMarksTheRunInterruptedAndExitsWith130() throws {
        let fixture = try Self.slowSuite()
        let db = fixture.path("results.sqlite").path
        let child = try startAdaptEval(["run", fixture.suite.path, "--db", db])
        let started = try waitForDatabase(db) { try $0.runSummaries().first.map { $0.linkedCells >= 1 } ?? false }
        kill(child.processIdentifier, SIGINT)
        child.waitUntilExit()
        #expect(started)
        #expect(child.terminationStatus == 130)
        let runs = try ResultDatabase(path: db, readOnly: true).runSummaries()
        #expect(runs.first?.run.status == .interrupted)
    }

    @Test func runsListShowExportAndMergeDescribeTheSameCells() throws {
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["linear-probe", "bitfit"], epochs: 1))
        let a = fixture.path("a.sqlite").path
        let b = fixture.path("b.sqlite").path
        let run1 = try CommandRunner.run(["run", fixture.suite.path, "--db", a, "--shard", "1/2", "--tag", "first-half"])
        #expect(run1.status == 0, "\(run1.standardError)")
        #expect(run1.standardOutput.contains("database: \(a)"))
        #expect(try CommandRunner.run(["run", fixture.suite.path, "--db", b, "--shard", "2/2"]).status == 0)

        let list = try CommandRunner.run(["runs", "list", "--db", a, "--json"])
        let runs = try JSONSerialization.jsonObject(with: Data(list.standardOutput.utf8)) as? [[String: Any]] ?? []
        #expect(runs.count == 1 && runs[0]["tag"] as? String == "first-half" && runs[0]["shard"] as? String == "1/2")
        let commandLine = "run \(fixture.suite.path) --db \(a) --shard 1/2 --tag first-half"
        #expect((runs.first?["command_line"] as? String)?.hasSuffix(commandLine) == true, "\(runs.first?["command_line"] ?? "none")")

        let show = try CommandRunner.run(["runs", "show", "latest", "--db", a, "--json"])
        let run = try JSONSerialization.jsonObject(with: Data(show.standardOutput.utf8)) as? [String: Any] ?? [:]
        let cells = run["cells"] as? [[String: Any]] ?? []
        #expect(cells.count == 2)
        #expect(cells.allSatisfy { ($0["metrics"] as? [Any])?.isEmpty == false && $0["trainable_parameters"] is Int })
        let text = try CommandRunner.run(["runs", "show", "1", "--db", a])
        #expect(text.status == 0 && text.standardOutput.contains("accuracy [95% CI]"))

        let merged = fixture.path("all.sqlite").path
        let merge = try CommandRunner.run(["merge", a, b, "-o", merged, "--json"])
        #expect(merge.status == 0, "\(merge.standardError)")
        let mergeCounts = try JSONSerialization.jsonObject(with: Data(merge.standardOutput.utf8)) as? [String: Any] ?? [:]
        #expect(mergeCounts["cells_added"] as? Int == 3 && mergeCounts["runs_added"] as? Int == 2)
        let again = try CommandRunner.run(["merge", a, b, "-o", merged, "--json"])
        let againCounts = try JSONSerialization.jsonObject(with: Data(again.standardOutput.utf8)) as? [String: Any] ?? [:]
        #expect(againCounts["cells_added"] as? Int == 0 && againCounts["runs_added"] as? Int == 0)

        let csv = try CommandRunner.run(["export", "--db", merged, "--format", "csv"])
        let lines = csv.standardOutput.split(separator: "\n")
        #expect(lines.first == "run_id,run_tag,cell_key,strategy,options,seed,chain,target_task,status,stage,task,split,metric,value,low,high")
        let metricRows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .filter { !["verdict", "divergence"].contains($0[11]) }
        #expect(Set(metricRows.map { $0[2] }).count == 3, "three distinct cells")
        let json = try CommandRunner.run(["export", "--db", merged, "--format", "json", "--run", "latest"])
        let exported = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any] ?? [:]
        #expect((exported["runs"] as? [Any])?.count == 1)
        let mergedRuns = try CommandRunner.run(["runs", "list", "--db", merged, "--json"])
        #expect(mergedRuns.standardOutput.contains("--shard 2/2"), "a merge keeps each run's command line")

        let rerun = try CommandRunner.run(["run", fixture.suite.path, "--db", merged, "--dry-run", "--json"])
        let plan = try JSONSerialization.jsonObject(with: Data(rerun.standardOutput.utf8)) as? [String: Any] ?? [:]
        #expect((plan["cells"] as? [[String: Any]])?.allSatisfy { $0["cached"] as? Bool == true } == true)
    }

    @Test func anInvalidSuiteOrDatabaseExitsWith2NamingTheProblems() throws {
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["full", "magic"]).replacingOccurrences(
            of: "version: 1", with: "version: 1\nowner: me"))
        let result = try CommandRunner.run(["run", fixture.suite.path, "--db", fixture.path("r.sqlite").path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("\(fixture.suite.path): 2 problems:"))
        #expect(result.standardError.contains("\(fixture.suite.path):3:1: unknown key 'owner'"))
        #expect(result.standardError.contains("strategies[1]: unknown strategy 'magic'"))
        #expect(!FileManager.default.fileExists(atPath: fixture.path("r.sqlite").path), "nothing written for an invalid suite")

        let planOnly = try CommandRunner.run(["run", fixture.suite.path.replacingOccurrences(of: "suite.yaml", with: "ok.yaml"),
                                              "--dry-run"])
        #expect(planOnly.status == 2, "no such suite")
        let valid = try TinySuite.make()
        let dry = try CommandRunner.run(["run", valid.suite.path, "--dry-run", "--db", valid.path("plan.sqlite").path])
        #expect(dry.status == 0 && dry.standardOutput.hasPrefix("3 of 3 cell(s)"), "\(dry.standardOutput)")
        #expect(!FileManager.default.fileExists(atPath: valid.path("plan.sqlite").path), "a dry run creates no database")
        let shard = try CommandRunner.run(["run", valid.suite.path, "--shard", "3/2", "--dry-run"])
        #expect(shard.status == 2 && shard.standardError.contains("--shard"))
        let missing = try CommandRunner.run(["runs", "list", "--db", fixture.path("none.sqlite").path])
        #expect(missing.status == 2 && missing.standardError.contains("none.sqlite"))
    }
}
