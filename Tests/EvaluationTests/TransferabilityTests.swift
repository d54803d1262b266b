import Foundation
import Testing

@testable import Evaluation

/// LogME references come from the authors' implementation, repository thuml/LogME, file
/// LogME.py at commit 3a0895084badc924dce3eb049580100bf7258f42 (`LogME().fit(f, y)`, the
/// fixed-point `_fit`), run with numpy 2.4 and numba's `njit` replaced by the identity:
///
///     i = np.arange(n)[:, None]; j = np.arange(d)[None, :]
///     f = np.sin(0.37*i + 1.3*j) + 0.5*np.cos(0.11*i*j + j)
///     i = np.arange(n); y = (np.floor(3*np.abs(np.sin(0.61*i))).astype(int) + i % 2) % k
///     f[:, 0] += 0.8*y
///     lm = LogME(); lm.fit(f, y), lm.alphas, lm.betas
@Suite struct TransferabilityTests {
    static func data(rows: Int, columns: Int, classes: Int) throws -> LabelledFeatures {
        let labels = SyntheticFeatures.rippleLabels(rows: rows, classes: classes)
        let base = SyntheticFeatures.ripples(rows: rows, columns: columns)
        var values = base.values
        for i in 0..<rows { values[i * columns] += 0.8 * Double(labels[i]) }
        return try LabelledFeatures(features: Matrix(rows: rows, columns: columns, values: values), labels: labels)
    }

    @Test("LogME equals the authors' implementation when n > d and when n < d")
    func logMEMatchesTheAuthors() throws {
        let cases: [(Int, Int, Int, Double, [Double], [Double])] = [
            (200, 16, 3, -0.6063179674126667, [1141.6075950731133, 156.16063868076404, 73.3713251166177],
             [2.623783047701413, 5.636101128850476, 11.740745717823565]),
            (120, 8, 2, -0.645333886820249, [66.34187423656583, 14.109974264328002], [2.22669235291202, 13.465356643892243]),
            (30, 50, 3, 1.391474756654868, [2677.0576330702243, 766.7960690074036, 78.86287010292006],
             [2.299326449061854, 6.349951847780206, 14.83428646428536]),
        ]
        for (rows, columns, classes, score, alphas, betas) in cases {
            let result = try LogME(Self.data(rows: rows, columns: columns, classes: classes))
            #expect(isClose(result.score, score, relative: 1e-6), "\(rows) × \(columns): \(result.score)")
            for (target, (alpha, beta)) in zip(result.targets, zip(alphas, betas)) {
                #expect(isClose(target.alpha, alpha, relative: 1e-6))
                #expect(isClose(target.beta, beta, relative: 1e-6))
            }
        }
    }

    @Test("LogME ranks informative features above uninformative ones")
    func logMERanksFeatures() throws {
        let informative = try Self.data(rows: 200, columns: 16, classes: 3)
        let plain = try LabelledFeatures(features: SyntheticFeatures.ripples(rows: 200, columns: 16), labels: informative.labels)
        #expect(try LogME(informative).score > LogME(plain).score)
    }

    @Test("the H-score equals numpy's trace(pinv(cov f, rcond=1e-10) · cov E[f|y]), also for a singular covariance")
    func hScoreMatchesNumpy() throws {
        // def getCov(X): Xc = X - X.mean(0, keepdims=True); return Xc.T @ Xc / (len(X) - 1)
        // g = np.zeros_like(f); for c in np.unique(y): g[y == c] = f[y == c].mean(0)
        // np.trace(np.linalg.pinv(getCov(f), rcond=1e-10) @ getCov(g))
        #expect(isClose(try HScore.score(Self.data(rows: 200, columns: 16, classes: 3)), 1.1020698703992775, relative: 1e-9))
        #expect(isClose(try HScore.score(Self.data(rows: 120, columns: 8, classes: 2)), 0.8333742404020866, relative: 1e-9))
        // f[:, 15] = f[:, 0] - 2*f[:, 3]: covariance of rank 15.
        let full = try Self.data(rows: 200, columns: 16, classes: 3)
        var values = full.features.values
        for i in 0..<200 { values[i * 16 + 15] = values[i * 16] - 2 * values[i * 16 + 3] }
        let singular = try LabelledFeatures(features: Matrix(rows: 200, columns: 16, values: values), labels: full.labels)
        #expect(isClose(try HScore.score(singular), 1.09866924595271, relative: 1e-7))
    }

    @Test("the H-score is 0 when class means coincide and at most classes − 1")
    func hScoreBounds() throws {
        // Two classes with mirrored rows share one mean.
        let rows: [[Double]] = [[1, 2], [3, -1], [1, 2], [3, -1], [0, 5], [0, 5]]
        let same = try LabelledFeatures(features: Matrix(rowArrays: rows), labels: [0, 0, 1, 1, 0, 1])
        #expect(abs(try HScore.score(same)) <= 1e-12)
        let data = try Self.data(rows: 200, columns: 16, classes: 3)
        let score = try HScore.score(data)
        #expect(score > 0 && score <= 2)
    }

    @Test("transferability scores reject one class and too few rows")
    func badInput() throws {
        let data = try LabelledFeatures(features: Matrix(rowArrays: [[1, 2], [3, 4]]), labels: [0, 1], classCount: 3)
        #expect(throws: EvaluationError.invalidArgument(reason: "the LogME data has no example of class 2 (of 3); every class needs at least one")) {
            try LogME(data)
        }
        #expect(throws: EvaluationError.self) { try HScore.score(data) }
        let zero = try LabelledFeatures(features: Matrix(rows: 2, columns: 2, values: [0.0, 0, 0, 0]), labels: [0, 1])
        #expect(throws: EvaluationError.invalidArgument(reason: "the LogME features are all zero (rank 0); their evidence is not defined")) {
            try LogME(zero)
        }
        #expect(try HScore.score(zero) == 0)
        let tiny = try LabelledFeatures(features: Matrix(rowArrays: [[1, 2], [3, 4]]), labels: [0, 1])
        #expect(throws: EvaluationError.self) { try HScore.score(tiny, relativeCutoff: 1) }
    }

    @Test("LogME and the H-score of 2,000 × 384 features are finite")
    func realisticSize() throws {
        var generator = SplitMix64(seed: 17)
        let (rows, columns) = (2000, 384)
        let labels = (0..<rows).map { $0 % 3 }
        var values = SyntheticFeatures.gaussian(count: rows * columns, generator: &generator)
        for i in 0..<rows { values[i * columns + labels[i]] += 1 }
        let data = try LabelledFeatures(features: Matrix(rows: rows, columns: columns, values: values), labels: labels)
        #expect(try LogME(data).score.isFinite && HScore.score(data) > 0)
    }
}
