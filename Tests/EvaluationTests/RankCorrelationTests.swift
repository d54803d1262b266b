import Foundation
import Testing

@testable import Evaluation

@Suite struct RankCorrelationTests {
    // from scipy import stats  (scipy 1.17.1)
    // s = stats.spearmanr(x, y); k = stats.kendalltau(x, y)   # method='auto'
    static let smallX = [3.1, 1.2, 5.5, 4.4, 2.0, 6.7, 8.1, 7.3, 0.5, 9.9]
    static let smallY = [2.0, 1.5, 4.9, 6.1, 2.2, 5.0, 7.7, 9.1, 1.0, 8.8]
    static let tiedX: [Double] = [1, 2, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8]
    static let tiedY: [Double] = [2, 1, 3, 3, 5, 4, 4, 6, 6, 8, 7, 7]

    /// Checks both coefficients and p-values against scipy's: coefficients to 1e-14, p-values
    /// to `pTolerance` relative (the incomplete beta and erfc agree with scipy's to about 1e-12
    /// relative; p-values of 1e-66 lose a few more digits through 1 − ρ²).
    static func expectScipy(
        _ x: [Double], _ y: [Double], spearman: (Double, Double), kendall: (Double, Double),
        kendallMethod: RankCorrelation.PValueMethod, pTolerance: Double = 1e-9,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let rho = try RankCorrelation.spearman(x, y)
        expectClose(rho.coefficient, spearman.0, relative: 1e-14, "Spearman ρ", sourceLocation: sourceLocation)
        expectClose(rho.pValue, spearman.1, relative: pTolerance, "Spearman p", sourceLocation: sourceLocation)
        #expect(rho.pValueMethod == .studentT && rho.count == x.count, sourceLocation: sourceLocation)
        let tau = try RankCorrelation.kendall(x, y)
        expectClose(tau.coefficient, kendall.0, relative: 1e-14, "Kendall τ", sourceLocation: sourceLocation)
        expectClose(tau.pValue, kendall.1, relative: pTolerance, "Kendall p", sourceLocation: sourceLocation)
        #expect(tau.pValueMethod == kendallMethod, sourceLocation: sourceLocation)
    }

    @Test("Spearman and Kendall match scipy on 10 untied pairs (Kendall exact)")
    func smallWithoutTies() throws {
        try Self.expectScipy(Self.smallX, Self.smallY, spearman: (0.9151515151515152, 0.00020447240614883226),
            kendall: (0.7777777777777777, 0.0009463183421516755), kendallMethod: .exact)
    }

    @Test("Spearman and Kendall match scipy on 12 pairs with ties (Kendall's tie-corrected normal approximation)")
    func smallWithTies() throws {
        try Self.expectScipy(Self.tiedX, Self.tiedY, spearman: (0.9608601769431693, 6.77331789928786e-07),
            kendall: (0.8780778006580403, 0.0001523352592991789), kendallMethod: .normalApproximation)
    }

    @Test("50 untied pairs use Kendall's normal approximation, as scipy does past n = 33")
    func mediumWithoutTies() throws {
        // i = np.arange(50); x = np.sin(i * 0.7); y = np.sin(i * 0.7 + 0.4) + 0.3 * np.cos(i * 2.1)
        // spearman 0.9030012004801921, p 3.0928152830420977e-19; kendall 0.7322448979591837, p 6.224163050136395e-14
        let x = (0..<50).map { sin(Double($0) * 0.7) }
        let y = (0..<50).map { sin(Double($0) * 0.7 + 0.4) + 0.3 * cos(Double($0) * 2.1) }
        try Self.expectScipy(x, y, spearman: (0.9030012004801921, 3.0928152830420977e-19),
            kendall: (0.7322448979591837, 6.224163050136395e-14), kendallMethod: .normalApproximation)
    }

    @Test("200 heavily tied pairs match scipy")
    func largeWithTies() throws {
        // i = np.arange(200); x = (i * 37) % 11; y = ((i * 37) % 11 + (i * 13) % 7) // 2
        // spearman 0.8443992737822543, p 1.4270237255749415e-55; kendall 0.7046368344388416, p 9.962663602029176e-41
        let x = (0..<200).map { Double(($0 * 37) % 11) }
        let y = (0..<200).map { (index: Int) -> Double in
            let sum: Int = (index * 37) % 11 + (index * 13) % 7
            return Double(sum / 2)
        }
        try Self.expectScipy(x, y, spearman: (0.8443992737822543, 1.4270237255749415e-55),
            kendall: (0.7046368344388416, 9.962663602029176e-41), kendallMethod: .normalApproximation)
    }

    @Test("one swapped pair in 40 takes Kendall's exact path, as scipy does")
    func nearlySortedUsesTheExactDistribution() throws {
        // x = list(range(40)); y = x with positions 10 and 11 swapped
        // spearman 0.9998123827392121, p 1.0477258152676973e-66; kendall 0.9974358974358974, p 9.804939513027087e-47
        let x = (0..<40).map(Double.init)
        var y = x
        y.swapAt(10, 11)
        try Self.expectScipy(x, y, spearman: (0.9998123827392121, 1.0477258152676973e-66),
            kendall: (0.9974358974358974, 9.804939513027087e-47), kendallMethod: .exact, pTolerance: 1e-8)
    }

    @Test("a perfect reversal gives −1, with Kendall's exact p = 2/5!")
    func perfectReversal() throws {
        let x: [Double] = [1, 2, 3, 4, 5]
        let y: [Double] = [5, 4, 3, 2, 1]
        let spearman = try RankCorrelation.spearman(x, y)
        expectWithin(spearman.coefficient, -1, 1e-15)
        // scipy: p 1.4e-24 from ρ = −0.9999999999999999 by rounding; exactly −1 gives t = ∞, p = 0
        #expect(spearman.pValue < 1e-20)
        let kendall = try RankCorrelation.kendall(x, y)
        expectWithin(kendall.coefficient, -1, 1e-15)
        expectClose(kendall.pValue, 2.0 / 120.0, relative: 1e-14)
    }

    @Test("average ranks share tied positions as scipy.stats.rankdata does")
    func averageRanks() {
        // stats.rankdata([3, 1, 4, 1, 5, 9, 2, 6, 5]) → [4, 1.5, 5, 1.5, 6.5, 9, 3, 8, 6.5]
        #expect(RankCorrelation.averageRanks([3, 1, 4, 1, 5, 9, 2, 6, 5]) == [4, 1.5, 5, 1.5, 6.5, 9, 3, 8, 6.5])
    }

    @Test("too few pairs, different lengths, NaN and constant inputs throw instead of returning NaN")
    func undefinedCasesThrow() {
        #expect(throws: EvaluationError.invalidArgument(reason: "Spearman correlation needs at least 3 pairs for a p-value, got 2")) {
            try RankCorrelation.spearman([1, 2], [2, 1])
        }
        #expect(throws: EvaluationError.self) { try RankCorrelation.kendall([1, 2, 3], [1, 2]) }
        #expect(throws: EvaluationError.self) { try RankCorrelation.kendall([1, .nan, 3], [1, 2, 3]) }
        #expect(throws: EvaluationError.invalidArgument(reason: "Spearman's ρ is undefined when x is constant (all 4 values equal)")) {
            try RankCorrelation.spearman([2, 2, 2, 2], [1, 2, 3, 4])
        }
        #expect(throws: EvaluationError.invalidArgument(reason: "Kendall's τ is undefined when y is constant (all 4 values equal)")) {
            try RankCorrelation.kendall([1, 2, 3, 4], [7, 7, 7, 7])
        }
    }
}
