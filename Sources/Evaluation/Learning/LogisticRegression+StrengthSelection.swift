/// The outcome of choosing the regularisation strength C on a validation split.
public struct StrengthSelection: Sendable {
    /// One tried value of C.
    public struct Candidate: Sendable, Equatable {
        public let strength: Double
        /// Fraction of validation rows predicted correctly, in [0, 1].
        public let validationAccuracy: Double
        public let iterations: Int
        public let stop: MinimizationStop
    }

    /// The model with the chosen C, fitted on the training split only.
    public let model: LogisticRegression
    /// Every C tried, in ascending order.
    public let candidates: [Candidate]
    /// The chosen C.
    public var strength: Double { model.strength }
}

extension LogisticRegression {
    /// Fits one model per C in `grid` on `train` and keeps the one with the best accuracy on
    /// `validation`; ties go to the smaller C (the stronger regularisation, the simpler model).
    ///
    /// C is visited in ascending order and each fit starts from the previous solution: the
    /// solutions move smoothly with C, so a warm start saves most iterations. Standardisation,
    /// when on, is fitted on `train` and applied to both.
    public static func fitSelectingStrength(
        train: LabelledFeatures, validation: LabelledFeatures, grid: [Double] = defaultStrengthGrid,
        options: Options = Options()
    ) throws -> StrengthSelection {
        guard !grid.isEmpty else {
            throw EvaluationError.invalidArgument(reason: "the grid of C values is empty; give at least one")
        }
        for strength in grid { try checkStrength(strength) }
        try checkOptions(options)
        try train.requireEveryClass("the training split")
        guard validation.features.columns == train.features.columns, validation.classCount == train.classCount else {
            throw EvaluationError.invalidArgument(
                reason: "validation has \(validation.features.columns) features and \(validation.classCount) classes but train has \(train.features.columns) and \(train.classCount); they must agree")
        }
        let standardization = options.standardize ? Standardization(fitting: train.features) : nil
        let prepared = standardization?.apply(to: train.features) ?? train.features
        let labelNames = (0..<train.classCount).map(String.init)
        var candidates: [StrengthSelection.Candidate] = []
        var best: (model: LogisticRegression, accuracy: Double)?
        var previous: LogisticRegression?
        for strength in Set(grid).sorted() {
            let model = fitPrepared(
                features: prepared, labels: train.labels, classCount: train.classCount, strength: strength,
                options: options, standardization: standardization, start: previous?.parameters)
            let accuracy = try ClassificationMetrics(
                gold: validation.labels, predicted: model.predict(validation.features), labelNames: labelNames
            ).accuracy
            candidates.append(
                .init(strength: strength, validationAccuracy: accuracy, iterations: model.iterations, stop: model.stop))
            if accuracy > best?.accuracy ?? -1 { best = (model, accuracy) }
            previous = model
        }
        guard let chosen = best?.model else {
            throw EvaluationError.invalidArgument(reason: "the grid of C values is empty; give at least one")
        }
        return StrengthSelection(model: chosen, candidates: candidates)
    }
}
