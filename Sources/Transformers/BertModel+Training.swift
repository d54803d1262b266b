/// Dropout probabilities and the seed for one training forward pass.
public struct TrainingPass: Sendable {
    public var hiddenDropout: Float
    public var attentionDropout: Float
    /// Seeds every dropout mask of the pass; same seed, same masks, whatever the thread count.
    public var seed: UInt64

    public init(hiddenDropout: Float, attentionDropout: Float, seed: UInt64) {
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
        self.seed = seed
    }

    /// No dropout: the pass computes exactly the inference forward.
    public static let deterministic = TrainingPass(hiddenDropout: 0, attentionDropout: 0, seed: 0)
}

/// What one `Linear` saw in a training forward, for its backward pass.
final class LinearRecord {
    /// The adapter's input after its dropout, when it has dropout.
    var adapterInput: ScratchBuffer?
    var adapterMask: ScratchBuffer?
    /// x·Aᵀ, when the layer has an adapter.
    var adapterHidden: ScratchBuffer?
}

/// What closing a sublayer, y = LN(residual + adapter(dropout(projection))), kept for backward.
final class SublayerRecord {
    var dropoutMask: ScratchBuffer?
    var adapter: BottleneckAdapter.Record?
    var normalized: ScratchBuffer
    var inverseDeviations: ScratchBuffer

    init(tokens: Int, hidden: Int) {
        normalized = ScratchBuffer(count: tokens * hidden)
        inverseDeviations = ScratchBuffer(count: tokens)
    }
}

/// The activations of one encoder layer kept for the backward pass.
final class LayerRecord {
    var input: ScratchBuffer!
    var query: ScratchBuffer!
    var key: ScratchBuffer!
    var value: ScratchBuffer!
    /// Softmax probabilities before dropout, one n×n block per (sequence, head).
    var probabilities: ScratchBuffer!
    var probabilityMask: ScratchBuffer?
    var context: ScratchBuffer!
    /// The attention sublayer's closing (dropout, adapter, residual, norm); its output.
    var attention: SublayerRecord!
    var attentionNormOutput: ScratchBuffer!
    var intermediate: ScratchBuffer!
    var activated: ScratchBuffer!
    /// The feed-forward sublayer's closing.
    var feedForward: SublayerRecord!
    var linears: [LinearRecord] = (0..<6).map { _ in LinearRecord() }
}

/// Everything a training forward pass keeps for `BertModel.backward`.
public final class BertActivations {
    public let batch: TokenBatch
    /// Start of each (sequence, head) probability block is probabilityOffsets[s] · heads + h·n².
    let probabilityOffsets: [Int]
    var embeddingNormalized: ScratchBuffer!
    var embeddingInverse: ScratchBuffer!
    var embeddingMask: ScratchBuffer?
    var layers: [LayerRecord] = []
    /// The last layer's output, [tokens, hidden].
    public internal(set) var hiddenStates: Tensor

    init(batch: TokenBatch, hidden: Int) {
        self.batch = batch
        var offsets = [0]
        for index in 0..<batch.sequenceCount {
            let length = batch.rows(of: index).count
            offsets.append(offsets[index] + length * length)
        }
        probabilityOffsets = offsets
        hiddenStates = Tensor(shape: [batch.tokenCount, hidden])
    }

    /// The encoder output in the inference type.
    public var output: EncoderOutput { EncoderOutput(hiddenStates: hiddenStates, offsets: batch.offsets) }
}

extension BertLayer {
    /// The layer's linear maps in a fixed order, matching `LayerRecord.linears`.
    var linears: [Linear] { [query, key, value, attentionOutput, intermediate, output] }
}

extension BertModel {
    /// A forward pass that applies dropout and records what the backward pass needs.
    public func trainingForward(_ input: TokenBatch, pass: TrainingPass) throws -> BertActivations {
        let batch = prepared(input)
        try validate(batch)
        let c = configuration
        let tokens = batch.tokenCount
        let hidden = c.hiddenSize
        let record = BertActivations(batch: batch, hidden: hidden)
        var x = embed(batch, recordingInto: record)
        var site = 1
        func mask(_ count: Int, _ p: Float) -> ScratchBuffer? {
            defer { site += 1 }
            return Dropout.buffer(count: count, probability: p, seed: Dropout.siteSeed(step: pass.seed, site: site))
        }
        if let embeddingMask = mask(tokens * hidden, pass.hiddenDropout) {
            record.embeddingMask = embeddingMask
            Kernels.multiply(x.pointer, by: embeddingMask.pointer, count: tokens * hidden)
        }
        for layer in layers {
            let r = LayerRecord()
            r.input = x
            func project(_ linear: Linear, _ index: Int, _ input: ScratchBuffer, into output: UnsafeMutablePointer<Float>) {
                let linearRecord = r.linears[index]
                var adapterInput: UnsafePointer<Float>?
                if let adapter = linear.adapter {
                    linearRecord.adapterHidden = ScratchBuffer(count: tokens * adapter.rank)
                    if let adapterMask = mask(input.count, adapter.dropout) {
                        let dropped = ScratchBuffer(count: input.count)
                        dropped.pointer.update(from: input.pointer, count: input.count)
                        Kernels.multiply(dropped.pointer, by: adapterMask.pointer, count: input.count)
                        linearRecord.adapterInput = dropped
                        linearRecord.adapterMask = adapterMask
                        adapterInput = UnsafePointer(dropped.pointer)
                    }
                }
                linear.apply(
                    input.pointer, rows: tokens, into: output, adapterInput: adapterInput,
                    adapterHidden: linearRecord.adapterHidden?.pointer)
            }
            r.query = ScratchBuffer(count: tokens * hidden)
            r.key = ScratchBuffer(count: tokens * hidden)
            r.value = ScratchBuffer(count: tokens * hidden)
            project(layer.query, 0, x, into: r.query.pointer)
            project(layer.key, 1, x, into: r.key.pointer)
            project(layer.value, 2, x, into: r.value.pointer)
            r.probabilities = ScratchBuffer(count: record.probabilityOffsets.last! * c.headCount)
            r.probabilityMask = mask(r.probabilities.count, pass.attentionDropout)
            r.context = ScratchBuffer(count: tokens * hidden)
            Attention.trainingForward(
                query: r.query.pointer, key: r.key.pointer, value: r.value.pointer,
                context: r.context.pointer, probabilities: r.probabilities.pointer,
                mask: r.probabilityMask?.pointer, probabilityOffsets: record.probabilityOffsets,
                offsets: batch.offsets, headCount: c.headCount, headSize: c.headSize)
            /// projected ← LN(residual + adapter(dropout(projected))), recording each step.
            func close(_ projected: ScratchBuffer, residual: ScratchBuffer, adapter: BottleneckAdapter?,
                       norm: LayerNorm) -> SublayerRecord {
                let closing = SublayerRecord(tokens: tokens, hidden: hidden)
                closing.dropoutMask = mask(tokens * hidden, pass.hiddenDropout)
                if let m = closing.dropoutMask { Kernels.multiply(projected.pointer, by: m.pointer, count: m.count) }
                if let adapter {
                    let adapterRecord = BottleneckAdapter.Record(rows: tokens, width: hidden, bottleneck: adapter.bottleneck)
                    adapter.apply(projected.pointer, rows: tokens, record: adapterRecord)
                    closing.adapter = adapterRecord
                }
                Kernels.add(residual.pointer, into: projected.pointer, count: tokens * hidden)
                norm.forwardRecording(
                    projected.pointer, rows: tokens, adding: nil, normalized: closing.normalized.pointer,
                    inverseDeviations: closing.inverseDeviations.pointer)
                return closing
            }
            let attentionOutput = ScratchBuffer(count: tokens * hidden)
            project(layer.attentionOutput, 3, r.context, into: attentionOutput.pointer)
            r.attention = close(attentionOutput, residual: x, adapter: layer.attentionAdapter, norm: layer.attentionNorm)
            r.attentionNormOutput = attentionOutput
            r.intermediate = ScratchBuffer(count: tokens * c.intermediateSize)
            project(layer.intermediate, 4, attentionOutput, into: r.intermediate.pointer)
            r.activated = ScratchBuffer(count: r.intermediate.count)
            r.activated.pointer.update(from: r.intermediate.pointer, count: r.intermediate.count)
            Kernels.gelu(r.activated.pointer, count: r.activated.count)
            let output = ScratchBuffer(count: tokens * hidden)
            project(layer.output, 5, r.activated, into: output.pointer)
            r.feedForward = close(output, residual: attentionOutput, adapter: layer.outputAdapter, norm: layer.outputNorm)
            record.layers.append(r)
            x = output
        }
        record.hiddenStates = Tensor(shape: [tokens, hidden], scalars: x.array)
        return record
    }

    /// Embeddings with the normalisation's x̂ and 1/σ recorded.
    private func embed(_ batch: TokenBatch, recordingInto record: BertActivations) -> ScratchBuffer {
        let hidden = configuration.hiddenSize
        let tokens = batch.tokenCount
        let output = ScratchBuffer(count: tokens * hidden)
        sumEmbeddings(batch, into: output.pointer)
        record.embeddingNormalized = ScratchBuffer(count: tokens * hidden)
        record.embeddingInverse = ScratchBuffer(count: tokens)
        embeddingNorm.forwardRecording(
            output.pointer, rows: tokens, adding: nil, normalized: record.embeddingNormalized.pointer,
            inverseDeviations: record.embeddingInverse.pointer)
        return output
    }
}
