import Foundation
import ResultStore

/// Probe results in `runs show` and `export`.
extension RunsFormatting {
    /// Per cell with probe results: every whole-set metric (with its drift from the base model
    /// when there is one) and, per probe metric measured on groups, the group whose harm drift
    /// is largest (or, without a base model, the group furthest from the ideal).
    static func probeTable(_ cells: [RunCellDetail], results: RunProbeResults) -> String? {
        var rows = [["strategy", "seed", "chain", "probe", "metric", "base", "adapted", "drift [95% CI]", "harm drift"]]
        for detail in cells {
            guard let id = detail.cell.id else { continue }
            let metrics = results.metrics[id] ?? []
            let drift = results.drift[id] ?? []
            guard !metrics.isEmpty else { continue }
            let prefix = [detail.cell.strategy, String(detail.cell.seed), detail.cell.chainTasks.joined(separator: " → ")]
            func label(_ metric: String, _ group: String) -> String { group.isEmpty ? metric : "\(metric)[\(group)]" }
            var shown = Set<String>()
            for row in drift where row.group.isEmpty || isWorst(row, among: drift) {
                shown.insert("\(row.task)|\(row.probe)|\(row.metric)|\(row.group)")
                let interval = (row.low != nil && row.high != nil) ? String(format: " [%+.3f, %+.3f]", row.low!, row.high!) : ""
                rows.append(prefix + [row.probe, label(row.metric, row.group), String(format: "%.3f", row.base),
                                      String(format: "%.3f", row.adapted), String(format: "%+.3f", row.drift) + interval,
                                      String(format: "%+.3f", row.harmDrift)])
            }
            for row in metrics where row.ideal != nil && !shown.contains("\(row.task)|\(row.probe)|\(row.metric)|\(row.group)")
                && (row.group.isEmpty || isFurthest(row, among: metrics))
            {
                let interval = (row.low != nil && row.high != nil) ? String(format: " [%.3f, %.3f]", row.low!, row.high!) : ""
                rows.append(prefix + [row.probe, label(row.metric, row.group), "-", String(format: "%.3f", row.value) + interval, "-", "-"])
            }
        }
        return rows.count > 1 ? table(rows) : nil
    }

    /// Whether a group's drift row has the largest harm drift of its probe metric.
    static func isWorst(_ row: ProbeDriftRow, among rows: [ProbeDriftRow]) -> Bool {
        let peers = rows.filter { $0.task == row.task && $0.probe == row.probe && $0.metric == row.metric && !$0.group.isEmpty }
        return peers.max { $0.harmDrift < $1.harmDrift } == row
    }

    /// Whether a group's measurement is the furthest from the ideal of its probe metric.
    static func isFurthest(_ row: ProbeMetricRow, among rows: [ProbeMetricRow]) -> Bool {
        let peers = rows.filter { $0.task == row.task && $0.probe == row.probe && $0.metric == row.metric && !$0.group.isEmpty }
        return peers.max { abs($0.value - ($0.ideal ?? 0)) < abs($1.value - ($1.ideal ?? 0)) } == row
    }

    static func probeMetricObject(_ row: ProbeMetricRow) -> [String: Any] {
        ["task": row.task, "probe": row.probe, "kind": row.kind, "metric": row.metric, "group": row.group, "value": row.value,
         "low": row.low ?? NSNull(), "high": row.high ?? NSNull(), "count": row.count, "ideal": row.ideal ?? NSNull(),
         "harm_direction": row.harmDirection ?? NSNull(), "note": row.note ?? NSNull()]
    }

    static func probeDriftObject(_ row: ProbeDriftRow) -> [String: Any] {
        ["task": row.task, "probe": row.probe, "kind": row.kind, "metric": row.metric, "group": row.group, "base": row.base,
         "adapted": row.adapted, "drift": row.drift, "low": row.low ?? NSNull(), "high": row.high ?? NSNull(), "ideal": row.ideal,
         "harm_direction": row.harmDirection, "harm_drift": row.harmDrift, "harm_low": row.harmLow ?? NSNull(),
         "harm_high": row.harmHigh ?? NSNull(), "paired": row.paired, "items": row.items]
    }

    /// Adds `probe_metrics` and `probe_drift` to a cell's JSON object.
    static func addProbes(to object: inout [String: Any], cellID: Int64?, results: RunProbeResults) {
        guard let cellID else { return }
        object["probe_metrics"] = (results.metrics[cellID] ?? []).map(probeMetricObject)
        object["probe_drift"] = (results.drift[cellID] ?? []).map(probeDriftObject)
    }

    /// The base-model probe results a run's cells compare with, for a run's JSON object.
    static func baselineObjects(_ results: RunProbeResults) -> [[String: Any]] {
        results.baselines.map { baseline in
            ["id": baseline.id ?? 0, "key": baseline.key, "model": baseline.model, "model_sha256": baseline.modelSHA256,
             "probe": baseline.probe, "kind": baseline.kind, "wall_seconds": baseline.wallSeconds,
             "metrics": (results.baselineMetrics[baseline.id ?? 0] ?? []).map(probeMetricObject)]
        }
    }

    /// CSV rows of a cell's probe metrics (split `probe:<probe>`), drift (`drift:<probe>`) and
    /// harm drift (`harm-drift:<probe>`); metric names carry their group as `metric[group]`.
    static func probeCSVRows(prefix: [String], stage: Int, cellID: Int64?, results: RunProbeResults) -> [[String]] {
        guard let cellID else { return [] }
        func label(_ metric: String, _ group: String) -> String { group.isEmpty ? metric : "\(metric)[\(group)]" }
        func number(_ value: Double?) -> String { value.map { String($0) } ?? "" }
        var rows: [[String]] = []
        for row in results.metrics[cellID] ?? [] {
            rows.append(prefix + [String(stage), row.task, "probe:\(row.probe)", label(row.metric, row.group), String(row.value),
                                  number(row.low), number(row.high)])
        }
        for row in results.drift[cellID] ?? [] {
            rows.append(prefix + [String(stage), row.task, "drift:\(row.probe)", label(row.metric, row.group), String(row.drift),
                                  number(row.low), number(row.high)])
            rows.append(prefix + [String(stage), row.task, "harm-drift:\(row.probe)", label(row.metric, row.group),
                                  String(row.harmDrift), number(row.harmLow), number(row.harmHigh)])
        }
        return rows
    }
}
