import Foundation
import Testing

@testable import Evaluation

@Suite struct MaximumMeanDiscrepancyTests {
    // x[i][j] = sin(0.5·i + 0.8·j), 7 × 3; y[i][j] = cos(0.3·i + 1.1·j) + 0.2, 5 × 3.
    static let x = SyntheticFeatures.matrix(rows: 7, columns: 3) { i, j in sin(0.5 * i + 0.8 * j) }
    static let y = SyntheticFeatures.matrix(rows: 5, columns: 3) { i, j in cos(0.3 * i + 1.1 * j) + 0.2 }

    @Test("MMD² and the median-heuristic bandwidth equal a numpy computation of eq. 5")
    func matchesNumpy() throws {
        // z = np.vstack([x, y]); d2 = ((z[:, None] - z[None]) ** 2).sum(-1)
        // sigma = np.median(np.sqrt(d2[np.triu_indices(len(z), 1)]))
        // K = np.exp(-d2 / (2 * sigma**2)); m = 7
        // K[:m, :m].mean() + K[m:, m:].mean() - 2 * K[:m, m:].mean()
        let result = try MaximumMeanDiscrepancy.test(Self.x, Self.y, permutations: 10)
        #expect(isClose(result.bandwidth, 1.1214425609106486, relative: 1e-13))
        #expect(isClose(result.squaredDiscrepancy, 0.3207288328392499, relative: 1e-12))
        // the same with sigma = 0.75
        #expect(isClose(try MaximumMeanDiscrepancy.squaredDiscrepancy(Self.x, Self.y, bandwidth: 0.75), 0.40159664288878694, relative: 1e-12))
    }

    @Test("identical samples give exactly 0 and p = 1; MMD² is symmetric")
    func identicalAndSymmetric() throws {
        let identical = try MaximumMeanDiscrepancy.test(Self.x, Self.x, permutations: 50)
        #expect(identical.squaredDiscrepancy == 0)
        #expect(identical.pValue == 1)
        let forward = try MaximumMeanDiscrepancy.squaredDiscrepancy(Self.x, Self.y)
        let backward = try MaximumMeanDiscrepancy.squaredDiscrepancy(Self.y, Self.x)
        #expect(abs(forward - backward) <= 1e-15)
    }

    @Test("the permuted statistics equal the block formula for the same split")
    func permutedStatisticMatchesBlockFormula() throws {
        let kernel = try PooledKernel(Self.x, Self.y, bandwidth: nil)
        let identity = Array(0..<12)
        let swapped = [7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 6]  // y's rows first: 5 of them plus two of x
        let values = kernel.permutedStatistics([identity, swapped])
        #expect(abs(values[0] - kernel.observedStatistic()) <= 1e-14)
        let reordered = try MaximumMeanDiscrepancy.squaredDiscrepancy(
            Self.y.stacked(on: Self.x.selectingRows([0, 1])), Self.x.selectingRows([2, 3, 4, 5, 6]),
            bandwidth: kernel.bandwidth)
        #expect(abs(values[1] - reordered) <= 1e-14)
    }

    @Test("a shifted distribution is detected with p < 0.01, and the test repeats for a seed")
    func shiftIsDetected() throws {
        var generator = SplitMix64(seed: 5)
        let a = SyntheticFeatures.gaussianCloud(rows: 40, columns: 8, mean: [Double](repeating: 0, count: 8), generator: &generator)
        let b = SyntheticFeatures.gaussianCloud(rows: 40, columns: 8, mean: [Double](repeating: 0.8, count: 8), generator: &generator)
        let result = try MaximumMeanDiscrepancy.test(a, b, permutations: 500, seed: 9)
        #expect(result.pValue < 0.01)
        #expect(result.pValue == 1.0 / 501)
        #expect(try MaximumMeanDiscrepancy.test(a, b, permutations: 500, seed: 9) == result)
    }

    @Test("under the null the permutation p-value is uniform (Kolmogorov–Smirnov at α = 0.01)")
    func pValuesAreUniformUnderTheNull() throws {
        var generator = SplitMix64(seed: 2024)
        var pValues: [Double] = []
        for split in 0..<200 {
            let pooled = SyntheticFeatures.gaussianCloud(rows: 60, columns: 8, mean: [Double](repeating: 0, count: 8), generator: &generator)
            let result = try MaximumMeanDiscrepancy.test(
                pooled.selectingRows(Array(0..<30)), pooled.selectingRows(Array(30..<60)), permutations: 200,
                seed: UInt64(split))
            pValues.append(result.pValue)
        }
        // p takes the values k/201; that discreteness moves D by at most 1/201, far below the
        // critical D ≈ 0.115 of n = 200 at α = 0.01.
        let uniformity = try KolmogorovSmirnov.testUniform(pValues)
        #expect(uniformity.pValue > 0.01, "D = \(uniformity.statistic), p = \(uniformity.pValue)")
        // ...and the test has power: p-values of shifted samples are not uniform.
        var shifted: [Double] = []
        for split in 0..<40 {
            let a = SyntheticFeatures.gaussianCloud(rows: 30, columns: 8, mean: [Double](repeating: 0, count: 8), generator: &generator)
            let b = SyntheticFeatures.gaussianCloud(rows: 30, columns: 8, mean: [Double](repeating: 0.5, count: 8), generator: &generator)
            shifted.append(try MaximumMeanDiscrepancy.test(a, b, permutations: 200, seed: UInt64(split)).pValue)
        }
        #expect(try KolmogorovSmirnov.testUniform(shifted).pValue < 0.01)
    }

    @Test("bad samples throw naming the argument")
    func badInput() throws {
        #expect(throws: EvaluationError.invalidArgument(reason: "sample x has dimension 3 but y has 2; they must agree")) {
            try MaximumMeanDiscrepancy.test(Self.x, Matrix(rows: 1, columns: 2, values: [0.0, 1]))
        }
        #expect(throws: EvaluationError.invalidArgument(reason: "sample y has 0 rows, at least 1 needed")) {
            try MaximumMeanDiscrepancy.test(Self.x, Matrix(rows: 0, columns: 3, values: [Double]()))
        }
        #expect(throws: EvaluationError.self) { try MaximumMeanDiscrepancy.test(Self.x, Self.y, permutations: 0) }
        #expect(throws: EvaluationError.self) { try MaximumMeanDiscrepancy.test(Self.x, Self.y, bandwidth: -1) }
        #expect(throws: EvaluationError.self) {
            try MaximumMeanDiscrepancy.test(Self.x, Matrix(rows: 1, columns: 3, values: [0.0, .infinity, 1]))
        }
    }
}

@Suite struct KolmogorovSmirnovTests {
    @Test("D and the exact p-value equal scipy's Kolmogorov–Smirnov test")
    func matchesScipyKstest() throws {
        // s = ((np.arange(1, n + 1) * 0.6180339887498949) % 1.0) ** 1.3
        // r = scipy.stats.kstest(s, "uniform", method="exact"); r.statistic, r.pvalue
        // For n > 140 kstest's p-value comes from the Pelz–Good approximation (1e-6 relative
        // here), so the n = 200 reference is scipy's own exact Marsaglia–Tsang–Wang code:
        // scipy.stats._ksstats._kolmogn_DMTW(200, r.statistic, cdf=False)
        let references: [(Int, Double, Double)] = [
            (20, 0.13691444423505955, 0.7996561406222273),
            (50, 0.11457735001615152, 0.49205085008242255),
            (200, 0.09684582831527311, 0.043853809351911575),
        ]
        for (n, statistic, pValue) in references {
            let sample = (1...n).map { pow((Double($0) * 0.6180339887498949).truncatingRemainder(dividingBy: 1), 1.3) }
            let result = try KolmogorovSmirnov.testUniform(sample)
            #expect(isClose(result.statistic, statistic, relative: 1e-12))
            #expect(isClose(result.pValue, pValue, relative: 1e-10), "n = \(n): \(result.pValue)")
        }
    }

    @Test("the survival function equals scipy's exact values, and its tail form is close")
    func survivalMatchesScipy() {
        // scipy.stats.kstwo.sf(d, n) for n ≤ 140 (exact there);
        // scipy.stats._ksstats._kolmogn_DMTW(n, d, cdf=False) for n = 200 and 1000.
        let exact: [(Int, Double, Double)] = [
            (10, 0.274, 0.3715203845434957), (10, 0.5, 0.00777741), (50, 0.1, 0.6623112704658186),
            (100, 0.05, 0.9532159710635725), (30, 0.4, 7.621035572702763e-05),
            (200, 0.08, 0.14639631657428655838), (1000, 0.03, 0.32269024641330942697),
        ]
        for (n, d, reference) in exact {
            #expect(isClose(KolmogorovSmirnov.survival(count: n, statistic: d), reference, relative: 1e-10), "n = \(n), d = \(d)")
        }
        // kstwo.sf(0.2, 100): n·d² = 4 > 3.76 with n > 99 takes the paper's tail form.
        #expect(isClose(KolmogorovSmirnov.survival(count: 100, statistic: 0.2), 0.0005551927327988775, relative: 2e-3))
        #expect(KolmogorovSmirnov.survival(count: 5, statistic: 0) == 1)
        #expect(KolmogorovSmirnov.survival(count: 5, statistic: 1) == 0)
    }

    @Test("the asymptotic form with Stephens' correction is close to the exact distribution for large n")
    func asymptoticFormAgrees() {
        // scipy.stats._ksstats._kolmogn_DMTW(1000, 0.03, cdf=False) = 0.32269024641330942697
        let root = 1000.0.squareRoot()
        let asymptotic = KolmogorovSmirnov.asymptoticSurvival((root + 0.12 + 0.11 / root) * 0.03)
        #expect(abs(asymptotic - 0.32269024641330942697) < 2e-3)
    }

    @Test("an empty or non-finite sample is an error")
    func badSamples() {
        #expect(throws: EvaluationError.self) { try KolmogorovSmirnov.testUniform([]) }
        #expect(throws: EvaluationError.self) { try KolmogorovSmirnov.testUniform([0.5, .nan]) }
    }
}
