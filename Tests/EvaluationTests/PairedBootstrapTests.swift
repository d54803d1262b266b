import Foundation
import Testing

@testable import Evaluation

/// Comparisons with scipy.stats.bootstrap (scipy 1.17.1) on data both sides build from the
/// same formulas:
///
///     import numpy as np; from scipy import stats
///     n = 400; i = np.arange(n)
///     cand = ((i * 7919) % 1000) < 780; base = ((i * 104729 + 13) % 1000) < 720
///     gold = i % 3
///     pc = np.where(cand, gold, (gold + 1) % 3); pb = np.where(base, gold, (gold + 2) % 3)
///     u = (np.arange(60) * 0.6180339887498949) % 1.0; skewed = -np.log(1 - u)
///     def macro_f1(g, p): ...  # Σ_k 2·TP_k/(gold_k + pred_k) over present classes, / 3
///     for seed in range(runs):
///         r = stats.bootstrap(data, statistic, paired=True, vectorized=False, n_resamples=20000,
///                             method=method, confidence_level=0.95, rng=np.random.default_rng(seed))
///
/// The references are the means of the scipy endpoints over several rngs (6 runs; 3 for the
/// macro-F1 BCa). Tolerance: both sides are Monte-Carlo estimates of the same quantile, so they
/// differ by sampling error only. The spread of one scipy endpoint at B = 20,000 was measured
/// (s below); Swift runs B = 50,000, so its endpoint has spread s·√(20/50) and the mean of the
/// scipy runs s/√runs. The tolerance is 4 standard deviations of that difference, floored at
/// 1/n where the statistic moves in steps of 1/n (two neighbouring grid values of the
/// quantile are both right within Monte-Carlo error).
@Suite struct PairedBootstrapTests {
    static let count = 400
    static let candidate = (0..<count).map { ($0 * 7919) % 1000 < 780 }
    static let baseline = (0..<count).map { ($0 * 104_729 + 13) % 1000 < 720 }
    static let gold = (0..<count).map { $0 % 3 }
    static let candidateLabels = (0..<count).map { candidate[$0] ? gold[$0] : (gold[$0] + 1) % 3 }
    static let baselineLabels = (0..<count).map { baseline[$0] ? gold[$0] : (gold[$0] + 2) % 3 }

    static func tolerance(scipySpread: Double, runs: Double, floor: Double = 0) -> Double {
        let spread = (scipySpread * scipySpread * (20.0 / 50.0) + scipySpread * scipySpread / runs).squareRoot()
        return max(4 * spread, floor)
    }

    @Test("accuracy difference intervals agree with scipy's paired bootstrap, percentile and BCa")
    func accuracyDifferenceMatchesScipy() throws {
        // accuracies 0.7775 and 0.72; scipy means over 6 rngs:
        // percentile (-0.0025000000000000022, 0.11791666666666667), s = (6e-17, 0.00102)
        // BCa        (-0.002500000000000021, 0.11791666666666667),  s = (6e-17, 0.00102)
        // standard error 0.03066598576286039
        for (method, low, high) in [
            (ConfidenceInterval.Method.percentile, -0.0025000000000000022, 0.11791666666666667),
            (.bca, -0.002500000000000021, 0.11791666666666667),
        ] {
            let estimate = try PairedBootstrap(resamples: 50_000, method: method, seed: 11)
                .accuracyDifference(candidate: [Self.candidate], baseline: [Self.baseline])
            let tolerance = Self.tolerance(scipySpread: 0.00102, runs: 6, floor: 1.0 / Double(Self.count))
            expectWithin(estimate.estimate, 0.7775 - 0.72, 1e-15)
            expectWithin(estimate.interval.low, low, tolerance, "\(method) low")
            expectWithin(estimate.interval.high, high, tolerance, "\(method) high")
            expectClose(estimate.standardError, 0.03066598576286039, relative: 0.02)
            #expect(estimate.interval.method == method && estimate.interval.confidence == 0.95)
        }
    }

    @Test("the accuracy ratio interval agrees with scipy's, BCa included")
    func accuracyRatioMatchesScipy() throws {
        // statistic c.mean() / b.mean(); scipy means over 6 rngs:
        // percentile (0.9966608790965438, 1.171627801730472), s = (1.8e-5, 0.00104)
        // BCa        (0.9966676406674818, 1.171698385588994), s = (2.9e-5, 0.00172)
        for (method, low, high, spread) in [
            (ConfidenceInterval.Method.percentile, 0.9966608790965438, 1.171627801730472, 0.00104),
            (.bca, 0.9966676406674818, 1.171698385588994, 0.00172),
        ] {
            let estimate = try PairedBootstrap(resamples: 50_000, method: method, seed: 12)
                .accuracyRatio(candidate: [Self.candidate], baseline: [Self.baseline])
            let tolerance = Self.tolerance(scipySpread: spread, runs: 6, floor: 1.0 / Double(Self.count))
            expectWithin(estimate.estimate, 0.7775 / 0.72, 1e-15)
            #expect(estimate.noEffect == 1)
            expectWithin(estimate.interval.low, low, tolerance, "\(method) low")
            expectWithin(estimate.interval.high, high, tolerance, "\(method) high")
        }
    }

    @Test("the macro-F1 difference interval agrees with scipy's, percentile and BCa")
    func macroF1DifferenceMatchesScipy() throws {
        // statistic macro_f1(g, c) - macro_f1(g, b); point 0.7775013702598589 - 0.7200022528230688
        // percentile, 6 rngs: (-0.002663029218256948, 0.1178435742625067), s = (9.2e-5, 0.00062)
        // BCa, 3 rngs: (-0.002836301642651307, 0.11792172634458925), s = (0.00030, 0.00122)
        for (method, low, high, spread, runs) in [
            (ConfidenceInterval.Method.percentile, -0.002663029218256948, 0.1178435742625067, 0.00062, 6.0),
            (.bca, -0.002836301642651307, 0.11792172634458925, 0.00122, 3.0),
        ] {
            let estimate = try PairedBootstrap(resamples: 50_000, method: method, seed: 13)
                .macroF1Difference(gold: Self.gold, candidate: [Self.candidateLabels], baseline: [Self.baselineLabels], classCount: 3)
            expectWithin(estimate.estimate, 0.7775013702598589 - 0.7200022528230688, 1e-12)
            let tolerance = Self.tolerance(scipySpread: spread, runs: runs, floor: 1.0 / Double(Self.count))
            expectWithin(estimate.interval.low, low, tolerance, "\(method) low")
            expectWithin(estimate.interval.high, high, tolerance, "\(method) high")
        }
    }

    @Test("BCa corrects the percentile interval of a skewed mean as scipy does")
    func bcaOfASkewedMeanMatchesScipy() throws {
        // data skewed = -log(1 - u) (60 values, mean 0.993708237058213), statistic x.mean();
        // scipy means over 6 rngs: percentile (0.7603008140182063, 1.253629733215046),
        // s = (0.0020, 0.0036); BCa (0.7818831861760428, 1.2889827796727016), s = (0.0036, 0.0053)
        let u = (0..<60).map { (Double($0) * 0.6180339887498949).truncatingRemainder(dividingBy: 1) }
        let skewed = u.map { -log(1 - $0) }
        func mean(_ seeds: [Int], _ examples: [Int]) -> Double {
            examples.reduce(0) { $0 + skewed[$1] } / Double(examples.count)
        }
        let percentile = try PairedBootstrap(resamples: 50_000, method: .percentile, seed: 14).estimate(seeds: 1, examples: 60, statistic: mean)
        let bca = try PairedBootstrap(resamples: 50_000, method: .bca, seed: 14).estimate(seeds: 1, examples: 60, statistic: mean)
        expectWithin(percentile.interval.low, 0.7603008140182063, Self.tolerance(scipySpread: 0.0020, runs: 6), "percentile low")
        expectWithin(percentile.interval.high, 1.253629733215046, Self.tolerance(scipySpread: 0.0036, runs: 6), "percentile high")
        expectWithin(bca.interval.low, 0.7818831861760428, Self.tolerance(scipySpread: 0.0036, runs: 6), "BCa low")
        expectWithin(bca.interval.high, 1.2889827796727016, Self.tolerance(scipySpread: 0.0053, runs: 6), "BCa high")
        // The same replicates, read off at other quantiles: the interval moves right.
        #expect(bca.replicates == percentile.replicates)
        #expect(bca.interval.low > percentile.interval.low + 0.01 && bca.interval.high > percentile.interval.high + 0.01)
    }

    @Test("a planted accuracy gain of 10 points is covered about 95% of the time")
    func plantedDifferenceIsCovered() throws {
        // 200 simulated test sets of 300 examples, candidate right with probability 0.85 and
        // baseline with 0.75, independently: the true difference is 0.10. With 200 trials the
        // coverage of a 95% interval lies in [0.905, 0.995] with probability ≈ 0.997.
        var generator = SplitMix64(seed: 99)
        var covered = 0
        var positive = 0
        let bootstrap = try PairedBootstrap(resamples: 1_000, method: .bca, seed: 5)
        for _ in 0..<200 {
            let candidate = (0..<300).map { _ in Double(generator.next() >> 11) * 0x1p-53 < 0.85 }
            let baseline = (0..<300).map { _ in Double(generator.next() >> 11) * 0x1p-53 < 0.75 }
            let estimate = try bootstrap.accuracyDifference(candidate: [candidate], baseline: [baseline])
            if estimate.interval.contains(0.10) { covered += 1 }
            if TransferLabel(estimate) == .positive { positive += 1 }
        }
        #expect((181...199).contains(covered), "covered \(covered) of 200")
        // The gain is 0.10 / √(0.85·0.15/300 + 0.75·0.25/300) = 3.09 standard errors, so a
        // 95% interval excludes 0 with power Φ(3.09 − 1.96) ≈ 0.87: about 174 of 200 test sets
        // (standard deviation 4.7); at least 160 is 3 standard deviations below.
        #expect(positive >= 160, "positive in \(positive) of 200")
    }

    @Test("a seed gives bit-identical results and another seed different resamples")
    func resultsRepeatForASeed() throws {
        let first = try PairedBootstrap(resamples: 2_000, seed: 3).accuracyDifference(candidate: [Self.candidate], baseline: [Self.baseline])
        let again = try PairedBootstrap(resamples: 2_000, seed: 3).accuracyDifference(candidate: [Self.candidate], baseline: [Self.baseline])
        let other = try PairedBootstrap(resamples: 2_000, seed: 4).accuracyDifference(candidate: [Self.candidate], baseline: [Self.baseline])
        #expect(first == again)
        #expect(first.replicates != other.replicates)
    }

    @Test("resampling seeds widens the interval when seeds disagree")
    func hierarchicalResamplingIsWiderWhenSeedsDisagree() throws {
        // Three seeds of the same candidate: one gains 12 points over the baseline, one 4, one
        // loses 4. Resampling examples alone treats the seed mean as fixed; resampling seeds
        // as well adds their spread.
        let n = 500
        let baseline = (0..<n).map { ($0 * 37) % 100 < 70 }
        let candidate = [82, 74, 66].map { accuracy in (0..<n).map { ($0 * 37) % 100 < accuracy } }
        let baselines = Array(repeating: baseline, count: 3)
        let bootstrap = try PairedBootstrap(resamples: 4_000, method: .percentile, seed: 8)
        let hierarchical = try bootstrap.accuracyDifference(candidate: candidate, baseline: baselines)
        let flat = try bootstrap.estimate(seeds: 3, examples: n) { _, examples in
            var difference = 0
            for seed in 0..<3 {
                for index in examples { difference += (candidate[seed][index] ? 1 : 0) - (baseline[index] ? 1 : 0) }
            }
            return Double(difference) / Double(3 * examples.count)
        }
        expectWithin(hierarchical.estimate, 0.04, 1e-12)
        expectWithin(flat.estimate, hierarchical.estimate, 1e-12)
        #expect(hierarchical.interval.width > 2 * flat.interval.width,
            "hierarchical \(hierarchical.interval), flat \(flat.interval)")
    }

    @Test("identical seeds give the same interval with or without seed resampling")
    func hierarchicalEqualsFlatWhenSeedsAgree() throws {
        let rows = Array(repeating: Self.candidate, count: 3)
        let baselines = Array(repeating: Self.baseline, count: 3)
        let bootstrap = try PairedBootstrap(resamples: 3_000, method: .percentile, seed: 9)
        let threeSeeds = try bootstrap.accuracyDifference(candidate: rows, baseline: baselines)
        let oneSeed = try bootstrap.accuracyDifference(candidate: [Self.candidate], baseline: [Self.baseline])
        expectWithin(threeSeeds.interval.low, oneSeed.interval.low, 0.01)
        expectWithin(threeSeeds.interval.high, oneSeed.interval.high, 0.01)
    }

    @Test("Bootstrap.percentileInterval keeps its results bit for bit")
    func percentileIntervalIsUnchanged() throws {
        // The implementation before PairedBootstrap, replayed in Python with the same
        // SplitMix64 (state += 0x9E3779B97F4A7C15; two xor-shift-multiplies; below = next % n),
        // the same macro-F1 sums and the same type-7 quantile:
        //     gold3 = [i % 3 for i in range(60)]
        //     pred3 = [gold3[i] if (i * 11) % 10 < 6 else (gold3[i] + 1 + i % 2) % 3 for i in range(60)]
        //     old_percentile(60, 1000, 0.95, 42, f1) == (0.46164333230686855, 0.716042510131663)
        //     old_percentile(60, 777, 0.9, 7, f1)    == (0.48410897615607457, 0.6908969076302761)
        let gold = (0..<60).map { $0 % 3 }
        let predicted = (0..<60).map { (index: Int) -> Int in
            (index * 11) % 10 < 6 ? gold[index] : (gold[index] + 1 + index % 2) % 3
        }
        let statistic = Bootstrap.macroF1(gold: gold, predicted: predicted, classCount: 3)
        let first = try Bootstrap.percentileInterval(count: 60, resamples: 1000, confidence: 0.95, seed: 42, statistic: statistic)
        #expect(first.low == 0.46164333230686855 && first.high == 0.716042510131663)
        let second = try Bootstrap.percentileInterval(count: 60, resamples: 777, confidence: 0.9, seed: 7, statistic: statistic)
        #expect(second.low == 0.48410897615607457 && second.high == 0.6908969076302761)
    }

    @Test("p-values count the null-shifted replicates as the formulas say")
    func pValuesFollowTheirFormulas() throws {
        // θ̂ = 0.02 over nine replicates; two-sided: |θ* − 0.02| ≥ 0.02 holds for
        // −0.05, −0.01, 0.0, 0.04, 0.05, 0.07 → (1 + 6)/10.
        // Non-inferiority, margin 0.01: θ* − 0.02 ≥ 0.03 holds for 0.05, 0.07 → (1 + 2)/10.
        let replicates = [-0.05, -0.01, 0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.07]
        let interval = ConfidenceInterval(low: -0.005, high: 0.06, confidence: 0.95, method: .percentile)
        let estimate = BootstrapEstimate(estimate: 0.02, interval: interval, noEffect: 0, sortedReplicates: replicates)
        expectWithin(estimate.pValue, 0.7, 1e-15)
        expectWithin(try estimate.nonInferiorityPValue(margin: 0.01), 0.3, 1e-15)
        #expect(try estimate.isNonInferior(margin: 0.01))
        #expect(try !estimate.isNonInferior(margin: 0.005))
        #expect(throws: EvaluationError.self) { try estimate.nonInferiorityPValue(margin: -0.1) }
        // Against 0.05: |θ* − 0.02| ≥ 0.03 holds for −0.05, −0.01, 0.05, 0.07 → (1 + 4)/10;
        // against the no-effect value it is the two-sided p above.
        expectWithin(estimate.pValue(against: 0.05), 0.5, 1e-15)
        #expect(estimate.pValue(against: 0) == estimate.pValue)
        // sample standard deviation of the replicates (numpy.std(ddof=1))
        expectClose(estimate.standardError, 0.03562926387738659, relative: 1e-13)
    }

    @Test("a planted gain has the smallest p-value and identical systems have p = 1")
    func pValuesSeparateGainFromNone() throws {
        let bootstrap = try PairedBootstrap(resamples: 2_000, seed: 1)
        let none = try bootstrap.accuracyDifference(candidate: [Self.candidate], baseline: [Self.candidate])
        #expect(none.pValue == 1 && none.interval.low == 0 && none.interval.high == 0)
        let strong = try bootstrap.accuracyDifference(candidate: [Array(repeating: true, count: 400)], baseline: [Self.baseline])
        expectWithin(strong.pValue, 1.0 / 2_001, 1e-15)
        #expect(try strong.nonInferiorityPValue(margin: 0.01) == 1.0 / 2_001)
    }

    @Test("bad shapes and settings are rejected with the argument named")
    func badInputIsRejected() throws {
        #expect(throws: EvaluationError.invalidArgument(reason: "bootstrap resamples must be at least 1, got 0")) {
            try PairedBootstrap(resamples: 0)
        }
        #expect(throws: EvaluationError.invalidArgument(reason: "confidence must be in (0, 1), e.g. 0.95, got 95.0")) {
            try PairedBootstrap(confidence: 95)
        }
        let bootstrap = try PairedBootstrap(resamples: 10)
        #expect(throws: EvaluationError.self) { try bootstrap.accuracyDifference(candidate: [], baseline: []) }
        #expect(throws: EvaluationError.invalidArgument(reason: "candidate has 2 seeds but baseline has 1; pair them seed by seed")) {
            try bootstrap.accuracyDifference(candidate: [[true], [false]], baseline: [[true]])
        }
        #expect(throws: EvaluationError.invalidArgument(
            reason: "baseline seed 0 has 1 examples but candidate seed 0 has 2; every seed must score the same test examples in the same order")) {
            try bootstrap.accuracyDifference(candidate: [[true, false]], baseline: [[true]])
        }
        #expect(throws: EvaluationError.invalidArgument(reason: "gold has label index 3, outside 0..<3")) {
            try bootstrap.macroF1Difference(gold: [0, 3], candidate: [[0, 1]], baseline: [[0, 1]], classCount: 3)
        }
        // A ratio over a baseline that never scores is undefined, not infinite.
        #expect(throws: EvaluationError.self) {
            try bootstrap.accuracyRatio(candidate: [[true, true]], baseline: [[false, false]])
        }
        #expect(throws: EvaluationError.self) { try bootstrap.estimate(seeds: 1, examples: 1) { _, _ in 0 } }
    }
}
