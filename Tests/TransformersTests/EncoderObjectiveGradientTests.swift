import Foundation
import Testing

@testable import Transformers

@Suite struct MaskingTests {
    @Test("Masking chooses round(15%) of each sequence's ordinary tokens, never [CLS] or [SEP], and repeats for a seed")
    func countsAndDeterminism() throws {
        let tokenizer = try tinyTokenizer()
        let masking = MaskedLanguageModelMasking(tokenizer: tokenizer, vocabularySize: tinyVocabulary.count)
        // Lengths between the special tokens: 8, 7, 11 and 12 choose 1, 1, 2 and 2 tokens, as in
        // ../shared/reference/mlm/mlm_grad_check.json.
        for (length, expected) in [(8, 1), (7, 1), (11, 2), (12, 2), (1, 1), (30, 5)] {
            let ids = [tokenizer.classID] + Array(repeating: Int32(16), count: length) + [tokenizer.separatorID]
            var first = SeededGenerator(seed: UInt64(length))
            var second = SeededGenerator(seed: UInt64(length))
            let masked = masking.mask(ids, generator: &first)
            #expect(masking.mask(ids, generator: &second) == masked)
            #expect(masked.labels.filter { $0 != MaskedLanguageModelLoss.ignoredLabel }.count == expected, "length \(length)")
            #expect(masked.labels.first == MaskedLanguageModelLoss.ignoredLabel && masked.labels.last == MaskedLanguageModelLoss.ignoredLabel)
            #expect(masked.ids.first == tokenizer.classID && masked.ids.last == tokenizer.separatorID)
        }
    }

    @Test("Chosen tokens become [MASK] 80%, a random ordinary token 10% and stay 10% of the time")
    func replacementShares() throws {
        let tokenizer = try tinyTokenizer()
        let masking = MaskedLanguageModelMasking(tokenizer: tokenizer, vocabularySize: tinyVocabulary.count, probability: 0.5)
        let ids = [tokenizer.classID] + Array(repeating: Int32(16), count: 40) + [tokenizer.separatorID]
        var generator = SeededGenerator(seed: 5)
        var counts = (mask: 0, random: 0, kept: 0)
        let special: Set<Int32> = [0, 1, 2, 3, 4]
        for _ in 0..<500 {
            let (masked, labels) = masking.mask(ids, generator: &generator)
            for position in labels.indices where labels[position] != MaskedLanguageModelLoss.ignoredLabel {
                #expect(labels[position] == 16)
                if masked[position] == tokenizer.maskID {
                    counts.mask += 1
                } else if masked[position] == 16 {
                    counts.kept += 1
                } else {
                    counts.random += 1
                    #expect(!special.contains(masked[position]))
                }
            }
        }
        let total = Double(counts.mask + counts.random + counts.kept)
        #expect(total == 10_000)
        // 10,000 Bernoulli draws: three standard deviations of a 10% share are 0.9 points. A
        // random replacement equal to the original (1 in the 25 ordinary ids) counts as kept.
        let ordinary = Double(tinyVocabulary.count - special.count)
        #expect(abs(Double(counts.mask) / total - 0.8) < 0.012)
        #expect(abs(Double(counts.random) / total - 0.1 * (ordinary - 1) / ordinary) < 0.009)
        #expect(abs(Double(counts.kept) / total - (0.1 + 0.1 / ordinary)) < 0.009)
    }
}

@Suite struct ContrastiveGradientTests {
    @Test("The symmetric in-batch loss equals numpy's on three pairs at two temperatures")
    func lossMatchesNumpy() throws {
        // A = [[.6,.8,0],[0,.6,.8],[.8,0,.6]]; P = [[.48,.64,.6],[0,1,0],[.6,-.8,0]]
        // def ce(L): L = L - L.max(1, keepdims=True); return -np.mean(np.diag(L) - np.log(np.exp(L).sum(1)))
        // S = s * A @ P.T; 0.5 * (ce(S) + ce(S.T)) → 2.8125597644600306 (s = 20), 0.8971516323123263 (s = 2.5)
        let anchors = Tensor(shape: [3, 3], scalars: [0.6, 0.8, 0, 0, 0.6, 0.8, 0.8, 0, 0.6])
        let positives = Tensor(shape: [3, 3], scalars: [0.48, 0.64, 0.6, 0, 1, 0, 0.6, -0.8, 0])
        for (scale, expected) in [(Float(20), 2.8125597644600306), (2.5, 0.8971516323123263)] {
            let result = try SymmetricContrastiveLoss.lossAndGradient(anchors: anchors, positives: positives, scale: scale)
            #expect(abs(result.loss - expected) < 2e-6, "scale \(scale): \(result.loss)")
        }
    }

    @Test("Loss gradients for anchors, positives and the logit scale match central differences")
    func lossGradientsMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 8)
        let anchors = generator.normalTensor(shape: [4, 5], standardDeviation: 0.5)
        let positives = generator.normalTensor(shape: [4, 5], standardDeviation: 0.5)
        let scale: Float = 3
        let result = try SymmetricContrastiveLoss.lossAndGradient(anchors: anchors, positives: positives, scale: scale)
        func loss(_ a: Tensor, _ p: Tensor, _ s: Float) throws -> Double {
            try SymmetricContrastiveLoss.lossAndGradient(anchors: a, positives: p, scale: s).loss
        }
        let epsilon: Float = 1e-2
        for index in 0..<anchors.count {
            var plus = anchors, minus = anchors
            plus.scalars[index] += epsilon
            minus.scalars[index] -= epsilon
            let numeric = (try loss(plus, positives, scale) - loss(minus, positives, scale)) / Double(2 * epsilon)
            #expect(abs(Double(result.anchorGradient.scalars[index]) - numeric) <= 1e-3 + 0.02 * abs(numeric), "a[\(index)]")
            var plusP = positives, minusP = positives
            plusP.scalars[index] += epsilon
            minusP.scalars[index] -= epsilon
            let numericP = (try loss(anchors, plusP, scale) - loss(anchors, minusP, scale)) / Double(2 * epsilon)
            #expect(abs(Double(result.positiveGradient.scalars[index]) - numericP) <= 1e-3 + 0.02 * abs(numericP), "p[\(index)]")
        }
        let numericScale = (try loss(anchors, positives, scale + epsilon) - loss(anchors, positives, scale - epsilon)) / Double(2 * epsilon)
        #expect(abs(result.scaleGradient - numericScale) <= 1e-3 + 0.02 * abs(numericScale))
    }

    @Test("Row normalisation's backward pass matches central differences")
    func normalizationBackward() throws {
        var generator = SeededGenerator(seed: 2)
        let rows = generator.normalTensor(shape: [3, 4], standardDeviation: 1)
        let weights = generator.normalTensor(shape: [3, 4], standardDeviation: 1)
        func loss(_ x: Tensor) -> Double {
            let y = RowNormalization.forward(x).normalized
            return zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0 * $1.1) }
        }
        let (normalized, divisors) = RowNormalization.forward(rows)
        let gradient = RowNormalization.backward(outputGradient: weights, normalized: normalized, divisors: divisors)
        for index in 0..<rows.count {
            var plus = rows, minus = rows
            plus.scalars[index] += 1e-3
            minus.scalars[index] -= 1e-3
            let numeric = (loss(plus) - loss(minus)) / 2e-3
            #expect(abs(Double(gradient.scalars[index]) - numeric) < 2e-3, "x[\(index)]")
        }
    }

    /// The whole contrastive pass over a tiny encoder: pooling, normalisation, the loss.
    func contrastiveLoss(_ model: BertModel, learnsTemperature: Bool, pooling: Pooling) throws
        -> (loss: SentencePairContrastiveLoss, anchors: [Encoding], positives: [Encoding])
    {
        let tokenizer = try tinyTokenizer()
        let loss = SentencePairContrastiveLoss(model: model, pooling: pooling, temperature: 0.5, learnsTemperature: learnsTemperature)
        return (loss, ["hello world", "the cats", "a b c"].map { tokenizer.encode($0) },
                ["hello, world!", "cat", "c b a"].map { tokenizer.encode($0) })
    }

    @Test("Every encoder gradient of the contrastive pass, and the learned temperature's, match central differences",
          arguments: [Pooling.mean, .cls])
    func contrastivePassMatchesFiniteDifferences(pooling: Pooling) throws {
        let model = try tinyModel()
        let (loss, anchors, positives) = try contrastiveLoss(model, learnsTemperature: true, pooling: pooling)
        let parameters = (model.parameters + [loss.logScale]).filter(\.isTrainable)
        for parameter in parameters { parameter.gradient = nil }
        _ = try loss.accumulateGradients(anchors: anchors, positives: positives, pass: .deterministic)
        let checked = try expectGradientsMatchCentralDifferences(parameters, samples: 3, loss: {
            try loss.evaluate(anchors: anchors, positives: positives).loss
        }, sourceLocation: #_sourceLocation)
        #expect(checked > 20)
        #expect(loss.logScale.gradient != nil)
    }

    @Test("A fixed temperature gets no gradient and the scale is capped at 100")
    func fixedTemperature() throws {
        let model = try tinyModel()
        let (loss, anchors, positives) = try contrastiveLoss(model, learnsTemperature: false, pooling: .mean)
        _ = try loss.accumulateGradients(anchors: anchors, positives: positives, pass: .deterministic)
        #expect(loss.logScale.gradient == nil && abs(loss.temperature - 0.5) < 1e-6)
        let sharp = SentencePairContrastiveLoss(model: model, temperature: 0.001, learnsTemperature: true)
        #expect(sharp.scale == 100)
    }
}

@Suite struct MaskedLanguageModelLossTests {
    @Test("The vectorised training loss and its gradient agree with the Double normaliser")
    func vectorisedLossMatchesDoubleNormaliser() throws {
        var generator = SeededGenerator(seed: 12)
        let width = 30_522
        var logits = generator.normalTensor(shape: [3, width], standardDeviation: 4)
        logits.scalars[5] = 60  // a dominant logit in row 0
        let targets = [7, 30_000, 12_345]
        let (loss, gradient) = MaskedLanguageModelLoss.lossAndGradient(logits: logits, targets: targets)
        var expected = 0.0
        for (row, target) in targets.enumerated() {
            let normaliser = logits.scalars.withUnsafeBufferPointer {
                MaskedLanguageModelLoss.logSumExp($0.baseAddress! + row * width, width: width)
            }
            expected += (normaliser - Double(logits[row, target])) / 3
            for column in [target, 5, 29_999] {
                let probability = exp(Double(logits[row, column]) - normaliser)
                let analytic = (probability - (column == target ? 1 : 0)) / 3
                #expect(abs(Double(gradient[row, column]) - analytic) < 1e-6 * max(1, abs(analytic) * 1e3), "[\(row), \(column)]")
            }
        }
        #expect(abs(loss - expected) < 1e-5 * expected, "\(loss) vs \(expected)")
    }
}
