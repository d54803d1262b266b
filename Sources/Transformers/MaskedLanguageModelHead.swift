import Foundation

/// BERT's masked-language-model head (`BertOnlyMLMHead` in Hugging Face; Devlin et al. 2019,
/// §3.1 and appendix A.1): a transform, then a projection onto the vocabulary.
///
/// logits = LN(GELU(h·Wₜᵀ + bₜ))·Eᵀ + b, where h is an encoder hidden state [hidden], Wₜ the
/// transform's dense weight [hidden, hidden], LN a layer norm with the configuration's ε, E the
/// decoder weight [vocabulary, hidden] and b the output bias [vocabulary].
///
/// E is TIED to the word-embedding table: the decoder holds the very `Parameter` of
/// `BertModel.wordEmbeddings`, so its gradient is added to the embedding gradient and an update
/// moves both, exactly as Hugging Face's tied `BertForMaskedLM`. A checkpoint that stores a
/// `cls.predictions.decoder.weight` different from its word embeddings gets an untied decoder
/// of its own (named so, and saved so); one equal to them is treated as tied.
///
/// The head runs on gathered rows only: callers pass the hidden states of the positions they
/// score or train on, never the whole batch, because the vocabulary projection (2·hidden·V
/// flops per row) dwarfs the rest of the head.
public struct MaskedLanguageModelHead {
    /// `cls.predictions.transform.dense`, hidden → hidden.
    public let transform: Linear
    /// `cls.predictions.transform.LayerNorm`.
    public let transformNorm: LayerNorm
    /// The vocabulary projection: weight E (the word-embedding table when tied), bias
    /// `cls.predictions.bias`.
    public let decoder: Linear
    /// Whether `decoder.weight` is the encoder's word-embedding parameter.
    public let isTied: Bool

    public static let transformWeightName = "cls.predictions.transform.dense.weight"
    public static let transformBiasName = "cls.predictions.transform.dense.bias"
    public static let normWeightName = "cls.predictions.transform.LayerNorm.weight"
    public static let normBiasName = "cls.predictions.transform.LayerNorm.bias"
    public static let outputBiasName = "cls.predictions.bias"
    /// Only stored for an untied decoder.
    public static let decoderWeightName = "cls.predictions.decoder.weight"

    /// Assembles a head; `decoderWeight` is the encoder's word-embedding table for a tied head.
    public init(
        transform: Linear, transformNorm: LayerNorm, decoderWeight: Parameter, outputBias: Parameter,
        isTied: Bool
    ) {
        self.transform = transform
        self.transformNorm = transformNorm
        self.decoder = Linear(weight: decoderWeight, bias: outputBias)
        self.isTied = isTied
    }

    /// A fresh head tied to `wordEmbeddings`: transform weights N(0, 0.02) as BERT initialises,
    /// transform bias 0, layer norm γ = 1 and β = 0, output bias 0.
    public static func randomlyInitialized(
        configuration: BertConfiguration, seed: UInt64, tiedTo wordEmbeddings: Embedding
    ) -> MaskedLanguageModelHead {
        var generator = SeededGenerator(seed: seed)
        let hidden = configuration.hiddenSize
        return MaskedLanguageModelHead(
            transform: Linear(
                weight: Parameter(
                    name: transformWeightName,
                    value: generator.normalTensor(shape: [hidden, hidden], standardDeviation: 0.02)),
                bias: Parameter(name: transformBiasName, value: Tensor(shape: [hidden]))),
            transformNorm: LayerNorm(
                gamma: Parameter(name: normWeightName, value: Tensor(shape: [hidden], repeating: 1)),
                beta: Parameter(name: normBiasName, value: Tensor(shape: [hidden])),
                epsilon: configuration.layerNormEpsilon),
            decoderWeight: wordEmbeddings.table,
            outputBias: Parameter(name: outputBiasName, value: Tensor(shape: [configuration.vocabularySize])),
            isTied: true)
    }

    /// The parameters the head owns: transform, norm, output bias, and the decoder weight only
    /// when untied (a tied one belongs to the encoder and is listed there, so an optimiser
    /// that takes encoder and head parameters updates it once).
    public var parameters: [Parameter] {
        transform.parameters + [transformNorm.gamma, transformNorm.beta]
            + (isTied ? [] : [decoder.weight]) + (decoder.bias.map { [$0] } ?? [])
    }

    public var hiddenSize: Int { transform.inputSize }
    public var vocabularySize: Int { decoder.outputSize }

    /// What `forward` computed and `backward` needs, for `rows` gathered hidden states.
    public final class Activations {
        public let rows: Int
        /// The gathered hidden states, [rows, hidden].
        let input: ScratchBuffer
        /// h·Wₜᵀ + bₜ before GELU.
        let preActivation: ScratchBuffer
        /// The layer norm's output: the decoder's input.
        let transformed: ScratchBuffer
        let normalized: ScratchBuffer
        let inverseDeviations: ScratchBuffer
        /// [rows, vocabulary].
        public internal(set) var logits: Tensor

        init(rows: Int, hidden: Int, vocabulary: Int) {
            self.rows = rows
            input = ScratchBuffer(count: rows * hidden)
            preActivation = ScratchBuffer(count: rows * hidden)
            transformed = ScratchBuffer(count: rows * hidden)
            normalized = ScratchBuffer(count: rows * hidden)
            inverseDeviations = ScratchBuffer(count: rows)
            logits = Tensor(shape: [rows, vocabulary])
        }
    }

    /// Runs the head on the rows `rows` of encoder output `hiddenStates` ([tokens, hidden]),
    /// keeping what the backward pass needs (a few [rows, hidden] buffers beside the logits).
    public func forward(_ hiddenStates: Tensor, rows: [Int]) -> Activations {
        let hidden = hiddenSize
        precondition(hiddenStates.rank == 2 && hiddenStates.shape[1] == hidden, "hidden states \(hiddenStates.shape)")
        let count = rows.count
        let record = Activations(rows: count, hidden: hidden, vocabulary: vocabularySize)
        guard count > 0 else { return record }
        hiddenStates.scalars.withUnsafeBufferPointer { states in
            for (index, row) in rows.enumerated() {
                (record.input.pointer + index * hidden).update(from: states.baseAddress! + row * hidden, count: hidden)
            }
        }
        transform.apply(record.input.pointer, rows: count, into: record.preActivation.pointer)
        record.transformed.pointer.update(from: record.preActivation.pointer, count: count * hidden)
        Kernels.gelu(record.transformed.pointer, count: count * hidden)
        transformNorm.forwardRecording(
            record.transformed.pointer, rows: count, adding: nil, normalized: record.normalized.pointer,
            inverseDeviations: record.inverseDeviations.pointer)
        record.logits.scalars.withUnsafeMutableBufferPointer { logits in
            decoder.apply(record.transformed.pointer, rows: count, into: logits.baseAddress!)
        }
        return record
    }

    /// Back-propagates ∂L/∂logits ([rows, vocabulary]) through the head: accumulates the
    /// gradients of its trainable parameters (a tied decoder's share lands in the word-embedding
    /// gradient, ∂L/∂E += ∂L/∂logitsᵀ·t) and returns ∂L/∂(gathered hidden states), [rows, hidden].
    public func backward(_ record: Activations, logitsGradient: UnsafePointer<Float>) -> Tensor {
        let hidden = hiddenSize
        let count = record.rows
        var inputGradient = Tensor(shape: [count, hidden])
        guard count > 0 else { return inputGradient }
        let gradient = ScratchBuffer(count: count * hidden)
        withExtendedLifetime(gradient) {
            decoder.backward(
                outputGradient: logitsGradient, input: record.transformed.pointer, rows: count,
                inputGradient: gradient.pointer)
            transformNorm.backward(
                outputGradient: gradient.pointer, normalized: record.normalized.pointer,
                inverseDeviations: record.inverseDeviations.pointer, rows: count, inputGradient: gradient.pointer)
            Kernels.geluBackward(gradient.pointer, input: record.preActivation.pointer, count: count * hidden)
            inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                transform.backward(
                    outputGradient: gradient.pointer, input: record.input.pointer, rows: count,
                    inputGradient: dx.baseAddress!)
            }
        }
        return inputGradient
    }
}
