/// A dense matrix of `Double`s stored row by row: the one matrix type of the learning,
/// divergence and transferability code.
///
/// Features are rows (one per example) and columns are dimensions. Values are kept in Double
/// whatever the encoder produced, because the statistics built on them (Gram matrices,
/// eigenvalues, log evidences) lose digits in Float.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row-major: the value at (i, j) is `values[i * columns + j]`.
    public let values: [Double]

    /// A matrix over row-major `values`; throws when the count is not `rows × columns`.
    public init(rows: Int, columns: Int, values: [Double]) throws {
        guard rows >= 0, columns >= 0, values.count == rows * columns else {
            throw EvaluationError.invalidArgument(
                reason: "a \(rows) × \(columns) matrix needs \(max(0, rows * columns)) values, got \(values.count)")
        }
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix over row-major Float values (what the encoder produces), widened to Double.
    public init(rows: Int, columns: Int, floats: [Float]) throws {
        try self.init(rows: rows, columns: columns, values: floats.map(Double.init))
    }

    /// A matrix from one array per row; every row must have the same length.
    public init(rowArrays: [[Double]]) throws {
        let width = rowArrays.first?.count ?? 0
        if let ragged = rowArrays.firstIndex(where: { $0.count != width }) {
            throw EvaluationError.invalidArgument(
                reason: "row \(ragged) has \(rowArrays[ragged].count) values but row 0 has \(width); every row needs the same length")
        }
        try self.init(rows: rowArrays.count, columns: width, values: rowArrays.flatMap { $0 })
    }

    /// Used internally where the count is right by construction.
    init(rows: Int, columns: Int, unchecked values: [Double]) {
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public subscript(row: Int, column: Int) -> Double { values[row * columns + column] }

    /// The values of one row.
    public func row(_ index: Int) -> ArraySlice<Double> {
        values[(index * columns)..<((index + 1) * columns)]
    }

    /// The rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> Matrix {
        var selected: [Double] = []
        selected.reserveCapacity(indices.count * columns)
        for index in indices { selected += row(index) }
        return Matrix(rows: indices.count, columns: columns, unchecked: selected)
    }

    /// The rows of `self` followed by the rows of `other`; the column counts must agree.
    public func stacked(on other: Matrix) throws -> Matrix {
        guard other.columns == columns else {
            throw EvaluationError.invalidArgument(
                reason: "cannot stack a matrix of \(other.columns) columns under one of \(columns): both feature sets need the same dimension")
        }
        return Matrix(rows: rows + other.rows, columns: columns, unchecked: values + other.values)
    }

    /// The transpose.
    public func transposed() -> Matrix {
        var result = [Double](repeating: 0, count: values.count)
        for i in 0..<rows {
            for j in 0..<columns { result[j * rows + i] = values[i * columns + j] }
        }
        return Matrix(rows: columns, columns: rows, unchecked: result)
    }

    /// The mean of each column (zeros for a matrix without rows).
    public func columnMeans() -> [Double] {
        var sums = [Double](repeating: 0, count: columns)
        guard rows > 0, columns > 0 else { return sums }
        values.withUnsafeBufferPointer { data in
            sums.withUnsafeMutableBufferPointer { sums in
                for i in 0..<rows {
                    VectorOperations.addScaled(1, data.baseAddress! + i * columns, to: sums.baseAddress!, count: columns)
                }
            }
        }
        return sums.map { $0 / Double(rows) }
    }

    /// The Gram matrix AᵀA (columns × columns, symmetric), accumulated four rows at a time so
    /// each pass over the result reads four rows of A.
    public func gram() -> Matrix {
        let width = columns
        var result = [Double](repeating: 0, count: width * width)
        guard rows > 0, width > 0 else { return Matrix(rows: width, columns: width, unchecked: result) }
        values.withUnsafeBufferPointer { data in
            result.withUnsafeMutableBufferPointer { gram in
                let base = data.baseAddress!
                var start = 0
                while start < rows {
                    let block = min(4, rows - start)
                    // Rows past the end of the last block repeat its last row with weight 0.
                    let r0 = base + start * width
                    let r1 = base + (start + min(1, block - 1)) * width
                    let r2 = base + (start + min(2, block - 1)) * width
                    let r3 = base + (start + min(3, block - 1)) * width
                    for a in 0..<width {
                        let weights = (r0[a], block > 1 ? r1[a] : 0, block > 2 ? r2[a] : 0, block > 3 ? r3[a] : 0)
                        VectorOperations.addScaled4(
                            weights, (r0 + a, r1 + a, r2 + a, r3 + a),
                            to: gram.baseAddress! + a * width + a, count: width - a)
                    }
                    start += block
                }
                for a in 0..<width {
                    for b in 0..<a { gram[a * width + b] = gram[b * width + a] }
                }
            }
        }
        return Matrix(rows: width, columns: width, unchecked: result)
    }

    /// Throws, naming `argument`, unless every value is finite.
    public func requireFinite(_ argument: String) throws {
        if let position = values.firstIndex(where: { !$0.isFinite }) {
            throw EvaluationError.invalidArgument(
                reason: "\(argument) has a non-finite value (\(values[position])) at row \(position / max(columns, 1)), column \(position % max(columns, 1)); remove or repair it")
        }
    }

    /// Throws unless two point sets to compare each have at least `minimumRows` rows, only
    /// finite values and the same dimension; messages call them "`noun` `names.0`" and so on.
    static func requireComparable(
        _ first: Matrix, _ second: Matrix, _ noun: String, names: (String, String), minimumRows: Int = 1
    ) throws {
        for (name, set) in [(names.0, first), (names.1, second)] {
            try set.requireRows(minimumRows, "\(noun) \(name)")
            try set.requireFinite("\(noun) \(name)")
        }
        guard first.columns == second.columns else {
            throw EvaluationError.invalidArgument(
                reason: "\(noun) \(names.0) has dimension \(first.columns) but \(names.1) has \(second.columns); they must agree")
        }
    }

    /// Throws, naming `argument`, when the matrix has fewer than `minimum` rows.
    func requireRows(_ minimum: Int, _ argument: String) throws {
        guard rows >= minimum else {
            throw EvaluationError.invalidArgument(
                reason: "\(argument) has \(rows) rows, at least \(minimum) needed")
        }
    }
}
