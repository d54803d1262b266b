import Foundation

/// The eigendecomposition A = V·Λ·Vᵀ of a real symmetric matrix: eigenvalues in ascending
/// order and orthonormal eigenvectors.
///
/// Householder tridiagonalisation followed by the implicit symmetric QR iteration with a
/// Wilkinson shift on the tridiagonal matrix (Golub and Van Loan, *Matrix Computations*,
/// 4th ed., §8.3, Algorithms 8.3.1 and 8.3.3); O(n³) operations, backward stable. Rotations act
/// on rows of the stored Vᵀ, so every update runs over contiguous memory.
public struct SymmetricEigendecomposition: Sendable {
    /// The eigenvalues λ₀ ≤ λ₁ ≤ … ≤ λₙ₋₁.
    public let eigenvalues: [Double]
    /// Row j holds the eigenvector of `eigenvalues[j]` (that is, Vᵀ).
    let eigenvectorRows: Matrix

    /// The n × n matrix V whose column j is the unit eigenvector of `eigenvalues[j]`, so A·V = V·Λ.
    public var eigenvectors: Matrix { eigenvectorRows.transposed() }

    /// The unit eigenvector of `eigenvalues[index]`.
    public func eigenvector(_ index: Int) -> ArraySlice<Double> { eigenvectorRows.row(index) }

    /// Decomposes `matrix`, which must be square, finite and symmetric (to 1e-10 relative to its
    /// largest entry; only the upper triangle is read).
    public init(_ matrix: Matrix) throws {
        let n = matrix.rows
        guard matrix.columns == n else {
            throw EvaluationError.invalidArgument(
                reason: "an eigendecomposition needs a square matrix, got \(matrix.rows) × \(matrix.columns)")
        }
        try matrix.requireFinite("the matrix to decompose")
        let largest = matrix.values.reduce(0) { max($0, abs($1)) }
        for i in 0..<n {
            for j in (i + 1)..<max(n, i + 1) where abs(matrix[i, j] - matrix[j, i]) > 1e-10 * largest {
                throw EvaluationError.invalidArgument(
                    reason: "the matrix to decompose is not symmetric: entry (\(i), \(j)) is \(matrix[i, j]) but (\(j), \(i)) is \(matrix[j, i])")
            }
        }
        var work = matrix.values
        for i in 0..<n {
            for j in 0..<i { work[i * n + j] = work[j * n + i] }
        }
        var diagonal = [Double](repeating: 0, count: n)
        var offDiagonal = [Double](repeating: 0, count: max(n - 1, 0))
        var vectors = Self.tridiagonalize(&work, size: n, diagonal: &diagonal, offDiagonal: &offDiagonal)
        try Self.diagonalize(diagonal: &diagonal, offDiagonal: &offDiagonal, rotating: &vectors, size: n)

        let order = diagonal.indices.sorted { diagonal[$0] < diagonal[$1] }
        var sortedRows: [Double] = []
        sortedRows.reserveCapacity(n * n)
        for index in order { sortedRows += vectors[(index * n)..<((index + 1) * n)] }
        eigenvalues = order.map { diagonal[$0] }
        eigenvectorRows = Matrix(rows: n, columns: n, unchecked: sortedRows)
    }

    /// Reduces the symmetric matrix in `work` (row-major, both triangles) to T = Qᵀ·A·Q with
    /// Householder reflections H₀ … Hₙ₋₃ and returns Qᵀ = Hₙ₋₃ ⋯ H₀ (row-major).
    ///
    /// Step k reflects x = A[k+1..<n, k] onto ‖x‖e₁ with H = I − β·v·vᵀ and updates the trailing
    /// block as B − v·wᵀ − w·vᵀ, with p = β·B·v and w = p − (β·pᵀv/2)·v (Algorithm 8.3.1).
    private static func tridiagonalize(
        _ work: inout [Double], size n: Int, diagonal: inout [Double], offDiagonal: inout [Double]
    ) -> [Double] {
        var transform = [Double](repeating: 0, count: n * n)
        for i in 0..<n { transform[i * n + i] = 1 }
        guard n > 0 else { return transform }
        var reflector = [Double](repeating: 0, count: n)
        var product = [Double](repeating: 0, count: n)
        var combination = [Double](repeating: 0, count: n)
        work.withUnsafeMutableBufferPointer { a in
            transform.withUnsafeMutableBufferPointer { q in
                for k in 0..<max(n - 2, 0) {
                    let m = n - k - 1
                    let start = k + 1
                    // x is row k to the right of the diagonal (equal to the column by symmetry).
                    var scale = 0.0
                    for j in start..<n { scale = max(scale, abs(a[k * n + j])) }
                    var tailNorm = 0.0
                    if scale > 0 {
                        for j in (start + 1)..<max(n, start + 1) { tailNorm += (a[k * n + j] / scale) * (a[k * n + j] / scale) }
                    }
                    if scale == 0 || tailNorm == 0 { continue }  // already tridiagonal in this column
                    let head = a[k * n + start] / scale
                    let norm = (head * head + tailNorm).squareRoot()
                    // α = −sign(x₀)‖x‖ avoids cancellation in v₀ = x₀ − α.
                    let alpha = head >= 0 ? -norm : norm
                    let v0 = head - alpha
                    reflector[0] = 1
                    for j in 1..<m { reflector[j] = a[k * n + start + j] / scale / v0 }
                    // β = 2 / vᵀv.
                    var vNormSquared = 1.0
                    for j in 1..<max(m, 1) { vNormSquared += reflector[j] * reflector[j] }
                    let beta = 2 / vNormSquared

                    reflector.withUnsafeBufferPointer { v in
                        product.withUnsafeMutableBufferPointer { p in
                            for i in 0..<m {
                                p[i] = beta * VectorOperations.dot(a.baseAddress! + (start + i) * n + start, v.baseAddress!, count: m)
                            }
                            let pv = VectorOperations.dot(p.baseAddress!, v.baseAddress!, count: m)
                            for i in 0..<m { p[i] -= beta * pv / 2 * v[i] }
                            for i in 0..<m {
                                let row = a.baseAddress! + (start + i) * n + start
                                VectorOperations.addScaled(-v[i], p.baseAddress!, to: row, count: m)
                                VectorOperations.addScaled(-p[i], v.baseAddress!, to: row, count: m)
                            }
                        }
                        // Qᵀ ← H_k·Qᵀ touches rows k+1..<n: rows −= β·v·(vᵀ·rows).
                        combination.withUnsafeMutableBufferPointer { u in
                            for j in 0..<n { u[j] = 0 }
                            for i in 0..<m {
                                VectorOperations.addScaled(v[i], q.baseAddress! + (start + i) * n, to: u.baseAddress!, count: n)
                            }
                            for i in 0..<m {
                                VectorOperations.addScaled(-beta * v[i], u.baseAddress!, to: q.baseAddress! + (start + i) * n, count: n)
                            }
                        }
                    }
                    a[k * n + start] = alpha * scale
                    a[start * n + k] = alpha * scale
                    for j in (start + 1)..<max(n, start + 1) {
                        a[k * n + j] = 0
                        a[j * n + k] = 0
                    }
                }
                for i in 0..<n { diagonal[i] = a[i * n + i] }
                for i in 0..<(n - 1) { offDiagonal[i] = a[i * n + i + 1] }
            }
        }
        return transform
    }

    /// Diagonalises the tridiagonal matrix (`diagonal`, `offDiagonal`) by implicit QR steps
    /// with a Wilkinson shift, applying each Givens rotation to the rows of `rows` (n × n).
    ///
    /// An off-diagonal entry counts as zero once |eᵢ| ≤ u·(|dᵢ| + |dᵢ₊₁|) (u the unit roundoff),
    /// which splits the problem; each step chases the bulge of one unreduced block.
    private static func diagonalize(
        diagonal d: inout [Double], offDiagonal e: inout [Double], rotating rows: inout [Double], size n: Int
    ) throws {
        let roundoff = Double.ulpOfOne
        func negligible(_ i: Int) -> Bool {
            abs(e[i]) <= roundoff * (abs(d[i]) + abs(d[i + 1])) || abs(e[i]) < Double.leastNormalMagnitude
        }
        var end = n - 1
        var steps = 0
        while end > 0 {
            if negligible(end - 1) {
                e[end - 1] = 0
                end -= 1
                continue
            }
            var start = end - 1
            while start > 0 && !negligible(start - 1) { start -= 1 }
            if start > 0 { e[start - 1] = 0 }
            steps += 1
            guard steps <= 60 * max(n, 1) else {
                throw EvaluationError.invalidArgument(
                    reason: "the symmetric QR iteration did not converge in \(steps) steps for a \(n) × \(n) matrix")
            }
            // Wilkinson shift: the eigenvalue of the trailing 2 × 2 block closer to d[end].
            let half = (d[end - 1] - d[end]) / 2
            let coupling = e[end - 1]
            let root = hypot(half, coupling)
            let shift = d[end] - coupling * coupling / (half + (half >= 0 ? root : -root))
            var x = d[start] - shift
            var z = e[start]
            rows.withUnsafeMutableBufferPointer { rows in
                for k in start..<end {
                    let r = hypot(x, z)
                    let (c, s) = r == 0 ? (1.0, 0.0) : (x / r, z / r)
                    // T ← R·T·Rᵀ with R = [c s; −s c] on rows and columns k, k+1.
                    if k > start { e[k - 1] = r }
                    let a = d[k]
                    let b = e[k]
                    let f = d[k + 1]
                    d[k] = c * c * a + 2 * c * s * b + s * s * f
                    d[k + 1] = s * s * a - 2 * c * s * b + c * c * f
                    e[k] = c * s * (f - a) + (c * c - s * s) * b
                    if k + 1 < end {
                        z = s * e[k + 1]  // the bulge at (k, k+2)
                        e[k + 1] *= c
                        x = e[k]
                    }
                    Self.rotate(rows.baseAddress! + k * n, rows.baseAddress! + (k + 1) * n, cosine: c, sine: s, count: n)
                }
            }
        }
    }

    /// (p, q) ← (c·p + s·q, −s·p + c·q), elementwise over two rows.
    @inline(__always)
    private static func rotate(
        _ p: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>, cosine c: Double, sine s: Double, count: Int
    ) {
        typealias Vector = VectorOperations.Vector
        var index = 0
        while index + 8 <= count {
            let first = VectorOperations.load(p + index)
            let second = VectorOperations.load(q + index)
            VectorOperations.store(c * first + s * second, p + index)
            VectorOperations.store(c * second - s * first, q + index)
            index += 8
        }
        while index < count {
            let first = p[index]
            let second = q[index]
            p[index] = c * first + s * second
            q[index] = c * second - s * first
            index += 1
        }
    }
}
