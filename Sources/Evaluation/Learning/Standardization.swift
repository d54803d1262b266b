import Foundation

/// Per-feature centring and scaling, x′ⱼ = (xⱼ − μⱼ) / sⱼ, with μ and s the mean and the
/// population standard deviation of the rows it was fitted on (as scikit-learn's
/// `StandardScaler`); a constant feature keeps sⱼ = 1, so it maps to 0 instead of dividing by 0.
public struct Standardization: Sendable, Equatable {
    public let means: [Double]
    public let scales: [Double]

    /// The means and standard deviations of the columns of `features`.
    public init(fitting features: Matrix) {
        let means = features.columnMeans()
        var squares = [Double](repeating: 0, count: features.columns)
        for i in 0..<features.rows {
            for j in 0..<features.columns {
                let centred = features[i, j] - means[j]
                squares[j] += centred * centred
            }
        }
        self.means = means
        scales = squares.map { sum in
            let deviation = (sum / Double(max(features.rows, 1))).squareRoot()
            return deviation > 0 ? deviation : 1
        }
    }

    /// `features` with each column centred and scaled.
    public func apply(to features: Matrix) -> Matrix {
        var values = features.values
        for i in 0..<features.rows {
            for j in 0..<features.columns {
                values[i * features.columns + j] = (values[i * features.columns + j] - means[j]) / scales[j]
            }
        }
        return Matrix(rows: features.rows, columns: features.columns, unchecked: values)
    }
}
