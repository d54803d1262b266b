import Foundation
import Testing

@testable import Evaluation

@Suite struct LinearAlgebraTests {
    /// Checks A·V = V·Λ entry by entry and VᵀV = I.
    func expectDecomposes(_ a: Matrix, _ decomposition: SymmetricEigendecomposition, tolerance: Double) {
        let n = a.rows
        let v = decomposition.eigenvectors
        var worstResidual = 0.0
        var worstOrthogonality = 0.0
        for i in 0..<n {
            for j in 0..<n {
                var av = 0.0
                var vtv = 0.0
                for k in 0..<n {
                    av += a[i, k] * v[k, j]
                    vtv += v[k, i] * v[k, j]
                }
                worstResidual = max(worstResidual, abs(av - v[i, j] * decomposition.eigenvalues[j]))
                worstOrthogonality = max(worstOrthogonality, abs(vtv - (i == j ? 1 : 0)))
            }
        }
        #expect(worstResidual <= tolerance)
        #expect(worstOrthogonality <= tolerance)
    }

    @Test("eigenvalues of a symmetric 6 × 6 matrix equal numpy's eigh and A·V = V·Λ")
    func eigenvaluesMatchNumpy() throws {
        // i = np.arange(6)[:, None]; j = np.arange(6)[None, :]
        // B = np.sin(1.3*i*j + 0.7*j + 0.2*i*i); A = B + B.T
        // np.linalg.eigh(A)[0].tolist()
        let expected = [
            -4.18645162790954, -2.3852327025254154, 1.0164115320626168, 2.530748815362682, 3.9967382667365268,
            4.331158892348145,
        ]
        let b = SyntheticFeatures.matrix(rows: 6, columns: 6) { i, j in sin(1.3 * i * j + 0.7 * j + 0.2 * i * i) }
        let a = SyntheticFeatures.matrix(rows: 6, columns: 6) { i, j in b[Int(i), Int(j)] + b[Int(j), Int(i)] }
        let decomposition = try SymmetricEigendecomposition(a)
        for (value, reference) in zip(decomposition.eigenvalues, expected) {
            #expect(abs(value - reference) <= 1e-12)
        }
        expectDecomposes(a, decomposition, tolerance: 1e-12)
    }

    @Test("a repeated eigenvalue still gives an orthonormal basis of its eigenspace")
    func repeatedEigenvalues() throws {
        // I + u·uᵀ has eigenvalue 1 four times and 1 + ‖u‖² once.
        let u = [0.3, -1.2, 0.5, 2.0, 0.7]
        let a = SyntheticFeatures.matrix(rows: 5, columns: 5) { i, j in (i == j ? 1 : 0) + u[Int(i)] * u[Int(j)] }
        let decomposition = try SymmetricEigendecomposition(a)
        let norm = u.reduce(0) { $0 + $1 * $1 }
        for value in decomposition.eigenvalues.prefix(4) { #expect(abs(value - 1) <= 1e-13) }
        #expect(abs(decomposition.eigenvalues[4] - (1 + norm)) <= 1e-12)
        expectDecomposes(a, decomposition, tolerance: 1e-12)
    }

    @Test("a large Gram matrix decomposes to 1e-9 relative to its norm")
    func largeGramMatrix() throws {
        let features = SyntheticFeatures.ripples(rows: 300, columns: 120)
        let gram = features.gram()
        let decomposition = try SymmetricEigendecomposition(gram)
        let scale = decomposition.eigenvalues.last!
        expectDecomposes(gram, decomposition, tolerance: 1e-9 * scale)
        #expect(decomposition.eigenvalues.first! > -1e-12 * scale)  // positive semi-definite
    }

    @Test("diagonal, 1 × 1 and empty matrices are their own decompositions")
    func trivialMatrices() throws {
        let diagonal = try Matrix(rows: 3, columns: 3, values: [3, 0, 0, 0, -1, 0, 0, 0, 2])
        #expect(try SymmetricEigendecomposition(diagonal).eigenvalues == [-1, 2, 3])
        #expect(try SymmetricEigendecomposition(Matrix(rows: 1, columns: 1, values: [5])).eigenvalues == [5])
        #expect(try SymmetricEigendecomposition(Matrix(rows: 0, columns: 0, values: [Double]())).eigenvalues.isEmpty)
    }

    @Test("non-square, asymmetric and non-finite matrices are rejected with the reason")
    func badMatricesAreRejected() throws {
        #expect(throws: EvaluationError.self) { try SymmetricEigendecomposition(Matrix(rows: 2, columns: 3, values: [Double](repeating: 0, count: 6))) }
        #expect(throws: EvaluationError.invalidArgument(reason: "the matrix to decompose is not symmetric: entry (0, 1) is 1.0 but (1, 0) is 2.0")) {
            try SymmetricEigendecomposition(Matrix(rows: 2, columns: 2, values: [0, 1, 2, 0]))
        }
        #expect(throws: EvaluationError.self) { try SymmetricEigendecomposition(Matrix(rows: 1, columns: 1, values: [Double.nan])) }
        #expect(throws: EvaluationError.invalidArgument(reason: "a 2 × 2 matrix needs 4 values, got 3")) {
            try Matrix(rows: 2, columns: 2, values: [1.0, 2, 3])
        }
    }

    @Test("Float features widen to Double exactly, and rows select and stack in order")
    func floatsRowsAndStacking() throws {
        let matrix = try Matrix(rows: 2, columns: 2, floats: [0.1, 2, -3, 4.5])
        #expect(matrix.values == [Double(Float(0.1)), 2, -3, 4.5])
        #expect(matrix.selectingRows([1, 0]).values == [-3, 4.5, Double(Float(0.1)), 2])
        #expect(try matrix.stacked(on: matrix.selectingRows([1])).rows == 3)
        #expect(matrix.transposed().values == [Double(Float(0.1)), -3, 2, 4.5])
        #expect(throws: EvaluationError.self) { try matrix.stacked(on: Matrix(rows: 1, columns: 3, values: [0.0, 0, 0])) }
        #expect(throws: EvaluationError.self) { try Matrix(rowArrays: [[1, 2], [3]]) }
    }

    @Test("the Gram matrix equals a triple loop for row counts that are not multiples of four")
    func gramMatchesTripleLoop() {
        for rows in [1, 2, 3, 5, 11] {
            let a = SyntheticFeatures.waves(rows: rows, columns: 13, a: 0.4, b: 0.9)
            let gram = a.gram()
            for p in 0..<13 {
                for q in 0..<13 {
                    var sum = 0.0
                    for i in 0..<rows { sum += a[i, p] * a[i, q] }
                    #expect(abs(gram[p, q] - sum) <= 1e-12 * max(1, abs(sum)))
                }
            }
        }
    }
}
