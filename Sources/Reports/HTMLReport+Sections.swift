import Evaluation
extension HTMLReport {
    private static let format = NumberFormatting.typeset

    static func verdict(_ verdict: ReportContent.Verdict, into writer: inout MarkupWriter) {
        let outcome = verdict.outcome
        writer.element("div", ["class": "banner " + outcome.rawValue, "role": "status"]) { writer in
            writer.element("span", ["class": "symbol", "aria-hidden": "true"], text: symbol(of: outcome))
            writer.element("div") { writer in
                writer.element("p", ["class": "headline"], text: headline(of: outcome))
                writer.element("p", ["class": "counts"], text: counts(of: verdict))
            }
        }
        writer.newline()
        guard !verdict.gates.isEmpty || !verdict.largestChanges.isEmpty else {
            writer.element("p", ["class": "empty"], text: emptyMessage(.verdict))
            return
        }
        writer.element("h3", text: "Largest changes")
        if verdict.largestChanges.isEmpty {
            writer.element("p", ["class": "empty"], text: "No changes to rank: there is no baseline run, transfer comparison or probe drift yet.")
        } else {
            writer.element("ol", ["class": "changes"]) { writer in
                for change in verdict.largestChanges {
                    writer.newline()
                    writer.element("li") { writer in
                        let (text, tone) = describe(change.direction)
                        writer.element("span", ["class": tone.className], text: text)
                        writer.element("span", ["class": "subject"], text: change.subject)
                        writer.element("span", ["class": "metric"], text: change.metric)
                        writer.element("span", ["class": "difference"], text: format.estimate(change.difference, signed: true))
                    }
                }
            }
        }
        writer.element("h3", text: "Gates")
        if verdict.gates.isEmpty {
            writer.element("p", ["class": "empty"], text: emptyMessage(.verdict))
        } else {
            writer.table(
                DataTable(
                    caption: nil, columns: [.init("Gate"), .init("Outcome"), .init("Detail")],
                    rows: verdict.gates.map { gate in
                        let (text, tone) = describe(gate.outcome)
                        return [.text(gate.name), .badge(text, tone), .text(gate.detail)]
                    }))
        }
    }

    static func symbol(of outcome: ReportContent.Verdict.Outcome) -> String {
        switch outcome {
        case .passed: "✓"
        case .failed: "✗"
        case .notEvaluated: "–"
        }
    }

    static func headline(of outcome: ReportContent.Verdict.Outcome) -> String {
        switch outcome {
        case .passed: "Gate passed"
        case .failed: "Gate failed"
        case .notEvaluated: "Gate not evaluated"
        }
    }

    /// "1 of 4 gates failed · 2 passed · 1 not evaluated".
    static func counts(of verdict: ReportContent.Verdict) -> String {
        let total = verdict.gates.count
        guard total > 0 else { return "No gates have been checked for this run." }
        let noun = total == 1 ? "gate" : "gates"
        let failed = verdict.count(.failed)
        let passed = verdict.count(.passed)
        let skipped = verdict.count(.notEvaluated)
        var parts = failed > 0 ? ["\(failed) of \(total) \(noun) failed", "\(passed) passed"] : ["\(passed) of \(total) \(noun) passed"]
        if skipped > 0 { parts.append("\(skipped) not evaluated") }
        return parts.joined(separator: " · ")
    }

    private static func describe(_ outcome: ReportContent.Verdict.Outcome) -> (String, DataTable.Tone) {
        switch outcome {
        case .passed: ("✓ passed", .good)
        case .failed: ("✗ failed", .bad)
        case .notEvaluated: ("– not evaluated", .neutral)
        }
    }

    private static func describe(_ direction: ReportContent.Verdict.Change.Direction) -> (String, DataTable.Tone) {
        switch direction {
        case .improvement: ("▲ improvement", .good)
        case .regression: ("▼ regression", .bad)
        case .inconclusive: ("● inconclusive", .neutral)
        }
    }

    static func scores(_ table: ReportContent.ScoreTable, into writer: inout MarkupWriter) {
        writer.table(
            DataTable(
                caption: table.caption,
                columns: [.init("Strategy")] + table.columns.map { .init($0, numeric: true) },
                rows: table.rows.map { row in
                    [.label(row.strategy, detail: row.chain)]
                        + table.columns.indices.map { index in
                            guard row.scores.indices.contains(index), let score = row.scores[index] else {
                                return .number("—")
                            }
                            return .number(format.estimate(score), note: score.seedCount.map(seeds))
                        }
                }))
    }

    private static func seeds(_ count: Int) -> String { count == 1 ? "1 seed" : "\(count) seeds" }

    static func transfer(_ gains: ReportContent.TransferGains, into writer: inout MarkupWriter) {
        writer.element(
            "p", ["class": "intro"],
            text: "Gain = score after the source task minus score trained on the target alone, paired over the same "
                + "test examples and seeds, with its 95% paired-bootstrap interval. Positive when the whole "
                + "interval is above 0, negative when below, inconclusive otherwise.")
        IntervalPlot(
            title: "Transfer gain in \(gains.metric) with 95% intervals",
            axisTitle: "Gain in \(gains.metric) (difference, transferred − direct)", comparisons: gains.comparisons
        ).render(into: &writer)
    }

    static func learningCurves(_ curves: [ReportContent.LearningCurve], into writer: inout MarkupWriter) {
        let drawable = curves.filter { !$0.isEmpty }
        writer.element("div", ["class": "curves"]) { writer in
            for curve in drawable {
                writer.newline()
                writer.element("article", ["class": "curve"]) { writer in
                    writer.element("h3", text: curve.title)
                    writer.element("p", ["class": "stop"], text: stopLine(curve))
                    writer.element("div", ["class": "curve-charts"]) { writer in
                        let progress = curve.progress == .epoch ? "Epoch (passes over the training set)" : "Optimiser step"
                        let loss = LineChart(
                            title: "Loss: \(curve.title)", xAxisTitle: progress, yAxisTitle: "Cross-entropy loss (nats)",
                            series: [
                                .init(name: "train", style: .train, points: curve.trainLoss),
                                .init(name: "validation", style: .validation, points: curve.validationLoss),
                            ], selectedAt: curve.selectedAt)
                        let accuracy = LineChart(
                            title: "Accuracy: \(curve.title)", xAxisTitle: progress,
                            yAxisTitle: "Accuracy (fraction correct)",
                            series: [
                                .init(name: "train", style: .train, points: curve.trainAccuracy),
                                .init(name: "validation", style: .validation, points: curve.validationAccuracy),
                            ], selectedAt: curve.selectedAt)
                        for (chart, caption) in [(loss, "Loss"), (accuracy, "Accuracy")]
                        where chart.series.contains(where: { !$0.points.isEmpty }) {
                            chart.render(into: &writer, caption: caption)
                        }
                    }
                }
            }
        }
        writer.newline()
    }

    /// "Stopped: no improvement for 2 epochs. Weights from epoch 3."
    private static func stopLine(_ curve: ReportContent.LearningCurve) -> String {
        var parts: [String] = []
        if let reason = curve.stopReason, !reason.isEmpty { parts.append("Stopped: \(reason).") }
        if let selected = curve.selectedAt {
            parts.append("Weights from \(curve.progress.rawValue) \(format.progress(selected)) (marked “selected”).")
        }
        return parts.isEmpty ? "Trained to the end of its budget." : parts.joined(separator: " ")
    }

    static func overfitting(_ assessments: [ReportContent.OverfittingAssessment], into writer: inout MarkupWriter) {
        writer.table(
            DataTable(
                caption: "Generalisation gap: train minus validation score at the selected epoch.",
                columns: [
                    .init("Cell"), .init("Gap", numeric: true), .init("Best epoch", numeric: true),
                    .init("Last epoch", numeric: true), .init("Best validation", numeric: true),
                    .init("Last validation", numeric: true), .init("Stop reason"), .init("Overfitting"),
                ],
                rows: assessments.map { row in
                    [
                        .text(row.cell), .number(row.generalizationGap.map { format.decimal($0, signed: true) } ?? "—"),
                        .number(String(row.bestEpoch)), .number(String(row.lastEpoch)),
                        .number(row.bestScore.map { format.decimal($0) } ?? "—"),
                        .number(row.lastScore.map { format.decimal($0) } ?? "—"), .text(row.stopReason),
                        row.isOverfitting ? .badge("⚠ overfitting", .warning) : .badge("no", .neutral),
                    ]
                }))
    }

    static func efficiency(_ efficiency: ReportContent.ParameterEfficiency, into writer: inout MarkupWriter) {
        ScatterPlot(
            title: "Trainable parameters against \(efficiency.metric)",
            xAxisTitle: "Trainable parameters (count, log scale)", yAxisTitle: efficiency.metric.capitalizedFirst,
            entries: efficiency.entries
        ).render(into: &writer)
    }

    static func divergence(_ divergence: ReportContent.DomainDivergence, into writer: inout MarkupWriter) {
        writer.element(
            "p", ["class": "intro"],
            text: "Each matrix compares the row's domain (P) with the column's (Q); darker cells are larger. "
                + "KL divergence is asymmetric; Jensen–Shannon above \(StrategyRecommendation.divergenceLimitBits) bits suggests multi-task training over "
                + "direct transfer.")
        for measure in divergence.measures {
            let name = measure.unit.map { "\(measure.name) (\($0))" } ?? measure.name
            Heatmap(title: name, domains: divergence.domains, measure: measure).render(into: &writer)
        }
    }

    static func probes(_ drift: [ReportContent.ProbeDrift], into writer: inout MarkupWriter) {
        writer.table(
            DataTable(
                caption: "Δ = adapted − base model, with its 95% interval.",
                columns: [
                    .init("Model"), .init("Probe"), .init("Metric"), .init("Group"), .init("Base", numeric: true),
                    .init("Adapted", numeric: true), .init("Δ", numeric: true), .init("Threshold"),
                ],
                rows: drift.map { row in
                    // Percentages and fractions alike keep three significant digits.
                    let digits = NumberFormatting.decimals(
                        forSignificantDigits: 3, of: max(abs(row.base), abs(row.adapted)))
                    return [
                        .text(row.model), .text(row.probe), .text(row.metric), .text(row.group),
                        .number(format.decimal(row.base, digits: digits)),
                        .number(format.decimal(row.adapted, digits: digits)),
                        .number(format.estimate(row.delta, digits: digits, signed: true)),
                        row.exceedsThreshold ? .badge("⚠ beyond", .warning) : .badge("within", .neutral),
                    ]
                }))
    }

    static func baseline(_ comparison: ReportContent.BaselineComparison, into writer: inout MarkupWriter) {
        if let baselineRunID = comparison.baselineRunID {
            writer.element(
                "p", ["class": "intro"],
                text: "This run (candidate) against run \(baselineRunID) (baseline); difference = candidate − baseline.")
        }
        writer.table(
            DataTable(
                caption: nil,
                columns: [
                    .init("Task"), .init("Strategy"), .init("Metric"), .init("Candidate", numeric: true),
                    .init("Baseline", numeric: true), .init("Difference", numeric: true), .init("p", numeric: true),
                    .init("Test"), .init("Significant"),
                ],
                rows: comparison.rows.map { row in
                    [
                        .text(row.task), .label(row.strategy, detail: row.chain), .text(row.metric),
                        .number(format.decimal(row.candidate)), .number(format.decimal(row.baseline)),
                        .number(format.estimate(row.difference, signed: true)),
                        .number(row.pValue.map(format.pValue) ?? "—"), .text(row.test),
                        row.isSignificant ? .badge("✓ significant", .warning) : .badge("not significant", .neutral),
                    ]
                }))
    }

    static func provenance(_ entries: [ReportContent.ProvenanceEntry], into writer: inout MarkupWriter) {
        writer.element("dl", ["class": "provenance"]) { writer in
            for entry in entries {
                writer.newline()
                writer.element("dt", text: entry.key)
                writer.element("dd") { writer in writer.element("code", text: entry.value) }
            }
        }
        writer.newline()
    }
}

extension String {
    /// "test accuracy" → "Test accuracy".
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
