import ArgumentParser
import Foundation
import ResultStore

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List runs and show their cells.",
        subcommands: [RunsListCommand.self, RunsShowCommand.self, RunsTagCommand.self])
}

struct RunsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the runs in a results database.")

    @OptionGroup var database: DatabaseOption
    @Flag(name: .long, help: "Write JSON.") var json = false

    func run() throws {
        let store = try ResultDatabase(path: database.absolutePath, readOnly: true)
        let summaries = try store.runSummaries()
        if json {
            let rows = summaries.map { summary -> [String: Any] in
                var row = RunsFormatting.runObject(summary.run)
                row["cells"] = ["linked": summary.linkedCells, "finished": summary.finishedCells, "failed": summary.failedCells,
                                "reused": summary.reusedCells]
                return row
            }
            try RunsFormatting.printJSON(rows)
            return
        }
        guard !summaries.isEmpty else {
            print("no runs in \(store.path)")
            return
        }
        var rows = [["id", "status", "suite", "tag", "cells", "finished", "failed", "reused", "started"]]
        for summary in summaries {
            let run = summary.run
            rows.append([String(run.id ?? 0), run.status.rawValue, run.suiteName, run.tag ?? "-", String(summary.linkedCells),
                         String(summary.finishedCells), String(summary.failedCells), String(summary.reusedCells),
                         RunsFormatting.timestamp(run.startedAt)])
        }
        print(RunsFormatting.table(rows), terminator: "")
    }
}

struct RunsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a run's cells: strategy, seed, scores, best epoch, trainable parameters, time.")

    @Argument(help: "Run id, 'latest' or a tag (`adapteval runs tag`).") var id: String
    @OptionGroup var database: DatabaseOption
    @Flag(name: .long, help: "Write JSON.") var json = false

    func run() throws {
        let store = try ResultDatabase(path: database.absolutePath, readOnly: true)
        let runID = try RunReference.resolve(id, option: "run", store: store)
        let run = try store.run(id: runID)
        let cells = try store.cells(ofRun: runID)
        let probes = try store.probeResults(ofRun: runID)
        if json {
            var object = RunsFormatting.runObject(run)
            object["cells"] = cells.map { RunsFormatting.cellObject($0, probes: probes) }
            object["probe_baselines"] = RunsFormatting.baselineObjects(probes)
            object["verdicts"] = RunsFormatting.verdictObject(try store.verdicts(ofRun: runID))
            try RunsFormatting.printJSON(object)
            return
        }
        print("run \(runID): \(run.suiteName) (\(run.status.rawValue))\(run.tag.map { ", tag \($0)" } ?? "")")
        print("started \(RunsFormatting.timestamp(run.startedAt)) on \(run.host), \(run.threads) threads, AdaptEval \(run.adaptEvalVersion)"
              + (run.gitRevision.map { ", git \($0.prefix(12))" } ?? "") + (run.shard.map { ", shard \($0)" } ?? ""))
        print("")
        var rows = [["strategy", "seed", "chain", "status", "accuracy [95% CI]", "macro-F1", "best epoch", "trainable", "time"]]
        var failures: [String] = []
        for detail in cells {
            let cell = detail.cell
            let target = detail.metrics.filter {
                $0.task == cell.targetTask && $0.split == "test" && $0.stage == cell.chainTasks.count - 1
            }
            func value(_ name: String) -> MetricRow? { target.first { $0.name == name } }
            let accuracy = value("accuracy").map { metric in
                String(format: "%.4f", metric.value)
                    + ((metric.low != nil && metric.high != nil) ? String(format: " [%.3f, %.3f]", metric.low!, metric.high!) : "")
            } ?? "-"
            let macro = value("macro_f1").map { String(format: "%.4f", $0.value) } ?? "-"
            let status = cell.status.rawValue + (detail.reused ? " (reused)" : "")
            if cell.status == .failed {
                failures.append("\(cell.strategy) seed \(cell.seed) \(cell.chainTasks.joined(separator: " → ")): \(cell.error ?? "")")
            }
            rows.append([cell.strategy, String(cell.seed), cell.chainTasks.joined(separator: " → "), status, accuracy, macro,
                         cell.bestEpoch.map(String.init) ?? "-", cell.trainableParameters.map(RunsFormatting.count) ?? "-",
                         cell.wallSeconds.map(RunsFormatting.duration) ?? "-"])
        }
        print(RunsFormatting.table(rows), terminator: "")
        if let probeTable = RunsFormatting.probeTable(cells, results: probes) {
            print("\nprobes (drift from the base model; harm drift > 0 moved toward harm; per metric the worst group):")
            print(probeTable, terminator: "")
        }
        if !failures.isEmpty {
            print("\nfailed cells:")
            for failure in failures { print("  \(failure)") }
        }
        print(RunsFormatting.verdictText(try store.verdicts(ofRun: runID), cells: cells), terminator: "")
    }
}

/// Shared text and JSON forms of runs and cells.
enum RunsFormatting {
    static func resolveRunID(_ text: String, store: ResultDatabase) throws -> Int64 {
        if text == "latest" {
            guard let id = try store.latestRunID() else {
                throw ValidationError("\(store.path) holds no runs yet")
            }
            return id
        }
        guard let id = Int64(text) else { throw ValidationError("run id: expected a number or 'latest', got '\(text)'") }
        return id
    }

    /// Rows as left-aligned columns two spaces apart (widths in characters).
    static func table(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            row.enumerated().map { column, field in
                column == row.count - 1 ? field : field.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let total = Int(seconds.rounded())
        if total < 3600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m"
    }

    static func count(_ value: Int) -> String {
        value >= 1_000_000 ? String(format: "%.2fM", Double(value) / 1e6)
            : value >= 1_000 ? String(format: "%.1fk", Double(value) / 1e3) : String(value)
    }

    static func runObject(_ run: RunRecord) -> [String: Any] {
        var object: [String: Any] = [
            "id": run.id ?? 0, "uuid": run.uuid, "suite": run.suiteName, "suite_version": run.suiteVersion,
            "suite_path": run.suitePath, "suite_sha256": run.suiteSHA256, "status": run.status.rawValue,
            "started_at": timestamp(run.startedAt), "adapteval_version": run.adaptEvalVersion, "host": run.host,
            "threads": run.threads, "planned_cells": run.plannedCells,
        ]
        object["finished_at"] = run.finishedAt.map(timestamp) ?? NSNull()
        object["tag"] = run.tag ?? NSNull()
        object["git_revision"] = run.gitRevision ?? NSNull()
        object["shard"] = run.shard ?? NSNull()
        object["command_line"] = run.commandLine ?? NSNull()
        return object
    }

    static func cellObject(_ detail: RunCellDetail, probes: RunProbeResults) -> [String: Any] {
        var object = cellObject(detail)
        addProbes(to: &object, cellID: detail.cell.id, results: probes)
        return object
    }

    static func cellObject(_ detail: RunCellDetail) -> [String: Any] {
        let cell = detail.cell
        let options = (try? JSONSerialization.jsonObject(with: Data(cell.options.utf8))) ?? [:]
        var object: [String: Any] = [
            "position": detail.position, "reused": detail.reused, "key": cell.key, "strategy": cell.strategy,
            "options": options, "seed": cell.seed, "chain": cell.chainTasks, "target_task": cell.targetTask,
            "status": cell.status.rawValue, "model": cell.model, "model_sha256": cell.modelSHA256,
        ]
        object["error"] = cell.error ?? NSNull()
        object["trainable_parameters"] = cell.trainableParameters ?? NSNull()
        object["total_parameters"] = cell.totalParameters ?? NSNull()
        object["best_epoch"] = cell.bestEpoch ?? NSNull()
        object["stop_reason"] = cell.stopReason ?? NSNull()
        object["wall_seconds"] = cell.wallSeconds ?? NSNull()
        object["metrics"] = detail.metrics.map { metric -> [String: Any] in
            ["stage": metric.stage, "task": metric.task, "split": metric.split, "name": metric.name, "value": metric.value,
             "low": metric.low ?? NSNull(), "high": metric.high ?? NSNull()]
        }
        object["epochs"] = detail.epochs.map { epoch -> [String: Any] in
            ["stage": epoch.stage, "task": epoch.task, "evaluation": epoch.evaluation, "epoch": epoch.epoch, "step": epoch.step,
             "learning_rate": epoch.learningRate, "seconds": epoch.seconds, "is_best": epoch.isBest,
             "values": epoch.values]
        }
        object["adaptation_key"] = cell.adaptationKey ?? NSNull()
        object["training_cell_id"] = cell.trainingCellID ?? NSNull()
        object["artifacts"] = detail.artifacts.map { ["kind": $0.kind, "path": $0.path, "sha256": $0.sha256, "bytes": $0.bytes] }
        return object
    }

    static func printJSON(_ object: Any) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }
}
