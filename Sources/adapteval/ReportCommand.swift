import ArgumentParser
import Foundation
import Reports
import ResultStore
import Suites

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's audit report: one self-contained HTML file.",
        discussion: """
            The report leads with the gate verdict stored for the run (`adapteval gate`) and \
            the largest changes against the baseline, then shows the score table with \
            intervals, transfer gains, learning curves, trainable parameters against score, \
            divergence, probe drift, the comparison with the baseline and the provenance. A \
            section with no data in the database says so in one line.
            """)

    @OptionGroup var database: DatabaseOption
    @Option(name: .customLong("run"), help: "The run: an id, 'latest' or a tag.") var runID = "latest"
    @Option(name: .long, help: "Compare with this run: an id, 'latest' or a tag.") var baseline: String?
    @Option(name: [.short, .long], help: "The HTML file (default reports/<suite>-<run>.html).") var output: String?

    func run() throws {
        let named = try output.map { try OutputFile($0, option: "-o") }
        let store = try ResultDatabase(path: database.absolutePath, readOnly: true)
        let id = try RunReference.resolve(runID, option: "--run", store: store)
        let baselineID = try baseline.map { try RunReference.resolve($0, option: "--baseline", store: store) }
        let content = try RunReport.content(database: store, runID: id, baselineRunID: baselineID)
        let path = output ?? "reports/\(Self.fileName(content.suiteName))-\(id).html"
        if named == nil { try? FileManager.default.createDirectory(atPath: "reports", withIntermediateDirectories: true) }
        try (named ?? OutputFile(path, option: "-o")).write(Data(HTMLReport.render(content).utf8))
        print(URL(fileURLWithPath: path).standardizedFileURL.path)
    }

    /// A suite name as a file name: letters, digits, '-', '_' and '.' kept, anything else '-'.
    static func fileName(_ name: String) -> String {
        let kept = name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "-" }
        let text = String(kept).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return text.isEmpty ? "suite" : text
    }
}
