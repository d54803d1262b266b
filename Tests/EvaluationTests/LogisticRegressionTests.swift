import Foundation
import Testing

@testable import Evaluation

/// Reference fits by scikit-learn 1.9.1 (`pip install scikit-learn`), on features from
/// `SyntheticFeatures.waves` and the label lists below:
///
///     import numpy as np
///     from sklearn.linear_model import LogisticRegression
///     def features(n, d, a, b):
///         i = np.arange(n)[:, None]; j = np.arange(d)[None, :]
///         return np.sin(a*i + b*j + 0.3*i*j) * (1 + 0.5*j)
///     X = features(40, 3, 0.9, 1.7); i = np.arange(40)
///     noisy = (X[:,0] + 0.5*X[:,1] - 0.3*X[:,2] + 0.8*np.sin(2.3*i) > 0).astype(int)
///     separable = (X[:,0] + X[:,1] > 0).astype(int)
///     X3 = features(60, 4, 0.7, 1.3); i = np.arange(60)
///     s = np.stack([X3[:,0] - X3[:,1], X3[:,1] + 0.5*X3[:,2], -X3[:,0] + 0.3*X3[:,3]], 1)
///     noisy3 = (s + 0.7*np.cos(np.stack([1.1*i, 2.9*i, 4.3*i], 1))).argmax(1); separable3 = s.argmax(1)
///     m = LogisticRegression(C=C, tol=1e-10, max_iter=10000).fit(X, y)
///     m.coef_.tolist(), m.intercept_.tolist(), m.predict(X).tolist(), m.predict_proba(X[:2]).tolist()
@Suite struct LogisticRegressionTests {
    struct Reference {
        var strength: Double
        var coefficients: [[Double]]
        var intercepts: [Double]
        var predictions: [Int]
        var firstProbabilities: [[Double]]
    }

    static let binaryFeatures = SyntheticFeatures.waves(rows: 40, columns: 3, a: 0.9, b: 1.7)
    static let binaryNoisy = [
        1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1,
    ]
    static let binarySeparable = [
        1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0,
    ]
    static let threeFeatures = SyntheticFeatures.waves(rows: 60, columns: 4, a: 0.7, b: 1.3)
    static let threeNoisy = [
        1, 0, 0, 0, 0, 0, 2, 2, 1, 0, 0, 0, 0, 1, 1, 2, 2, 0, 1, 1, 1, 0, 0, 0, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 2, 0, 0, 1, 1, 1,
        0, 0, 2, 1, 1, 2, 0, 0, 0, 0, 2, 2, 1, 2, 2, 0, 1, 1, 1, 0,
    ]
    static let threeSeparable = [
        1, 1, 0, 0, 0, 1, 2, 2, 1, 0, 0, 0, 1, 1, 1, 2, 0, 2, 1, 1, 1, 0, 0, 0, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 2, 0, 0, 1, 1, 1,
        0, 0, 2, 1, 1, 2, 0, 0, 0, 0, 2, 1, 1, 2, 0, 0, 1, 1, 1, 0,
    ]

    func expectMatches(_ data: LabelledFeatures, _ reference: Reference) throws {
        let model = try LogisticRegression.fit(
            data, strength: reference.strength, options: .init(tolerance: 1e-10, maximumIterations: 10_000))
        // At tol = 1e-10 the last digits can be below rounding: no further decrease is a
        // legitimate stop there; the iteration limit is not.
        #expect(model.stop != .iterationLimit)
        for (k, row) in reference.coefficients.enumerated() {
            for (j, value) in row.enumerated() {
                #expect(isClose(model.coefficients[k, j], value, relative: 1e-4, floor: 1e-3), "coefficient (\(k), \(j))")
            }
        }
        for (k, value) in reference.intercepts.enumerated() {
            #expect(isClose(model.intercepts[k], value, relative: 1e-4, floor: 1e-3), "intercept \(k)")
        }
        #expect(try model.predict(data.features) == reference.predictions)
        let probabilities = try model.predictProbabilities(data.features.selectingRows([0, 1]))
        for (i, row) in reference.firstProbabilities.enumerated() {
            for (k, value) in row.enumerated() { #expect(abs(probabilities[i, k] - value) <= 1e-6) }
        }
    }

    @Test("binary noisy fits equal scikit-learn's at C = 0.1, 1 and 10")
    func binaryNoisyMatchesScikitLearn() throws {
        let data = try LabelledFeatures(features: Self.binaryFeatures, labels: Self.binaryNoisy)
        let predictions01 = [
            1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0,
        ]
        let predictions1 = [
            1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0,
        ]
        let predictions10 = [
            1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0,
        ]
        try expectMatches(data, Reference(
            strength: 0.1, coefficients: [[0.4356689850229707, 0.48949097230446514, -0.39003070046995747]],
            intercepts: [-0.04828821320799654], predictions: predictions01,
            firstProbabilities: [[0.2933506349893986, 0.7066493650106014], [0.22530367272807172, 0.7746963272719283]]))
        try expectMatches(data, Reference(
            strength: 1, coefficients: [[1.5115601332924027, 1.0737673195511255, -0.8113378942958467]],
            intercepts: [-0.12863279362832544], predictions: predictions1,
            firstProbabilities: [[0.13201562073887418, 0.8679843792611258], [0.045871157765504766, 0.9541288422344952]]))
        try expectMatches(data, Reference(
            strength: 10, coefficients: [[2.431314339849625, 1.4528294607229006, -1.145905969014782]],
            intercepts: [-0.18602985998228383], predictions: predictions10,
            firstProbabilities: [[0.07171079283121617, 0.9282892071687838], [0.011080091295909256, 0.9889199087040907]]))
    }

    @Test("a binary separable fit equals scikit-learn's (the penalty keeps the weights finite)")
    func binarySeparableMatchesScikitLearn() throws {
        let data = try LabelledFeatures(features: Self.binaryFeatures, labels: Self.binarySeparable)
        try expectMatches(data, Reference(
            strength: 1, coefficients: [[1.242427293651726, 2.042471793696466, -0.268303365125006]],
            intercepts: [-0.33730952769525585],
            predictions: [
                1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1,
                0, 0,
            ],
            firstProbabilities: [[0.055305634796026015, 0.944694365203974], [0.1305507530108032, 0.8694492469891968]]))
    }

    @Test("three-class multinomial fits equal scikit-learn's, noisy and linearly separable, intercepts summing to zero")
    func multinomialMatchesScikitLearn() throws {
        let noisy = try LabelledFeatures(features: Self.threeFeatures, labels: Self.threeNoisy)
        try expectMatches(noisy, Reference(
            strength: 0.1,
            coefficients: [
                [0.4592986898510621, -0.6094954943661626, -0.17570782750317257, -0.14056207049149602],
                [0.09848671197568487, 0.616976141804329, 0.48456225534422137, -0.13501809985224622],
                [-0.557785401826747, -0.007480647438166488, -0.30885442784104883, 0.2755801703437422],
            ],
            intercepts: [0.44809063879739436, -0.06895122912247215, -0.3791394096749219],
            predictions: [
                1, 0, 0, 0, 0, 1, 2, 2, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 2, 2, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 1,
                1, 1, 0, 0, 2, 1, 1, 2, 0, 0, 0, 0, 2, 1, 1, 0, 0, 0, 1, 1, 1, 0,
            ],
            firstProbabilities: [
                [0.1202991499439233, 0.8261800629910802, 0.053520787064996585],
                [0.4998101886330486, 0.37189923367640104, 0.1282905776905504],
            ]))
        try expectMatches(noisy, Reference(
            strength: 1,
            coefficients: [
                [1.1834258996218225, -1.2665474691263272, -0.3226599384256854, -0.27670137863307853],
                [0.6315099475309278, 1.4966538191849277, 1.0365286666377598, -0.17891941302106013],
                [-1.8149358471527506, -0.23010635005860072, -0.7138687282120747, 0.4556207916541391],
            ],
            intercepts: [0.7356899210672955, -0.2441503738540177, -0.4915395472132769],
            predictions: [
                1, 0, 0, 0, 0, 0, 2, 2, 1, 0, 0, 0, 0, 1, 1, 2, 0, 0, 1, 1, 1, 0, 0, 0, 1, 2, 2, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 1,
                1, 1, 0, 0, 2, 1, 1, 2, 0, 0, 0, 0, 2, 1, 1, 0, 0, 0, 1, 1, 1, 0,
            ],
            firstProbabilities: [
                [0.014054373639715977, 0.9824510652035151, 0.0034945611567691213],
                [0.551120154770137, 0.41375677071068917, 0.035123074519173826],
            ]))
        try expectMatches(noisy, Reference(
            strength: 10,
            coefficients: [
                [2.0947682276805932, -2.2305705049969586, -0.5913253323416139, -0.6123829237040037],
                [1.9373518312286393, 2.840715612747416, 1.969244973487721, -0.1925656560897485],
                [-4.032120058909234, -0.610145107750455, -1.3779196411461025, 0.8049485797937528],
            ],
            intercepts: [1.2924621707024309, -0.3757623947765419, -0.9166997759258856],
            predictions: [
                1, 0, 0, 0, 0, 0, 2, 2, 1, 0, 0, 0, 0, 1, 1, 2, 0, 0, 1, 1, 1, 0, 0, 0, 1, 2, 2, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 1,
                1, 1, 0, 2, 2, 1, 1, 2, 0, 0, 0, 0, 2, 2, 1, 2, 0, 0, 1, 1, 1, 0,
            ],
            firstProbabilities: [
                [0.0005104885605716432, 0.999466858151272, 2.2653288156515543e-05],
                [0.5878907398711873, 0.4102598006372637, 0.0018494594915488645],
            ]))
        let separable = try LabelledFeatures(features: Self.threeFeatures, labels: Self.threeSeparable)
        try expectMatches(separable, Reference(
            strength: 10,
            coefficients: [
                [2.916917969779113, -3.3126073734117494, -0.829960093829426, -0.1698460953083507],
                [1.0881453060693196, 3.5795914122088974, 1.8064726420746466, -0.8261051756287503],
                [-4.005063275848436, -0.266984038797149, -0.9765125482452207, 0.9959512709371012],
            ],
            intercepts: [0.7184497527186129, 0.019848726279149964, -0.7382984789977621],
            predictions: [
                1, 1, 0, 0, 0, 1, 2, 2, 1, 0, 0, 0, 1, 1, 1, 2, 0, 0, 1, 1, 1, 0, 0, 0, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 2, 0, 0, 1,
                1, 1, 0, 0, 2, 1, 1, 2, 0, 0, 0, 0, 2, 1, 1, 2, 0, 0, 1, 1, 1, 0,
            ],
            firstProbabilities: [
                [2.0258754161025254e-06, 0.9999935120192825, 4.462105301309242e-06],
                [0.03343713682341923, 0.9661373004916367, 0.00042556268494408625],
            ]))
        let model = try LogisticRegression.fit(noisy, strength: 1)
        #expect(abs(model.intercepts.reduce(0, +)) <= 1e-12)
    }

    @Test("the objective's gradient equals central finite differences")
    func gradientMatchesFiniteDifferences() {
        for (features, labels, classes) in [
            (Self.binaryFeatures, Self.binaryNoisy, 2), (Self.threeFeatures, Self.threeNoisy, 3),
        ] {
            let objective = LogisticObjective(features: features, labels: labels, classCount: classes, strength: 0.7)
            let point = (0..<objective.parameterCount).map { 0.3 * sin(Double($0) * 1.7) }
            var gradient = [Double](repeating: 0, count: point.count)
            _ = objective.evaluate(point, gradient: &gradient)
            var scratch = gradient
            for index in point.indices {
                var plus = point
                var minus = point
                plus[index] += 1e-5
                minus[index] -= 1e-5
                let numeric = (objective.evaluate(plus, gradient: &scratch) - objective.evaluate(minus, gradient: &scratch)) / 2e-5
                #expect(abs(numeric - gradient[index]) <= 1e-6 * max(1, abs(numeric)))
            }
        }
    }

    @Test("the strength with the best validation accuracy is chosen, ties going to the smaller C")
    func strengthSelection() throws {
        let train = try LabelledFeatures(
            features: Self.threeFeatures.selectingRows(Array(0..<40)), labels: Array(Self.threeNoisy[0..<40]))
        let validation = try LabelledFeatures(
            features: Self.threeFeatures.selectingRows(Array(40..<60)), labels: Array(Self.threeNoisy[40..<60]))
        let selection = try LogisticRegression.fitSelectingStrength(
            train: train, validation: validation, grid: [100, 0.01, 1, 0.1, 10])
        #expect(selection.candidates.map(\.strength) == [0.01, 0.1, 1, 10, 100])
        let best = selection.candidates.map(\.validationAccuracy).max()!
        #expect(selection.strength == selection.candidates.first { $0.validationAccuracy == best }!.strength)
        #expect(selection.candidates.allSatisfy { $0.stop == .gradientTolerance })
        // The returned model is the cold fit at the chosen C, to the tolerance.
        let cold = try LogisticRegression.fit(train, strength: selection.strength)
        for (warm, reference) in zip(selection.model.coefficients.values, cold.coefficients.values) {
            #expect(abs(warm - reference) <= 1e-4 * max(1, abs(reference)))
        }
        let accuracy = try ClassificationMetrics(
            gold: validation.labels, predicted: cold.predict(validation.features), labelNames: ["0", "1", "2"]
        ).accuracy
        #expect(accuracy == best)
        // One C only: the same C, so a tie between identical fits keeps the first.
        let single = try LogisticRegression.fitSelectingStrength(train: train, validation: validation, grid: [1, 1])
        #expect(single.candidates.count == 1 && single.strength == 1)
    }

    @Test("standardising fits the same probabilities as scaling the features by hand")
    func standardization() throws {
        let data = try LabelledFeatures(features: Self.threeFeatures, labels: Self.threeNoisy)
        let scaled = try LogisticRegression.fit(data, options: .init(standardize: true, tolerance: 1e-10))
        let transform = Standardization(fitting: data.features)
        let byHand = try LogisticRegression.fit(
            LabelledFeatures(features: transform.apply(to: data.features), labels: data.labels),
            options: .init(tolerance: 1e-10))
        let a = try scaled.predictProbabilities(data.features)
        let b = try byHand.predictProbabilities(transform.apply(to: data.features))
        for (x, y) in zip(a.values, b.values) { #expect(abs(x - y) <= 1e-9) }
        #expect(transform.means.allSatisfy { abs($0) < 10 } && transform.scales.allSatisfy { $0 > 0 })
    }

    @Test("the iteration limit stops a fit and says so")
    func iterationLimit() throws {
        let data = try LabelledFeatures(features: Self.threeFeatures, labels: Self.threeNoisy)
        let model = try LogisticRegression.fit(data, strength: 100, options: .init(tolerance: 1e-12, maximumIterations: 3))
        #expect(model.stop == .iterationLimit)
        #expect(model.iterations == 3)
    }

    @Test("bad input throws naming the argument instead of trapping")
    func badInput() throws {
        let features = Self.binaryFeatures
        #expect(throws: EvaluationError.invalidArgument(reason: "train: 40 feature rows but 39 labels; give one label per row")) {
            try LabelledFeatures(features: features, labels: Array(Self.binaryNoisy.dropLast()), name: "train")
        }
        #expect(throws: EvaluationError.invalidArgument(reason: "train has one class only; a classifier needs at least two classes")) {
            try LabelledFeatures(features: features, labels: [Int](repeating: 0, count: 40), name: "train")
        }
        var values = features.values
        values[7] = .nan
        #expect(throws: EvaluationError.invalidArgument(reason: "train has a non-finite value (nan) at row 2, column 1; remove or repair it")) {
            try LabelledFeatures(features: Matrix(rows: 40, columns: 3, values: values), labels: Self.binaryNoisy, name: "train")
        }
        let missingClass = try LabelledFeatures(features: features, labels: Self.binaryNoisy, classCount: 3)
        #expect(throws: EvaluationError.self) { try LogisticRegression.fit(missingClass) }
        let data = try LabelledFeatures(features: features, labels: Self.binaryNoisy)
        #expect(throws: EvaluationError.self) { try LogisticRegression.fit(data, strength: 0) }
        #expect(throws: EvaluationError.self) { try LogisticRegression.fitSelectingStrength(train: data, validation: data, grid: []) }
        let model = try LogisticRegression.fit(data)
        #expect(throws: EvaluationError.invalidArgument(reason: "features have 2 columns but the model was fitted on 3")) {
            try model.predict(Matrix(rows: 1, columns: 2, values: [0.0, 1]))
        }
    }

    @Test("the whole C grid on 2,000 × 384 features of 3 classes converges within seconds of CPU")
    func speedOfTheGrid() throws {
        var generator = SplitMix64(seed: 7)
        let columns = 384
        let centres = (0..<3).map { _ in SyntheticFeatures.gaussian(count: columns, generator: &generator).map { 0.15 * $0 } }
        func sample(_ rows: Int) throws -> LabelledFeatures {
            var values: [Double] = []
            for i in 0..<rows {
                let noise = SyntheticFeatures.gaussian(count: columns, generator: &generator)
                values += zip(noise, centres[i % 3]).map { $0 + $1 }
            }
            return try LabelledFeatures(
                features: Matrix(rows: rows, columns: columns, values: values), labels: (0..<rows).map { $0 % 3 })
        }
        let train = try sample(2000)
        let validation = try sample(600)
        let whole = try LogisticRegression.fitSelectingStrength(train: train, validation: validation)
        #expect(whole.candidates.allSatisfy { $0.stop == .gradientTolerance })
    }
}
