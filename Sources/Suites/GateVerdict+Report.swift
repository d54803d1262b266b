import Evaluation
import Foundation
import Reports
import ResultStore

extension GateVerdict.Outcome {
    /// The report model's outcome.
    public var reportOutcome: ReportContent.Verdict.Outcome {
        switch self {
        case .passed: .passed
        case .failed: .failed
        case .notEvaluated: .notEvaluated
        }
    }
}

extension MetricComparison {
    /// The change the largest-changes lists rank by: the paired difference where predictions were
    /// paired, else the difference of the stored means (the gate and the report rank alike).
    public var pairedChange: Double { difference?.estimate ?? candidate - baseline }

    /// The comparison as one of the report's largest changes: improvement or regression when
    /// the interval excludes 0, inconclusive otherwise.
    public var reportChange: ReportContent.Verdict.Change {
        let interval = difference?.interval
        var direction = ReportContent.Verdict.Change.Direction.inconclusive
        if let interval, interval.low > 0 { direction = .improvement }
        if let interval, interval.high < 0 { direction = .regression }
        return ReportContent.Verdict.Change(
            subject: key.description, metric: metric,
            difference: ReportContent.Estimate(
                pairedChange, low: interval?.low, high: interval?.high, seedCount: seeds),
            direction: direction)
    }
}

extension GateVerdict {
    /// The verdict in the report model: one gate per suite gate, the three largest changes.
    public var reportVerdict: ReportContent.Verdict {
        ReportContent.Verdict(
            outcome: outcome.reportOutcome,
            gates: gates.map { gate in
                ReportContent.Verdict.Gate(
                    name: gate.spec.displayName, outcome: gate.outcome.reportOutcome, detail: gate.detail, seconds: gate.seconds)
            },
            largestChanges: changes.prefix(3).map(\.reportChange), evaluatedAt: Self.junitTimestamp(evaluatedAt),
            host: ProcessInfo.processInfo.hostName)
    }

    /// ISO 8601 in UTC without a zone designator: the form JUnit's schema gives `timestamp`.
    static func junitTimestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: date)
    }

    /// The report content JUnit XML and the Markdown summary render (title, run, verdict).
    public var reportContent: ReportContent {
        let runID = "\(candidate.id ?? 0)"
        let gateSource = usesDefaultGates ? " (default gate)" : ""
        return ReportContent(
            title: "\(candidate.suiteName): run \(runID) against run \(baseline.id ?? 0)\(gateSource)",
            suiteName: candidate.suiteName, runID: runID, tag: candidate.tag, status: candidate.status,
            verdict: reportVerdict)
    }
}
