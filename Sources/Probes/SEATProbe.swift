import Evaluation
import Foundation

/// SEAT (May et al. 2019, "On Measuring Social Biases in Sentence Encoders", NAACL): the
/// association tests of `AssociationTest` on a model's mean-pooled sentence embeddings.
///
/// Per test: the effect size d (ideal 0; harm is any distance from 0), the one-sided
/// permutation p-value and its Holm–Bonferroni adjustment over the tests run together
/// (Holm 1979). Overall: the mean |d| over tests (ideal 0). Items are the target examples with
/// their association s(w, A, B), so intervals and drift resample target examples within each
/// test's X and Y, with the attribute sets held fixed.
public struct SEATProbe: Sendable {
    public var tests: [AssociationTest]
    /// Partitions for the p-value: exact up to this many, otherwise this many seeded random ones.
    public var permutations: Int
    public var seed: UInt64

    public init(tests: [AssociationTest], permutations: Int = 100_000, seed: UInt64 = 0) throws {
        guard !tests.isEmpty else { throw ProbeError.invalidSetting(name: "tests", reason: "no SEAT tests given") }
        guard permutations >= 1 else {
            throw ProbeError.invalidSetting(name: "permutations", reason: "must be at least 1, got \(permutations)")
        }
        self.tests = tests
        self.permutations = permutations
        self.seed = seed
    }

    /// One test's figures.
    public struct TestResult: Sendable, Equatable {
        public var test: String
        public var effectSize: Double
        public var pValue: Double
        public var holmPValue: Double
        public var exact: Bool
        /// s(w, A, B) of the examples of X, then of Y.
        public var firstAssociations: [Double]
        public var secondAssociations: [Double]
    }

    /// The effect sizes and p-values of every test from the model's embeddings (each distinct
    /// text embedded once).
    public func testResults(embedder: any TextEmbedder) throws -> [TestResult] {
        var distinct: [String] = []
        var position: [String: Int] = [:]
        for test in tests {
            for set in [test.firstTargets, test.secondTargets, test.firstAttributes, test.secondAttributes] {
                for text in set.examples where position[text] == nil {
                    position[text] = distinct.count
                    distinct.append(text)
                }
            }
        }
        var vectors: [[Float]] = []
        vectors.reserveCapacity(distinct.count)
        let chunk = 512
        for start in stride(from: 0, to: distinct.count, by: chunk) {
            try Interruption.checkpoint()
            vectors += try embedder.embed(distinct[start..<min(start + chunk, distinct.count)].map { TextInput($0) })
        }
        guard vectors.count == distinct.count else {
            throw ProbeError.invalidSetting(name: "embedder", reason: "returned \(vectors.count) vectors for \(distinct.count) texts")
        }
        func embedded(_ set: AssociationTest.ExampleSet) -> [[Float]] { set.examples.map { vectors[position[$0]!] } }
        var results: [TestResult] = []
        for (index, test) in tests.enumerated() {
            try Interruption.checkpoint()
            let a = embedded(test.firstAttributes)
            let b = embedded(test.secondAttributes)
            let x = WordEmbeddingAssociation.associations(targets: embedded(test.firstTargets), firstAttributes: a, secondAttributes: b)
            let y = WordEmbeddingAssociation.associations(targets: embedded(test.secondTargets), firstAttributes: a, secondAttributes: b)
            let permutation = WordEmbeddingAssociation.permutationPValue(
                first: x, second: y, limit: permutations, seed: seed &+ UInt64(index))
            results.append(TestResult(
                test: test.name, effectSize: WordEmbeddingAssociation.effectSize(first: x, second: y),
                pValue: permutation.pValue, holmPValue: permutation.pValue, exact: permutation.exact,
                firstAssociations: x, secondAssociations: y))
        }
        let adjusted = try HolmBonferroni.adjusted(results.map(\.pValue))
        for index in results.indices { results[index].holmPValue = adjusted[index] }
        return results
    }

    /// Runs every test and measures: per test d with its interval, p and Holm-adjusted p;
    /// overall the mean |d|.
    public func run(on model: any ModelUnderTest, bootstrap: ProbeBootstrap?) throws -> ProbeResult {
        let started = Date()
        let embedder = try model.require(model.embedder, "embed texts", for: "SEAT")
        let results = try testResults(embedder: embedder)
        var items: [ProbeItem] = []
        for (result, test) in zip(results, tests) {
            for (set, examples, values) in [("targ1", test.firstTargets.examples, result.firstAssociations),
                                            ("targ2", test.secondTargets.examples, result.secondAssociations)] {
                for (example, value) in zip(examples, values) {
                    items.append(ProbeItem(
                        id: "\(test.name)|\(set)|\(example)", attributes: ["test": test.name, "set": set],
                        values: ["association": value]))
                }
            }
        }
        var measurements = try Self.statistics(items: items).measurements(bootstrap: bootstrap)
        for result in results {
            let count = result.firstAssociations.count + result.secondAssociations.count
            measurements.append(ProbeMeasurement(
                metric: ProbeMetric(name: "p_value", group: result.test), value: result.pValue, count: count,
                note: result.exact ? "exact" : "\(permutations) random partitions"))
            measurements.append(ProbeMeasurement(
                metric: ProbeMetric(name: "p_holm", group: result.test), value: result.holmPValue, count: count))
        }
        return ProbeResult(kind: .seat, measurements: measurements, items: items, seconds: Date().timeIntervalSince(started))
    }

    /// Effect sizes per test and the mean |d|, from items (`test`, `set` attributes and an
    /// `association` value), resampled within each test's target sets.
    public static func statistics(items: [ProbeItem]) throws -> any ProbeStatistics {
        try Statistics(items: items)
    }

    struct Statistics: ProbeStatistics {
        var metrics: [ProbeMetric]
        var counts: [Int]
        var itemCount: Int
        var strata: [Int]?
        /// Per test, the item indices of X and of Y.
        var tests: [(first: [Int], second: [Int])]
        var associations: [Double]

        init(items: [ProbeItem]) throws {
            var order: [String] = []
            var members: [String: (first: [Int], second: [Int])] = [:]
            var strata: [Int] = []
            associations = []
            for (index, item) in items.enumerated() {
                let test = try item.attribute("test")
                let set = try item.attribute("set")
                if members[test] == nil {
                    order.append(test)
                    members[test] = ([], [])
                }
                if set == "targ1" { members[test]!.first.append(index) } else { members[test]!.second.append(index) }
                strata.append(order.firstIndex(of: test)! * 2 + (set == "targ1" ? 0 : 1))
                associations.append(try item.value("association"))
            }
            tests = order.map { members[$0]! }
            metrics = order.map { ProbeMetric(name: "effect_size", group: $0, ideal: 0, harmDirection: .away) }
                + [ProbeMetric(name: "mean_abs_effect_size", ideal: 0, harmDirection: .higher)]
            counts = tests.map { $0.first.count + $0.second.count } + [items.count]
            itemCount = items.count
            self.strata = strata
        }

        func values(weights: [Double]) -> [Double] {
            let sizes = tests.map { test in
                WordEmbeddingAssociation.effectSize(
                    first: test.first.map { (associations[$0], weights[$0]) },
                    second: test.second.map { (associations[$0], weights[$0]) })
            }
            return sizes + [sizes.reduce(0) { $0 + abs($1) } / Double(max(sizes.count, 1))]
        }
    }
}
