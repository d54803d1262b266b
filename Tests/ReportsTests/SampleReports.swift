import Reports

/// Report contents the tests render: a realistic finished run, an empty one, and one whose
/// every string is an injection attempt.
enum SampleReports {
    typealias Estimate = ReportContent.Estimate

    /// A finished domain-shift run: eight strategies, direct and through SST-2, three seeds.
    static let realistic: ReportContent = {
        let directLabels = ["full", "LoRA r=8", "adapter 64", "linear probe", "prompt tuning 20", "BitFit", "scratch", "zero-shot"]
        let kitchen: [Estimate] = [
            Estimate(0.903, low: 0.873, high: 0.930, seedCount: 3), Estimate(0.897, low: 0.866, high: 0.925, seedCount: 3),
            Estimate(0.889, low: 0.857, high: 0.918, seedCount: 3), Estimate(0.842, low: 0.806, high: 0.876, seedCount: 3),
            Estimate(0.781, low: 0.741, high: 0.819, seedCount: 3), Estimate(0.864, low: 0.830, high: 0.896, seedCount: 3),
            Estimate(0.612, low: 0.568, high: 0.655, seedCount: 3), Estimate(0.694, low: 0.652, high: 0.735, seedCount: 1),
        ]
        var rows = zip(directLabels, kitchen).map { label, score in
            ReportContent.ScoreTable.Row(
                strategy: label, chain: "kitchen",
                scores: [score, Estimate(score.value - 0.011, low: score.low.map { $0 - 0.012 }, high: score.high.map { $0 - 0.010 }, seedCount: score.seedCount), nil])
        }
        rows.append(.init(strategy: "full", chain: "SST-2 → kitchen", scores: [
            Estimate(0.921, low: 0.894, high: 0.946, seedCount: 3), Estimate(0.915, low: 0.887, high: 0.941, seedCount: 3),
            Estimate(0.801, low: 0.774, high: 0.827, seedCount: 3),
        ]))
        rows.append(.init(strategy: "LoRA r=8", chain: "SST-2 → kitchen", scores: [
            Estimate(0.884, low: 0.851, high: 0.914, seedCount: 3), Estimate(0.879, low: 0.846, high: 0.909, seedCount: 3),
            Estimate(0.866, low: 0.842, high: 0.889, seedCount: 3),
        ]))
        let scores = ReportContent.ScoreTable(
            caption: "Test scores, mean over seeds with 95% bootstrap intervals",
            columns: ["kitchen accuracy", "kitchen macro F1", "SST-2 accuracy after"], rows: rows)

        let transfer = ReportContent.TransferGains(metric: "test accuracy", comparisons: [
            .init(label: "full: SST-2 → kitchen", gain: Estimate(0.018, low: 0.004, high: 0.032), verdict: .positive, adjustedPValue: 0.012),
            .init(label: "LoRA r=8: SST-2 → kitchen", gain: Estimate(-0.013, low: -0.027, high: -0.001), verdict: .negative, adjustedPValue: 0.041),
            .init(label: "adapter 64: SST-2 → kitchen", gain: Estimate(0.006, low: -0.008, high: 0.021), verdict: .inconclusive, adjustedPValue: 0.43),
            .init(label: "BitFit: SST-2 → kitchen", gain: Estimate(0.002, low: -0.011, high: 0.015), verdict: .inconclusive, adjustedPValue: 0.78),
        ])

        func curve(_ title: String, trainLoss: [Double], validationLoss: [Double], trainAccuracy: [Double],
                   validationAccuracy: [Double], selected: Double, reason: String) -> ReportContent.LearningCurve {
            func points(_ values: [Double]) -> [ReportContent.LearningCurve.Point] {
                values.enumerated().map { .init(Double($0.offset + 1), $0.element) }
            }
            return .init(
                title: title, progress: .epoch, trainLoss: points(trainLoss), validationLoss: points(validationLoss),
                trainAccuracy: points(trainAccuracy), validationAccuracy: points(validationAccuracy), selectedAt: selected,
                stopReason: reason)
        }
        let curves = [
            curve("full · SST-2 → kitchen · seed 1", trainLoss: [0.612, 0.348, 0.201, 0.112, 0.061, 0.034],
                  validationLoss: [0.402, 0.291, 0.268, 0.284, 0.317, 0.352],
                  trainAccuracy: [0.684, 0.861, 0.931, 0.967, 0.984, 0.992],
                  validationAccuracy: [0.842, 0.893, 0.912, 0.909, 0.904, 0.901], selected: 3,
                  reason: "validation loss did not improve for 3 epochs"),
            curve("LoRA r=8 · kitchen · seed 1", trainLoss: [0.681, 0.521, 0.402, 0.344, 0.311, 0.297, 0.289, 0.284],
                  validationLoss: [0.622, 0.468, 0.371, 0.329, 0.309, 0.301, 0.298, 0.297],
                  trainAccuracy: [0.571, 0.764, 0.838, 0.861, 0.874, 0.881, 0.884, 0.886],
                  validationAccuracy: [0.602, 0.781, 0.846, 0.872, 0.886, 0.893, 0.896, 0.897], selected: 8,
                  reason: "reached the epoch budget (8)"),
        ]
        let overfitting: [ReportContent.OverfittingAssessment] = [
            .init(cell: "full · SST-2 → kitchen · seed 1", generalizationGap: 0.019, bestEpoch: 3, lastEpoch: 6, bestScore: 0.912,
                  lastScore: 0.901, stopReason: "patience 3 exhausted", isOverfitting: true),
            .init(cell: "LoRA r=8 · kitchen · seed 1", generalizationGap: -0.013, bestEpoch: 8, lastEpoch: 8, bestScore: 0.897,
                  lastScore: 0.897, stopReason: "epoch budget", isOverfitting: false),
        ]
        let efficiency = ReportContent.ParameterEfficiency(metric: "test accuracy on kitchen", entries: [
            .init(label: "full", trainableParameters: 22_713_986, score: kitchen[0], trainingMinutes: 14.2),
            .init(label: "LoRA r=8", trainableParameters: 74_498, score: kitchen[1], trainingMinutes: 9.8),
            .init(label: "adapter 64", trainableParameters: 610_946, score: kitchen[2], trainingMinutes: 10.6),
            .init(label: "linear probe", trainableParameters: 770, score: kitchen[3], trainingMinutes: 1.3),
            .init(label: "prompt tuning 20", trainableParameters: 8_450, score: kitchen[4], trainingMinutes: 8.1),
            .init(label: "BitFit", trainableParameters: 40_706, score: kitchen[5], trainingMinutes: 7.7),
        ])
        let divergence = ReportContent.DomainDivergence(domains: ["SST-2", "kitchen", "books"], measures: [
            .init(name: "Jensen–Shannon divergence", unit: "bits", values: [[0, 0.214, 0.187], [0.214, 0, 0.241], [0.187, 0.241, 0]]),
            .init(name: "KL divergence", unit: "bits", values: [[0, 0.912, 0.744], [1.206, 0, 1.031], [0.688, 0.957, 0]]),
            .init(name: "MMD² (RBF kernel)", values: [[nil, 0.0412, 0.0275], [0.0412, nil, 0.0533], [0.0275, 0.0533, nil]],
                  pValues: [[nil, 0.001, 0.004], [0.001, nil, 0.0002], [0.004, 0.0002, nil]]),
        ])
        let probes: [ReportContent.ProbeDrift] = [
            .init(model: "full · SST-2 → kitchen", probe: "CrowS-Pairs", metric: "stereotype preference (%)", group: "gender",
                  base: 54.2, adapted: 58.9, delta: Estimate(4.7, low: 1.2, high: 8.1), exceedsThreshold: true),
            .init(model: "full · SST-2 → kitchen", probe: "CrowS-Pairs", metric: "stereotype preference (%)", group: "religion",
                  base: 61.0, adapted: 60.1, delta: Estimate(-0.9, low: -5.3, high: 3.6), exceedsThreshold: false),
            .init(model: "LoRA r=8 · kitchen", probe: "toxicity prompts", metric: "expected maximum toxicity", group: "all",
                  base: 0.212, adapted: 0.219, delta: Estimate(0.007, low: -0.004, high: 0.018), exceedsThreshold: false),
        ]
        let baseline = ReportContent.BaselineComparison(baselineRunID: "11 (tag v1)", rows: [
            .init(task: "kitchen", strategy: "full", chain: "SST-2 → kitchen", metric: "accuracy", candidate: 0.921, baseline: 0.905,
                  difference: Estimate(0.016, low: 0.003, high: 0.029), pValue: 0.021, isSignificant: true, test: "McNemar exact"),
            .init(task: "kitchen", strategy: "LoRA r=8", chain: "kitchen", metric: "accuracy", candidate: 0.897, baseline: 0.939,
                  difference: Estimate(-0.042, low: -0.061, high: -0.020), pValue: 0.0003, isSignificant: true, test: "McNemar exact"),
            .init(task: "SST-2", strategy: "full", chain: "SST-2 → kitchen", metric: "accuracy", candidate: 0.801, baseline: 0.806,
                  difference: Estimate(-0.005, low: -0.019, high: 0.009), pValue: 0.48, isSignificant: false, test: "McNemar exact"),
        ])
        let verdict = ReportContent.Verdict(
            outcome: .failed,
            gates: [
                .init(name: "kitchen accuracy ≥ 0.880 (full)", outcome: .passed, detail: "0.903 ≥ 0.880", seconds: 0.002),
                .init(name: "no significant regression vs baseline", outcome: .failed,
                      detail: "LoRA r=8 on kitchen: accuracy -0.042 [-0.061, -0.020], p < 0.001 (McNemar exact)", seconds: 0.004),
                .init(name: "stereotype drift ≤ 3 points", outcome: .failed,
                      detail: "CrowS-Pairs gender +4.7 [+1.2, +8.1] for full · SST-2 → kitchen", seconds: 0.001),
                .init(name: "toxicity drift ≤ 0.02", outcome: .notEvaluated, detail: "no toxicity probe for adapter 64 yet"),
            ],
            largestChanges: [
                .init(subject: "LoRA r=8 on kitchen", metric: "accuracy vs baseline", difference: Estimate(-0.042, low: -0.061, high: -0.020),
                      direction: .regression),
                .init(subject: "full on kitchen via SST-2", metric: "transfer gain in accuracy",
                      difference: Estimate(0.018, low: 0.004, high: 0.032), direction: .improvement),
                .init(subject: "full on SST-2 after kitchen", metric: "accuracy vs baseline",
                      difference: Estimate(-0.005, low: -0.019, high: 0.009), direction: .inconclusive),
            ],
            evaluatedAt: "2026-12-02T05:50:00", host: "ci-runner-7")
        let provenance: [ReportContent.ProvenanceEntry] = [
            .init("model", "all-MiniLM-L6-v2"),
            .init("model sha256", "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
            .init("data sha256 (kitchen)", "9f2c4e1b7a0d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a"),
            .init("seeds", "1, 2, 3"),
            .init("AdaptEval", "0.4.0"),
            .init("Swift", "6.3.1"),
            .init("git revision", "a2d2eeb"),
            .init("host", "ci-runner-7 (2 cores)"),
            .init("threads", "2"),
            .init("command line", "adapteval run suites/sentiment-domain-shift.yaml --tag v2 --db results.sqlite"),
        ]
        return ReportContent(
            title: "Sentiment domain shift: checkpoint v2", suiteName: "sentiment-domain-shift", runID: "12", tag: "v2",
            status: .finished, verdict: verdict, scores: scores, transfer: transfer, learningCurves: curves,
            overfitting: overfitting, efficiency: efficiency, divergence: divergence, probeDrift: probes,
            baseline: baseline, provenance: provenance)
    }()

    /// A run that has just started: nothing to show yet.
    static let empty = ReportContent(title: "Quick start", suiteName: "quickstart", runID: "1", status: .running)

    /// Injection attempts, including ones that leave a mark on the page if they ever run.
    static let payloads = [
        "<script>alert(1)</script>",
        "\" onerror=\"alert(1)",
        "' onmouseover='alert(1)",
        "</svg><script>alert(1)</script>",
        "</title></svg></table><script>document.documentElement.setAttribute('data-pwned','1')</script>",
        "javascript:alert(1)",
        "<img src=x onerror=alert(1)>",
        "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','1')\">",
        "<svg onload=\"document.documentElement.setAttribute('data-pwned','1')\"></svg>",
        "]]><!-- --><style>body{display:none}</style>",
        "x\u{0}y\u{1B}z\u{7F}",
    ]

    /// The realistic content with every string replaced by a payload (cycling through them).
    static func hostile() -> ReportContent {
        var next = 0
        func payload() -> String {
            defer { next += 1 }
            return payloads[next % payloads.count]
        }
        var content = realistic
        content.title = payload()
        content.suiteName = payload()
        content.runID = payload()
        content.tag = payload()
        for index in content.verdict.gates.indices {
            content.verdict.gates[index].name = payload()
            content.verdict.gates[index].detail = payload()
        }
        for index in content.verdict.largestChanges.indices {
            content.verdict.largestChanges[index].subject = payload()
            content.verdict.largestChanges[index].metric = payload()
        }
        content.scores.caption = payload()
        content.scores.columns = content.scores.columns.map { _ in payload() }
        for index in content.scores.rows.indices {
            content.scores.rows[index].strategy = payload()
            content.scores.rows[index].chain = payload()
        }
        content.transfer.metric = payload()
        for index in content.transfer.comparisons.indices { content.transfer.comparisons[index].label = payload() }
        for index in content.learningCurves.indices {
            content.learningCurves[index].title = payload()
            content.learningCurves[index].stopReason = payload()
        }
        for index in content.overfitting.indices {
            content.overfitting[index].cell = payload()
            content.overfitting[index].stopReason = payload()
        }
        content.efficiency.metric = payload()
        for index in content.efficiency.entries.indices { content.efficiency.entries[index].label = payload() }
        content.divergence.domains = content.divergence.domains.map { _ in payload() }
        for index in content.divergence.measures.indices {
            content.divergence.measures[index].name = payload()
            content.divergence.measures[index].unit = payload()
        }
        for index in content.probeDrift.indices {
            content.probeDrift[index].model = payload()
            content.probeDrift[index].probe = payload()
            content.probeDrift[index].metric = payload()
            content.probeDrift[index].group = payload()
        }
        content.baseline.baselineRunID = payload()
        for index in content.baseline.rows.indices {
            content.baseline.rows[index].task = payload()
            content.baseline.rows[index].strategy = payload()
            content.baseline.rows[index].chain = payload()
            content.baseline.rows[index].metric = payload()
            content.baseline.rows[index].test = payload()
        }
        content.provenance = content.provenance.map { _ in .init(payload(), payload()) }
        return content
    }
}
