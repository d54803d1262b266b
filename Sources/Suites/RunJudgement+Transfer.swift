import Evaluation
import Foundation
import ResultStore

extension RunJudgement {
    /// The cells of one strategy on one chain under one model, over their seeds.
    struct CellGroup {
        /// As displayed (a suite's label when it gives one).
        var strategy: String
        /// The registry name the label stands for (`lora` for a label `lora-r4`).
        var baseName: String
        var options: String
        var modelSHA256: String
        /// As `cells.chain` stores it.
        var chain: String
        var tasks: [String]
        var cells: [RunCellDetail]
        var target: String { tasks.last ?? "" }
        var isDirect: Bool { tasks.count == 1 }
        var isMultiTask: Bool { baseName == MultiTaskSpec.strategyName }
    }

    /// Per-seed values of one task's test split after one stage (correctness, stored rows), in
    /// example order, with the seed of each row.
    struct StoredTestSplit<Value> {
        var seeds: [Int64]
        var exampleIDs: [String]
        var values: [[Value]]
    }

    /// Transfer gains, pretraining gains, retention, forgetting and efficiency (DESIGN.md,
    /// "Definitions"), Holm-adjusted together over every tested comparison of the run.
    func transferResults(_ cells: [RunCellDetail]) throws -> [TransferResultRow] {
        let groups = Self.groups(cells)
        var rows: [TransferResultRow] = []
        func direct(_ group: CellGroup, where matches: (CellGroup) -> Bool) -> CellGroup? {
            groups.first { $0.isDirect && !$0.isMultiTask && $0.target == group.target && $0.modelSHA256 == group.modelSHA256 && matches($0) }
        }
        func direct(_ group: CellGroup, strategy: String) -> CellGroup? { direct(group) { $0.baseName == strategy } }
        for group in groups {
            if !group.isDirect {
                // Multi-task sets train adapters: their direct counterpart is the adapter.
                let reference = group.isMultiTask
                    ? direct(group, strategy: "adapter")
                    : direct(group) { $0.strategy == group.strategy && $0.options == group.options }
                rows.append(try compare(group, with: reference, kind: "transfer_gain", ratio: false))
                rows += try forgetting(group)
            } else if group.baseName != "scratch", !group.isMultiTask {
                if let scratch = direct(group, strategy: "scratch") {
                    rows.append(try compare(group, with: scratch, kind: "pretraining_gain", ratio: false))
                }
                if Self.parameterEfficient.contains(group.baseName), let full = direct(group, strategy: "full") {
                    rows.append(try compare(group, with: full, kind: "retention", ratio: true))
                }
            }
            rows += Self.efficiency(group)
        }
        rows += try transferabilityCorrelations(groups)
        let tested = rows.indices.filter { rows[$0].pValue != nil && !rows[$0].kind.hasPrefix("transferability") }
        let adjusted = try HolmBonferroni.adjusted(tested.map { rows[$0].pValue ?? 1 })
        for (index, pValue) in zip(tested, adjusted) { rows[index].pHolm = pValue }
        return rows
    }

    /// Strategies whose score the 96% retention claim is about.
    static let parameterEfficient: Set<String> = ["lora", "adapter", "prompt-tuning", "bitfit", "linear-probe"]
    /// The share of `full`'s score a parameter-efficient strategy is claimed to keep.
    static let retentionClaim = StrategyRecommendation.loraRetainedShare

    static func groups(_ cells: [RunCellDetail]) -> [CellGroup] {
        var order: [String] = []
        var groups: [String: CellGroup] = [:]
        for detail in cells {
            let cell = detail.cell
            let key = [cell.modelSHA256, cell.strategy, cell.options, cell.chain].joined(separator: "\u{1F}")
            if groups[key] == nil {
                order.append(key)
                groups[key] = CellGroup(
                    strategy: cell.strategy, baseName: strategyName(inConfiguration: cell.config) ?? cell.strategy, options: cell.options, modelSHA256: cell.modelSHA256, chain: cell.chain,
                    tasks: cell.chainTasks, cells: [])
            }
            groups[key]?.cells.append(detail)
        }
        return order.compactMap { groups[$0] }.map { group in
            var group = group
            group.cells.sort { $0.cell.seed < $1.cell.seed }
            return group
        }
    }

    /// Candidate − reference score on the target's test examples (or their ratio), paired by
    /// example and by seed, with a 95% BCa interval from the hierarchical bootstrap. The score
    /// is the target's headline metric (``RunResults/headlineMetrics``): accuracy for a
    /// classifier, Spearman × 100 for STS, nDCG@10 for retrieval, average precision for pairs.
    func compare(_ group: CellGroup, with reference: CellGroup?, kind: String, ratio: Bool) throws -> TransferResultRow {
        let stage = group.tasks.count - 1
        let metric = Self.headlineMetric(group, stage: stage, task: group.target)
        var row = TransferResultRow(
            kind: kind, task: group.target, strategy: group.strategy, chain: group.chain,
            reference: reference.map { kind == "transfer_gain" ? $0.chain : $0.strategy } ?? "", metric: metric,
            value: nil, label: "no-baseline", seeds: group.cells.count, examples: 0)
        guard let reference else { return row }
        if metric != "accuracy" {
            return try compareResampled(
                row, metric: metric, ratio: ratio, candidate: (group, stage), baseline: (reference, 0), task: group.target)
        }
        let candidate = try outcomes(group, stage: stage, task: group.target)
        let baseline = try outcomes(reference, stage: 0, task: group.target)
        guard let (paired, base) = Self.paired(candidate, baseline) else {
            // Without predictions on the same examples only the point difference is known.
            let a = Self.meanMetric(group, stage: stage, task: group.target)
            let b = Self.meanMetric(reference, stage: 0, task: group.target)
            if let a, let b { row.value = ratio ? (b > 0 ? a / b : nil) : a - b }
            row.label = "no-predictions"
            return row
        }
        let bootstrap = try PairedBootstrap(resamples: resamples, confidence: 0.95, method: .bca, seed: seed)
        row.seeds = paired.count
        row.examples = paired.first?.count ?? 0
        let estimate: BootstrapEstimate
        do {
            estimate = ratio
                ? try bootstrap.accuracyRatio(candidate: paired, baseline: base)
                : try bootstrap.accuracyDifference(candidate: paired, baseline: base)
        } catch EvaluationError.invalidArgument where ratio {
            // A reference that scores 0 on some resample leaves the ratio undefined there: the
            // point ratio is still known, its interval is not.
            let scored = base.joined().filter { $0 }.count
            row.value = scored > 0 ? Double(paired.joined().filter { $0 }.count) / Double(scored) : nil
            row.label = "inconclusive"
            return row
        }
        return Self.tested(row, estimate, ratio: ratio)
    }

    /// `row` with the estimate's value, interval, p-value and label. Retention is tested and
    /// read against the claim (keeps ≥ 96%), gains against no effect, so a label and its
    /// p-value always speak of the same hypothesis.
    static func tested(_ row: TransferResultRow, _ estimate: BootstrapEstimate, ratio: Bool) -> TransferResultRow {
        var row = row
        row.value = estimate.estimate
        row.low = estimate.interval.low
        row.high = estimate.interval.high
        row.pValue = ratio ? estimate.pValue(against: retentionClaim) : estimate.pValue
        row.label = TransferLabel(interval: estimate.interval, noEffect: ratio ? retentionClaim : 0).rawValue
        return row
    }

    /// Forgetting on each source task: its test score (headline metric) right after its own
    /// stage minus after the chain's last stage, on the same examples (positive: the later
    /// stages made it forget). A stage with no test score of its own (unlabelled text, sentence
    /// pairs) has nothing to forget and gets no row.
    func forgetting(_ group: CellGroup) throws -> [TransferResultRow] {
        guard !group.isMultiTask else { return [] }
        let last = group.tasks.count - 1
        return try group.tasks.dropLast().enumerated().compactMap { stage, task -> TransferResultRow? in
            let metric = Self.headlineMetric(group, stage: stage, task: task)
            var row = TransferResultRow(
                kind: "forgetting", task: task, strategy: group.strategy, chain: group.chain, reference: "stage \(last + 1)",
                metric: metric, value: nil, label: "no-predictions", seeds: group.cells.count, examples: 0)
            if metric != "accuracy" {
                return try compareResampled(row, metric: metric, ratio: false, candidate: (group, stage), baseline: (group, last), task: task)
            }
            guard let (own, after) = Self.paired(try outcomes(group, stage: stage, task: task), try outcomes(group, stage: last, task: task))
            else {
                guard let a = Self.meanMetric(group, stage: stage, task: task) else { return nil }
                if let b = Self.meanMetric(group, stage: last, task: task) { row.value = a - b }
                return row
            }
            let estimate = try PairedBootstrap(resamples: resamples, confidence: 0.95, method: .bca, seed: seed)
                .accuracyDifference(candidate: own, baseline: after)
            row.value = estimate.estimate
            row.low = estimate.interval.low
            row.high = estimate.interval.high
            row.pValue = estimate.pValue
            row.examples = own.first?.count ?? 0
            row.label = TransferLabel(estimate).rawValue
            return row
        }
    }

    /// Test accuracy per million trainable parameters and per minute of the cell's wall time,
    /// averaged over seeds (measured figures, not tested).
    static func efficiency(_ group: CellGroup) -> [TransferResultRow] {
        let stage = group.tasks.count - 1
        guard let score = meanMetric(group, stage: stage, task: group.target) else { return [] }
        let parameters = group.cells.compactMap(\.cell.trainableParameters).map(Double.init)
        let minutes = group.cells.compactMap(\.cell.wallSeconds).map { $0 / 60 }
        var rows: [TransferResultRow] = []
        func add(_ kind: String, _ denominators: [Double]) {
            guard !denominators.isEmpty else { return }
            let mean = denominators.reduce(0, +) / Double(denominators.count)
            guard mean > 0 else { return }
            rows.append(TransferResultRow(
                kind: kind, task: group.target, strategy: group.strategy, chain: group.chain, reference: "",
                metric: "accuracy", value: score / mean, label: "measured", seeds: group.cells.count, examples: 0))
        }
        add("efficiency_per_million_parameters", parameters.map { $0 / 1_000_000 })
        add("efficiency_per_minute", minutes)
        return rows
    }

    /// Per target and strategy, how well LogME of the encoder each chain's last stage starts
    /// from ranks the chains' realised test accuracy: Spearman's ρ and Kendall's τ-b with
    /// their p-values (`RankCorrelation`), over chains whose encoders differ (at least 3).
    func transferabilityCorrelations(_ groups: [CellGroup]) throws -> [TransferResultRow] {
        var rows: [TransferResultRow] = []
        let candidates = groups.filter { !$0.isMultiTask }
        var seen = Set<[String]>()
        for group in candidates where seen.insert([group.target, group.strategy, group.options]).inserted {
            let family = candidates.filter { $0.target == group.target && $0.strategy == group.strategy && $0.options == group.options }
            let points = family.compactMap { member -> (Double, Double)? in
                let last = member.tasks.count - 1
                guard let estimate = Self.meanMetric(member, stage: last, task: member.target, split: "train", name: "logme"),
                    let score = Self.meanMetric(member, stage: last, task: member.target)
                else { return nil }
                return (estimate, score)
            }
            // Encoders that do not change (a linear probe's chains) give one LogME: nothing to rank.
            guard points.count >= 3, Set(points.map(\.0)).count >= 2, Set(points.map(\.1)).count >= 2 else { continue }
            for (kind, correlation) in [
                ("transferability_spearman", try RankCorrelation.spearman(points.map(\.0), points.map(\.1))),
                ("transferability_kendall", try RankCorrelation.kendall(points.map(\.0), points.map(\.1))),
            ] {
                var row = TransferResultRow(
                    kind: kind, task: group.target, strategy: group.strategy, chain: "", reference: "logme", metric: "accuracy",
                    value: correlation.coefficient, pValue: correlation.pValue, label: "measured", seeds: group.cells.count,
                    examples: points.count)
                row.chain = "[]"
                rows.append(row)
            }
        }
        return rows
    }

    static func meanMetric(_ group: CellGroup, stage: Int, task: String, split: String = "test", name: String = "accuracy") -> Double? {
        let values = group.cells.compactMap { detail in
            detail.metrics.first { $0.stage == stage && $0.task == task && $0.split == split && $0.name == name }?.value
        }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The registry name of the cell's strategy, from its stored configuration.
    static func strategyName(inConfiguration json: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let adaptation = object["adaptation"] as? [String: Any],
            let strategy = adaptation["strategy"] as? [String: Any]
        else { return nil }
        return strategy["name"] as? String
    }

    func outcomes(_ group: CellGroup, stage: Int, task: String) throws -> StoredTestSplit<Bool>? {
        guard let stored = try testPredictions(group, stage: stage, task: task) else { return nil }
        return StoredTestSplit(
            seeds: stored.seeds, exampleIDs: stored.exampleIDs, values: stored.values.map { $0.map { $0.gold == $0.predicted } })
    }

    /// Every seed's stored test predictions of one task after one stage, in example order; nil
    /// when a seed stored none or the seeds' examples differ.
    func testPredictions(_ group: CellGroup, stage: Int, task: String) throws -> StoredTestSplit<PredictionRow>? {
        var result = StoredTestSplit<PredictionRow>(seeds: [], exampleIDs: [], values: [])
        for detail in group.cells {
            guard let id = detail.cell.id else { continue }
            let stored = try database.testPredictions(ofCell: id, stage: stage, task: task)
            guard !stored.isEmpty else { return nil }
            let ids = stored.map(\.exampleID)
            if result.exampleIDs.isEmpty { result.exampleIDs = ids } else if ids != result.exampleIDs { return nil }
            result.seeds.append(detail.cell.seed)
            result.values.append(stored)
        }
        return result.values.isEmpty ? nil : result
    }

    /// The first of ``RunResults/headlineMetrics`` stored for the task's test split after the
    /// stage; accuracy when none is.
    static func headlineMetric(_ group: CellGroup, stage: Int, task: String) -> String {
        RunResults.headlineMetric(among: Set(group.cells.flatMap { detail in
            detail.metrics.filter { $0.stage == stage && $0.task == task && $0.split == "test" }.map(\.name)
        })) ?? "accuracy"
    }

    /// `row` tested for an embedding task's score (Spearman, nDCG@10, average precision):
    /// candidate − baseline (or their ratio) on one task's test split, the metric recomputed
    /// from each side's stored predictions on every paired resample of seeds and examples
    /// (``ResampledMetric``), as accuracy is compared. A resample on which the metric is
    /// undefined (no positive pair, constant scores) leaves the point value and no interval.
    func compareResampled(
        _ row: TransferResultRow, metric: String, ratio: Bool, candidate: (group: CellGroup, stage: Int),
        baseline: (group: CellGroup, stage: Int), task: String
    ) throws -> TransferResultRow {
        var row = row
        let a = Self.meanMetric(candidate.group, stage: candidate.stage, task: task, name: metric)
        let b = Self.meanMetric(baseline.group, stage: baseline.stage, task: task, name: metric)
        let point = a.flatMap { a in b.flatMap { b in ratio ? (b > 0 ? a / b : nil) : a - b } }
        guard let (candidateRows, baselineRows) = Self.paired(
            try testPredictions(candidate.group, stage: candidate.stage, task: task),
            try testPredictions(baseline.group, stage: baseline.stage, task: task)),
            let candidateMetric = ResampledMetric(metric, rows: candidateRows, labelNames: [], probabilityLabels: nil, calibrationBins: 0),
            let baselineMetric = ResampledMetric(metric, rows: baselineRows, labelNames: [], probabilityLabels: nil, calibrationBins: 0)
        else {
            row.value = point
            row.label = "no-predictions"
            return row
        }
        row.seeds = candidateMetric.seeds
        row.examples = candidateMetric.examples
        let bootstrap = try PairedBootstrap(resamples: resamples, confidence: 0.95, method: .bca, seed: seed)
        do {
            return Self.tested(row, try ResampledMetric.compare(candidateMetric, baselineMetric, bootstrap: bootstrap, ratio: ratio), ratio: ratio)
        } catch EvaluationError.invalidArgument {
            row.value = point
            row.label = "inconclusive"
            return row
        }
    }

    /// Both sides on the same examples and on the seeds they share (paired by seed value;
    /// by position when they share none, e.g. a run over other seeds).
    static func paired<Value>(_ candidate: StoredTestSplit<Value>?, _ baseline: StoredTestSplit<Value>?) -> ([[Value]], [[Value]])? {
        guard let candidate, let baseline, candidate.exampleIDs == baseline.exampleIDs, candidate.exampleIDs.count >= 2 else {
            return nil
        }
        let shared = candidate.seeds.filter(baseline.seeds.contains)
        if !shared.isEmpty {
            return (shared.compactMap { seed in candidate.seeds.firstIndex(of: seed).map { candidate.values[$0] } },
                    shared.compactMap { seed in baseline.seeds.firstIndex(of: seed).map { baseline.values[$0] } })
        }
        let count = min(candidate.values.count, baseline.values.count)
        return (Array(candidate.values.prefix(count)), Array(baseline.values.prefix(count)))
    }
}
