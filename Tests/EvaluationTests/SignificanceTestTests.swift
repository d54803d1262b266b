import Foundation
import Testing

@testable import Evaluation

@Suite struct McNemarTestTests {
    @Test("exact McNemar p-values equal scipy's binomtest, up to two thousand discordant examples")
    func matchesScipyBinomialTest() throws {
        // from scipy import stats
        // stats.binomtest(b, b + c, 0.5).pvalue, stats.binomtest(b, b + c, 0.5, alternative='greater').pvalue
        let expected: [(Int, Int, Double, Double)] = [
            (3, 0, 0.25, 0.125), (10, 4, 0.1795654296875, 0.08978271484375),
            (4, 10, 0.1795654296875, 0.9713134765625), (25, 25, 1.0, 0.5561375863296085), (26, 25, 1.0, 0.5),
            (1000, 950, 0.2671531387585789, 0.13357656937928944),
            (1100, 900, 8.45708953550381e-06, 4.228544767751905e-06),
            (1300, 700, 1.6293497027602653e-41, 8.146748513801326e-42),
        ]
        for (b, c, twoSided, candidateWorse) in expected {
            let test = try McNemarTest(referenceOnlyCorrect: b, candidateOnlyCorrect: c)
            expectClose(test.twoSidedPValue, twoSided, relative: 1e-11, "b = \(b), c = \(c)")
            expectClose(test.candidateWorsePValue, candidateWorse, relative: 1e-11, "b = \(b), c = \(c)")
        }
    }

    @Test("with no discordant examples both p-values are 1")
    func noDisagreementMeansNoEvidence() throws {
        let test = try McNemarTest(reference: [true, false, true], candidate: [true, false, true])
        #expect(test.twoSidedPValue == 1 && test.candidateWorsePValue == 1)
    }

    @Test("discordant counts are read from per-example correctness")
    func countsComeFromCorrectness() throws {
        let test = try McNemarTest(reference: [true, true, true, false, false, true], candidate: [false, false, true, true, false, true])
        #expect(test.referenceOnlyCorrect == 2 && test.candidateOnlyCorrect == 1)
        #expect(throws: EvaluationError.self) { try McNemarTest(reference: [true], candidate: []) }
        #expect(throws: EvaluationError.self) { try McNemarTest(referenceOnlyCorrect: -1, candidateOnlyCorrect: 2) }
    }
}

@Suite struct PairedPermutationTestTests {
    // def stat(x, y, axis=-1): return np.mean(x - y, axis=axis)
    // stats.permutation_test((x, y), stat, permutation_type='samples', vectorized=True, n_resamples=np.inf)
    @Test("the exact sign-flip p-value equals scipy's, with tied and zero differences")
    func exactMatchesScipy() throws {
        // x = [0.9, 0.8, 0.75, 0.6, 0.95, 0.7, 0.85, 0.5, 0.65, 0.8, 0.9, 0.7]
        // y = [0.8, 0.8, 0.7, 0.65, 0.85, 0.6, 0.8, 0.55, 0.6, 0.7, 0.85, 0.7]
        // → statistic 0.041666666666666664, p-value 0.05078125 over 4096 sign vectors
        let x = [0.9, 0.8, 0.75, 0.6, 0.95, 0.7, 0.85, 0.5, 0.65, 0.8, 0.9, 0.7]
        let y = [0.8, 0.8, 0.7, 0.65, 0.85, 0.6, 0.8, 0.55, 0.6, 0.7, 0.85, 0.7]
        let test = try PairedPermutationTest(candidate: x, baseline: y)
        #expect(test.isExact && test.permutations == 4096)
        expectWithin(test.meanDifference, 0.041666666666666664, 1e-15)
        #expect(test.pValue == 0.05078125)
        // d = [1,0,0,1,-1,1,0,1,1,0,0,-1,1,1,0] against zeros → 0.1796875 over 32768
        let correctness: [Double] = [1, 0, 0, 1, -1, 1, 0, 1, 1, 0, 0, -1, 1, 1, 0]
        #expect(try PairedPermutationTest(differences: correctness).pValue == 0.1796875)
    }

    @Test("the random sign-flip p-value agrees with scipy's within Monte-Carlo error")
    func randomMatchesScipy() throws {
        // d = np.sin(np.arange(200) * 1.3) + 0.13 against zeros, n_resamples=20000, five rngs:
        // p = 0.0086, 0.0084, 0.0094, 0.0084, 0.0102; mean 0.008999550022498876.
        // One p at P = 20,000 has standard error √(p(1−p)/P) ≈ 0.00067; against the mean of
        // five scipy runs the difference has ≈ 0.00073, and 4 of those is 0.003.
        let differences = (0..<200).map { sin(Double($0) * 1.3) + 0.13 }
        let test = try PairedPermutationTest(differences: differences, permutations: 20_000, seed: 3)
        #expect(!test.isExact && test.permutations == 20_000)
        expectWithin(test.meanDifference, 0.13398179861239334, 1e-12)
        expectWithin(test.pValue, 0.008999550022498876, 0.003)
        #expect(try PairedPermutationTest(differences: differences, permutations: 20_000, seed: 3) == test)
    }

    @Test("all-zero differences give p = 1 and empty or mismatched input is rejected")
    func edgeCases() throws {
        #expect(try PairedPermutationTest(differences: [0, 0, 0]).pValue == 1)
        #expect(try PairedPermutationTest(differences: Array(repeating: 0, count: 30), permutations: 99).pValue == 1)
        #expect(throws: EvaluationError.self) { try PairedPermutationTest(differences: []) }
        #expect(throws: EvaluationError.self) { try PairedPermutationTest(candidate: [1, 2], baseline: [1]) }
        #expect(throws: EvaluationError.self) { try PairedPermutationTest(differences: [1, .nan]) }
        #expect(throws: EvaluationError.self) { try PairedPermutationTest(differences: Array(repeating: 1, count: 21), permutations: 0) }
    }
}

@Suite struct HolmBonferroniTests {
    @Test("Holm-adjusted p-values equal statsmodels' multipletests(method='holm'), in input order")
    func matchesStatsmodels() throws {
        // from statsmodels.stats.multitest import multipletests  (statsmodels 0.15.0)
        // multipletests(ps, method='holm')[1]
        let cases: [([Double], [Double])] = [
            ([0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]),
            ([0.2, 0.01, 0.01, 0.5, 0.04, 0.3], [0.6000000000000001, 0.06, 0.06, 0.6000000000000001, 0.16, 0.6000000000000001]),
            ([0.9], [0.9]),
            ([0.0001, 0.6, 0.03, 0.02, 0.04], [0.0005, 0.6, 0.09, 0.08, 0.09]),
        ]
        for (raw, expected) in cases {
            let adjusted = try HolmBonferroni.adjusted(raw)
            #expect(adjusted.count == expected.count)
            for (value, reference) in zip(adjusted, expected) { expectClose(value, reference, relative: 1e-15) }
        }
    }

    @Test("an empty family stays empty and p-values outside [0, 1] are rejected")
    func edgeCases() throws {
        #expect(try HolmBonferroni.adjusted([]) == [])
        #expect(throws: EvaluationError.invalidArgument(reason: "p-value 1 is 1.5; p-values must lie in [0, 1]")) {
            try HolmBonferroni.adjusted([0.1, 1.5])
        }
        #expect(throws: EvaluationError.self) { try HolmBonferroni.adjusted([.nan]) }
    }
}
