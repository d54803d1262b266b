import Evaluation
import Foundation
import Testing
import TestSupport

@testable import Probes

@Suite("SEAT")
struct SEATTests {
    @Test("targets pointing exactly at one attribute each give the closed-form effect size and p-value")
    func closedFormEffectSize() throws {
        // X along A and Y along B: s(x) = 1 and s(y) = −1 for every target, so
        // d = 2 / sqrt(2n / (2n − 1)) = 2·sqrt((2n − 1) / 2n), and X is the only partition at
        // least as extreme: p = 1 / C(2n, n).
        for n in [2, 3, 5] {
            var vectors: [String: [Float]] = ["a": [1, 0], "b": [0, 1]]
            for index in 0..<n {
                vectors["x\(index)"] = [Float(index + 1), 0]
                vectors["y\(index)"] = [0, Float(index + 2)]
            }
            let test = AssociationTest(
                name: "closed.jsonl",
                firstTargets: .init(category: "X", examples: (0..<n).map { "x\($0)" }),
                secondTargets: .init(category: "Y", examples: (0..<n).map { "y\($0)" }),
                firstAttributes: .init(category: "A", examples: ["a"]), secondAttributes: .init(category: "B", examples: ["b"]))
            let result = try SEATProbe(tests: [test]).testResults(embedder: TableEmbedder(vectors))[0]
            let expected = 2 * (Double(2 * n - 1) / Double(2 * n)).squareRoot()
            #expect(abs(result.effectSize - expected) < 1e-12)
            #expect(result.exact)
            #expect(abs(result.pValue - 1 / Double(WordEmbeddingAssociation.binomial(2 * n, n)!)) < 1e-15)
        }
    }

    @Test("effect size and exact p-value equal numpy and a full enumeration on a small case")
    func exactSmallCase() {
        // x = [0.3, 0.1, 0.25]; y = [0.05, 0.2, -0.1]
        // (np.mean(x) - np.mean(y)) / np.std(x + y, ddof=1) = 1.1322770341445958
        // sum(1 for c in itertools.combinations(x + y, 3) if sum(c) >= sum(x) - 1e-12) / 20 = 2 / 20
        let x = [0.3, 0.1, 0.25]
        let y = [0.05, 0.2, -0.1]
        #expect(abs(WordEmbeddingAssociation.effectSize(first: x, second: y) - 1.1322770341445958) < 1e-12)
        let permutation = WordEmbeddingAssociation.permutationPValue(first: x, second: y)
        #expect(permutation.exact && permutation.partitions == 20)
        #expect(abs(permutation.pValue - 0.1) < 1e-15)
    }

    @Test("past 100,000 partitions the p-value is a seeded estimate close to the exact one")
    func randomPartitions() {
        // x10, y10 from numpy.random.default_rng(5).normal(...) rounded to 3 decimals; the exact
        // p over all C(20, 10) = 184,756 partitions is 3619 / 184756 = 0.019587997142176707.
        let x = [-0.03, -0.082, 0.025, 0.092, 0.164, 0.061, -0.005, -0.028, 0.125, 0.213]
        let y = [0.027, -0.123, -0.096, 0.16, 0.02, -0.173, -0.008, -0.116, -0.063, -0.049]
        let first = WordEmbeddingAssociation.permutationPValue(first: x, second: y, limit: 100_000, seed: 7)
        let again = WordEmbeddingAssociation.permutationPValue(first: x, second: y, limit: 100_000, seed: 7)
        #expect(!first.exact && first.partitions == 100_000)
        #expect(first.pValue == again.pValue)
        // Binomial standard error sqrt(p(1 − p)/1e5) ≈ 4.4e-4; 5 of them.
        #expect(abs(first.pValue - 0.019587997142176707) < 0.0022)
        #expect(abs(WordEmbeddingAssociation.effectSize(first: x, second: y) - 0.9106909819333202) < 1e-12)
        // The full enumeration agrees with Python's when allowed.
        let exact = WordEmbeddingAssociation.permutationPValue(first: x, second: y, limit: 200_000)
        #expect(exact.exact && abs(exact.pValue - 0.019587997142176707) < 1e-15)
    }

    @Test("Holm-adjusted p-values follow the step-down rule")
    func holm() throws {
        // Sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 → max(0.06, 0.04) = 0.06.
        let adjusted = try HolmBonferroni.adjusted([0.01, 0.04, 0.03, 0.005])
        for (value, expected) in zip(adjusted, [0.03, 0.06, 0.06, 0.02]) { #expect(abs(value - expected) < 1e-15) }
    }

    @Test("a run reports every test's d, p and Holm p, and intervals that contain d")
    func runThroughTheModelProtocol() throws {
        var vectors: [String: [Float]] = ["a1": [1, 0, 0], "a2": [0.9, 0.1, 0.1], "b1": [0, 1, 0], "b2": [0.1, 0.9, 0.2]]
        let xs = (0..<6).map { "x\($0)" }
        let ys = (0..<6).map { "y\($0)" }
        for (index, name) in xs.enumerated() { vectors[name] = [1, Float(index) * 0.3, 0.2] }
        for (index, name) in ys.enumerated() { vectors[name] = [Float(index) * 0.25, 1, 0.1] }
        let tests = [
            AssociationTest(name: "one.jsonl", firstTargets: .init(category: "X", examples: xs),
                            secondTargets: .init(category: "Y", examples: ys),
                            firstAttributes: .init(category: "A", examples: ["a1", "a2"]),
                            secondAttributes: .init(category: "B", examples: ["b1", "b2"])),
            AssociationTest(name: "two.jsonl", firstTargets: .init(category: "X", examples: ys),
                            secondTargets: .init(category: "Y", examples: xs),
                            firstAttributes: .init(category: "A", examples: ["a1", "a2"]),
                            secondAttributes: .init(category: "B", examples: ["b1", "b2"])),
        ]
        let result = try SEATProbe(tests: tests).run(
            on: StubModel(embedder: TableEmbedder(vectors)), bootstrap: try ProbeBootstrap(resamples: 200, seed: 1))
        let one = try #require(result.measurement("effect_size", group: "one.jsonl"))
        let two = try #require(result.measurement("effect_size", group: "two.jsonl"))
        #expect(one.value > 1 && abs(one.value + two.value) < 1e-12)
        #expect(try #require(one.low) <= one.value && one.value <= (try #require(one.high)))
        #expect(one.metric.ideal == 0 && one.metric.harmDirection == .away)
        let p = try #require(result.measurement("p_value", group: "one.jsonl")).value
        let pTwo = try #require(result.measurement("p_value", group: "two.jsonl")).value
        let holm = try #require(result.measurement("p_holm", group: "one.jsonl")).value
        #expect(holm == (try HolmBonferroni.adjusted([p, pTwo]))[0] && holm >= p)
        #expect(abs(try #require(result.measurement("mean_abs_effect_size")).value - abs(one.value)) < 1e-12)
        #expect(result.items.count == 24)
    }

    @Test("a test file without attr2 is refused with the file and the key")
    func missingKey() throws {
        let path = try ProbeFixtures.file(#"{"targ1": {"category": "X", "examples": ["a", "b"]}, "targ2": {"category": "Y", "examples": ["c", "d"]}, "attr1": {"category": "A", "examples": ["e"]}}"#, name: "broken.jsonl")
        #expect {
            try AssociationTest.read(path: path)
        } throws: { error in
            let message = (error as? ProbeError)?.errorDescription ?? ""
            return message.contains(path) && message.contains("\"attr2\"") && (error as? ProbeError)?.category == .invalidInput
        }
    }

    @Test("the 46 tests of ../shared read, with equal target sizes")
    func readsTheSharedTests() throws {
        guard let shared = TestPaths.shared else { return }
        let tests = try AssociationTest.read(paths: [shared.appendingPathComponent("data/03_seat/tests").path])
        #expect(tests.count == 46)
        #expect(tests.allSatisfy { $0.firstTargets.examples.count == $0.secondTargets.examples.count })
        #expect(tests.first { $0.name == "sent-weat1.jsonl" }?.firstTargets.examples.count == 350)
    }
}
