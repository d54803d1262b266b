/// The proxy A-distance between two feature sets: how well a linear classifier tells the
/// domains apart (Ben-David, Blitzer, Crammer and Pereira 2007, "Analysis of Representations
/// for Domain Adaptation", NIPS; Ganin et al. 2016, "Domain-Adversarial Training of Neural
/// Networks", JMLR 17, §5.1.5).
///
/// d_A = 2·(1 − 2ε), with ε the held-out error of a logistic domain classifier (label = which
/// set a row came from). The pooled rows are split in seeded stratified halves: the classifier
/// is trained on one and ε measured on the other. Its C is chosen by
/// `LogisticRegression.fitSelectingStrength` on a stratified 2/3 – 1/3 split of the training half
/// (seed + 1), and the model is then refitted with that C on the whole training half. An error
/// above chance is read as chance (d_A = max(0, 2·(1 − 2ε)), as Ganin et al. report it), not
/// flipped: held-out error above ½ comes from a classifier that memorised its half, which is
/// what happens when the same text sits in both sets (identical corpora gave ε ≈ 0.75, and the
/// flip turned that into d_A ≈ 1). So d_A ∈ [0, 2]: about 0 for sets from one distribution,
/// 2 for perfectly separable ones.
public struct ProxyADistance: Sendable, Equatable {
    /// d_A, in [0, 2].
    public let distance: Double
    /// The domain classifier's error on the held-out half, in [0, 1] (before it is capped at ½).
    public let heldOutError: Double
    /// The C chosen for the domain classifier.
    public let strength: Double

    /// Measures d_A between the rows of `a` and `b` (each needs at least 4 rows, so every part
    /// of both splits holds both domains). Standardising is on by default here, so no feature
    /// dominates the domain classifier by its scale alone.
    public static func measure(
        _ a: Matrix, _ b: Matrix, seed: UInt64 = 0, grid: [Double] = LogisticRegression.defaultStrengthGrid,
        options: LogisticRegression.Options = LogisticRegression.Options(standardize: true)
    ) throws -> ProxyADistance {
        try Matrix.requireComparable(a, b, "feature set", names: ("a", "b"), minimumRows: 4)
        let pooled = try a.stacked(on: b)
        let domains = [Int](repeating: 0, count: a.rows) + [Int](repeating: 1, count: b.rows)
        let halves = try Splits.stratifiedIndices(labels: domains, classCount: 2, fractions: [0.5, 0.5], seed: seed)
        let inner = try Splits.stratifiedIndices(
            labels: halves[0].map { domains[$0] }, classCount: 2, fractions: [2.0 / 3.0, 1.0 / 3.0], seed: seed &+ 1)
        func labelled(_ rows: [Int], _ name: String) throws -> LabelledFeatures {
            try LabelledFeatures(
                features: pooled.selectingRows(rows), labels: rows.map { domains[$0] }, classCount: 2, name: name)
        }
        let selection = try LogisticRegression.fitSelectingStrength(
            train: labelled(inner[0].map { halves[0][$0] }, "the domain classifier's fitting rows"),
            validation: labelled(inner[1].map { halves[0][$0] }, "the domain classifier's validation rows"),
            grid: grid, options: options)
        let classifier = try LogisticRegression.fit(
            labelled(halves[0], "the domain classifier's training half"), strength: selection.strength, options: options)
        let test = try labelled(halves[1], "the held-out half")
        let error = try 1 - ClassificationMetrics(
            gold: test.labels, predicted: classifier.predict(test.features), labelNames: ["a", "b"]
        ).accuracy
        return ProxyADistance(
            distance: max(0, 2 * (1 - 2 * error)), heldOutError: error, strength: selection.strength)
    }
}
