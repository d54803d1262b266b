/// Feature vectors (rows of a matrix) with a class index per row: the input of the logistic
/// regression probe, the domain classifier and the transferability scores.
public struct LabelledFeatures: Sendable, Equatable {
    public let features: Matrix
    /// One class index in 0..<classCount per row of `features`.
    public let labels: [Int]
    public let classCount: Int

    /// Checks that there is one label per row, that labels lie in 0..<classCount (default: the
    /// largest label + 1), that there are at least two classes and that every feature is finite.
    /// `name` names the data in error messages ("train", "validation", …).
    public init(features: Matrix, labels: [Int], classCount: Int? = nil, name: String = "features") throws {
        guard features.rows == labels.count else {
            throw EvaluationError.invalidArgument(
                reason: "\(name): \(features.rows) feature rows but \(labels.count) labels; give one label per row")
        }
        guard features.rows > 0, features.columns > 0 else {
            throw EvaluationError.invalidArgument(
                reason: "\(name) is empty (\(features.rows) × \(features.columns)): give at least one example with at least one feature")
        }
        try features.requireFinite(name)
        let count = classCount ?? ((labels.max() ?? 0) + 1)
        guard count >= 2 else {
            throw EvaluationError.invalidArgument(
                reason: "\(name) has one class only; a classifier needs at least two classes")
        }
        if let bad = labels.firstIndex(where: { !(0..<count).contains($0) }) {
            throw EvaluationError.invalidArgument(
                reason: "\(name): label \(labels[bad]) of row \(bad) is outside 0..<\(count)")
        }
        self.features = features
        self.labels = labels
        self.classCount = count
    }

    /// How many rows carry each class.
    public var classSizes: [Int] {
        var sizes = [Int](repeating: 0, count: classCount)
        for label in labels { sizes[label] += 1 }
        return sizes
    }

    /// The sum of the feature rows of each class (classCount × features.columns).
    public func classSums() -> [[Double]] {
        let width = features.columns
        var sums = [[Double]](repeating: [Double](repeating: 0, count: width), count: classCount)
        features.values.withUnsafeBufferPointer { values in
            for (row, label) in labels.enumerated() {
                sums[label].withUnsafeMutableBufferPointer { sum in
                    VectorOperations.addScaled(1, values.baseAddress! + row * width, to: sum.baseAddress!, count: width)
                }
            }
        }
        return sums
    }

    /// Throws, naming the data, unless every class has at least one row.
    func requireEveryClass(_ name: String) throws {
        if let missing = classSizes.firstIndex(of: 0) {
            throw EvaluationError.invalidArgument(
                reason: "\(name) has no example of class \(missing) (of \(classCount)); every class needs at least one")
        }
    }
}
