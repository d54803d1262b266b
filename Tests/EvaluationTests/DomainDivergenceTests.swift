import Foundation
import Testing

@testable import Evaluation

@Suite struct DomainDivergenceTests {
    @Test("smoothed unigram KL and JS equal scipy's on small corpora")
    func unigramDivergencesMatchScipy() throws {
        // from scipy.stats import entropy; from scipy.spatial.distance import jensenshannon
        // eps = 1e-6; P = {"the": 5, "cat": 3, "sat": 2}; Q = {"the": 4, "dog": 6, "sat": 1}
        // vocab = sorted(set(P) | set(Q))
        // p = np.array([P.get(v, 0) + eps for v in vocab]); p /= p.sum()   (q likewise)
        // entropy(p, q, base=2), entropy(q, p, base=2), jensenshannon(p, q, base=2)**2
        let divergences = try DomainDivergence.unigram(["the": 5, "cat": 3, "sat": 2], ["the": 4, "dog": 6, "sat": 1])
        #expect(isClose(divergences.firstToSecond, 6.953424109502813, relative: 1e-12))
        #expect(isClose(divergences.secondToFirst, 11.936262699285423, relative: 1e-12))
        #expect(isClose(divergences.jensenShannon, 0.44564505126682247, relative: 1e-12))
        let (p, q) = try UnigramDistribution.smoothedPair(["the": 5, "cat": 3, "sat": 2], ["the": 4, "dog": 6, "sat": 1])
        #expect(p.vocabulary == ["cat", "dog", "sat", "the"] && q.vocabulary == p.vocabulary)
        #expect(abs(p.probabilities.reduce(0, +) - 1) <= 1e-15)
        #expect(p.tokenCount == 10 && q.tokenCount == 11)
    }

    @Test("KL and JS of probability vectors equal scipy's, normalising first as scipy does")
    func vectorDivergencesMatchScipy() throws {
        // entropy([0.1, 0.4, 0.5], [0.8, 0.15, 0.05], base=2); jensenshannon(..., base=2)**2
        #expect(isClose(try DomainDivergence.kullbackLeibler([0.1, 0.4, 0.5], [0.8, 0.15, 0.05]), 1.9269790471552188, relative: 1e-12))
        #expect(isClose(try DomainDivergence.jensenShannonDivergence([0.1, 0.4, 0.5], [0.8, 0.15, 0.05]), 0.4202005703763732, relative: 1e-12))
        // entropy([1, 2, 3, 0], [3, 1, 1, 5], base=2); jensenshannon([1, 2, 3, 0], [3, 1, 1, 5], base=2)**2
        #expect(isClose(try DomainDivergence.kullbackLeibler([1, 2, 3, 0], [3, 1, 1, 5]), 1.5986197610732582, relative: 1e-12))
        #expect(isClose(try DomainDivergence.jensenShannonDivergence([1, 2, 3, 0], [3, 1, 1, 5]), 0.41673408506906146, relative: 1e-12))
        #expect(try DomainDivergence.kullbackLeibler([0.5, 0.5], [1, 0]) == .infinity)
    }

    @Test("identical corpora diverge by 0, JS is symmetric and KL is never negative")
    func basicProperties() throws {
        let corpus = ["a": 3, "b": 9, "c": 1]
        let same = try DomainDivergence.unigram(corpus, corpus)
        #expect(same.firstToSecond == 0 && same.secondToFirst == 0 && same.jensenShannon == 0)
        var generator = SplitMix64(seed: 3)
        for _ in 0..<50 {
            let p = (0..<8).map { _ in generator.below(5) }
            let q = (0..<8).map { _ in generator.below(5) }
            guard p.contains(where: { $0 > 0 }), q.contains(where: { $0 > 0 }) else { continue }
            let first = Dictionary(uniqueKeysWithValues: p.enumerated().map { ($0, $1) })
            let second = Dictionary(uniqueKeysWithValues: q.enumerated().map { ($0, $1) })
            let forward = try DomainDivergence.unigram(first, second)
            let backward = try DomainDivergence.unigram(second, first)
            #expect(forward.jensenShannon == backward.jensenShannon)
            #expect(forward.firstToSecond >= 0 && forward.secondToFirst >= 0)
            #expect(forward.firstToSecond == backward.secondToFirst)
            #expect((0...1).contains(forward.jensenShannon))
        }
    }

    @Test("disjoint vocabularies are 1 bit apart to 1e-4 from 10 to 100,000 tokens")
    func disjointVocabulariesAreOneBitApart() throws {
        for (tokens, types) in [(10, 5), (1000, 300), (100_000, 20_000)] {
            let first = Dictionary(uniqueKeysWithValues: (0..<types).map { ("p\($0)", tokens / types) })
            let second = Dictionary(uniqueKeysWithValues: (0..<types).map { ("q\($0)", tokens / types) })
            let divergences = try DomainDivergence.unigram(first, second)
            #expect(abs(divergences.jensenShannon - 1) <= 1e-4, "\(tokens) tokens: JS = \(divergences.jensenShannon)")
            #expect(divergences.firstToSecond.isFinite && divergences.firstToSecond > 20)
        }
    }

    @Test("an empty corpus is an error, not a NaN")
    func emptyCorpusIsAnError() {
        #expect(throws: EvaluationError.invalidArgument(reason: "the second corpus has no tokens; an empty corpus is an error, not a NaN")) {
            try DomainDivergence.unigram(["a": 1], [String: Int]())
        }
        #expect(throws: EvaluationError.self) { try DomainDivergence.unigram(["a": 1], ["a": -2]) }
        #expect(throws: EvaluationError.self) { try DomainDivergence.unigram(["a": 1], ["b": 1], smoothing: 0) }
        #expect(throws: EvaluationError.self) { try DomainDivergence.jensenShannonDivergence([1, 0], [0, 0]) }
        #expect(throws: EvaluationError.self) { try DomainDivergence.kullbackLeibler([1, 0], [1]) }
    }

    @Test("cosine similarity of means: 1 for the same direction, −1 for opposite, errors for bad sets")
    func cosineSimilarityOfMeans() throws {
        let a = try Matrix(rowArrays: [[1, 2, 0], [3, 2, 0]])
        let b = try Matrix(rowArrays: [[4, 4, 0]])
        let c = try Matrix(rowArrays: [[-1, -1, 0], [-3, -3, 0]])
        let d = try Matrix(rowArrays: [[0, 0, 5]])
        #expect(abs(try DomainDivergence.cosineSimilarityOfMeans(a, b) - 1) <= 1e-15)
        #expect(abs(try DomainDivergence.cosineSimilarityOfMeans(a, c) + 1) <= 1e-15)
        #expect(abs(try DomainDivergence.cosineSimilarityOfMeans(a, d)) <= 1e-15)
        // means (1, 0.5) and (0.2, 0.9): cos = (0.2 + 0.45) / (√1.25 · √0.85)
        let e = try Matrix(rowArrays: [[1.5, 0], [0.5, 1]])
        let f = try Matrix(rowArrays: [[0.2, 0.9]])
        #expect(abs(try DomainDivergence.cosineSimilarityOfMeans(e, f) - 0.65 / (1.25 * 0.85).squareRoot()) <= 1e-15)
        #expect(throws: EvaluationError.self) { try DomainDivergence.cosineSimilarityOfMeans(a, Matrix(rowArrays: [[1, 2]])) }
        #expect(throws: EvaluationError.self) { try DomainDivergence.cosineSimilarityOfMeans(a, Matrix(rowArrays: [[1, 0, 0], [-1, 0, 0]])) }
        #expect(throws: EvaluationError.self) { try DomainDivergence.cosineSimilarityOfMeans(a, Matrix(rows: 0, columns: 3, values: [Double]())) }
    }

    @Test("the proxy A-distance is about 0 for one distribution and about 2 for separated ones")
    func proxyADistance() throws {
        var generator = SplitMix64(seed: 11)
        let zero = [Double](repeating: 0, count: 8)
        let a = SyntheticFeatures.gaussianCloud(rows: 200, columns: 8, mean: zero, generator: &generator)
        let b = SyntheticFeatures.gaussianCloud(rows: 200, columns: 8, mean: zero, generator: &generator)
        let same = try ProxyADistance.measure(a, b, seed: 1)
        #expect(same.distance < 0.3, "d_A = \(same.distance), error \(same.heldOutError)")
        #expect(abs(same.heldOutError - 0.5) < 0.1)
        let far = SyntheticFeatures.gaussianCloud(rows: 200, columns: 8, mean: [Double](repeating: 3, count: 8), generator: &generator)
        let apart = try ProxyADistance.measure(a, far, seed: 1)
        #expect(apart.distance > 1.9, "d_A = \(apart.distance)")
        #expect(LogisticRegression.defaultStrengthGrid.contains(apart.strength))
        // Seeded: the same inputs and seed repeat exactly.
        #expect(try ProxyADistance.measure(a, far, seed: 1) == apart)
        #expect(throws: EvaluationError.self) { try ProxyADistance.measure(a.selectingRows([0, 1, 2]), b) }
        #expect(throws: EvaluationError.self) { try ProxyADistance.measure(a, Matrix(rows: 4, columns: 2, values: [Double](repeating: 0, count: 8))) }
    }

    @Test("stratified index splits keep label proportions and repeat for a seed")
    func stratifiedIndices() throws {
        let labels = [Int](repeating: 0, count: 30) + [Int](repeating: 1, count: 10)
        let parts = try Splits.stratifiedIndices(labels: labels, classCount: 2, fractions: [0.5, 0.5], seed: 4)
        #expect(parts.map { $0.filter { labels[$0] == 0 }.count } == [15, 15])
        #expect(parts.map { $0.filter { labels[$0] == 1 }.count } == [5, 5])
        #expect(Set(parts[0]).isDisjoint(with: parts[1]) && Set(parts[0] + parts[1]) == Set(0..<40))
        #expect(try Splits.stratifiedIndices(labels: labels, classCount: 2, fractions: [0.5, 0.5], seed: 4) == parts)
    }
}
