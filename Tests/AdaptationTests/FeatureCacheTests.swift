import Foundation
import TestSupport
import Testing

@testable import Adaptation
@testable import Transformers

@Suite struct FeatureCacheTests {
    /// The linear probe computes the features; few-shot on the same data, through a fresh cache
    /// over the same folder (as a later process would), runs no encoder forward at all.
    @Test func aSecondConsumerOfTheSameFeaturesRunsNoEncoderForward() throws {
        let folder = try TestPaths.temporaryDirectory("feature-cache")
        let base = try tinyBase()
        let train = separableExamples(count: 24, seed: 4)
        let validation = separableExamples(count: 12, seed: 5)
        let encoder = try FrozenEncoder(base: base)

        let first = FeatureCache(directory: folder)
        var generator = SeededGenerator(seed: 1)
        let probe = LinearProbe()
        let probed = try probe.prepare(base: base, labelNames: ["a", "b"], training: train, pooling: .mean, generator: &generator)
        _ = try StageAdaptation.run(
            probe, classifier: probed, training: train, validation: validation, configuration: TrainingConfiguration(),
            taskName: "t", features: FeatureSource(cache: first, encoder: encoder, pooling: .mean, maxLength: 64),
            generator: &generator)
        #expect(first.encoderPasses == 2)
        #expect(first.textsEmbedded == train.count + validation.count)

        let second = FeatureCache(directory: folder)
        let fewShot = FewShot(examplesPerClass: 4)
        let prototypes = try fewShot.prepare(base: base, labelNames: ["a", "b"], training: train, pooling: .mean, generator: &generator)
        _ = try StageAdaptation.run(
            fewShot, classifier: prototypes, training: train, validation: validation, configuration: TrainingConfiguration(),
            taskName: "t", features: FeatureSource(cache: second, encoder: encoder, pooling: .mean, maxLength: 64),
            generator: &generator)
        #expect(second.encoderPasses == 0)
        #expect(second.textsEmbedded == 0)

        // What was read back is what the encoder computes.
        let stored = try second.features(of: train.map { TextInput($0.text) }, encoder: encoder, pooling: .mean, maxLength: 64)
        let direct = try SentenceEmbedder(tokenizer: base.tokenizer, model: base.model, pooling: .mean, normalize: false, maxLength: 64)
            .embed(train.map { TextInput($0.text) })
        #expect(stored.maximumAbsoluteDifference(to: direct) == 0)
        #expect(second.encoderPasses == 0)
    }

    /// Anything that changes the features changes the key: pooling, length, texts, encoder.
    @Test func adifferentPoolingLengthTextOrEncoderIsAMiss() throws {
        let base = try tinyBase()
        let encoder = try FrozenEncoder(base: base)
        let cache = FeatureCache(directory: nil)
        let texts = separableExamples(count: 6, seed: 1).map { TextInput($0.text) }
        _ = try cache.features(of: texts, encoder: encoder, pooling: .mean, maxLength: 64)
        _ = try cache.features(of: texts, encoder: encoder, pooling: .mean, maxLength: 64)
        #expect(cache.encoderPasses == 1)
        _ = try cache.features(of: texts, encoder: encoder, pooling: .cls, maxLength: 64)
        _ = try cache.features(of: texts, encoder: encoder, pooling: .mean, maxLength: 32)
        _ = try cache.features(of: Array(texts.dropLast()), encoder: encoder, pooling: .mean, maxLength: 64)
        let other = try FrozenEncoder(base: try tinyBase(seed: 10))
        _ = try cache.features(of: texts, encoder: other, pooling: .mean, maxLength: 64)
        #expect(cache.encoderPasses == 5)
    }
}
