import Foundation
import Testing

@testable import Evaluation

@Suite struct SpecialFunctionsTests {
    // from scipy import special  (scipy 1.17.1)
    // [(p, float(special.ndtri(p))) for p in [1e-300, 1e-20, 1e-10, 1e-3, 0.02425, 0.075, 0.3,
    //   0.5, 0.7, 0.925, 0.975, 0.999, 1 - 1e-12]]
    static let normalQuantiles: [(Double, Double)] = [
        (1e-300, -37.0470962993612), (1e-20, -9.262340089798409), (1e-10, -6.361340902404056),
        (0.001, -3.090232306167813), (0.02425, -1.972961051311885), (0.075, -1.4395314709384563),
        (0.3, -0.5244005127080409), (0.5, 0.0), (0.7, 0.5244005127080407), (0.925, 1.4395314709384563),
        (0.975, 1.959963984540054), (0.999, 3.090232306167813), (0.999999999999, 7.0344869100478356),
    ]

    @Test("the inverse normal CDF matches scipy's ndtri in all three regions of AS 241")
    func inverseNormalMatchesScipy() {
        for (p, expected) in Self.normalQuantiles {
            expectClose(SpecialFunctions.inverseStandardNormalCDF(p), expected, relative: 1e-13, floor: 1e-3, "p = \(p)")
        }
    }

    @Test("the inverse normal CDF inverts the CDF and is infinite at 0 and 1")
    func inverseNormalRoundTrips() {
        for p in stride(from: 0.0005, to: 1.0, by: 0.0173) {
            expectClose(SpecialFunctions.standardNormalCDF(SpecialFunctions.inverseStandardNormalCDF(p)), p, relative: 1e-14)
        }
        #expect(SpecialFunctions.inverseStandardNormalCDF(0) == -.infinity)
        #expect(SpecialFunctions.inverseStandardNormalCDF(1) == .infinity)
        #expect(SpecialFunctions.inverseStandardNormalCDF(1.5).isNaN)
    }

    @Test("the normal CDF matches scipy's ndtr, deep lower tail included")
    func normalCDFMatchesScipy() {
        // [(x, float(special.ndtr(x))) for x in [-30.0, -5.0, -1.0, 0.0, 1.959963984540054, 8.0]]
        let expected: [(Double, Double)] = [
            (-30.0, 4.906713927147908e-198), (-5.0, 2.866515718791933e-07), (-1.0, 0.15865525393145707),
            (0.0, 0.5), (1.959963984540054, 0.975), (8.0, 0.9999999999999993),
        ]
        // At −30 glibc's erfc and scipy's differ by 1.7e-13 relative; mpmath.ncdf(-30) with 40
        // digits is 4.906713927148187e-198, between the two.
        for (x, value) in expected {
            expectClose(SpecialFunctions.standardNormalCDF(x), value, relative: 1e-12, "x = \(x)")
        }
    }

    @Test("the regularized incomplete beta matches scipy's betainc for small, large and lopsided parameters")
    func incompleteBetaMatchesScipy() {
        // [(x, a, b, float(special.betainc(a, b, x))) for x, a, b in [(0.3, 2.0, 3.0),
        //   (0.5, 0.5, 0.5), (0.9, 5.0, 1.5), (0.01, 0.5, 40.0), (0.999, 200.0, 0.5),
        //   (0.45, 500.0, 600.0), (0.2, 1.0, 1.0)]]
        let expected: [(Double, Double, Double, Double)] = [
            (0.3, 2.0, 3.0, 0.34829999999999994), (0.5, 0.5, 0.5, 0.5000000000000001),
            (0.9, 5.0, 1.5, 0.7761721343162159), (0.01, 0.5, 40.0, 0.6286139767460155),
            (0.999, 200.0, 0.5, 0.5272441070252349), (0.45, 500.0, 600.0, 0.38169373366484016),
            (0.2, 1.0, 1.0, 0.2),
        ]
        for (x, a, b, value) in expected {
            expectClose(SpecialFunctions.regularizedIncompleteBeta(x, a: a, b: b), value, relative: 1e-12, "I_\(x)(\(a), \(b))")
        }
        #expect(SpecialFunctions.regularizedIncompleteBeta(0, a: 2, b: 3) == 0)
        #expect(SpecialFunctions.regularizedIncompleteBeta(1, a: 2, b: 3) == 1)
        #expect(SpecialFunctions.regularizedIncompleteBeta(0.5, a: -1, b: 3).isNaN)
    }

    @Test("Student's t CDF matches scipy.stats.t.cdf from 1 to 1,000 degrees of freedom")
    func studentTMatchesScipy() {
        // from scipy import stats
        // [(t, v, float(stats.t.cdf(t, v))) for t, v in [(-3.0, 1.0), (0.5, 2.5), (2.228, 10.0),
        //   (-1.0e-3, 100.0), (4.0, 1000.0), (12.0, 3.0)]]
        let expected: [(Double, Double, Double)] = [
            (-3.0, 1.0, 0.10241638234956672), (0.5, 2.5, 0.6711510400651426), (2.228, 10.0, 0.9749941140914443),
            (-0.001, 100.0, 0.49960205388005174), (4.0, 1000.0, 0.9999659950403956), (12.0, 3.0, 0.9993774920996054),
        ]
        for (t, freedom, value) in expected {
            expectClose(SpecialFunctions.studentTCDF(t, degreesOfFreedom: freedom), value, relative: 1e-12, "t = \(t), ν = \(freedom)")
        }
        // The Cauchy distribution (ν = 1) has the closed form ½ + atan(t)/π.
        expectClose(SpecialFunctions.studentTCDF(0.7, degreesOfFreedom: 1), 0.5 + atan(0.7) / Double.pi, relative: 1e-14)
    }

    @Test("the binomial log CDF equals the exact rational sum, far into the tail where the CDF underflows")
    func binomialMatchesExactSums() {
        // import math, mpmath; from fractions import Fraction; mpmath.mp.dps = 50
        // def exact_log_cdf(k, n, p):
        //     p = Fraction(p)   # the double's exact value
        //     total = sum(math.comb(n, j) * p**j * (1 - p)**(n - j) for j in range(k + 1))
        //     return float(mpmath.log(mpmath.mpf(total.numerator) / total.denominator))
        let expected: [(Int, Int, Double, Double)] = [
            (5, 20, 0.5, -3.877876071670355), (3, 10, 0.3, -0.4313819902707923),
            (950, 2000, 0.5, -4.311599998548373), (700, 2000, 0.5, -94.61095501346269),
            (10, 2000, 0.5, -1325.4072521068736), (40, 100, 0.9, -77.50356254216682),
            (99, 100, 0.9, -2.6561751647789527e-05),
        ]
        for (k, n, p, value) in expected {
            expectClose(SpecialFunctions.logBinomialCDF(k, trials: n, probability: p), value, relative: 1e-12, "k = \(k), n = \(n), p = \(p)")
        }
        // scipy.stats.binom.cdf(5, 20, 0.5) = 0.020694732666015625 = 21700/2^20 exactly
        expectClose(SpecialFunctions.binomialCDF(5, trials: 20, probability: 0.5), 21_700.0 / 1_048_576.0, relative: 1e-14)
        // P[X ≤ 1990] = 1 − 1e-580: its log is 0 to double precision
        #expect(SpecialFunctions.logBinomialCDF(1990, trials: 2000, probability: 0.5) == 0)
        #expect(SpecialFunctions.logBinomialCDF(2000, trials: 2000, probability: 0.5) == 0)
        #expect(SpecialFunctions.logBinomialCDF(-1, trials: 10, probability: 0.5) == -.infinity)
    }
}
