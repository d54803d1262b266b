/// The comparisons the runner makes: accuracy and macro-F1 of a candidate against a baseline,
/// as a difference or a ratio, averaged over seeds.
///
/// Inputs are per seed (outer array) per test example (inner array); seed s of the candidate
/// is paired with seed s of the baseline, and example i is the same test example in every
/// row. A system's score on a resample is the mean over the chosen seeds of its score on the
/// chosen examples, S̄ = (1/|S|)·Σ_{s∈S} score_s(E); the difference is S̄_candidate −
/// S̄_baseline (the mean of per-seed differences) and the ratio S̄_candidate / S̄_baseline.
extension PairedBootstrap {
    /// Accuracy(candidate) − accuracy(baseline), from per-seed per-example correctness;
    /// range [−1, 1], no effect at 0.
    public func accuracyDifference(candidate: [[Bool]], baseline: [[Bool]]) throws -> BootstrapEstimate {
        try accuracyComparison(candidate: candidate, baseline: baseline, contrast: .difference)
    }

    /// Accuracy(candidate) / accuracy(baseline), e.g. LoRA's accuracy as a fraction of full
    /// fine-tuning's; range [0, ∞), no effect at 1. Throws when the baseline scores 0 on the data
    /// or on a resample.
    public func accuracyRatio(candidate: [[Bool]], baseline: [[Bool]]) throws -> BootstrapEstimate {
        try accuracyComparison(candidate: candidate, baseline: baseline, contrast: .ratio)
    }

    /// Macro-F1(candidate) − macro-F1(baseline) against the same gold labels; range [−1, 1].
    ///
    /// - Parameters:
    ///   - gold: the gold label index of each test example, in 0..<classCount.
    ///   - candidate, baseline: predicted label indices per seed per example.
    public func macroF1Difference(gold: [Int], candidate: [[Int]], baseline: [[Int]], classCount: Int) throws -> BootstrapEstimate {
        try macroF1Comparison(gold: gold, candidate: candidate, baseline: baseline, classCount: classCount, contrast: .difference)
    }

    /// Macro-F1(candidate) / macro-F1(baseline); range [0, ∞), no effect at 1.
    public func macroF1Ratio(gold: [Int], candidate: [[Int]], baseline: [[Int]], classCount: Int) throws -> BootstrapEstimate {
        try macroF1Comparison(gold: gold, candidate: candidate, baseline: baseline, classCount: classCount, contrast: .ratio)
    }

    private enum Contrast {
        case difference, ratio

        var noEffect: Double { self == .difference ? 0 : 1 }

        func combine(_ candidate: Double, _ baseline: Double) -> Double {
            self == .difference ? candidate - baseline : candidate / baseline
        }
    }

    private func accuracyComparison(candidate: [[Bool]], baseline: [[Bool]], contrast: Contrast) throws -> BootstrapEstimate {
        let (seeds, examples) = try Self.pairedShape(candidate: candidate, baseline: baseline)
        // Flattened seed-major 0/1 so a resample is integer sums over contiguous rows.
        let candidateCorrect = candidate.flatMap { $0.map { $0 ? 1 : 0 } }
        let baselineCorrect = baseline.flatMap { $0.map { $0 ? 1 : 0 } }
        return try estimate(seeds: seeds, examples: examples, noEffect: contrast.noEffect) { seedIndices, exampleIndices in
            var candidateSum = 0
            var baselineSum = 0
            for seed in seedIndices {
                let row = seed * examples
                for index in exampleIndices {
                    candidateSum += candidateCorrect[row + index]
                    baselineSum += baselineCorrect[row + index]
                }
            }
            let total = Double(seedIndices.count * exampleIndices.count)
            return contrast.combine(Double(candidateSum) / total, Double(baselineSum) / total)
        }
    }

    private func macroF1Comparison(
        gold: [Int], candidate: [[Int]], baseline: [[Int]], classCount: Int, contrast: Contrast
    ) throws -> BootstrapEstimate {
        let (seeds, examples) = try Self.pairedShape(candidate: candidate, baseline: baseline)
        guard gold.count == examples else {
            throw EvaluationError.invalidArgument(reason: "gold has \(gold.count) labels but each seed has \(examples) predictions")
        }
        guard classCount >= 1 else {
            throw EvaluationError.invalidArgument(reason: "classCount must be at least 1, got \(classCount)")
        }
        let candidateLabels = candidate.flatMap { $0 }
        let baselineLabels = baseline.flatMap { $0 }
        for (name, labels) in [("gold", gold), ("candidate", candidateLabels), ("baseline", baselineLabels)] {
            if let bad = labels.first(where: { !(0..<classCount).contains($0) }) {
                throw EvaluationError.invalidArgument(reason: "\(name) has label index \(bad), outside 0..<\(classCount)")
            }
        }
        var tally = MacroF1Tally(classCount: classCount)
        return try estimate(seeds: seeds, examples: examples, noEffect: contrast.noEffect) { seedIndices, exampleIndices in
            var candidateSum = 0.0
            var baselineSum = 0.0
            for seed in seedIndices {
                let row = seed * examples
                candidateSum += tally.macroF1(gold: gold, predicted: candidateLabels, offset: row, indices: exampleIndices)
                baselineSum += tally.macroF1(gold: gold, predicted: baselineLabels, offset: row, indices: exampleIndices)
            }
            let count = Double(seedIndices.count)
            return contrast.combine(candidateSum / count, baselineSum / count)
        }
    }

    /// The seed and example counts of paired per-seed rows, after checking that both systems
    /// have the same number of seeds and every row the same number of examples.
    static func pairedShape<Value>(candidate: [[Value]], baseline: [[Value]]) throws -> (seeds: Int, examples: Int) {
        guard !candidate.isEmpty else {
            throw EvaluationError.invalidArgument(reason: "candidate has no seeds: give one row of per-example results per seed")
        }
        guard candidate.count == baseline.count else {
            throw EvaluationError.invalidArgument(
                reason: "candidate has \(candidate.count) seeds but baseline has \(baseline.count); pair them seed by seed")
        }
        let examples = candidate[0].count
        guard examples > 0 else {
            throw EvaluationError.invalidArgument(reason: "candidate seed 0 has no examples")
        }
        for (name, rows) in [("candidate", candidate), ("baseline", baseline)] {
            if let seed = rows.firstIndex(where: { $0.count != examples }) {
                throw EvaluationError.invalidArgument(
                    reason: "\(name) seed \(seed) has \(rows[seed].count) examples but candidate seed 0 has \(examples); every seed must score the same test examples in the same order")
            }
        }
        return (candidate.count, examples)
    }
}
