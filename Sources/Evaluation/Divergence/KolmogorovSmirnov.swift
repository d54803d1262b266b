import Foundation

/// The one-sample Kolmogorov–Smirnov test of whether a sample comes from a continuous
/// distribution F: D = supₓ |Fₙ(x) − F(x)| and its two-sided p-value P(Dₙ ≥ D).
///
/// With x₍₁₎ ≤ … ≤ x₍ₙ₎ sorted, D = max(D⁺, D⁻), D⁺ = maxᵢ (i/n − F(x₍ᵢ₎)) and
/// D⁻ = maxᵢ (F(x₍ᵢ₎) − (i − 1)/n). The p-value is exact, 1 − K(n, D) with K the distribution
/// of Dₙ by Marsaglia, Tsang and Wang 2003 ("Evaluating Kolmogorov's Distribution", Journal of
/// Statistical Software 8(18)): K(n, d) = (n!/nⁿ)·(Hⁿ)ₖₖ for an m × m matrix H, k = ⌊nd⌋ + 1,
/// m = 2k − 1. In the far right tail (nd² > 7.24, or nd² > 3.76 with n > 99, where p < 1e-3)
/// and whenever m would exceed 400, it uses the paper's tail form
/// p ≈ 2·exp(−(2.000071 + 0.331/√n + 1.409/n)·nd²) or, for large matrices, the asymptotic
/// Kolmogorov distribution with Stephens' correction, p ≈ Q_KS((√n + 0.12 + 0.11/√n)·D),
/// Q_KS(λ) = 2·Σⱼ (−1)ʲ⁻¹·e^{−2j²λ²} (Stephens 1970; Press et al., *Numerical Recipes*, §14.3).
public struct KolmogorovSmirnov: Sendable, Equatable {
    /// D, in [0, 1].
    public let statistic: Double
    /// P(Dₙ ≥ D) under the hypothesis, in [0, 1].
    public let pValue: Double

    /// Tests `sample` against the continuous distribution function `cdf`.
    public static func test(_ sample: [Double], cdf: (Double) -> Double) throws -> KolmogorovSmirnov {
        guard !sample.isEmpty else {
            throw EvaluationError.invalidArgument(reason: "the Kolmogorov–Smirnov sample is empty; give at least one value")
        }
        guard sample.allSatisfy(\.isFinite) else {
            throw EvaluationError.invalidArgument(reason: "the Kolmogorov–Smirnov sample has a non-finite value")
        }
        let sorted = sample.sorted()
        let n = Double(sorted.count)
        var statistic = 0.0
        for (index, value) in sorted.enumerated() {
            let probability = cdf(value)
            statistic = max(statistic, Double(index + 1) / n - probability, probability - Double(index) / n)
        }
        return KolmogorovSmirnov(statistic: statistic, pValue: survival(count: sorted.count, statistic: statistic))
    }

    /// Tests whether `sample` is uniform on [0, 1].
    public static func testUniform(_ sample: [Double]) throws -> KolmogorovSmirnov {
        try test(sample) { min(max($0, 0), 1) }
    }

    /// P(Dₙ ≥ d) for a sample of `count` values.
    static func survival(count n: Int, statistic d: Double) -> Double {
        if d <= 0 { return 1 }
        if d >= 1 { return 0 }
        let size = Double(n)
        let s = d * d * size
        if s > 7.24 || (s > 3.76 && n > 99) {
            return min(1, 2 * exp(-(2.000071 + 0.331 / size.squareRoot() + 1.409 / size) * s))
        }
        let k = Int(size * d) + 1
        guard 2 * k - 1 <= 400 else {
            let root = size.squareRoot()
            return asymptoticSurvival((root + 0.12 + 0.11 / root) * d)
        }
        return min(max(1 - distribution(count: n, statistic: d), 0), 1)
    }

    /// K(n, d) = P(Dₙ < d) by the matrix power of Marsaglia, Tsang and Wang (2003, §2).
    static func distribution(count n: Int, statistic d: Double) -> Double {
        let k = Int(Double(n) * d) + 1
        let m = 2 * k - 1
        let h = Double(k) - Double(n) * d
        // H[i][j] = 1 where i − j + 1 ≥ 0; the first column and last row lose powers of h; the
        // corner regains (2h − 1)^m when 2h > 1; entry (i, j) is divided by (i − j + 1)!.
        var matrix = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in 0..<m where i - j + 1 >= 0 { matrix[i * m + j] = 1 }
        }
        for i in 0..<m {
            matrix[i * m] -= pow(h, Double(i + 1))
            matrix[(m - 1) * m + i] -= pow(h, Double(m - i))
        }
        if 2 * h - 1 > 0 { matrix[(m - 1) * m] += pow(2 * h - 1, Double(m)) }
        for i in 0..<m {
            for j in 0..<m where i - j + 1 > 0 {
                var factorial = 1.0
                for g in 1...(i - j + 1) { factorial *= Double(g) }
                matrix[i * m + j] /= factorial
            }
        }
        var (power, exponent) = scaledPower(matrix, size: m, exponent: n)
        // Multiply by n!/nⁿ one factor at a time, moving powers of 10 into the exponent.
        var value = power[(k - 1) * m + (k - 1)]
        for i in 1...n {
            value = value * Double(i) / Double(n)
            if value < 1e-140 {
                value *= 1e140
                exponent -= 140
            }
        }
        power.removeAll()
        return value * pow(10, Double(exponent))
    }

    /// Aⁿ as (matrix, e) with Aⁿ = matrix·10ᵉ, by repeated squaring; whenever the middle
    /// entry passes 1e140 the matrix is divided by 1e140 so nothing overflows.
    private static func scaledPower(_ matrix: [Double], size m: Int, exponent n: Int) -> ([Double], Int) {
        if n == 1 { return (matrix, 0) }
        var (half, exponent) = scaledPower(matrix, size: m, exponent: n / 2)
        var result = multiply(half, half, size: m)
        exponent *= 2
        if n % 2 == 1 { result = multiply(matrix, result, size: m) }
        if result[(m / 2) * m + m / 2] > 1e140 {
            for index in result.indices { result[index] *= 1e-140 }
            exponent += 140
        }
        half.removeAll()
        return (result, exponent)
    }

    private static func multiply(_ a: [Double], _ b: [Double], size m: Int) -> [Double] {
        var product = [Double](repeating: 0, count: m * m)
        product.withUnsafeMutableBufferPointer { c in
            b.withUnsafeBufferPointer { b in
                for i in 0..<m {
                    for l in 0..<m where a[i * m + l] != 0 {
                        VectorOperations.addScaled(a[i * m + l], b.baseAddress! + l * m, to: c.baseAddress! + i * m, count: m)
                    }
                }
            }
        }
        return product
    }

    /// Q_KS(λ) = 2·Σⱼ≥₁ (−1)ʲ⁻¹·exp(−2j²λ²), the limiting survival function of √n·Dₙ.
    static func asymptoticSurvival(_ lambda: Double) -> Double {
        if lambda < 0.2 { return 1 }
        var sum = 0.0
        var sign = 1.0
        for j in 1...100 {
            let term = exp(-2 * Double(j * j) * lambda * lambda)
            sum += sign * term
            if term < 1e-16 * sum { break }
            sign = -sign
        }
        return min(max(2 * sum, 0), 1)
    }
}
