import Adaptation
import Foundation
import ResultStore
import Suites
import TestSupport
import Testing

/// Records what a runner reports.
final class RecordingObserver: RunObserver {
    var outcomes: [CellOutcome] = []
    var progressReports = 0
    func runStarted(runID: Int64, cells: Int, cached: Int) {}
    func cellStarted(_ cell: PlannedCell, number: Int, of total: Int) {}
    func cellProgress(_ cell: PlannedCell, stage: Int, stages: Int, progress: TrainingProgress) { progressReports += 1 }
    func cellFinished(_ cell: PlannedCell, number: Int, of total: Int, outcome: CellOutcome) { outcomes.append(outcome) }
}

func runSuite(_ fixture: TinySuite, database: ResultDatabase, options: SuiteRunner.Options = .init(),
              observer: RecordingObserver? = nil) throws -> RunOutcome {
    let suite = try SuiteLoader(environment: [:]).load(path: fixture.suite.path)
    let runner = SuiteRunner(suite: suite, plan: try Plan(suite: suite), database: database, options: options)
    runner.observer = observer
    return try runner.run()
}

@Suite struct SuiteRunnerTests {
    @Test func aRunStoresEveryCellsCurvesScoresPredictionsAndCheckpoint() throws {
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["lora", "zero-shot"]).replacingOccurrences(
            of: "    data: movies\n", with: "    data: movies\n    label_descriptions: [bad, good]\n"))
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let observer = RecordingObserver()
        let artifacts = fixture.path("artifacts")
        let outcome = try runSuite(fixture, database: database, options: .init(artifactsDirectory: artifacts), observer: observer)
        #expect(outcome.computed == 3 && outcome.failed == 0 && outcome.reused == 0)
        #expect(observer.progressReports > 0)
        let cells = try database.cells(ofRun: outcome.runID)
        #expect(cells.map(\.cell.strategy) == ["lora", "zero-shot", "lora"])
        for detail in cells {
            let cell = detail.cell
            #expect(cell.status == .finished)
            let stages = cell.chainTasks.count
            let accuracy = try #require(detail.metrics.first {
                $0.name == "accuracy" && $0.split == "test" && $0.task == "movies" && $0.stage == stages - 1
            })
            #expect((0...1).contains(accuracy.value))
            #expect(try #require(accuracy.low) <= accuracy.value && accuracy.value <= (try #require(accuracy.high)))
            for name in ["macro_f1", "weighted_f1", "ece", "loss", "precision[positive]", "recall[negative]", "f1[positive]"] {
                #expect(detail.metrics.contains { $0.name == name }, "\(name)")
            }
            #expect(detail.artifacts.count == 2)
            for artifact in detail.artifacts { #expect(FileManager.default.fileExists(atPath: artifact.path)) }
            #expect(try database.predictions(ofCell: try #require(cell.id)).filter { $0.task == "movies" }.count == 8)
            if cell.strategy == "lora" {
                #expect(cell.trainableParameters! > 34, "LoRA trains more than the head")
                #expect(detail.epochs.filter(\.isBest).count == stages)
                #expect(cell.bestEpoch != nil)
            } else {
                #expect(cell.trainableParameters == 0 && detail.epochs.isEmpty)
            }
        }
        // The chain scores its source task after the source stage and again after the target stage.
        let chained = try #require(cells.first { $0.cell.chainTasks == ["food", "movies"] })
        #expect(Set(chained.metrics.filter { $0.task == "food" && $0.split == "test" && $0.name == "accuracy" }.map(\.stage)) == [0, 1])
    }

    /// Two keys per cell: a changed evaluation gives new evaluation keys but the same
    /// adaptation keys, so the stored checkpoints are scored again and nothing trains.
    @Test func aChangedEvaluationReevaluatesStoredCheckpointsWithoutTraining() throws {
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["lora"]))
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let artifacts = fixture.path("artifacts")
        let first = try runSuite(fixture, database: database, options: .init(artifactsDirectory: artifacts))
        let trained = try database.cells(ofRun: first.runID)
        #expect(first.computed == 2 && trained.allSatisfy { $0.cell.trainingCellID == nil && $0.cell.adaptationKey != nil })
        try fixture.rewrite(TinySuite.yaml(strategies: ["lora"]).replacingOccurrences(
            of: "bootstrap_resamples: 50", with: "bootstrap_resamples: 80, confidence: 0.5"))
        let observer = RecordingObserver()
        let second = try runSuite(fixture, database: database, options: .init(artifactsDirectory: artifacts), observer: observer)
        #expect(second.computed == 2 && second.reused == 0)
        #expect(observer.progressReports == 0, "no training step ran")
        let evaluated = try database.cells(ofRun: second.runID)
        for (old, new) in zip(trained, evaluated) {
            #expect(new.cell.key != old.cell.key && new.cell.adaptationKey == old.cell.adaptationKey)
            #expect(new.cell.trainingCellID == old.cell.id)
            #expect(new.epochs.map(\.values) == old.epochs.map(\.values) && new.cell.bestEpoch == old.cell.bestEpoch)
            #expect(new.cell.trainableParameters == old.cell.trainableParameters)
            // The same weights give the same predictions; the interval follows the new settings.
            let stage = old.cell.chainTasks.count - 1
            func accuracy(_ detail: RunCellDetail, task: String, stage: Int) -> MetricRow? {
                detail.metrics.first { $0.name == "accuracy" && $0.split == "test" && $0.task == task && $0.stage == stage }
            }
            let before = try #require(accuracy(old, task: "movies", stage: stage))
            let after = try #require(accuracy(new, task: "movies", stage: stage))
            #expect(after.value == before.value && after.high! - after.low! < before.high! - before.low!)
            #expect(try database.predictions(ofCell: new.cell.id!).map(\.predicted)
                    == (try database.predictions(ofCell: old.cell.id!).map(\.predicted)))
            if stage == 1 {
                // The source task after its own stage is the training cell's; after the target stage it is re-scored.
                #expect(accuracy(new, task: "food", stage: 0)?.value == accuracy(old, task: "food", stage: 0)?.value)
                #expect(accuracy(new, task: "food", stage: 1)?.value == accuracy(old, task: "food", stage: 1)?.value)
            }
        }
    }

    @Test func aSecondRunOfAnUnchangedSuiteReusesEveryCell() throws {
        let fixture = try TinySuite.make()
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let first = try runSuite(fixture, database: database)
        let counts = try database.tableCounts()
        let second = try runSuite(fixture, database: database)
        // full on [movies] and [food, movies], the linear probe on [movies] only.
        #expect(first.computed == 3 && second.computed == 0 && second.reused == 3)
        var after = try database.tableCounts()
        #expect(after["cells"] == counts["cells"] && after["metrics"] == counts["metrics"] && after["runs"] == 2)
        #expect(try database.cells(ofRun: second.runID).allSatisfy(\.reused))
        // A changed seed computes only the new cells.
        try fixture.rewrite(TinySuite.yaml(seeds: [1, 2]))
        let third = try runSuite(fixture, database: database)
        #expect(third.computed == 3 && third.reused == 3)
        // --force recomputes without adding cells.
        let forced = try runSuite(fixture, database: database, options: .init(force: true))
        #expect(forced.computed == 6 && forced.reused == 0)
        after = try database.tableCounts()
        #expect(after["cells"] == 6)
    }

    @Test func aDivergingCellIsRecordedAsFailedAndTheOthersContinue() throws {
        let text = TinySuite.yaml(strategies: ["{name: full, training: {learning_rate: 1.0e+30, max_grad_norm: 0}}", "linear-probe"])
        let fixture = try TinySuite.make(yaml: text)
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let outcome = try runSuite(fixture, database: database)
        #expect(outcome.failed == 2 && outcome.computed == 1)
        let cells = try database.cells(ofRun: outcome.runID)
        let failed = cells.filter { $0.cell.status == .failed }
        #expect(failed.count == 2)
        for detail in failed {
            #expect(detail.cell.error?.contains("training diverged") == true, "\(detail.cell.error ?? "")")
            #expect(detail.metrics.isEmpty)
        }
        #expect(try database.run(id: outcome.runID).status == .failed)
        // A re-run retries the failed cells (they still fail) without duplicating them.
        let again = try runSuite(fixture, database: database)
        #expect(again.failed == 2 && again.reused == 1)
        #expect(try database.tableCounts()["cells"] == 3)
    }

    @Test func shardsRunIntoSeparateDatabasesMergeIntoTheFullRun() throws {
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["linear-probe", "bitfit"], seeds: [1, 2], epochs: 1))
        let plan = try Plan(suite: try SuiteLoader(environment: [:]).load(path: fixture.suite.path))
        var shards: [ResultDatabase] = []
        for index in 1...3 {
            let database = try ResultDatabase(path: fixture.path("shard-\(index).sqlite").path)
            let outcome = try runSuite(fixture, database: database, options: .init(shard: (index, 3)))
            #expect(outcome.computed == (try plan.shard(index, of: 3)).count)
            #expect(try database.run(id: outcome.runID).shard == "\(index)/3")
            shards.append(database)
        }
        let merged = try ResultDatabase(path: fixture.path("merged.sqlite").path)
        for shard in shards { _ = try merged.merge(from: shard) }
        for shard in shards { _ = try merged.merge(from: shard) }
        let counts = try merged.tableCounts()
        #expect(counts["runs"] == 3 && counts["cells"] == plan.cells.count)
        for cell in plan.cells { #expect(try merged.finishedCell(key: cell.key) != nil) }
        // The merged database is a cache for the whole suite.
        let rerun = try runSuite(fixture, database: merged)
        #expect(rerun.reused == plan.cells.count && rerun.computed == 0)
    }
}

@Suite struct MultiTaskSuiteTests {
    @Test func aMultiTaskSetTrainsItsTasksTogetherAndScoresEach() throws {
        let text = TinySuite.yaml(strategies: ["linear-probe"], seeds: [1, 2])
            + "multitask:\n  - {tasks: [food, movies], size: 4, training: {learning_rate: 0.001}}\n"
        let fixture = try TinySuite.make(yaml: text)
        let suite = try SuiteLoader(environment: [:]).load(path: fixture.suite.path)
        let plan = try Plan(suite: suite)
        let sets = plan.cells.filter { $0.multitask != nil }
        #expect(sets.map(\.chainDescription) == ["food + movies", "food + movies"])
        #expect(sets.map(\.strategy.displayName) == ["multitask-adapter", "multitask-adapter"])
        #expect(Set(sets.map(\.key)).count == 2)
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let outcome = try runSuite(fixture, database: database)
        #expect(outcome.failed == 0 && outcome.computed == plan.cells.count)
        let cells = try database.cells(ofRun: outcome.runID).filter { $0.cell.strategy == "multitask-adapter" }
        #expect(cells.count == 2)
        for detail in cells {
            for task in ["food", "movies"] {
                #expect(detail.metrics.contains { $0.task == task && $0.split == "test" && $0.name == "accuracy" && $0.stage == 1 })
                #expect(detail.epochs.contains { $0.task == task })
            }
            // Two tasks × 2 layers × 2 adapters × (16·4 + 4 + 4·16 + 16) + two heads of 16·2 + 2.
            #expect(detail.cell.trainableParameters == 2 * 2 * 2 * (64 + 4 + 64 + 16) + 2 * 34)
        }
    }

    @Test func aMultiTaskSetNeedsTwoKnownTasks() throws {
        let text = TinySuite.yaml() + "multitask:\n  - {tasks: [food, films]}\n  - {tasks: [movies]}\n"
        let found = try problems(in: text)
        #expect(found.contains { $0.field == "multitask[0].tasks" && $0.message.hasPrefix("no task named 'films'") }, "\(found)")
        #expect(found.contains { $0.field == "multitask[1].tasks" && $0.message == "name at least two different tasks" }, "\(found)")
    }
}
