import Foundation

/// A rank correlation coefficient with its two-sided p-value for H₀: no association, computed
/// as `scipy.stats.spearmanr` and `scipy.stats.kendalltau` (method 'auto') compute them.
public struct RankCorrelation: Sendable, Equatable {
    /// How the p-value was obtained.
    public enum PValueMethod: String, Sendable, Equatable, Codable {
        /// Student's t with n − 2 degrees of freedom (Spearman).
        case studentT
        /// The exact permutation distribution of Kendall's statistic (no ties, small n).
        case exact
        /// The normal approximation with the tie-corrected variance (Kendall).
        case normalApproximation
    }

    /// ρ or τ_b, in [−1, 1].
    public var coefficient: Double
    /// Two-sided, in [0, 1].
    public var pValue: Double
    /// n, the number of pairs.
    public var count: Int
    public var pValueMethod: PValueMethod

    /// Spearman's ρ: the Pearson correlation of the average ranks of x and y (ties share the
    /// mean of the ranks they span) (Spearman 1904; Kendall and Gibbons, "Rank Correlation
    /// Methods", 5th ed. 1990, ch. 2); range [−1, 1].
    ///
    /// p-value: t = ρ·√((n − 2)/(1 − ρ²)) against Student's t with n − 2 degrees of freedom,
    /// p = P[|T| ≥ |t|] = I_{1−ρ²}((n − 2)/2, ½); 0 when |ρ| = 1.
    ///
    /// - Throws: `EvaluationError.invalidArgument` for different lengths, fewer than 3 pairs,
    ///   a NaN, or a constant x or y (ρ is undefined).
    public static func spearman(_ x: [Double], _ y: [Double]) throws -> RankCorrelation {
        try checkPairs(x, y, name: "Spearman")
        return try productMoment(averageRanks(x), averageRanks(y), name: "Spearman's ρ")
    }

    /// Pearson's product-moment correlation r = Σ(xᵢ − x̄)(yᵢ − ȳ) / √(Σ(xᵢ − x̄)²·Σ(yᵢ − ȳ)²)
    /// (Pearson 1896; Kendall and Gibbons 1990, ch. 2), range [−1, 1], as `scipy.stats.pearsonr`.
    /// Not a rank correlation, but Spearman's ρ is exactly this on the average ranks, so both
    /// share one computation and one result type.
    ///
    /// p-value for H₀: ρ = 0 under bivariate normality: t = r·√((n − 2)/(1 − r²)) against
    /// Student's t with n − 2 degrees of freedom, p = I_{1−r²}((n − 2)/2, ½); 0 when |r| = 1
    /// (the exact null distribution of r scipy uses is this same beta distribution).
    ///
    /// - Throws: `EvaluationError.invalidArgument` for different lengths, fewer than 3 pairs,
    ///   a NaN, or a constant x or y (r is undefined).
    public static func pearson(_ x: [Double], _ y: [Double]) throws -> RankCorrelation {
        try checkPairs(x, y, name: "Pearson")
        return try productMoment(x, y, name: "Pearson's r")
    }

    /// The product-moment correlation of x and y (two passes: means, then centred sums) with
    /// its Student-t p-value.
    private static func productMoment(_ x: [Double], _ y: [Double], name: String) throws -> RankCorrelation {
        let n = Double(x.count)
        let meanX = x.reduce(0, +) / n
        let meanY = y.reduce(0, +) / n
        var products = 0.0
        var squaresX = 0.0
        var squaresY = 0.0
        for (a, b) in zip(x, y) {
            products += (a - meanX) * (b - meanY)
            squaresX += (a - meanX) * (a - meanX)
            squaresY += (b - meanY) * (b - meanY)
        }
        guard squaresX > 0, squaresY > 0 else {
            throw EvaluationError.invalidArgument(
                reason: "\(name) is undefined when \(squaresX > 0 ? "y" : "x") is constant (all \(x.count) values equal)")
        }
        let rho = min(1, max(-1, products / (squaresX * squaresY).squareRoot()))
        let freedom = n - 2
        // t²/(ν + t²) = ρ², so the beta argument is 1 − ρ², computed as (1 − ρ)(1 + ρ) to keep
        // its precision when |ρ| is near 1.
        let pValue = abs(rho) == 1
            ? 0
            : SpecialFunctions.regularizedIncompleteBeta((1 - rho) * (1 + rho), complement: rho * rho, a: freedom / 2, b: 0.5)
        return RankCorrelation(coefficient: rho, pValue: pValue, count: x.count, pValueMethod: .studentT)
    }

    /// Kendall's τ_b = (n_c − n_d) / √((n₀ − n_x)(n₀ − n_y)), with n_c, n_d the concordant and
    /// discordant pairs, n₀ = n(n−1)/2 and n_x, n_y the pairs tied in x and in y (Kendall 1945,
    /// "The treatment of ties in ranking problems", Biometrika 33(3)); range [−1, 1]. Pairs are
    /// counted in O(n log n) by Knight's merge-sort method (Knight 1966, JASA 61(314)).
    ///
    /// p-value, as scipy's method 'auto': without ties and with n ≤ 33 (or at most one pair
    /// out of order either way) the exact distribution of the number of discordant pairs over
    /// all n! orderings, p = min(1, 2·P[D ≤ min(n_d, n₀ − n_d)]) (Kendall and Gibbons 1990,
    /// ch. 4); otherwise z = (n_c − n_d)/√v with the tie-corrected variance
    /// v = (n(n−1)(2n+5) − Σt(t−1)(2t+5) − Σu(u−1)(2u+5))/18
    ///   + Σt(t−1)(t−2)·Σu(u−1)(u−2) / (9n(n−1)(n−2)) + Σt(t−1)·Σu(u−1) / (2n(n−1))
    /// over tie groups t of x and u of y (Kendall and Gibbons 1990, ch. 4), p = 2·Φ(−|z|).
    ///
    /// - Throws: `EvaluationError.invalidArgument` for different lengths, fewer than 3 pairs,
    ///   a NaN, or a constant x or y (τ_b is undefined).
    public static func kendall(_ x: [Double], _ y: [Double]) throws -> RankCorrelation {
        try checkPairs(x, y, name: "Kendall")
        let n = x.count
        let order = x.indices.sorted { x[$0] < x[$1] || (x[$0] == x[$1] && y[$0] < y[$1]) }
        let sortedX = order.map { x[$0] }
        var sortedY = order.map { y[$0] }
        let xTies = TieGroups(sortedX)
        var jointTies = 0
        var run = 1
        for position in 1..<n {
            if sortedX[position] == sortedX[position - 1], sortedY[position] == sortedY[position - 1] {
                run += 1
            } else {
                jointTies += run * (run - 1) / 2
                run = 1
            }
        }
        jointTies += run * (run - 1) / 2
        // With x ascending (and y ascending within tied x), the discordant pairs are exactly
        // the strict inversions of the y sequence.
        var scratch = sortedY
        let discordant = countInversions(&sortedY, scratch: &scratch)
        let yTies = TieGroups(sortedY)
        let pairs = n * (n - 1) / 2
        guard xTies.tiedPairs < pairs, yTies.tiedPairs < pairs else {
            throw EvaluationError.invalidArgument(
                reason: "Kendall's τ is undefined when \(xTies.tiedPairs < pairs ? "y" : "x") is constant (all \(n) values equal)")
        }
        let concordantMinusDiscordant = pairs - xTies.tiedPairs - yTies.tiedPairs + jointTies - 2 * discordant
        let tau = min(1, max(-1,
            Double(concordantMinusDiscordant) / (Double(pairs - xTies.tiedPairs).squareRoot() * Double(pairs - yTies.tiedPairs).squareRoot())))

        let untied = xTies.tiedPairs == 0 && yTies.tiedPairs == 0
        if untied, n <= 33 || min(discordant, pairs - discordant) <= 1 {
            let pValue = exactKendallPValue(count: n, fewerOrdered: min(discordant, pairs - discordant))
            return RankCorrelation(coefficient: tau, pValue: pValue, count: n, pValueMethod: .exact)
        }
        let m = Double(n) * Double(n - 1)
        let variance = (m * Double(2 * n + 5) - xTies.sizeCubicSum - yTies.sizeCubicSum) / 18
            + 2 * Double(xTies.tiedPairs) * Double(yTies.tiedPairs) / m
            + xTies.sizeTripleSum * yTies.sizeTripleSum / (9 * m * Double(n - 2))
        let z = Double(concordantMinusDiscordant) / variance.squareRoot()
        let pValue = min(1, erfc(abs(z) / 2.0.squareRoot()))
        return RankCorrelation(coefficient: tau, pValue: pValue, count: n, pValueMethod: .normalApproximation)
    }

    /// Ranks 1…n of the values, ties given the mean of the ranks they span ("average" ranks,
    /// as `scipy.stats.rankdata`).
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, values[order[end]] == values[order[start]] { end += 1 }
            let rank = Double(start + 1 + end) / 2
            for position in start..<end { ranks[order[position]] = rank }
            start = end
        }
        return ranks
    }

    /// 2·P[D ≤ c] for D the number of inversions of a uniformly random permutation of n items,
    /// capped at 1; exactly 1 when c is the middle of the distribution.
    ///
    /// The distribution follows P_j(k) = (1/j)·Σ_{i=0}^{min(k, j−1)} P_{j−1}(k − i) (inserting
    /// item j adds 0…j−1 inversions), kept as probabilities so n! never overflows.
    static func exactKendallPValue(count n: Int, fewerOrdered c: Int) -> Double {
        if 4 * c == n * (n - 1) { return 1 }
        var probabilities = [Double](repeating: 0, count: c + 1)
        probabilities[0] = 1
        var prefix = [Double](repeating: 0, count: c + 2)
        for j in 2...n {
            for k in 0...c { prefix[k + 1] = prefix[k] + probabilities[k] }
            for k in 0...c {
                probabilities[k] = (prefix[k + 1] - prefix[max(0, k - j + 1)]) / Double(j)
            }
        }
        return min(1, 2 * probabilities.reduce(0, +))
    }

    /// Sorts `values` ascending by merge sort and returns the number of pairs i < j with
    /// values[i] > values[j].
    private static func countInversions(_ values: inout [Double], scratch: inout [Double]) -> Int {
        var inversions = 0
        var width = 1
        let n = values.count
        while width < n {
            var start = 0
            while start < n {
                let middle = min(start + width, n)
                let end = min(start + 2 * width, n)
                var left = start
                var right = middle
                var out = start
                while left < middle, right < end {
                    if values[right] < values[left] {
                        inversions += middle - left
                        scratch[out] = values[right]
                        right += 1
                    } else {
                        scratch[out] = values[left]
                        left += 1
                    }
                    out += 1
                }
                while left < middle { scratch[out] = values[left]; left += 1; out += 1 }
                while right < end { scratch[out] = values[right]; right += 1; out += 1 }
                start = end
            }
            swap(&values, &scratch)
            width *= 2
        }
        return inversions
    }

    private static func checkPairs(_ x: [Double], _ y: [Double], name: String) throws {
        guard x.count == y.count else {
            throw EvaluationError.invalidArgument(reason: "\(name) correlation needs paired values: x has \(x.count), y has \(y.count)")
        }
        guard x.count >= 3 else {
            throw EvaluationError.invalidArgument(reason: "\(name) correlation needs at least 3 pairs for a p-value, got \(x.count)")
        }
        guard !x.contains(where: \.isNaN), !y.contains(where: \.isNaN) else {
            throw EvaluationError.invalidArgument(reason: "\(name) correlation: x or y contains NaN")
        }
    }
}

/// Tie groups of sorted values: the counts Kendall's τ_b and its variance need.
private struct TieGroups {
    /// Σ t(t−1)/2, the pairs tied with each other.
    var tiedPairs = 0
    /// Σ t(t−1)(t−2).
    var sizeTripleSum = 0.0
    /// Σ t(t−1)(2t+5).
    var sizeCubicSum = 0.0

    init(_ sorted: [Double]) {
        var start = 0
        while start < sorted.count {
            var end = start + 1
            while end < sorted.count, sorted[end] == sorted[start] { end += 1 }
            let t = end - start
            if t > 1 {
                tiedPairs += t * (t - 1) / 2
                sizeTripleSum += Double(t * (t - 1) * (t - 2))
                sizeCubicSum += Double(t * (t - 1) * (2 * t + 5))
            }
            start = end
        }
    }
}
