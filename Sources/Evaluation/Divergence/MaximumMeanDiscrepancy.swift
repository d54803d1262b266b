import Foundation

/// The maximum mean discrepancy between two samples with a Gaussian RBF kernel, and its
/// permutation test (Gretton, Borgwardt, Rasch, Schölkopf and Smola 2012, "A Kernel Two-Sample
/// Test", JMLR 13).
///
/// MMD²_b = (1/m²)·Σᵢⱼ k(xᵢ, xⱼ) + (1/n²)·Σᵢⱼ k(yᵢ, yⱼ) − (2/(mn))·Σᵢⱼ k(xᵢ, yⱼ), the biased
/// V-statistic of eq. 5, with k(x, y) = exp(−‖x − y‖² / (2σ²)). It is in [0, 2], exactly 0
/// for identical samples and never negative (it is wᵀKw for a positive semi-definite K).
///
/// σ (not σ²) is the median heuristic: the median Euclidean distance ‖zᵢ − zⱼ‖ over distinct
/// pairs i < j of the pooled sample (Gretton et al. 2012, §8); when that median is 0 (more than
/// half the points coincide) the mean distance is used, and σ = 1 when all points coincide.
///
/// p = (1 + #{b : MMD²_b(π_b) ≥ MMD²_b(observed)}) / (1 + P) over P seeded random reassignments
/// π_b of the pooled rows to samples of sizes m and n (a valid p-value under exchangeability;
/// Phipson and Smyth 2010). The pooled kernel matrix is computed once; each permutation is a
/// quadratic form wᵀKw with wᵢ = 1/m or −1/n, eight permutations per pass over K. Permuted
/// values within 1e-12 of the observed one count as ties (≥), since the same assignment summed
/// in another order differs by rounding. Cost O((m + n)²·(d + P/8)) time, O((m + n)²) memory.
public struct MaximumMeanDiscrepancy: Sendable, Equatable {
    /// The default number of permutations: p-values resolve down to 1/1001.
    public static let defaultPermutations = 1000

    /// MMD²_b of the observed samples.
    public let squaredDiscrepancy: Double
    /// The kernel bandwidth σ used.
    public let bandwidth: Double
    /// The permutation p-value, in (0, 1].
    public let pValue: Double
    public let permutations: Int

    /// MMD²_b of `x` and `y` (rows are points) with its permutation p-value. `bandwidth`
    /// overrides the median heuristic; `seed` fixes the permutations.
    public static func test(
        _ x: Matrix, _ y: Matrix, permutations: Int = defaultPermutations, seed: UInt64 = 0, bandwidth: Double? = nil
    ) throws -> MaximumMeanDiscrepancy {
        guard permutations >= 1 else {
            throw EvaluationError.invalidArgument(reason: "permutations must be at least 1, got \(permutations)")
        }
        let kernel = try PooledKernel(x, y, bandwidth: bandwidth)
        let observed = kernel.observedStatistic()
        var generator = SplitMix64(seed: seed)
        var order = Array(0..<kernel.size)
        var exceeding = 0
        var done = 0
        while done < permutations {
            let lanes = min(8, permutations - done)
            var assignments: [[Int]] = []
            for _ in 0..<lanes {
                generator.shuffle(&order)
                assignments.append(order)
            }
            for value in kernel.permutedStatistics(assignments) where value >= observed - 1e-12 {
                exceeding += 1
            }
            done += lanes
        }
        return MaximumMeanDiscrepancy(
            squaredDiscrepancy: observed, bandwidth: kernel.bandwidth,
            pValue: Double(1 + exceeding) / Double(1 + permutations), permutations: permutations)
    }

    /// MMD²_b of `x` and `y` alone, without a p-value.
    public static func squaredDiscrepancy(_ x: Matrix, _ y: Matrix, bandwidth: Double? = nil) throws -> Double {
        try PooledKernel(x, y, bandwidth: bandwidth).observedStatistic()
    }
}

/// The kernel matrix of the pooled sample z = (x₁ … x_m, y₁ … y_n).
struct PooledKernel {
    let firstCount: Int
    let size: Int
    let bandwidth: Double
    /// size × size, symmetric, ones on the diagonal.
    let values: [Double]

    init(_ x: Matrix, _ y: Matrix, bandwidth: Double?) throws {
        try Matrix.requireComparable(x, y, "sample", names: ("x", "y"))
        if let bandwidth, !(bandwidth > 0 && bandwidth.isFinite) {
            throw EvaluationError.invalidArgument(reason: "the bandwidth σ must be positive and finite, got \(bandwidth)")
        }
        let pooled = try x.stacked(on: y)
        let size = pooled.rows
        let width = pooled.columns
        var squaredDistances = [Double](repeating: 0, count: size * size)
        pooled.values.withUnsafeBufferPointer { points in
            for i in 0..<size {
                for j in (i + 1)..<max(size, i + 1) {
                    let distance = width == 0 ? 0 : VectorOperations.squaredDistance(
                        points.baseAddress! + i * width, points.baseAddress! + j * width, count: width)
                    squaredDistances[i * size + j] = distance
                    squaredDistances[j * size + i] = distance
                }
            }
        }
        let sigma = bandwidth ?? Self.medianHeuristic(squaredDistances, size: size)
        let scale = -1 / (2 * sigma * sigma)
        // In place: for thousands of points each n × n array is hundreds of megabytes.
        for index in squaredDistances.indices { squaredDistances[index] = exp(squaredDistances[index] * scale) }
        firstCount = x.rows
        self.size = size
        self.bandwidth = sigma
        values = squaredDistances
    }

    /// The median Euclidean distance over pairs i < j (the mean when the median is 0, 1 when
    /// every distance is 0); `Bootstrap.quantile` at ½ is the usual median.
    static func medianHeuristic(_ squaredDistances: [Double], size: Int) -> Double {
        var distances: [Double] = []
        distances.reserveCapacity(size * (size - 1) / 2)
        for i in 0..<size {
            for j in (i + 1)..<max(size, i + 1) { distances.append(squaredDistances[i * size + j].squareRoot()) }
        }
        distances.sort()
        let median = Bootstrap.quantile(distances, 0.5)
        if median > 0 { return median }
        let mean = distances.reduce(0, +) / Double(max(distances.count, 1))
        return mean > 0 ? mean : 1
    }

    /// MMD²_b of the observed split, from the three block sums in a fixed order, so identical
    /// samples give exactly 0 (their blocks hold the same values in the same order).
    func observedStatistic() -> Double {
        let m = firstCount
        let n = size - m
        var within = (first: 0.0, second: 0.0)
        var between = 0.0
        for i in 0..<m {
            for j in 0..<m { within.first += values[i * size + j] }
            for j in 0..<n { between += values[i * size + m + j] }
        }
        for i in 0..<n {
            for j in 0..<n { within.second += values[(m + i) * size + m + j] }
        }
        let (dm, dn) = (Double(m), Double(n))
        return max(within.first / (dm * dm) + within.second / (dn * dn) - 2 * between / (dm * dn), 0)
    }

    /// MMD²_b for up to eight reassignments at once: assignment b puts pooled rows
    /// `assignments[b][0..<m]` in the first sample. Each statistic is wᵀKw; lane b of the SIMD
    /// weights holds w for assignment b, so one pass over K serves all eight.
    func permutedStatistics(_ assignments: [[Int]]) -> [Double] {
        typealias Vector = VectorOperations.Vector
        let (m, n) = (Double(firstCount), Double(size - firstCount))
        var weights = [Vector](repeating: Vector(repeating: -1 / n), count: size)
        for (lane, order) in assignments.enumerated() {
            for position in 0..<firstCount { weights[order[position]][lane] = 1 / m }
        }
        var total = Vector()
        values.withUnsafeBufferPointer { kernel in
            weights.withUnsafeBufferPointer { w in
                for i in 0..<size {
                    var rowProduct = Vector()
                    let row = kernel.baseAddress! + i * size
                    for j in 0..<size { rowProduct += row[j] * w[j] }
                    total += w[i] * rowProduct
                }
            }
        }
        return (0..<assignments.count).map { max(total[$0], 0) }
    }
}
