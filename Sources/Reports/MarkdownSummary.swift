/// A GitHub- and GitLab-flavoured Markdown summary of a gate verdict and the largest changes,
/// for `$GITHUB_STEP_SUMMARY`, merge-request comments and terminals.
///
/// Every string from the content is escaped (``escape(_:)``): it reads as literal text and
/// cannot open a link, an image, raw HTML, emphasis or a new table cell.
public enum MarkdownSummary {
    /// The summary: a heading with the outcome, the run, one table of gates and one of the
    /// largest changes. Only the title, suite, run, tag and verdict of `content` are read.
    public static func render(_ content: ReportContent) -> String {
        let verdict = content.verdict
        let format = NumberFormatting.plain
        var lines = ["## \(icon(verdict.outcome)) \(HTMLReport.headline(of: verdict.outcome)): \(escape(content.title))", ""]
        var run = ["Suite **\(escape(content.suiteName))**", "run \(escape(content.runID))"]
        if let tag = content.tag { run.append("tag \(escape(tag))") }
        lines += [run.joined(separator: " · "), "", escape(HTMLReport.counts(of: verdict)), ""]
        if !verdict.gates.isEmpty {
            lines += ["| Gate | Outcome | Detail |", "| --- | --- | --- |"]
            lines += verdict.gates.map { "| \(escape($0.name)) | \(describe($0.outcome)) | \(escape($0.detail)) |" }
            lines.append("")
        }
        if !verdict.largestChanges.isEmpty {
            lines += [
                "### Largest changes", "", "| Change | Metric | Difference [95% interval] | Direction |",
                "| --- | --- | ---: | --- |",
            ]
            lines += verdict.largestChanges.map { change in
                "| \(escape(change.subject)) | \(escape(change.metric)) | "
                    + "\(format.estimate(change.difference, signed: true)) | \(describe(change.direction)) |"
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// `text` as literal Markdown inline text, safe inside a table cell: the punctuation that
    /// opens code, emphasis, links and images, raw HTML, entities, strikethrough, math and cells
    /// is backslash-escaped (CommonMark 0.31 §2.4 allows it before any ASCII punctuation), line
    /// breaks become spaces, and control characters become U+FFFD. Characters that mean
    /// something only at the start of a line (`#`, `-`, `+`, `1.`) stay as they are: escaped text
    /// never starts a line.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n", "\r", "\t": escaped += " "
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "~", "$", "&":
                escaped += "\\"
                escaped.unicodeScalars.append(scalar)
            case _ where MarkupEscaping.isForbidden(scalar): escaped.unicodeScalars.append("\u{FFFD}")
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    private static func icon(_ outcome: ReportContent.Verdict.Outcome) -> String {
        switch outcome {
        case .passed: "✅"
        case .failed: "❌"
        case .notEvaluated: "⚪"
        }
    }

    private static func describe(_ outcome: ReportContent.Verdict.Outcome) -> String {
        switch outcome {
        case .passed: "✅ passed"
        case .failed: "❌ failed"
        case .notEvaluated: "⚪ not evaluated"
        }
    }

    private static func describe(_ direction: ReportContent.Verdict.Change.Direction) -> String {
        switch direction {
        case .improvement: "▲ improvement"
        case .regression: "▼ regression"
        case .inconclusive: "● inconclusive"
        }
    }
}
