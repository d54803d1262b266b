import Foundation
import Testing

@testable import Reports

/// Compares output with a file in Tests/ReportsTests/Golden; `ADAPTEVAL_UPDATE_GOLDEN=1`
/// rewrites the file instead (then review the diff and commit it).
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// Compares `output` with the golden file `name`; the stylesheet, which the source holds
    /// once and `stylesheetCoversSchemesPrintAndPhones` checks, is left out of HTML goldens.
    static func check(_ output: String, matches name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let output = output.replacingOccurrences(
            of: HTMLReport.stylesheet.description, with: "/* HTMLReport.stylesheet */")
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["ADAPTEVAL_UPDATE_GOLDEN"] == "1" {
            try output.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if output != expected {
            let outputLines = output.split(separator: "\n", omittingEmptySubsequences: false)
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(outputLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(outputLines.count, expectedLines.count)
            Issue.record(
                "\(name) differs from its golden file at line \(first + 1) (run with ADAPTEVAL_UPDATE_GOLDEN=1 to rewrite it)",
                sourceLocation: sourceLocation)
        }
    }
}
