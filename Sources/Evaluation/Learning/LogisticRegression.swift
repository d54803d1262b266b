import Foundation

/// L2-regularised logistic regression fitted to convergence with L-BFGS, with the objective of
/// scikit-learn's `LogisticRegression(C=C, solver='lbfgs')`, so coefficients agree with it.
///
/// Two classes use one weight vector w and the sigmoid, P(y = 1 | x) = σ(wᵀx + b); three or
/// more use the multinomial softmax with one vector per class, P(y = k | x) ∝ exp(wₖᵀx + bₖ).
/// The minimised objective is
///
///     L(W, b) = C · Σᵢ −log P(yᵢ | xᵢ) + ½‖W‖²_F
///
/// with the intercepts b not penalised (Hastie, Tibshirani and Friedman, *The Elements of
/// Statistical Learning*, 2nd ed., §4.4). Softmax logits are invariant to adding one constant
/// to every intercept; the fit keeps Σₖ bₖ = 0, as scikit-learn's does.
///
/// Convergence: max |∇L| ≤ `tolerance` × max |∇L(0)|, the gradient at the all-zero model, so a
/// warm start is held to the same criterion as a cold one; otherwise the fit stops after
/// `maximumIterations` and `stop` says so.
public struct LogisticRegression: Sendable {
    /// The C values `fitSelectingStrength` tries by default: five decades around sklearn's
    /// default C = 1, from heavy regularisation (0.01) to almost none (100).
    public static let defaultStrengthGrid: [Double] = [0.01, 0.1, 1, 10, 100]

    /// How a model is fitted.
    public struct Options: Sendable, Equatable {
        /// Centre each feature and divide by its standard deviation (computed on the training
        /// rows, population form; a constant feature keeps scale 1) before fitting and
        /// predicting. Off by default, as in scikit-learn, where scaling is a separate step.
        public var standardize: Bool
        /// The convergence tolerance relative to the initial gradient (see the type).
        public var tolerance: Double
        public var maximumIterations: Int

        public init(standardize: Bool = false, tolerance: Double = 1e-6, maximumIterations: Int = 1000) {
            self.standardize = standardize
            self.tolerance = tolerance
            self.maximumIterations = maximumIterations
        }
    }

    public let classCount: Int
    public let featureCount: Int
    /// The inverse regularisation strength C.
    public let strength: Double
    /// One row for two classes (the log-odds of class 1); one row per class otherwise.
    public let coefficients: Matrix
    /// One per row of `coefficients`.
    public let intercepts: [Double]
    /// The transform applied to features before the linear model, when standardising.
    public let standardization: Standardization?
    /// L-BFGS iterations used.
    public let iterations: Int
    /// Whether the fit converged or hit the iteration limit.
    public let stop: MinimizationStop

    /// Fits a model to `data` with inverse regularisation strength `strength` (C > 0).
    public static func fit(_ data: LabelledFeatures, strength: Double = 1, options: Options = Options()) throws
        -> LogisticRegression
    {
        try checkStrength(strength)
        try checkOptions(options)
        try data.requireEveryClass("the training data")
        let standardization = options.standardize ? Standardization(fitting: data.features) : nil
        let prepared = standardization?.apply(to: data.features) ?? data.features
        return fitPrepared(
            features: prepared, labels: data.labels, classCount: data.classCount, strength: strength,
            options: options, standardization: standardization, start: nil)
    }

    /// The probability of each class for each row of `features` (rows × classCount).
    public func predictProbabilities(_ features: Matrix) throws -> Matrix {
        let logits = try decisionValues(features)
        var probabilities = [Double](repeating: 0, count: features.rows * classCount)
        let outputs = coefficients.rows
        for i in 0..<features.rows {
            if classCount == 2 {
                let positive = Self.sigmoid(logits[i])
                probabilities[i * 2] = 1 - positive
                probabilities[i * 2 + 1] = positive
            } else {
                let row = logits[(i * outputs)..<((i + 1) * outputs)]
                let largest = row.max() ?? 0
                var total = 0.0
                for (k, logit) in row.enumerated() {
                    let term = exp(logit - largest)
                    probabilities[i * classCount + k] = term
                    total += term
                }
                for k in 0..<classCount { probabilities[i * classCount + k] /= total }
            }
        }
        return Matrix(rows: features.rows, columns: classCount, unchecked: probabilities)
    }

    /// The most probable class of each row (ties go to the lower class index; with two
    /// classes, class 1 needs a positive log-odds, as in scikit-learn).
    public func predict(_ features: Matrix) throws -> [Int] {
        let logits = try decisionValues(features)
        let outputs = coefficients.rows
        return (0..<features.rows).map { i in
            if classCount == 2 { return logits[i] > 0 ? 1 : 0 }
            var best = 0
            for k in 1..<outputs where logits[i * outputs + k] > logits[i * outputs + best] { best = k }
            return best
        }
    }

    /// wₖᵀx + bₖ for each row and output (rows × outputs, row-major).
    func decisionValues(_ features: Matrix) throws -> [Double] {
        guard features.columns == featureCount else {
            throw EvaluationError.invalidArgument(
                reason: "features have \(features.columns) columns but the model was fitted on \(featureCount)")
        }
        try features.requireFinite("features")
        let input = standardization?.apply(to: features) ?? features
        let outputs = coefficients.rows
        var logits = [Double](repeating: 0, count: input.rows * outputs)
        guard input.rows > 0 else { return logits }
        input.values.withUnsafeBufferPointer { x in
            coefficients.values.withUnsafeBufferPointer { w in
                for i in 0..<input.rows {
                    for k in 0..<outputs {
                        logits[i * outputs + k] =
                            VectorOperations.dot(
                                x.baseAddress! + i * featureCount, w.baseAddress! + k * featureCount,
                                count: featureCount) + intercepts[k]
                    }
                }
            }
        }
        return logits
    }

    /// Fits on features already standardised (or not), optionally from `start` (a warm start:
    /// the parameter vector of another fit on the same data).
    static func fitPrepared(
        features: Matrix, labels: [Int], classCount: Int, strength: Double, options: Options,
        standardization: Standardization?, start: [Double]?
    ) -> LogisticRegression {
        let objective = LogisticObjective(features: features, labels: labels, classCount: classCount, strength: strength)
        let zero = [Double](repeating: 0, count: objective.parameterCount)
        var initialGradient = zero
        _ = objective.evaluate(zero, gradient: &initialGradient)
        let minimizer = LimitedMemoryBFGS(
            gradientTolerance: options.tolerance * LimitedMemoryBFGS.maximumMagnitude(initialGradient),
            maximumIterations: options.maximumIterations)
        let outcome = minimizer.minimize(from: start ?? zero) { point, gradient in
            objective.evaluate(point, gradient: &gradient)
        }
        return LogisticRegression(
            objective: objective, parameters: outcome.point, standardization: standardization,
            iterations: outcome.iterations, stop: outcome.stop)
    }

    private init(
        objective: LogisticObjective, parameters: [Double], standardization: Standardization?, iterations: Int,
        stop: MinimizationStop
    ) {
        let outputs = objective.outputs
        let width = objective.featureCount
        classCount = objective.classCount
        featureCount = width
        strength = objective.strength
        coefficients = Matrix(rows: outputs, columns: width, unchecked: Array(parameters[0..<(outputs * width)]))
        var biases = Array(parameters[(outputs * width)...])
        if outputs > 1 {
            // The gradient keeps Σₖ bₖ fixed at its start (0); this removes the rounding drift.
            let mean = biases.reduce(0, +) / Double(outputs)
            biases = biases.map { $0 - mean }
        }
        intercepts = biases
        self.standardization = standardization
        self.iterations = iterations
        self.stop = stop
    }

    /// The parameters as one vector (coefficients row by row, then intercepts), for warm starts.
    var parameters: [Double] { coefficients.values + intercepts }

    static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    static func checkStrength(_ strength: Double) throws {
        guard strength > 0, strength.isFinite else {
            throw EvaluationError.invalidArgument(
                reason: "the regularisation strength C must be positive and finite, got \(strength)")
        }
    }

    static func checkOptions(_ options: Options) throws {
        guard options.tolerance >= 0, options.tolerance.isFinite, options.maximumIterations >= 0 else {
            throw EvaluationError.invalidArgument(
                reason: "tolerance must be finite and ≥ 0 and maximumIterations ≥ 0, got \(options.tolerance) and \(options.maximumIterations)")
        }
    }
}
