import ArgumentParser
import Foundation
import ResultStore
import Suites

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine results databases (e.g. one per shard) into one, without duplicates.",
        discussion: """
            Runs are matched by their uuid and cells by content key; merging a file twice adds \
            nothing. OUT may already exist: the inputs are added to it.
            """)

    @Argument(help: "Databases to merge.") var inputs: [String]
    @Option(name: [.short, .customLong("output")], help: "The merged database.") var output: String
    @Flag(name: .long, help: "Write the counts as JSON.") var json = false

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one database to merge") }
        let out = URL(fileURLWithPath: output).standardizedFileURL.path
        if inputs.contains(where: { URL(fileURLWithPath: $0).standardizedFileURL.path == out }) {
            throw ValidationError("--output must differ from the inputs")
        }
    }

    func run() throws {
        let target = try ResultDatabase(path: URL(fileURLWithPath: output).standardizedFileURL.path)
        var total = MergeSummary()
        for input in inputs {
            let source = try ResultDatabase(path: URL(fileURLWithPath: input).standardizedFileURL.path, readOnly: true)
            let summary = try target.merge(from: source)
            total.runsAdded += summary.runsAdded
            total.runsAlreadyPresent += summary.runsAlreadyPresent
            total.cellsAdded += summary.cellsAdded
            total.cellsAlreadyPresent += summary.cellsAlreadyPresent
            total.cellsReplaced += summary.cellsReplaced
            // Verdicts live beside the runs, not in the copied rows: judge what was added here,
            // except a shard's run, which holds a fraction of the cells a comparison needs.
            for runID in summary.addedRunIDs where try target.run(id: runID).shard == nil {
                try RunJudgement(database: target).judge(runID: runID)
            }
            if !json {
                print("\(input): \(summary.runsAdded) run(s) and \(summary.cellsAdded) cell(s) added, "
                      + "\(summary.cellsAlreadyPresent) cell(s) already present, \(summary.cellsReplaced) replaced")
            }
        }
        try target.checkpoint()
        if json {
            try RunsFormatting.printJSON([
                "output": target.path, "runs_added": total.runsAdded, "runs_already_present": total.runsAlreadyPresent,
                "cells_added": total.cellsAdded, "cells_already_present": total.cellsAlreadyPresent,
                "cells_replaced": total.cellsReplaced,
            ])
        } else {
            print("merged into \(target.path)")
        }
    }
}
