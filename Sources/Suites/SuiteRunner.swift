import Adaptation
import Backends
import Evaluation
import Foundation
import ResultStore
import Tensor
import Transformers

/// How a run goes, for a display.
public protocol RunObserver: AnyObject {
    func runStarted(runID: Int64, cells: Int, cached: Int)
    func cellStarted(_ cell: PlannedCell, number: Int, of total: Int)
    func cellProgress(_ cell: PlannedCell, stage: Int, stages: Int, progress: TrainingProgress)
    func cellFinished(_ cell: PlannedCell, number: Int, of total: Int, outcome: CellOutcome)
    /// The cells are done; the run's verdicts are being computed.
    func judging(runID: Int64)
}

extension RunObserver {
    public func judging(runID: Int64) {}
}

/// What became of one cell in a run.
public enum CellOutcome: Sendable, Equatable {
    /// Computed now; the target test accuracy when measured.
    case computed(seconds: Double, accuracy: Double?)
    /// A finished cell with the same content key was in the database.
    case reused
    case failed(reason: String)
    /// A live process of another run was computing the cell; this run left it alone.
    case skipped(reason: String)
}

/// The result of `SuiteRunner.run()`.
public struct RunOutcome: Sendable, Equatable {
    public var runID: Int64
    public var computed: Int
    public var reused: Int
    public var failed: Int
    /// Cells left unfinished: another live run was computing them.
    public var skipped = 0
    /// Why cells were left unfinished, each reason once (e.g. "being computed by run 4").
    public var skipReasons: [String] = []
    public var seconds: Double

    mutating func skip(because reason: String) {
        skipped += 1
        if !skipReasons.contains(reason) { skipReasons.append(reason) }
    }
}

/// Runs a plan's cells in order against a results database: reuses finished cells by content
/// key, records failures and goes on, and writes each finished cell in one transaction, so a
/// run killed at any moment resumes without losing or duplicating a cell.
///
/// Unchecked Sendable: only `markInterrupted()` may be called from another thread (a signal
/// handler); it reads the run id, which is set once before any cell runs.
public final class SuiteRunner: @unchecked Sendable {
    public struct Options: Sendable {
        public var tag: String?
        /// (index, count), 1-based.
        public var shard: (index: Int, count: Int)?
        /// Recompute cells even when the cache holds them.
        public var force = false
        /// Where adapted checkpoints go; nil keeps none.
        public var artifactsDirectory: URL?
        /// Where frozen features are cached between cells and runs; nil keeps them in memory.
        public var featuresDirectory: URL?
        /// The command that started the run, stored for provenance.
        public var commandLine: String?

        public init(tag: String? = nil, shard: (index: Int, count: Int)? = nil, force: Bool = false, artifactsDirectory: URL? = nil,
                    featuresDirectory: URL? = nil) {
            self.tag = tag
            self.shard = shard
            self.force = force
            self.artifactsDirectory = artifactsDirectory
            self.featuresDirectory = featuresDirectory
        }
    }

    public let suite: Suite
    public let plan: Plan
    public let database: ResultDatabase
    public let options: Options
    public weak var observer: RunObserver?
    /// The run being written, for an interrupt handler.
    public private(set) var runID: Int64?

    public init(suite: Suite, plan: Plan, database: ResultDatabase, options: Options = Options()) {
        self.suite = suite
        self.plan = plan
        self.database = database
        self.options = options
    }

    /// The cells this run is responsible for (its shard, or all).
    public func cells() throws -> [PlannedCell] {
        guard let shard = options.shard else { return plan.cells }
        return try plan.shard(shard.index, of: shard.count)
    }

    /// The run's frozen-feature cache (its folder from the options).
    public private(set) lazy var features = FeatureCache(directory: options.featuresDirectory)

    public func run() throws -> RunOutcome {
        let started = Date()
        let cells = try cells()
        let host = ProcessInfo.processInfo.hostName
        try database.markAbandonedRuns(host: host) { Self.processExists($0) }
        let record = try database.startRun(RunRecord(
            suiteName: suite.name, suiteVersion: suite.definition.version, suitePath: suite.path,
            suiteSHA256: suite.fileSHA256, config: try runConfiguration(cells: cells), tag: options.tag,
            gitRevision: Self.gitRevision(near: URL(fileURLWithPath: suite.path).deletingLastPathComponent()),
            adaptEvalVersion: AdaptEvalVersion.current, host: host,
            processID: Int64(ProcessInfo.processInfo.processIdentifier), threads: ComputeThreads.count,
            shard: options.shard.map { "\($0.index)/\($0.count)" }, plannedCells: cells.count,
            commandLine: options.commandLine))
        guard let runID = record.id else { throw ResultStoreError.failed(path: database.path, reason: "the run got no id") }
        self.runID = runID
        let cached = options.force ? 0 : try cells.filter { try database.finishedCell(key: $0.key) != nil }.count
        observer?.runStarted(runID: runID, cells: cells.count, cached: cached)

        var outcome = RunOutcome(runID: runID, computed: 0, reused: 0, failed: 0, seconds: 0)
        var executor = CellExecutor(suite: suite, artifactsDirectory: options.artifactsDirectory)
        executor.responseCache = database
        executor.baselines = ProbeBaselineStore(suite: suite, database: database, runID: runID)
        executor.features = features
        do {
            try runCells(cells, runID: runID, host: host, executor: &executor, outcome: &outcome)
            // A shard judges nothing: `merge` judges the whole run once its cells are together.
            if options.shard == nil { try judge(runID: runID) }
        } catch is InterruptedError {
            // The cell in progress keeps its `running` row, which the next run replaces; finished
            // cells are safe. Not a failure of the cell, so it is not marked failed.
            try database.finishRun(id: runID, status: .interrupted)
            throw SuiteError.interrupted(runID: runID, database: database.path)
        } catch {
            // Finished cells are stored; the run is closed as failed, never left `running`.
            try? database.finishRun(id: runID, status: .failed)
            throw error
        }
        outcome.seconds = Date().timeIntervalSince(started)
        try database.finishRun(id: runID, status: outcome.failed > 0 ? .failed : outcome.skipped > 0 ? .interrupted : .finished)
        return outcome
    }

    /// The run's verdicts: transfer results and audits from what its cells stored, then the
    /// divergences of its domain pairs, which read the data again and so can fail on their own
    /// without costing the verdicts.
    private func judge(runID: Int64) throws {
        observer?.judging(runID: runID)
        try RunJudgement(database: database).judge(runID: runID)
        try Interruption.checkpoint()
        try SuiteDivergences(suite: suite, database: database, cache: features).measure(runID: runID)
    }

    /// Walks the cells in order, stopping at the first safe point after an interrupt request.
    private func runCells(
        _ cells: [PlannedCell], runID: Int64, host: String, executor: inout CellExecutor, outcome: inout RunOutcome
    ) throws {
        for (number, cell) in cells.enumerated() {
            try Interruption.checkpoint()
            observer?.cellStarted(cell, number: number + 1, of: cells.count)
            // beginCell links a finished cell with the same key as reused, in the same transaction.
            let record = CellRecord(
                key: cell.key, adaptationKey: cell.adaptationKey, model: suite.model.name, modelSHA256: suite.model.weightsSHA256,
                strategy: cell.strategy.displayName, options: cell.options, seed: Int64(bitPattern: cell.seed),
                chain: try CellConfiguration.canonical(cell.chain), targetTask: cell.target, config: cell.configuration)
            let cellID: Int64
            switch try database.beginCell(
                record, runID: runID, position: cell.position, recomputing: options.force,
                isAlive: { $0.host == host && Self.processExists($0.processID) })
            {
            case .started(let started):
                guard let id = started.id else {
                    outcome.skip(because: "the database gave cell \(cell.key.prefix(12)) no id")
                    continue
                }
                cellID = id
            case .alreadyFinished:
                outcome.reused += 1
                observer?.cellFinished(cell, number: number + 1, of: cells.count, outcome: .reused)
                continue
            case .inProgressElsewhere(let other):
                outcome.skip(because: "being computed by run \(other.runID ?? 0)")
                observer?.cellFinished(cell, number: number + 1, of: cells.count,
                                       outcome: .skipped(reason: "run \(other.runID ?? 0) is computing it"))
                continue
            }
            let cellStarted = Date()
            executor.progress = { [weak self] stage, stages, progress in
                self?.observer?.cellProgress(cell, stage: stage, stages: stages, progress: progress)
            }
            do {
                let stored = options.force ? nil : try database.storedAdaptation(adaptationKey: cell.adaptationKey)
                let result = try executor.execute(cell, reusing: stored)
                try database.finishCell(id: cellID, result: result)
                outcome.computed += 1
                let accuracy = result.metrics.first {
                    $0.stage == cell.chain.count - 1 && $0.task == cell.target && $0.split == "test" && $0.name == "accuracy"
                }?.value
                observer?.cellFinished(cell, number: number + 1, of: cells.count,
                                       outcome: .computed(seconds: result.wallSeconds, accuracy: accuracy))
            } catch let error as ResultStoreError {
                throw error
            } catch let error where error is InterruptedError || Interruption.isRequested {
                // Whatever a stopped computation threw, the cell did not fail: the next run computes it.
                throw InterruptedError()
            } catch {
                let reason = FileSystemErrorDescription.message(for: error)
                try database.failCell(id: cellID, error: reason, wallSeconds: Date().timeIntervalSince(cellStarted))
                outcome.failed += 1
                observer?.cellFinished(cell, number: number + 1, of: cells.count, outcome: .failed(reason: reason))
                // A served model that cannot be reached fails every cell alike: stop at the first.
                if let remote = error as? RemoteModelError, remote.endsRun {
                    try database.finishRun(id: runID, status: .failed)
                    throw remote
                }
            }
        }
    }

    /// Marks the current run interrupted (for a Ctrl-C handler).
    public func markInterrupted() {
        guard let runID else { return }
        try? database.finishRun(id: runID, status: .interrupted)
    }

    /// The resolved suite as JSON for the runs table.
    func runConfiguration(cells: [PlannedCell]) throws -> String {
        struct Summary: Encodable {
            var name: String
            var version: String
            var model: String
            var modelSHA256: String
            var tasks: [String: [String: Int]]
            var chains: [[String]]
            var strategies: [String]
            var seeds: [UInt64]
            var cells: [String]
            var gates: [GateSpec]?
            enum CodingKeys: String, CodingKey {
                case name, version, model, modelSHA256 = "model_sha256", tasks, chains, strategies, seeds, cells, gates
            }
        }
        let summary = Summary(
            name: suite.name, version: suite.definition.version, model: suite.model.location,
            modelSHA256: suite.model.weightsSHA256,
            tasks: Dictionary(uniqueKeysWithValues: suite.tasks.map {
                ($0.name, ["train": $0.train.count, "validation": $0.validation.count, "test": $0.test.count])
            }),
            chains: suite.chains, strategies: suite.definition.strategies.map(\.displayName), seeds: suite.definition.seeds,
            cells: cells.map(\.key), gates: suite.definition.gates)
        return try CellConfiguration.canonical(summary)
    }

    static func processExists(_ id: Int64) -> Bool {
        guard id > 0, id <= Int64(Int32.max) else { return false }
        return kill(pid_t(id), 0) == 0 || errno == EPERM
    }

    /// `git rev-parse HEAD` in the suite's folder, or nil outside a repository.
    static func gitRevision(near folder: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", folder.path, "rev-parse", "HEAD"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            let revision = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return revision.isEmpty ? nil : revision
        } catch {
            return nil
        }
    }
}
