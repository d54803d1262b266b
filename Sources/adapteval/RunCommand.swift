import ArgumentParser
import Evaluation
import Foundation
import ResultStore
import Suites

/// The results database option shared by run, runs, and export.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "Results database (SQLite).") var db: String = "results.sqlite"

    var absolutePath: String { URL(fileURLWithPath: db).standardizedFileURL.path }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a suite: adapt with every strategy, evaluate, and store the results.",
        discussion: """
            The suite expands into cells (model × strategy × task chain × seed), each with a \
            content key; a finished cell with the same key in the database is reused, not \
            recomputed. Ctrl-C (or SIGTERM) stops at the next safe point and marks the run \
            interrupted; a second one stops at once. Interrupted runs resume with the same \
            command. Exit 3 when any cell failed (its reason is in the database) or was left \
            unfinished (another run was computing it), 130 when interrupted. \
            See docs/suite-format.md.
            """)

    @Argument(help: "Suite file (YAML).") var suite: String
    @OptionGroup var database: DatabaseOption
    @Option(name: .long, help: "A label for this run (e.g. a checkpoint or commit).") var tag: String?
    @Option(name: .long, help: "Run only shard i of n (1-based), e.g. 2/4, for parallel CI jobs.") var shard: String?
    @Flag(name: .long, help: "Recompute cells even when the database holds them.") var force = false
    @Flag(name: .long, help: "Validate and print the plan (cells, keys, cached or not) without running.") var dryRun = false
    @Option(name: .long, help: "Folder for adapted checkpoints (default: <db>-artifacts beside the database).")
    var artifacts: String?
    @Flag(name: .long, help: "Write the outcome as JSON to standard output.") var json = false

    func run() throws {
        // Before loading, so that Ctrl-C at any moment ends with 130 and a marked run.
        let interruption = InterruptHandler.install()
        let loaded = try SuiteLoader().load(path: suite)
        let plan = try Plan(suite: loaded)
        let shardRange = try shard.map(Plan.parseShard)
        // Stopped while loading: nothing has been written yet, and nothing will be.
        try Interruption.checkpoint()
        if dryRun {
            let selected = try shardRange.map { try plan.shard($0.index, of: $0.count) } ?? plan.cells
            // A dry run reads the cache when there is one and never creates a database.
            let exists = FileManager.default.fileExists(atPath: database.absolutePath)
            try printPlan(selected, store: exists ? try ResultDatabase(path: database.absolutePath, readOnly: true) : nil,
                          total: plan.cells.count)
            return
        }
        let store = try ResultDatabase(path: database.absolutePath)
        var options = SuiteRunner.Options(tag: tag, shard: shardRange, force: force)
        options.artifactsDirectory = URL(fileURLWithPath: artifacts ?? Self.defaultArtifacts(database.absolutePath))
        options.featuresDirectory = URL(fileURLWithPath: Self.besideDatabase(database.absolutePath, suffix: "-features"))
        options.commandLine = ShellQuoting.line(CommandLine.arguments)
        let runner = SuiteRunner(suite: loaded, plan: plan, database: store, options: options)
        let display = RunProgressDisplay()
        runner.observer = display
        interruption.whenStoppingAtOnce { runner.markInterrupted() }
        let outcome: RunOutcome
        do {
            // Once the run is over (finished, failed, incomplete or already marked interrupted),
            // a late second Ctrl-C must not relabel it.
            defer { interruption.whenStoppingAtOnce(nil) }
            outcome = try runner.run()
        }
        try store.checkpoint()
        if json {
            let object: [String: Any] = [
                "run_id": outcome.runID, "database": store.path, "computed": outcome.computed, "reused": outcome.reused,
                "failed": outcome.failed, "unfinished": outcome.skipped, "seconds": outcome.seconds, "suite": loaded.name,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            let total = outcome.computed + outcome.reused + outcome.failed + outcome.skipped
            print("run \(outcome.runID) of \(loaded.name): \(total) cell(s): \(outcome.computed) computed, "
                  + "\(outcome.reused) reused, \(outcome.failed) failed"
                  + (outcome.skipped > 0 ? ", \(outcome.skipped) left unfinished (\(outcome.skipReasons.joined(separator: "; ")))" : "")
                  + ", in \(RunsFormatting.duration(outcome.seconds))")
            print("database: \(store.path)")
            print("see: adapteval runs show \(outcome.runID) --db \(store.path)")
        }
        if outcome.failed > 0 { throw SuiteError.cellsFailed(count: outcome.failed, database: store.path) }
        if outcome.skipped > 0 {
            throw SuiteError.cellsLeftUnfinished(count: outcome.skipped, reasons: outcome.skipReasons, database: store.path)
        }
    }

    static func defaultArtifacts(_ database: String) -> String { besideDatabase(database, suffix: "-artifacts") }

    /// `<folder>/<database name without extension><suffix>`.
    static func besideDatabase(_ database: String, suffix: String) -> String {
        let url = URL(fileURLWithPath: database)
        return url.deletingLastPathComponent().appendingPathComponent(url.deletingPathExtension().lastPathComponent + suffix).path
    }

    func printPlan(_ cells: [PlannedCell], store: ResultDatabase?, total: Int) throws {
        var rows: [[String: Any]] = []
        for cell in cells {
            let cached = try store?.finishedCell(key: cell.key) != nil
            rows.append([
                "position": cell.position, "key": cell.key, "strategy": cell.strategy.displayName, "seed": cell.seed,
                "chain": cell.chain, "cached": cached && !force,
            ])
        }
        if json {
            let object: [String: Any] = ["cells": rows, "planned": total, "selected": cells.count]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        print("\(cells.count) of \(total) cell(s)")
        for row in rows {
            let chain = (row["chain"] as? [String] ?? []).joined(separator: " → ")
            let key = (row["key"] as? String ?? "").prefix(12)
            print("\(row["position"] ?? "")\t\(key)\t\(row["strategy"] ?? "")\tseed \(row["seed"] ?? "")\t\(chain)"
                  + ((row["cached"] as? Bool ?? false) ? "\tcached" : ""))
        }
    }
}
