import ArgumentParser
import Foundation
import Reports
import ResultStore
import Suites

struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Check a candidate run against a baseline run with the suite's gates.",
        discussion: """
            Gates come from the candidate suite's `gates:` (docs/gates.md); a suite without \
            them gets the default gate: every target task's accuracy non-inferior to the \
            baseline's with a 1-point margin at 95% confidence (exact McNemar test over the \
            stored predictions). Runs are matched by target task, strategy and chain. The \
            verdict is stored in the database unless it is read-only. A baseline cell the \
            candidate lacks fails. Exit codes: 0 passed, 1 failed, 2 invalid input (unknown \
            run or tag, a candidate run that did not finish, a gate naming a task or metric \
            the runs do not have, missing probe or transfer results, nothing checked).
            """)

    @OptionGroup var database: DatabaseOption
    @Option(name: .long, help: "The run to check: an id, 'latest' or a tag.") var candidate: String
    @Option(name: .long, help: "The run to compare with: an id, 'latest' or a tag (`adapteval runs tag`).") var baseline: String
    @Option(name: .long, help: "Write JUnit XML (one test case per gate) to this file.") var junit: String?
    @Option(name: .long, help: "Write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY) to this file.") var summary: String?
    @Flag(name: .long, help: "Write the verdict as JSON instead of text.") var json = false

    func run() throws {
        let path = database.absolutePath
        let junitFile = try junit.map { try OutputFile($0, option: "--junit") }
        let summaryFile = try summary.map { try OutputFile($0, option: "--summary") }
        let refusal = FileManager.default.fileExists(atPath: path) ? ResultDatabase.writeRefusal(path: path) : "no such file"
        let writable = refusal == nil
        let store = try ResultDatabase(path: path, readOnly: !writable)
        let candidateID = try RunReference.resolve(candidate, option: "--candidate", store: store)
        let baselineID = try RunReference.resolve(baseline, option: "--baseline", store: store)
        if candidateID == baselineID {
            // Legitimate when the release itself is re-checked, a misconfiguration otherwise.
            printError("note: --candidate and --baseline are the same run (\(candidateID)); comparisons with the baseline see identical predictions")
        }
        let verdict = try GateEvaluator(database: store).evaluate(candidateRunID: candidateID, baselineRunID: baselineID)
        var stored: Int64?
        if writable {
            stored = try store.storeGateVerdict(verdict.record)
        } else {
            printError("\(path): the verdict is printed but not stored (\(refusal ?? "read-only"))")
        }
        let content = verdict.reportContent
        try junitFile?.write(Data(JUnitXML.render(content).utf8))
        try summaryFile?.write(Data(MarkdownSummary.render(content).utf8))
        if json {
            try RunsFormatting.printJSON(Self.jsonObject(verdict, storedID: stored))
        } else {
            print(Self.text(verdict), terminator: "")
        }
        if verdict.outcome == .failed { throw ExitCode(ExitStatus.gateFailed) }
        if verdict.outcome == .notEvaluated {
            // A gate that checked nothing must not let a release through.
            printError("gate: nothing was checked (\(verdict.gates.isEmpty ? "the suite declares gates: []" : "no gate had a measured check")); "
                       + "declare gates the runs can answer, or remove gates: to get the default gate")
            throw ExitCode(ExitStatus.invalidInput)
        }
    }

    static func text(_ verdict: GateVerdict) -> String {
        var lines = [
            "gate \(verdict.outcome.rawValue.uppercased()): run \(verdict.candidate.id ?? 0) against run "
                + "\(verdict.baseline.id ?? 0)\(verdict.usesDefaultGates ? " (default gate)" : "")"
        ]
        for gate in verdict.gates {
            lines.append("")
            lines.append("[\(gate.outcome.rawValue)] \(gate.spec.displayName)")
            for check in gate.checks { lines.append("  \(check.outcome.padding(toLength: 13, withPad: " ", startingAt: 0))\(check.detail)") }
        }
        if !verdict.changes.isEmpty {
            lines += ["", "largest accuracy changes:"]
            for change in verdict.changes.prefix(3) {
                let interval = change.difference.map { String(format: " [%+.4f, %+.4f]", $0.interval.low, $0.interval.high) } ?? ""
                lines.append(String(format: "  %+.4f", change.difference?.estimate ?? 0) + interval + "  \(change.key)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func jsonObject(_ verdict: GateVerdict, storedID: Int64?) -> [String: Any] {
        [
            "outcome": verdict.outcome.rawValue, "candidate_run": verdict.candidate.id ?? 0,
            "baseline_run": verdict.baseline.id ?? 0, "default_gate": verdict.usesDefaultGates,
            "stored_verdict_id": storedID.map { $0 as Any } ?? NSNull(),
            "gates": verdict.gates.map { gate -> [String: Any] in
                [
                    "name": gate.spec.displayName, "kind": gate.spec.kind.rawValue, "outcome": gate.outcome.rawValue,
                    "checks": gate.checks.map { check -> [String: Any] in
                        [
                            "task": check.task ?? NSNull(), "strategy": check.strategy ?? NSNull(), "chain": check.chain ?? NSNull(),
                            "metric": check.metric ?? NSNull(), "outcome": check.outcome, "value": check.value ?? NSNull(),
                            "low": check.low ?? NSNull(), "high": check.high ?? NSNull(), "p_value": check.pValue ?? NSNull(),
                            "limit": check.limit ?? NSNull(), "detail": check.detail,
                        ]
                    },
                ]
            },
            "largest_changes": verdict.changes.prefix(3).map { change -> [String: Any] in
                [
                    "task": change.key.task, "strategy": change.key.strategy, "chain": change.key.chain, "metric": change.metric,
                    "difference": change.difference?.estimate ?? NSNull(), "low": change.difference?.interval.low ?? NSNull(),
                    "high": change.difference?.interval.high ?? NSNull(), "p_value": change.pValue ?? NSNull(),
                ]
            },
        ]
    }
}

/// Runs named on the command line: an id, `latest`, or a tag.
enum RunReference {
    static func resolve(_ text: String, option: String, store: ResultDatabase) throws -> Int64 {
        if text == "latest" || Int64(text) != nil {
            let id = try RunsFormatting.resolveRunID(text, store: store)
            _ = try store.run(id: id)
            return id
        }
        guard let id = try store.latestRunID(tagged: text) else {
            throw ValidationError(
                "\(option): no run with id or tag '\(text)' in \(store.path) (tag a run with `adapteval runs tag RUN NAME`)")
        }
        return id
    }
}
