import Foundation

/// The distribution functions the tests and intervals rest on: the standard normal CDF and its
/// inverse, the regularized incomplete beta function, Student's t and the binomial CDF.
///
/// Each is accurate to about 1e-12 relative in the range the statistics use; the tests compare
/// them with `scipy.special` and `scipy.stats`.
public enum SpecialFunctions {
    /// Φ(x) = ½·erfc(−x/√2), the standard normal CDF; range [0, 1].
    ///
    /// Through `erfc` rather than `1 + erf` so the lower tail keeps its relative precision
    /// (Φ(−30) ≈ 4.9e-198 instead of 0).
    public static func standardNormalCDF(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// Φ⁻¹(p), the standard normal quantile, by Wichura's algorithm AS 241 (PPND16), "The
    /// Percentage Points of the Normal Distribution", Applied Statistics 37(3), 1988, 477–484:
    /// rational approximations of degree 7 in three regions, relative error about 1e-16.
    ///
    /// Returns −∞ at 0, +∞ at 1 and NaN outside [0, 1].
    public static func inverseStandardNormalCDF(_ p: Double) -> Double {
        guard p >= 0, p <= 1 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        let q = p - 0.5
        if abs(q) <= 0.425 {
            let r = 0.180625 - q * q
            return q * polynomial(NormalQuantileCoefficients.centralNumerator, r)
                / polynomial(NormalQuantileCoefficients.centralDenominator, r)
        }
        // The tails are parametrised by r = √(−ln min(p, 1 − p)), computed from p itself so
        // that tiny lower-tail probabilities keep their precision.
        var r = (-log(q < 0 ? p : 1 - p)).squareRoot()
        let value: Double
        if r <= 5 {
            r -= 1.6
            value = polynomial(NormalQuantileCoefficients.intermediateNumerator, r)
                / polynomial(NormalQuantileCoefficients.intermediateDenominator, r)
        } else {
            r -= 5
            value = polynomial(NormalQuantileCoefficients.farNumerator, r)
                / polynomial(NormalQuantileCoefficients.farDenominator, r)
        }
        return q < 0 ? -value : value
    }

    /// I_x(a, b) = B(x; a, b) / B(a, b), the regularized incomplete beta function, for
    /// 0 ≤ x ≤ 1 and a, b > 0; range [0, 1]. NaN for arguments outside that domain.
    ///
    /// Evaluated by the continued fraction of Abramowitz and Stegun 26.5.8 with the modified
    /// Lentz algorithm (Press et al., Numerical Recipes, 3rd ed., §6.4 and §5.2); for
    /// x > (a + 1)/(a + b + 2) through the symmetry I_x(a, b) = 1 − I_{1−x}(b, a), where the
    /// fraction converges fast.
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        regularizedIncompleteBeta(x, complement: 1 - x, a: a, b: b)
    }

    /// I_x(a, b) with 1 − x given separately, for callers that know it more precisely than
    /// `1 - x` would compute it (Student's t near 0, Spearman's r near ±1).
    static func regularizedIncompleteBeta(_ x: Double, complement: Double, a: Double, b: Double) -> Double {
        guard a > 0, b > 0, x >= 0, x <= 1, complement >= 0, complement <= 1 else { return .nan }
        if x == 0 { return 0 }
        if complement == 0 { return 1 }
        if x > (a + 1) / (a + b + 2) {
            return 1 - regularizedIncompleteBeta(complement, complement: x, a: b, b: a)
        }
        let logFront = a * log(x) + b * log(complement) - logBeta(a, b)
        return exp(logFront) / a / incompleteBetaContinuedFraction(x, a: a, b: b)
    }

    /// The value of 1 + d₁/(1 + d₂/(1 + …)) with d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1))
    /// and d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)), by the modified Lentz algorithm.
    private static func incompleteBetaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var fraction = 1.0
        var numeratorRatio = 1.0  // Lentz's C
        var denominatorInverse = 0.0  // Lentz's D
        for term in 1...10_000 {
            let m = Double(term / 2)
            let coefficient = term % 2 == 1
                ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            denominatorInverse = 1 + coefficient * denominatorInverse
            if abs(denominatorInverse) < tiny { denominatorInverse = tiny }
            numeratorRatio = 1 + coefficient / numeratorRatio
            if abs(numeratorRatio) < tiny { numeratorRatio = tiny }
            denominatorInverse = 1 / denominatorInverse
            let change = numeratorRatio * denominatorInverse
            fraction *= change
            if abs(change - 1) < 1e-16 { break }
        }
        return fraction
    }

    /// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
    static func logBeta(_ a: Double, _ b: Double) -> Double {
        logGamma(a) + logGamma(b) - logGamma(a + b)
    }

    /// ln |Γ(x)| through the reentrant `lgamma_r` (plain `lgamma` writes a global sign).
    static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// The CDF of Student's t with ν degrees of freedom, P[T ≤ t]; range [0, 1].
    ///
    /// P[|T| ≥ |t|] = I_{ν/(ν+t²)}(ν/2, ½) (Abramowitz and Stegun 26.7.1), and the CDF is half
    /// of that tail on the side of t. NaN unless ν > 0.
    public static func studentTCDF(_ t: Double, degreesOfFreedom: Double) -> Double {
        guard degreesOfFreedom > 0, !t.isNaN else { return .nan }
        let halfTail = 0.5 * studentTTwoSidedTail(t, degreesOfFreedom: degreesOfFreedom)
        return t > 0 ? 1 - halfTail : halfTail
    }

    /// P[|T| ≥ |t|] for Student's t with ν degrees of freedom: the two-sided p-value of a t
    /// statistic; range [0, 1].
    public static func studentTTwoSidedTail(_ t: Double, degreesOfFreedom: Double) -> Double {
        guard degreesOfFreedom > 0, !t.isNaN else { return .nan }
        if t.isInfinite { return 0 }
        let squared = t * t
        return regularizedIncompleteBeta(
            degreesOfFreedom / (degreesOfFreedom + squared), complement: squared / (degreesOfFreedom + squared),
            a: degreesOfFreedom / 2, b: 0.5)
    }

    /// ln C(n, k) = ln Γ(n+1) − ln Γ(k+1) − ln Γ(n−k+1), for 0 ≤ k ≤ n.
    static func logBinomialCoefficient(_ n: Int, _ k: Int) -> Double {
        logGamma(Double(n) + 1) - logGamma(Double(k) + 1) - logGamma(Double(n - k) + 1)
    }

    /// ln P[X ≤ k] for X ~ Binomial(n, p), the exact sum of the probabilities
    /// C(n, j)·pʲ·(1−p)ⁿ⁻ʲ for j ≤ k, kept in log space so that tails of thousands of trials
    /// do not underflow; range (−∞, 0].
    ///
    /// Below the mode the largest term, j = k, is taken in log space and every other as its
    /// ratio to the next, pmf(j−1)/pmf(j) = j(1−p) / ((n−j+1)p): the terms fall, so the sum of
    /// ratios lies in [1, k+1] and neither overflows nor underflows. Above the mode the CDF is
    /// near 1 and is computed as ln(1 − P[X > k]) with the upper tail summed the same way
    /// (P[X > k] = P[Y ≤ n−k−1] for Y ~ Binomial(n, 1−p)), which keeps its small distance
    /// from 1 exact.
    public static func logBinomialCDF(_ k: Int, trials n: Int, probability p: Double) -> Double {
        guard n >= 0, p >= 0, p <= 1 else { return .nan }
        if k < 0 { return -.infinity }
        if k >= n { return 0 }
        if p == 0 { return 0 }
        if p == 1 { return -.infinity }
        let mode = Int((Double(n + 1) * p).rounded(.down))
        if k > mode {
            return log1p(-binomialCDF(n - k - 1, trials: n, probability: 1 - p))
        }
        let logLargest = logBinomialCoefficient(n, k) + Double(k) * log(p) + Double(n - k) * log1p(-p)
        let odds = p / (1 - p)
        var sum = 1.0
        var term = 1.0
        var j = k
        while j > 0, term >= sum * 1e-17 {
            term *= Double(j) / (Double(n - j + 1) * odds)
            sum += term
            j -= 1
        }
        return logLargest + log(sum)
    }

    /// P[X ≤ k] for X ~ Binomial(n, p), from `logBinomialCDF`; range [0, 1].
    public static func binomialCDF(_ k: Int, trials n: Int, probability p: Double) -> Double {
        exp(logBinomialCDF(k, trials: n, probability: p))
    }

    /// Horner evaluation of c₀ + c₁x + … + c_m x^m.
    private static func polynomial(_ coefficients: [Double], _ x: Double) -> Double {
        var value = 0.0
        for coefficient in coefficients.reversed() { value = value * x + coefficient }
        return value
    }
}

/// The coefficients of AS 241 (PPND16), constant term first, as printed in Wichura (1988).
/// The paper gives each array's sum as a check against typing errors; the tests verify them.
enum NormalQuantileCoefficients {
    /// |p − ½| ≤ 0.425, in r = 0.180625 − q².
    static let centralNumerator: [Double] = [
        3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3, 1.3731693765509461125e4,
        4.5921953931549871457e4, 6.7265770927008700853e4, 3.3430575583588128105e4, 2.5090809287301226727e3,
    ]
    static let centralDenominator: [Double] = [
        1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
        2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4, 5.2264952788528545610e3,
    ]
    /// √(−ln min(p, 1−p)) ≤ 5, in r − 1.6.
    static let intermediateNumerator: [Double] = [
        1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0, 3.64784832476320460504e0,
        1.27045825245236838258e0, 2.41780725177450611770e-1, 2.27238449892691845833e-2, 7.74545014278341407640e-4,
    ]
    static let intermediateDenominator: [Double] = [
        1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
        1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4, 1.05075007164441684324e-9,
    ]
    /// √(−ln min(p, 1−p)) > 5, in r − 5.
    static let farNumerator: [Double] = [
        6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0, 2.96560571828504891230e-1,
        2.65321895265761230930e-2, 1.24266094738807843860e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7,
    ]
    static let farDenominator: [Double] = [
        1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
        7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7, 2.04426310338993978564e-15,
    ]
}
