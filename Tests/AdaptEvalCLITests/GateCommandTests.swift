import Foundation
import Reports
import ResultStore
import TestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct GateCommandTests {
    /// Two real runs of one tiny suite: the first tagged `release`, the second with a gate file
    /// written in after. Both runs hold the same cells (the second reuses them), so the default
    /// gate compares identical predictions.
    static func twoRuns(gates: String) throws -> (fixture: TinySuite, db: String) {
        // BitFit carries what it learns on food into movies, so the runs have a transfer gain.
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["bitfit"], epochs: 1))
        let db = fixture.path("results.sqlite").path
        let first = try CommandRunner.run(["run", fixture.suite.path, "--db", db])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(try CommandRunner.run(["runs", "tag", "1", "release", "--db", db]).status == 0)
        try fixture.rewrite(TinySuite.yaml(strategies: ["bitfit"], epochs: 1) + gates)
        let second = try CommandRunner.run(["run", fixture.suite.path, "--db", db])
        #expect(second.status == 0, "\(second.standardError)")
        return (fixture, db)
    }

    @Test("the gate exits 0 on a pass, 1 on a failed gate and 2 on bad input, and writes JUnit and Markdown")
    func exitCodes() throws {
        let (fixture, db) = try Self.twoRuns(gates: """
            gates:
              - {kind: non-inferiority, metric: accuracy, margin: 0.01}
              - {kind: threshold, task: movies, metric: loss, maximum: 0.0}

            """)
        let junit = fixture.path("gate.xml").path
        let summary = fixture.path("summary.md").path

        let pass = try CommandRunner.run(["gate", "--db", db, "--candidate", "1", "--baseline", "release", "--json"])
        #expect(pass.status == 0, "\(pass.standardOutput)\(pass.standardError)")
        let passed = try JSONSerialization.jsonObject(with: Data(pass.standardOutput.utf8)) as? [String: Any] ?? [:]
        #expect(passed["outcome"] as? String == "passed" && passed["default_gate"] as? Bool == true)
        #expect(passed["stored_verdict_id"] as? Int == 1)

        let fail = try CommandRunner.run([
            "gate", "--db", db, "--candidate", "latest", "--baseline", "release", "--junit", junit, "--summary", summary,
        ])
        #expect(fail.status == 1, "\(fail.standardOutput)\(fail.standardError)")
        #expect(fail.standardOutput.contains("gate FAILED: run 2 against run 1"))
        #expect(fail.standardOutput.contains("[passed] accuracy non-inferior to baseline"))
        #expect(fail.standardOutput.contains("[failed] loss ≤ 0.0 (movies)"))
        let xml = try Data(contentsOf: URL(fileURLWithPath: junit))
        let counter = JUnitCounter()
        let parser = XMLParser(data: xml)
        parser.delegate = counter
        #expect(parser.parse())
        #expect(counter.elements.first == "testsuites" && counter.cases == 2 && counter.failures == 1)
        #expect(counter.required.allSatisfy { $0 }, "testsuite and testcase carry their required attributes")
        let markdown = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(markdown.hasPrefix("## ❌ Gate failed") && markdown.contains("| loss ≤ 0.0 (movies) | ❌ failed |"))
        let stored = try ResultDatabase(path: db, readOnly: true).latestGateVerdict(candidateRunID: 2)
        #expect(stored?.outcome == "failed")
        #expect(stored?.results.contains { $0.kind == "threshold" && $0.outcome == "failed" } == true)
        #expect(stored?.results.contains { $0.kind == "non-inferiority" && $0.outcome == "passed" } == true)

        for arguments in [
            ["gate", "--db", db, "--candidate", "latest", "--baseline", "no-such-tag"],
            ["gate", "--db", db, "--candidate", "9", "--baseline", "1"],
            ["gate", "--db", fixture.path("absent.sqlite").path, "--candidate", "1", "--baseline", "1"],
        ] {
            let bad = try CommandRunner.run(arguments)
            #expect(bad.status == 2, "\(arguments): \(bad.standardError)")
        }
        try fixture.rewrite(TinySuite.yaml(strategies: ["linear-probe"], epochs: 1) + "gates:\n  - {kind: threshold, metric: bleu, minimum: 0.5}\n")
        #expect(try CommandRunner.run(["run", fixture.suite.path, "--db", db]).status == 0)
        let unknownMetric = try CommandRunner.run(["gate", "--db", db, "--candidate", "latest", "--baseline", "release"])
        #expect(unknownMetric.status == 2 && unknownMetric.standardError.contains("names metric 'bleu'"))
        try fixture.rewrite(TinySuite.yaml(strategies: ["linear-probe"], epochs: 1) + "gates:\n  - {kind: safety-drift, limit: 0.1}\n")
        #expect(try CommandRunner.run(["run", fixture.suite.path, "--db", db]).status == 0)
        let noProbes = try CommandRunner.run(["gate", "--db", db, "--candidate", "latest", "--baseline", "release"])
        #expect(noProbes.status == 2 && noProbes.standardError.contains("no probe results in the candidate run"))
    }

    @Test("the report of a real run has every section, the stored verdict and the database's numbers")
    func report() throws {
        let (fixture, db) = try Self.twoRuns(gates: "gates:\n  - {kind: threshold, metric: accuracy, minimum: 0.0}\n")
        #expect(try CommandRunner.run(["gate", "--db", db, "--candidate", "latest", "--baseline", "release"]).status == 0)
        let path = fixture.path("report.html").path
        let result = try CommandRunner.run(["report", "--db", db, "--run", "latest", "--baseline", "release", "-o", path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == path + "\n")
        let html = try String(contentsOfFile: path, encoding: .utf8)
        for section in ["verdict", "scores", "transfer", "learning-curves", "efficiency", "divergence", "probes", "baseline",
                        "provenance"] {
            #expect(html.contains("id=\"\(section)\""), "section \(section)")
        }
        #expect(html.contains("Gate passed") && html.contains("accuracy ≥ 0.0"))
        let store = try ResultDatabase(path: db, readOnly: true)
        let run = try store.run(id: 2)
        #expect(html.contains(run.suiteSHA256))
        let commandLine = try #require(run.commandLine)
        #expect(commandLine.contains(" run ") && html.contains(MarkupEscaping.text(commandLine)), "the command line is in the provenance")
        for detail in try store.cells(ofRun: 2) {
            let cell = detail.cell
            let accuracy = try #require(detail.metrics.first {
                $0.name == "accuracy" && $0.split == "test" && $0.task == cell.targetTask && $0.stage == cell.chainTasks.count - 1
            })
            #expect(html.contains(String(format: "%.3f", accuracy.value)), "accuracy of \(cell.strategy) \(cell.chain)")
            #expect(html.contains(cell.modelSHA256))
        }
        #expect(!html.contains("<script"), "the report runs no script")
    }

    @Test("the report's overfitting section shows the stored audit of every trained cell")
    func reportShowsOverfittingAudits() throws {
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["bitfit"], epochs: 2))
        let db = fixture.path("results.sqlite").path
        #expect(try CommandRunner.run(["run", fixture.suite.path, "--db", db]).status == 0)
        let path = fixture.path("report.html").path
        let result = try CommandRunner.run(["report", "--db", db, "--run", "latest", "-o", path])
        #expect(result.status == 0, "\(result.standardError)")
        let html = try String(contentsOfFile: path, encoding: .utf8)
        let store = try ResultDatabase(path: db, readOnly: true)
        let audits = try store.verdicts(ofRun: 1).audits.values.joined()
        #expect(!audits.isEmpty)
        #expect(!html.contains("No overfitting analysis yet"), "the stored audits fill the section")
        let section = try #require(html.components(separatedBy: "id=\"overfitting\"").dropFirst().first)
        #expect(section.contains("bitfit · "))
        for audit in audits { #expect(section.contains(audit.stopReason.isEmpty ? "bitfit" : MarkupEscaping.text(audit.stopReason))) }
        // Without a baseline run, the verdict ranks the run's own transfer gains.
        let gain = try #require(try store.transferResults(runID: 1)?.first { $0.kind == "transfer_gain" && $0.value != nil })
        let verdict = try #require(html.components(separatedBy: "id=\"verdict\"").dropFirst().first?.components(separatedBy: "id=\"scores\"").first)
        #expect(verdict.contains("transfer gain in accuracy") && verdict.contains("bitfit: \(MarkupEscaping.text(gain.chainDescription))"))
    }

    @Test("compare prints both values, the paired difference, its interval and p-value for matched cells")
    func compare() throws {
        let (_, db) = try Self.twoRuns(gates: "gates:\n  - {kind: no-negative-transfer}\n")
        // The run's verdict step stored the food → movies transfer gain; the gate reads its label.
        let transfer = try CommandRunner.run(["gate", "--db", db, "--candidate", "latest", "--baseline", "release", "--json"])
        #expect(transfer.status == 0 || transfer.status == 1, "\(transfer.standardError)")
        let verdict = try JSONSerialization.jsonObject(with: Data(transfer.standardOutput.utf8)) as? [String: Any] ?? [:]
        let checks = ((verdict["gates"] as? [[String: Any]])?.first?["checks"] as? [[String: Any]]) ?? []
        #expect(!checks.isEmpty && checks.allSatisfy { ($0["detail"] as? String)?.contains("food → movies") == true })
        #expect((transfer.status == 1) == checks.contains { $0["outcome"] as? String == "failed" })
        let text = try CommandRunner.run(["compare", "latest", "release", "--db", db])
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains("run 2 (candidate) against run 1 (baseline)"))
        let json = try CommandRunner.run(["compare", "2", "1", "--db", db, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any] ?? [:]
        let rows = object["rows"] as? [[String: Any]] ?? []
        let accuracy = try #require(rows.first { $0["metric"] as? String == "accuracy" })
        #expect(accuracy["difference"] as? Double == 0 && accuracy["test"] as? String == "mcnemar")
        #expect(accuracy["p_value"] as? Double == 1 && accuracy["significant"] as? Bool == false)
        #expect(rows.contains { $0["metric"] as? String == "macro_f1" && $0["test"] as? String == "bootstrap" })
        // Every stored metric is recomputed from the predictions, so each has a paired interval.
        #expect(rows.count > 2 && rows.allSatisfy { $0["test"] as? String != "none" && $0["low"] is Double && $0["high"] is Double },
                "\(rows.filter { $0["test"] as? String == "none" })")
        #expect(try CommandRunner.run(["compare", "2", "v9", "--db", db]).status == 2)
    }
}

/// Counts JUnit elements and checks the attributes the schema requires.
final class JUnitCounter: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var cases = 0
    var failures = 0
    var required: [Bool] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(name)
        switch name {
        case "testsuite":
            required.append(["name", "tests", "failures", "errors", "hostname"].allSatisfy { attributes[$0] != nil })
            // The Ant schema's timestamp: ISO 8601 date and time without a zone designator.
            required.append(attributes["timestamp"]?.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/) != nil)
        case "testcase":
            cases += 1
            required.append(attributes["name"] != nil && attributes["classname"] != nil)
        case "failure":
            failures += 1
            required.append(attributes["message"] != nil)
        default: break
        }
    }
}
