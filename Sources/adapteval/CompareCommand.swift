import ArgumentParser
import Foundation
import ResultStore
import Suites

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two runs metric by metric: both values, the paired difference, its interval and p-value.",
        discussion: """
            Cells are matched by target task, strategy and chain. Every metric is compared on \
            the stored per-example predictions, recomputed on each resample: a paired bootstrap \
            interval (95%, BCa, 2,000 resamples, seeds then examples) and p-value, and for \
            accuracy the exact McNemar p-value. A metric without stored predictions behind it \
            shows both values and their difference, with test "none". Significant changes \
            (p < 0.05) come first.
            """)

    @Argument(help: "The candidate run: an id, 'latest' or a tag.") var candidate: String
    @Argument(help: "The baseline run: an id, 'latest' or a tag.") var baseline: String
    @OptionGroup var database: DatabaseOption
    @Flag(name: .long, help: "Write JSON.") var json = false

    func run() throws {
        let store = try ResultDatabase(path: database.absolutePath, readOnly: true)
        let candidateID = try RunReference.resolve(candidate, option: "candidate", store: store)
        let baselineID = try RunReference.resolve(baseline, option: "baseline", store: store)
        let comparison = try RunComparison(database: store, candidateRunID: candidateID, baselineRunID: baselineID)
        let rows = comparison.rowsBySignificance
        if json {
            try RunsFormatting.printJSON([
                "candidate_run": candidateID, "baseline_run": baselineID,
                "rows": rows.map { row -> [String: Any] in
                    [
                        "task": row.key.task, "strategy": row.key.strategy, "chain": row.key.chain, "metric": row.metric,
                        "candidate": row.candidate, "baseline": row.baseline,
                        "difference": row.difference?.estimate ?? row.candidate - row.baseline,
                        "low": row.difference?.interval.low ?? NSNull(), "high": row.difference?.interval.high ?? NSNull(),
                        "p_value": row.pValue ?? NSNull(), "test": Self.testName(row), "significant": row.isSignificant(),
                        "seeds": row.seeds, "examples": row.examples, "note": row.note ?? NSNull(),
                    ]
                },
                "unmatched_candidate": comparison.unmatchedCandidate.map(\.description),
                "unmatched_baseline": comparison.unmatchedBaseline.map(\.description),
            ] as [String: Any])
            return
        }
        print("run \(candidateID) (candidate) against run \(baselineID) (baseline)")
        guard !rows.isEmpty else {
            print("no cell of run \(candidateID) matches run \(baselineID) by task, strategy and chain")
            return
        }
        var table = [["", "strategy", "task", "chain", "metric", "candidate", "baseline", "difference", "95% interval", "p", "test"]]
        for row in rows {
            let interval = row.difference.map { String(format: "[%+.4f, %+.4f]", $0.interval.low, $0.interval.high) } ?? "-"
            table.append([
                row.isSignificant() ? "*" : "", row.key.strategy, row.key.task, row.key.chain, row.metric,
                String(format: "%.4f", row.candidate), String(format: "%.4f", row.baseline),
                String(format: "%+.4f", row.difference?.estimate ?? row.candidate - row.baseline), interval,
                row.pValue.map { String(format: "%.4f", $0) } ?? "-", Self.testName(row),
            ])
        }
        print(RunsFormatting.table(table), terminator: "")
        print("* significant at p < 0.05 (McNemar exact for accuracy, paired bootstrap otherwise)")
        // Why a metric has no test, said once per reason.
        var reasons: [String] = []
        for row in rows { if let note = row.note, !reasons.contains(note) { reasons.append(note) } }
        for reason in reasons { print("no test: \(reason)") }
        for key in comparison.unmatchedCandidate { print("only in run \(candidateID): \(key)") }
        for key in comparison.unmatchedBaseline { print("only in run \(baselineID): \(key)") }
    }

    static func testName(_ row: MetricComparison) -> String {
        row.mcNemar != nil ? "mcnemar" : row.difference != nil ? "bootstrap" : "none"
    }
}
