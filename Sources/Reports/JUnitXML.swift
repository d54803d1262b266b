/// A gate verdict as JUnit XML, which CI systems (GitHub Actions reporters, GitLab, Jenkins)
/// show as a test report: one `<testcase>` per gate.
///
/// Follows the common JUnit schema (the Ant/Surefire `testsuites` form): a failed gate has a
/// `<failure>` with its detail, a gate that was not evaluated is `<skipped>`, and the counts
/// are repeated on `<testsuites>` and `<testsuite>`, which also carries when and where the
/// gate ran (`timestamp`, `hostname`). Text is escaped for XML 1.0, with
/// characters it forbids replaced (``MarkupEscaping``).
public enum JUnitXML {
    /// The document. Only the title, suite, run, tag and verdict of `content` are read.
    public static func render(_ content: ReportContent) -> String {
        let verdict = content.verdict
        let format = NumberFormatting.plain
        let tests = String(verdict.gates.count)
        let failures = String(verdict.count(.failed))
        let skipped = String(verdict.count(.notEvaluated))
        let time = format.decimal(verdict.gates.reduce(0) { $0 + ($1.seconds ?? 0) })
        var writer = MarkupWriter()
        writer.literal("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        writer.element(
            "testsuites",
            ["name": "adapteval gate", "tests": tests, "failures": failures, "errors": "0", "skipped": skipped, "time": time]
        ) { writer in
            writer.newline()
            writer.element(
                "testsuite",
                [
                    "name": content.suiteName, "tests": tests, "failures": failures, "errors": "0", "skipped": skipped,
                    "time": time, "timestamp": verdict.evaluatedAt, "hostname": verdict.host,
                ]
            ) { writer in
                writer.newline()
                writer.element("properties") { writer in
                    let properties: [(String, String?)] = [
                        ("title", content.title), ("run", content.runID), ("tag", content.tag),
                        ("outcome", verdict.outcome.rawValue),
                    ]
                    for case let (name, value?) in properties {
                        writer.newline()
                        writer.empty("property", ["name": name, "value": value])
                    }
                    writer.newline()
                }
                for gate in verdict.gates {
                    writer.newline()
                    writer.element(
                        "testcase",
                        ["classname": "adapteval.gate", "name": gate.name, "time": format.decimal(gate.seconds ?? 0)]
                    ) { writer in
                        switch gate.outcome {
                        case .passed: break
                        case .failed:
                            writer.element("failure", ["message": gate.detail, "type": "GateFailed"], text: gate.detail)
                        case .notEvaluated:
                            writer.empty("skipped", ["message": gate.detail])
                        }
                    }
                }
                if !verdict.largestChanges.isEmpty {
                    writer.newline()
                    let lines = verdict.largestChanges.map { change in
                        "\(change.direction.rawValue): \(change.subject), \(change.metric) "
                            + format.estimate(change.difference, signed: true)
                    }
                    writer.element("system-out", text: "Largest changes:\n" + lines.joined(separator: "\n"))
                }
                writer.newline()
            }
            writer.newline()
        }
        writer.newline()
        return writer.output
    }
}
