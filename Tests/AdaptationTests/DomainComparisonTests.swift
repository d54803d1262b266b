import Evaluation
import Foundation
import TestSupport
import Testing

@testable import Adaptation
@testable import Transformers

@Suite struct DomainComparisonTests {
    @Test func identicalCorporaAreZeroApartOnEveryMeasure() throws {
        let base = try tinyBase()
        let texts = separableExamples(count: 40, seed: 3).map(\.text)
        let comparison = try DomainComparison.measure(
            source: ("a", texts), target: ("b", texts), encoder: try FrozenEncoder(base: base), cache: FeatureCache(directory: nil))
        #expect(abs(comparison.unigram.jensenShannon) < 1e-12)
        #expect(abs(comparison.unigram.firstToSecond) < 1e-12 && abs(comparison.unigram.secondToFirst) < 1e-12)
        #expect(abs(comparison.cosine - 1) < 1e-6)
        #expect(abs(comparison.maximumMeanDiscrepancy.squaredDiscrepancy) < 1e-9)
        #expect(comparison.maximumMeanDiscrepancy.pValue > 0.5)
        // Each text sits in both sets, so the domain classifier can only memorise: chance or worse.
        #expect(comparison.proxyADistance.distance < 0.2, "d_A = \(comparison.proxyADistance.distance)")
        #expect(comparison.sourceTexts == 40 && comparison.targetTexts == 40)
    }

    @Test func corporaWithDisjointWordsAreOneBitApartAndTheMeasureIsSymmetric() throws {
        let base = try tinyBase()
        let first = Array(repeating: "alpha beta", count: 6)
        let second = Array(repeating: "gamma delta", count: 6)
        let encoder = try FrozenEncoder(base: base)
        let forward = try DomainComparison.measure(
            source: ("a", first), target: ("b", second), encoder: encoder, cache: FeatureCache(directory: nil), tokens: .words)
        let backward = try DomainComparison.measure(
            source: ("b", second), target: ("a", first), encoder: encoder, cache: FeatureCache(directory: nil), tokens: .words)
        #expect(abs(forward.unigram.jensenShannon - 1) < 1e-4)
        #expect(forward.unigram.jensenShannon == backward.unigram.jensenShannon)
        #expect(abs(forward.maximumMeanDiscrepancy.squaredDiscrepancy - backward.maximumMeanDiscrepancy.squaredDiscrepancy) < 1e-9)
        #expect(forward.unigram.firstToSecond == backward.unigram.secondToFirst)
    }

    @Test func anEmptyCorpusIsAnErrorNamingItNotANaN() throws {
        let encoder = try FrozenEncoder(base: try tinyBase())
        #expect {
            try DomainComparison.measure(source: ("kitchen.jsonl", ["a b", "c d", "e f", "g h"]), target: ("empty.jsonl", []),
                                         encoder: encoder, cache: FeatureCache(directory: nil))
        } throws: { error in
            let message = (error as? AdaptationError)?.errorDescription ?? ""
            return message.contains("empty.jsonl") && message.contains("corpus is empty")
        }
    }
}
