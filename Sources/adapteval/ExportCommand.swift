import ArgumentParser
import Foundation
import ResultStore

enum ExportFormat: String, ExpressibleByArgument, CaseIterable { case json, csv }

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export runs, cells and metrics as JSON or CSV.",
        discussion: """
            JSON holds every run with its cells, metrics, epochs and artifacts. CSV holds one \
            row per metric: run, cell, strategy, seed, chain, stage, task, split, metric, value \
            and interval.
            """)

    @OptionGroup var database: DatabaseOption
    @Option(name: .long, help: "json or csv.") var format: ExportFormat = .json
    @Option(name: .customLong("run"), help: "Only this run (id or 'latest').") var runID: String?
    @Option(name: [.short, .long], help: "Write to this file instead of standard output.") var output: String?

    func run() throws {
        // A path that cannot be written fails before the database is read.
        let destination = try output.map { try OutputFile($0, option: "-o") }
        let store = try ResultDatabase(path: database.absolutePath, readOnly: true)
        let runIDs: [Int64]
        if let runID {
            runIDs = [try RunsFormatting.resolveRunID(runID, store: store)]
        } else {
            runIDs = try store.runSummaries().compactMap(\.run.id).reversed()
        }
        var text: String
        switch format {
        case .json:
            let runs = try runIDs.map { id -> [String: Any] in
                var object = RunsFormatting.runObject(try store.run(id: id))
                object["cells"] = try store.cells(ofRun: id).map(RunsFormatting.cellObject)
                return object
            }
            let data = try JSONSerialization.data(
                withJSONObject: ["database": store.path, "runs": runs], options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            text = String(decoding: data, as: UTF8.self) + "\n"
        case .csv:
            var lines = ["run_id,run_tag,cell_key,strategy,options,seed,chain,target_task,status,stage,task,split,metric,value,low,high"]
            for id in runIDs {
                let run = try store.run(id: id)
                for detail in try store.cells(ofRun: id) {
                    let cell = detail.cell
                    let prefix = [String(id), run.tag ?? "", cell.key, cell.strategy, cell.options, String(cell.seed),
                                  cell.chainTasks.joined(separator: ">"), cell.targetTask, cell.status.rawValue]
                    for metric in detail.metrics {
                        let fields = prefix + [String(metric.stage), metric.task, metric.split, metric.name, String(metric.value),
                                               metric.low.map { String($0) } ?? "", metric.high.map { String($0) } ?? ""]
                        lines.append(fields.map(Self.csvField).joined(separator: ","))
                    }
                }
            }
            text = lines.joined(separator: "\n") + "\n"
        }
        if let destination {
            try destination.write(Data(text.utf8))
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// RFC 4180 quoting when a field holds a comma, quote or newline.
    static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
