import Foundation

/// Sentence-pair contrastive training of an encoder: pooled, L2-normalised embeddings of
/// anchors and positives scored by `SymmetricContrastiveLoss` (CLIP's loss between two texts,
/// as sentence-transformers' symmetric multiple-negatives ranking loss trains models such as
/// all-MiniLM-L6-v2; Reimers and Gurevych 2019).
///
/// The logit scale s = 1/τ is held as log s in `logScale` (CLIP's parameterisation: positive by
/// construction, and a step changes it by a factor rather than an amount). It trains when the
/// parameter is trainable, otherwise τ stays fixed; as in CLIP, s is capped at 100 (τ ≥ 0.01),
/// and its gradient is zero while the cap holds.
public struct SentencePairContrastiveLoss {
    public let model: BertModel
    public var pooling: Pooling
    public let logScale: Parameter

    /// The largest logit scale (CLIP's cap).
    public static let maximumScale: Float = 100
    public static let logScaleName = "contrastive.logit_scale"

    /// A loss at temperature τ; `learnsTemperature` makes log(1/τ) a trainable parameter.
    public init(model: BertModel, pooling: Pooling = .mean, temperature: Float, learnsTemperature: Bool) {
        self.model = model
        self.pooling = pooling
        logScale = Parameter(
            name: Self.logScaleName, value: Tensor(shape: [1], scalars: [log(1 / temperature)]),
            isTrainable: learnsTemperature, decays: false)
    }

    /// s = min(exp(log s), 100).
    public var scale: Float { min(exp(logScale.value.scalars[0]), Self.maximumScale) }
    /// τ = 1/s.
    public var temperature: Float { 1 / scale }

    /// What one batch of pairs scored.
    public struct Outcome {
        /// The mean symmetric loss.
        public var loss: Double
        /// Anchors whose own positive ranked first among the batch's positives.
        public var correct: Int
    }

    /// Forward, loss and backward for one batch of (anchor, positive) encodings: gradients
    /// accumulate into the encoder's trainable parameters and, when it trains, `logScale`.
    public func accumulateGradients(anchors: [Encoding], positives: [Encoding], pass: TrainingPass) throws -> Outcome {
        let activations = try model.trainingForward(TokenBatch(anchors + positives), pass: pass)
        let (embeddings, divisors, result) = try score(activations.output, pairs: anchors.count)
        let unitGradient = Tensor(
            shape: embeddings.shape, scalars: result.anchorGradient.scalars + result.positiveGradient.scalars)
        let pooledGradient = RowNormalization.backward(outputGradient: unitGradient, normalized: embeddings, divisors: divisors)
        model.backward(
            activations, outputGradient: pooling.backward(pooledGradient: pooledGradient, offsets: activations.batch.offsets))
        if logScale.isTrainable, exp(logScale.value.scalars[0]) < Self.maximumScale {
            // ∂L/∂(log s) = s·∂L/∂s.
            logScale.withGradient { $0[0] += Float(result.scaleGradient) * scale }
        }
        return Outcome(loss: result.loss, correct: result.correct)
    }

    /// The loss and in-batch retrieval of one batch without dropout or gradients.
    public func evaluate(anchors: [Encoding], positives: [Encoding]) throws -> Outcome {
        let (_, _, result) = try score(try model(TokenBatch(anchors + positives)), pairs: anchors.count)
        return Outcome(loss: result.loss, correct: result.correct)
    }

    /// Pools and normalises the 2B sequences (anchors first) and scores them.
    private func score(_ output: EncoderOutput, pairs: Int) throws
        -> (embeddings: Tensor, divisors: [Float], result: SymmetricContrastiveLoss.Result)
    {
        let (embeddings, divisors) = RowNormalization.forward(output.pooled(pooling))
        let width = embeddings.shape[1]
        let half = pairs * width
        let anchors = Tensor(shape: [pairs, width], scalars: Array(embeddings.scalars[..<half]))
        let positives = Tensor(shape: [pairs, width], scalars: Array(embeddings.scalars[half...]))
        let result = try SymmetricContrastiveLoss.lossAndGradient(anchors: anchors, positives: positives, scale: scale)
        return (embeddings, divisors, result)
    }
}
