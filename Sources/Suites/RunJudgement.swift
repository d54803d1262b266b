import Evaluation
import Foundation
import ResultStore

/// The verdicts of one run, computed from what the database holds (per-example predictions,
/// curves, metrics) and stored beside it: transfer comparisons and overfitting audits here,
/// divergences in `SuiteDivergences`. `run` judges at its end; `merge` judges merged runs.
///
/// Reading stored results only, a run is judged the same way whether its cells were computed
/// now, reused from an earlier run or merged from shards.
public struct RunJudgement {
    public var database: ResultDatabase
    /// Resamples of each paired bootstrap; 10,000 keeps the Monte-Carlo error of a 95% bound
    /// near 0.2 points on 1,000 examples.
    public var resamples = 10_000
    /// Seed of every bootstrap, so a run judged twice gets bit-identical intervals.
    public var seed: UInt64 = 0

    public init(database: ResultDatabase) {
        self.database = database
    }

    /// Computes and stores the run's transfer results and audits; returns what it stored.
    @discardableResult
    public func judge(runID: Int64) throws -> (transfer: [TransferResultRow], audits: [Int64: [OverfittingAuditRow]]) {
        let cells = try database.cells(ofRun: runID).filter { $0.cell.status == .finished }
        let transfer = try transferResults(cells)
        var audits: [Int64: [OverfittingAuditRow]] = [:]
        for detail in cells {
            guard let id = detail.cell.id else { continue }
            let rows = try Self.overfittingAudits(detail)
            if !rows.isEmpty { audits[id] = rows }
        }
        try database.storeVerdicts(runID: runID, transfer: transfer, audits: audits)
        return (transfer, audits)
    }
}
