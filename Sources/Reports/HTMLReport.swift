import ResultStore

/// The sections of an audit report, in the order the report prints them; each is an element
/// with this id.
public enum ReportSection: String, Sendable, CaseIterable {
    case verdict
    case scores
    case transfer
    case learningCurves = "learning-curves"
    case overfitting
    case efficiency
    case divergence
    case probes
    case baseline
    case provenance

    /// The section's heading.
    public var heading: String {
        switch self {
        case .verdict: "Verdict"
        case .scores: "Scores"
        case .transfer: "Transfer gains"
        case .learningCurves: "Learning curves"
        case .overfitting: "Overfitting"
        case .efficiency: "Parameters and score"
        case .divergence: "Domain divergence"
        case .probes: "Probe drift"
        case .baseline: "Against the baseline"
        case .provenance: "Provenance"
        }
    }
}

extension ReportContent {
    /// Whether `section` has anything to show; a section without data says so in one line.
    public func hasData(for section: ReportSection) -> Bool {
        switch section {
        case .verdict: !verdict.gates.isEmpty || !verdict.largestChanges.isEmpty
        case .scores: !scores.rows.isEmpty
        case .transfer: !transfer.comparisons.isEmpty
        case .learningCurves: learningCurves.contains { !$0.isEmpty }
        case .overfitting: !overfitting.isEmpty
        case .efficiency: !efficiency.entries.isEmpty
        case .divergence: !divergence.domains.isEmpty && !divergence.measures.isEmpty
        case .probes: !probeDrift.isEmpty
        case .baseline: !baseline.rows.isEmpty
        case .provenance: !provenance.isEmpty
        }
    }
}

/// Renders a ``ReportContent`` as one self-contained HTML5 file.
///
/// The file opens from disk and fetches nothing: the stylesheet is inline, charts are inline
/// SVG, and a Content-Security-Policy forbids scripts and every network source. It starts with
/// the verdict, shows every ``ReportSection`` (those without data say so in one line), reads on
/// a 360-px-wide screen, follows the reader's colour scheme and prints cleanly. All text from
/// the content is escaped (``MarkupEscaping``) and never placed in a URL, an event handler, a
/// style or a tag or attribute name.
public enum HTMLReport {
    /// The policy in the document's `<meta http-equiv="Content-Security-Policy">`.
    public static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

    /// The whole document.
    public static func render(_ content: ReportContent) -> String {
        var writer = MarkupWriter()
        writer.literal("<!DOCTYPE html>\n")
        writer.element("html", ["lang": "en"]) { writer in
            writer.newline()
            head(content, into: &writer)
            writer.newline()
            writer.element("body") { writer in
                writer.element("main") { writer in
                    header(content, into: &writer)
                    for section in ReportSection.allCases {
                        writer.newline()
                        writer.element("section", ["id": section.rawValue, "aria-labelledby": section.rawValue + "-heading"]) {
                            writer in
                            writer.element("h2", ["id": section.rawValue + "-heading"], text: section.heading)
                            writer.newline()
                            body(of: section, content, into: &writer)
                        }
                        // The verdict comes first; the table of contents follows it.
                        if section == .verdict { contents(into: &writer) }
                    }
                    writer.newline()
                    writer.element(
                        "footer",
                        text: "Written by AdaptEval as one self-contained file: no scripts, nothing fetched from the network.")
                }
            }
            writer.newline()
        }
        writer.newline()
        return writer.output
    }

    private static func head(_ content: ReportContent, into writer: inout MarkupWriter) {
        writer.element("head") { writer in
            writer.empty("meta", ["charset": "utf-8"])
            writer.empty("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"])
            writer.empty("meta", ["http-equiv": "Content-Security-Policy", "content": contentSecurityPolicy])
            writer.empty("meta", ["name": "color-scheme", "content": "light dark"])
            writer.empty("meta", ["name": "generator", "content": "AdaptEval"])
            writer.element("title", text: "\(content.title) · \(content.suiteName) · run \(content.runID)")
            writer.newline()
            writer.open("style")
            writer.newline()
            writer.literal(stylesheet)
            writer.newline()
            writer.close("style")
            writer.newline()
        }
    }

    private static func header(_ content: ReportContent, into writer: inout MarkupWriter) {
        writer.element("header") { writer in
            writer.element("p", ["class": "eyebrow"], text: "AdaptEval audit report")
            writer.element("h1", text: content.title)
            writer.element("dl", ["class": "run-meta"]) { writer in
                let facts: [(String, String?)] = [("Suite", content.suiteName), ("Run", content.runID), ("Tag", content.tag)]
                for case let (name, value?) in facts {
                    writer.element("div") { writer in
                        writer.element("dt", text: name)
                        writer.element("dd", text: value)
                    }
                }
                writer.element("div") { writer in
                    writer.element("dt", text: "Status")
                    writer.element("dd") { writer in
                        let (text, tone) = describe(content.status)
                        writer.element("span", ["class": tone.className], text: text)
                    }
                }
            }
        }
    }

    private static func contents(into writer: inout MarkupWriter) {
        writer.newline()
        writer.element("nav", ["class": "contents", "aria-label": "Sections"]) { writer in
            writer.element("ol") { writer in
                for section in ReportSection.allCases where section != .verdict {
                    writer.element("li") { writer in
                        writer.element("a", ["href": "#" + section.rawValue], text: section.heading)
                    }
                }
            }
        }
    }

    private static func describe(_ status: RunRecord.Status) -> (String, DataTable.Tone) {
        switch status {
        case .running: ("● running: sections fill in as cells finish", .neutral)
        case .finished: ("✓ finished", .good)
        case .failed: ("✗ failed", .bad)
        case .interrupted: ("■ interrupted", .warning)
        }
    }

    /// Writes the section's content, or the line saying it has no data yet. The verdict always
    /// shows its banner.
    private static func body(of section: ReportSection, _ content: ReportContent, into writer: inout MarkupWriter) {
        guard section == .verdict || content.hasData(for: section) else {
            writer.element("p", ["class": "empty"], text: emptyMessage(section))
            return
        }
        switch section {
        case .verdict: verdict(content.verdict, into: &writer)
        case .scores: scores(content.scores, into: &writer)
        case .transfer: transfer(content.transfer, into: &writer)
        case .learningCurves: learningCurves(content.learningCurves, into: &writer)
        case .overfitting: overfitting(content.overfitting, into: &writer)
        case .efficiency: efficiency(content.efficiency, into: &writer)
        case .divergence: divergence(content.divergence, into: &writer)
        case .probes: probes(content.probeDrift, into: &writer)
        case .baseline: baseline(content.baseline, into: &writer)
        case .provenance: provenance(content.provenance, into: &writer)
        }
    }

    /// The one line a section without data shows: that nothing is there yet and what produces it.
    static func emptyMessage(_ section: ReportSection) -> String {
        switch section {
        case .verdict: "No gate verdict yet: run `adapteval gate` on this run to check it against the suite's gates."
        case .scores: "No scores yet: `adapteval run` adds each cell's scores as the cell finishes."
        case .transfer: "No transfer comparisons: add a chain with a source task (source → target) to the suite."
        case .learningCurves: "No learning curves yet: cells of strategies that train record one validation per epoch."
        case .overfitting: "No overfitting analysis yet: it is made from the learning curves of finished cells."
        case .efficiency: "No parameter counts yet: they are recorded with each finished cell."
        case .divergence: "No divergences: add source tasks to the suite."
        case .probes: "No probe results: add toxicity or bias probes to the suite."
        case .baseline: "No baseline comparison: name a baseline run to compare this run with."
        case .provenance: "No provenance recorded for this run."
        }
    }
}
