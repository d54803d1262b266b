import Foundation
@testable import ResultStore
import TestSupport
import Testing

/// A cell record with a key and a few results, as the runner would write them.
func sampleCell(_ key: String) -> CellRecord {
    CellRecord(key: key, model: "tiny", modelSHA256: String(repeating: "a", count: 64), strategy: "lora",
               options: #"{"rank":"8"}"#, seed: 1, chain: #"["movies"]"#, targetTask: "movies", config: "{}")
}

func sampleResult(metrics count: Int = 3) -> CellResult {
    CellResult(
        trainableParameters: 770, totalParameters: 22_000_000, bestEpoch: 2, stopReason: "completed", wallSeconds: 1.5,
        epochs: [EpochRow(stage: 0, task: "movies", evaluation: 0, epoch: 1, step: 10, learningRate: 1e-3, seconds: 0.5, isBest: true,
                          values: ["train_loss": 0.7, "validation_loss": 0.6, "validation_accuracy": 0.7,
                                   "validation_macro_f1": 0.69, "train_accuracy": 0.75])],
        metrics: (0..<count).map { MetricRow(stage: 0, task: "movies", split: "test", name: "m\($0)", value: Double($0), low: 0, high: 1) },
        predictions: [PredictionRow(stage: 0, task: "movies", split: "test", position: 0, exampleID: "x", gold: "positive",
                                    predicted: "negative", probabilities: [0.6, 0.4])],
        artifacts: [ArtifactRow(kind: "adapted-weights", path: "/tmp/x", sha256: "b", bytes: 10)])
}

func sampleRun(_ name: String = "tiny") -> RunRecord {
    RunRecord(suiteName: name, suiteVersion: "1", suitePath: "/s.yaml", suiteSHA256: "c", config: "{}", tag: nil,
              gitRevision: nil, adaptEvalVersion: "test", host: "test-host", processID: 1, threads: 2, shard: nil, plannedCells: 2)
}

func temporaryDatabasePath() throws -> String {
    try TestPaths.temporaryDirectory("adapteval-db").appendingPathComponent("results.sqlite").path
}

/// Runs sqlite3 (the command-line shell) on a database and returns its output.
func sqlite3(_ path: String, _ sql: String) throws -> (status: Int32, output: String) {
    try ExternalCommand.run(["sqlite3", "-batch", path, sql])
}

@Suite struct ResultDatabaseTests {
    @Test func aNewDatabaseHasTheNamedMigrationsAndUsesWriteAheadLogging() throws {
        let path = try temporaryDatabasePath()
        let database = try ResultDatabase(path: path)
        #expect(try database.appliedMigrations() == ResultDatabase.knownMigrations)
        #expect(ResultDatabase.knownMigrations.starts(with: ["v1-runs-cells-results", "v2-evaluation-values", "v2-adaptation-keys"]))
        let tables = try sqlite3(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;")
        for table in ["artifacts", "cells", "epochs", "metrics", "predictions", "run_cells", "runs"] {
            #expect(tables.output.split(separator: "\n").contains(Substring(table)), "\(tables.output)")
        }
        #expect(try sqlite3(path, "PRAGMA journal_mode;").output.trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
        // Opening again migrates nothing twice.
        #expect(try ResultDatabase(path: path).appliedMigrations() == ResultDatabase.knownMigrations)
    }

    @Test func aVersionOneDatabaseKeepsItsCurvesAsNamedValuesAfterTheUpgrade() throws {
        let path = try temporaryDatabasePath()
        try ResultDatabase.createOlder(path: path, upTo: "v1-runs-cells-results")
        let insert = try sqlite3(path, """
            INSERT INTO runs (uuid, suite_name, suite_version, suite_path, suite_sha256, config, started_at, status,
                adapteval_version, host, process_id, threads, planned_cells)
                VALUES ('u', 's', '1', '/s', 'x', '{}', '2026-11-01 00:00:00', 'finished', '0.2.0', 'h', 1, 2, 1);
            INSERT INTO cells (key, run_id, model, model_sha256, strategy, options, seed, chain, target_task, config, status,
                started_at) VALUES ('k', 1, 'm', 'a', 'lora', '{}', 1, '["t"]', 't', '{}', 'finished', '2026-11-01 00:00:00');
            INSERT INTO run_cells VALUES (1, 1, 0, 0);
            INSERT INTO epochs (cell_id, stage, task, epoch, step, train_loss, validation_loss, validation_accuracy,
                validation_macro_f1, learning_rate, seconds, is_best)
                VALUES (1, 0, 't', 1, 5, 0.7, 0.6, 0.75, 0.74, 0.001, 1.5, 0), (1, 0, 't', 2, 10, 0.5, 0.4, 0.8, 0.79, 0.0005, 3, 1);
            """)
        #expect(insert.status == 0, "\(insert.output)")
        let upgraded = try ResultDatabase(path: path)
        #expect(try upgraded.appliedMigrations() == ResultDatabase.knownMigrations)
        let epochs = try #require(try upgraded.cells(ofRun: 1).first).epochs
        #expect(epochs.map(\.evaluation) == [0, 1] && epochs.map(\.isBest) == [false, true])
        #expect(epochs[0].values == ["train_loss": 0.7, "validation_loss": 0.6, "validation_accuracy": 0.75,
                                     "validation_macro_f1": 0.74])
        #expect(epochs[1].value("validation_accuracy") == 0.8 && epochs[1].step == 10)
        let cell = try #require(try upgraded.cells(ofRun: 1).first).cell
        #expect(cell.adaptationKey == nil && cell.trainingCellID == nil)
    }

    @Test func aFinishedCellIsReadBackWithEverythingItProduced() throws {
        let database = try ResultDatabase(path: try temporaryDatabasePath())
        let run = try database.startRun(sampleRun())
        let runID = try #require(run.id)
        let begun = try database.beginCell(sampleCell("k1"), runID: runID, position: 0)
        #expect(!begun.isAlreadyFinished)
        let cellID = try #require(begun.cell.id)
        #expect(try database.finishedCell(key: "k1") == nil)
        try database.finishCell(id: cellID, result: sampleResult())
        try database.finishRun(id: runID, status: .finished)
        let cells = try database.cells(ofRun: runID)
        #expect(cells.count == 1)
        #expect(cells[0].cell.status == .finished && cells[0].cell.trainableParameters == 770 && cells[0].cell.bestEpoch == 2)
        #expect(cells[0].metrics.map(\.name) == ["m0", "m1", "m2"])
        #expect(cells[0].epochs.count == 1 && cells[0].artifacts.count == 1)
        #expect(try database.predictions(ofCell: cellID).first?.probabilities == "[0.6,0.4]")
        #expect(try database.run(id: runID).status == .finished)
        #expect(throws: ResultStoreError.noSuchRun(path: database.path, id: 99)) { try database.run(id: 99) }
    }

    @Test func aFailedOrAbandonedCellIsReplacedAndAFinishedOneLinked() throws {
        let database = try ResultDatabase(path: try temporaryDatabasePath())
        let first = try #require(try database.startRun(sampleRun()).id)
        let abandoned = try database.beginCell(sampleCell("k"), runID: first, position: 0)
        let second = try #require(try database.startRun(sampleRun()).id)
        let retried = try database.beginCell(sampleCell("k"), runID: second, position: 0)
        #expect(retried.cell.id != abandoned.cell.id && !retried.isAlreadyFinished)
        try database.failCell(id: try #require(retried.cell.id), error: "training diverged", wallSeconds: 1)
        let third = try #require(try database.startRun(sampleRun()).id)
        let again = try database.beginCell(sampleCell("k"), runID: third, position: 0)
        try database.finishCell(id: try #require(again.cell.id), result: sampleResult())
        let fourth = try #require(try database.startRun(sampleRun()).id)
        let linked = try database.beginCell(sampleCell("k"), runID: fourth, position: 0)
        #expect(linked.isAlreadyFinished && linked.cell.id == again.cell.id)
        let counts = try database.tableCounts()
        #expect(counts["cells"] == 1 && counts["metrics"] == 3)
        #expect(try database.cells(ofRun: fourth).first?.reused == true)
    }

    @Test func aCellALiveRunIsComputingIsLeftAloneAndAReplacedComputationCannotFinish() throws {
        let database = try ResultDatabase(path: try temporaryDatabasePath())
        let first = try #require(try database.startRun(sampleRun()).id)
        let owned = try database.beginCell(sampleCell("k"), runID: first, position: 0)
        let second = try #require(try database.startRun(sampleRun()).id)
        let busy = try database.beginCell(sampleCell("k"), runID: second, position: 0, isAlive: { _ in true })
        guard case .inProgressElsewhere(let other) = busy else {
            Issue.record("expected the cell to be in progress elsewhere, got \(busy)")
            return
        }
        #expect(other.id == owned.cell.id)
        // Its process gone, the second run takes the key over; the first can no longer finish it.
        let taken = try database.beginCell(sampleCell("k"), runID: second, position: 0, isAlive: { _ in false })
        #expect(taken.cell.id != owned.cell.id)
        #expect(throws: ResultStoreError.self) { try database.finishCell(id: try #require(owned.cell.id), result: sampleResult()) }
        try database.finishCell(id: try #require(taken.cell.id), result: sampleResult())
        #expect(try database.tableCounts()["cells"] == 1 && (try database.tableCounts()["metrics"]) == 3)
    }

    @Test func recomputingAFinishedCellKeepsItsIdAndReplacesItsResults() throws {
        let database = try ResultDatabase(path: try temporaryDatabasePath())
        let first = try #require(try database.startRun(sampleRun()).id)
        let cell = try database.beginCell(sampleCell("k"), runID: first, position: 0)
        try database.finishCell(id: try #require(cell.cell.id), result: sampleResult(metrics: 3))
        let second = try #require(try database.startRun(sampleRun()).id)
        let forced = try database.beginCell(sampleCell("k"), runID: second, position: 0, recomputing: true)
        #expect(!forced.isAlreadyFinished && forced.cell.id == cell.cell.id)
        try database.finishCell(id: try #require(forced.cell.id), result: sampleResult(metrics: 5))
        let counts = try database.tableCounts()
        #expect(counts["cells"] == 1 && counts["metrics"] == 5 && counts["epochs"] == 1)
        #expect(try database.cells(ofRun: first).count == 1, "the first run keeps its link")
    }

    @Test func mergingDatabasesKeepsEachRunAndCellOnceAndIsIdempotent() throws {
        let a = try ResultDatabase(path: try temporaryDatabasePath())
        let b = try ResultDatabase(path: try temporaryDatabasePath())
        for (database, keys) in [(a, ["shared", "only-a"]), (b, ["shared", "only-b", "failed-b"])] {
            let run = try #require(try database.startRun(sampleRun()).id)
            for (position, key) in keys.enumerated() {
                let id = try #require(try database.beginCell(sampleCell(key), runID: run, position: position).cell.id)
                if key.hasPrefix("failed") {
                    try database.failCell(id: id, error: "bad data", wallSeconds: 0)
                } else {
                    try database.finishCell(id: id, result: sampleResult())
                }
            }
            try database.finishRun(id: run, status: .finished)
        }
        let out = try ResultDatabase(path: try temporaryDatabasePath())
        let first = try out.merge(from: a)
        #expect(first.runsAdded == 1 && first.cellsAdded == 2)
        let second = try out.merge(from: b)
        #expect(second.runsAdded == 1 && second.cellsAdded == 2 && second.cellsAlreadyPresent == 1)
        let counts = try out.tableCounts()
        #expect(counts["runs"] == 2 && counts["cells"] == 4 && counts["run_cells"] == 5 && counts["metrics"] == 9)
        // Both runs see the shared cell.
        let runs = try out.runSummaries()
        #expect(runs.map(\.linkedCells).sorted() == [2, 3])
        let again = try out.merge(from: b)
        #expect(again.runsAdded == 0 && again.cellsAdded == 0 && again.runsAlreadyPresent == 1)
        #expect(try out.tableCounts() == counts)
    }

    @Test func aFinishedCellFromAMergeReplacesAFailedOne() throws {
        let a = try ResultDatabase(path: try temporaryDatabasePath())
        let b = try ResultDatabase(path: try temporaryDatabasePath())
        let runA = try #require(try a.startRun(sampleRun()).id)
        try a.failCell(id: try #require(try a.beginCell(sampleCell("k"), runID: runA, position: 0).cell.id), error: "x", wallSeconds: 0)
        let runB = try #require(try b.startRun(sampleRun()).id)
        try b.finishCell(id: try #require(try b.beginCell(sampleCell("k"), runID: runB, position: 0).cell.id), result: sampleResult())
        let summary = try a.merge(from: b)
        #expect(summary.cellsReplaced == 1)
        #expect(try a.finishedCell(key: "k") != nil)
        #expect(try a.tableCounts()["cells"] == 1)
    }

    @Test func readersInAnotherConnectionNeverSeeAHalfWrittenCell() async throws {
        let path = try temporaryDatabasePath()
        let writer = try ResultDatabase(path: path)
        let run = try #require(try writer.startRun(sampleRun()).id)
        let cellCount = 40
        let metricsPerCell = 200
        let reader = try ResultDatabase(path: path, readOnly: true)
        let writing = Task.detached {
            for index in 0..<cellCount {
                let id = try #require(try writer.beginCell(sampleCell("k\(index)"), runID: run, position: index).cell.id)
                try writer.finishCell(id: id, result: sampleResult(metrics: metricsPerCell))
            }
        }
        var observations = 0
        var sawPartial = false
        while true {
            let finished = try writer.isFinishedWriting(cells: cellCount, reader: reader)
            for detail in try reader.cells(ofRun: run) where detail.cell.status == .finished {
                if detail.metrics.count != metricsPerCell { sawPartial = true }
            }
            // A separate process reads too, through the sqlite3 shell.
            let shell = try sqlite3(path, "SELECT count(*) FROM metrics m JOIN cells c ON c.id = m.cell_id WHERE c.status = 'running';")
            #expect(shell.status == 0, "\(shell.output)")
            #expect(shell.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "metrics of an unfinished cell")
            observations += 1
            if finished { break }
        }
        try await writing.value
        #expect(!sawPartial)
        #expect(observations > 1)
        #expect(try reader.tableCounts()["metrics"] == cellCount * metricsPerCell)
    }

    @Test func aFileThatIsNotADatabaseOrIsNewerIsRefusedByName() throws {
        let path = try temporaryDatabasePath()
        try Data("not a database at all, just text".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try ResultDatabase(path: path)
            Issue.record("opened a text file")
        } catch let error as ResultStoreError {
            #expect(error.localizedDescription.hasPrefix("\(path): cannot open the results database"))
        }
        let newer = try temporaryDatabasePath()
        _ = try ResultDatabase(path: newer)
        #expect(try sqlite3(newer, "INSERT INTO grdb_migrations VALUES ('v9-from-the-future');").status == 0)
        #expect(throws: ResultStoreError.newerSchema(path: newer, unknown: ["v9-from-the-future"])) {
            try ResultDatabase(path: newer)
        }
        #expect(throws: ResultStoreError.self) { try ResultDatabase(path: "/no/such/folder/results.sqlite") }
        #expect(throws: ResultStoreError.self) { try ResultDatabase(path: try temporaryDatabasePath(), readOnly: true) }
    }
}

extension ResultDatabase {
    /// Whether `cells` cells are finished, as another connection sees it.
    func isFinishedWriting(cells: Int, reader: ResultDatabase) throws -> Bool {
        try reader.runSummaries().first.map { $0.finishedCells == cells } ?? false
    }
}
