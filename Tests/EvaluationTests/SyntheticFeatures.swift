import Foundation

@testable import Evaluation

/// Deterministic feature matrices for tests: formulas that numpy evaluates identically, so
/// reference values computed in Python apply without copying large arrays into the tests.
enum SyntheticFeatures {
    /// x[i][j] = sin(a·i + b·j + 0.3·i·j)·(1 + 0.5·j), the logistic regression data
    /// (numpy: `np.sin(a*i + b*j + 0.3*i*j) * (1 + 0.5*j)` over `i = arange(n)[:, None]`).
    static func waves(rows: Int, columns: Int, a: Double, b: Double) -> Matrix {
        matrix(rows: rows, columns: columns) { i, j in sin(a * i + b * j + 0.3 * i * j) * (1 + 0.5 * j) }
    }

    /// x[i][j] = sin(0.37·i + 1.3·j) + 0.5·cos(0.11·i·j + j), the transferability data.
    static func ripples(rows: Int, columns: Int) -> Matrix {
        matrix(rows: rows, columns: columns) { i, j in sin(0.37 * i + 1.3 * j) + 0.5 * cos(0.11 * i * j + j) }
    }

    /// Labels (⌊3·|sin(0.61·i)|⌋ + i mod 2) mod k, matching `ripples`.
    static func rippleLabels(rows: Int, classes: Int) -> [Int] {
        (0..<rows).map { i in (Int((3 * abs(sin(0.61 * Double(i)))).rounded(.down)) + i % 2) % classes }
    }

    static func matrix(rows: Int, columns: Int, _ value: (Double, Double) -> Double) -> Matrix {
        var values: [Double] = []
        for i in 0..<rows {
            for j in 0..<columns { values.append(value(Double(i), Double(j))) }
        }
        return try! Matrix(rows: rows, columns: columns, values: values)
    }

    /// Standard normal draws by the Box–Muller transform over SplitMix64.
    static func gaussian(count: Int, generator: inout SplitMix64) -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(count)
        while values.count < count {
            let u1 = (Double(generator.next() >> 11) + 0.5) / 9_007_199_254_740_992
            let u2 = Double(generator.next() >> 11) / 9_007_199_254_740_992
            let radius = (-2 * log(u1)).squareRoot()
            values.append(radius * cos(2 * .pi * u2))
            if values.count < count { values.append(radius * sin(2 * .pi * u2)) }
        }
        return values
    }

    /// `rows` Gaussian points around `mean` (standard deviation 1 per coordinate).
    static func gaussianCloud(rows: Int, columns: Int, mean: [Double], generator: inout SplitMix64) -> Matrix {
        var values = gaussian(count: rows * columns, generator: &generator)
        for i in 0..<rows {
            for j in 0..<columns { values[i * columns + j] += mean[j] }
        }
        return try! Matrix(rows: rows, columns: columns, values: values)
    }
}

/// |a − b| ≤ tolerance·max(|b|, floor): relative, with an absolute floor for values near 0.
func isClose(_ a: Double, _ b: Double, relative tolerance: Double, floor: Double = 1e-12) -> Bool {
    abs(a - b) <= tolerance * max(abs(b), floor)
}

