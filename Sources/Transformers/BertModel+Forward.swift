import Foundation

/// The encoder's output: one hidden vector per token of a packed batch.
public struct EncoderOutput: Sendable {
    /// [tokens, hidden], rows in the batch's packed order.
    public var hiddenStates: Tensor
    /// Sequence boundaries, as in `TokenBatch.offsets`.
    public var offsets: [Int]

    public var sequenceCount: Int { offsets.count - 1 }

    /// The hidden states of one sequence, [length, hidden].
    public func sequence(_ index: Int) -> Tensor {
        let width = hiddenStates.shape[1]
        let rows = offsets[index]..<offsets[index + 1]
        return Tensor(
            shape: [rows.count, width],
            scalars: Array(hiddenStates.scalars[(rows.lowerBound * width)..<(rows.upperBound * width)]))
    }
}

extension BertModel {
    /// Checks ids against the configuration; a tokenizer and model that disagree would otherwise
    /// read outside the embedding tables.
    public func validate(_ batch: TokenBatch) throws {
        let c = configuration
        let promptLength = softPrompt?.shape[0] ?? 0
        if let bad = batch.tokenIDs.first(where: { $0 < -Int32(promptLength) || Int($0) >= c.vocabularySize }) {
            throw TransformersError.invalidInput(
                reason: "token id \(bad) is outside the model's vocabulary of \(c.vocabularySize); "
                    + "do the tokenizer and the checkpoint belong together?")
        }
        if let bad = batch.tokenTypeIDs.first(where: { $0 < 0 || Int($0) >= c.typeVocabularySize }) {
            throw TransformersError.invalidInput(
                reason: "token type id \(bad) is outside 0..<\(c.typeVocabularySize)")
        }
        for index in 0..<batch.sequenceCount where batch.rows(of: index).count > c.maximumPositions {
            throw TransformersError.invalidInput(
                reason: "sequence \(index) has \(batch.rows(of: index).count) tokens; the model "
                    + "accepts at most \(c.maximumPositions) (lower --max-length)")
        }
    }

    /// The batch the encoder actually runs: with soft-prompt slots when the model has a prompt.
    public func prepared(_ batch: TokenBatch) -> TokenBatch {
        guard let softPrompt, !batch.hasPromptSlots else { return batch }
        return batch.insertingPrompt(length: softPrompt.shape[0])
    }

    /// Runs the encoder on a packed batch (inference: no dropout). With a soft prompt the
    /// output has the prompt slots too (see `prepared(_:)`), and its offsets say so.
    public func callAsFunction(_ input: TokenBatch) throws -> EncoderOutput {
        let batch = prepared(input)
        try validate(batch)
        let c = configuration
        let tokens = batch.tokenCount
        let hidden = c.hiddenSize
        var states = embed(batch)
        guard tokens > 0 else { return EncoderOutput(hiddenStates: states, offsets: batch.offsets) }
        // Scratch buffers, uninitialised: every element is written before it is read.
        let buffers = (0..<4).map { _ in ScratchBuffer(count: tokens * hidden) }
        let intermediateBuffer = ScratchBuffer(count: tokens * c.intermediateSize)
        let (query, key, value, context) = (buffers[0].pointer, buffers[1].pointer, buffers[2].pointer, buffers[3].pointer)
        let intermediate = intermediateBuffer.pointer
        // The raw pointers above do not keep their buffers alive; this does, to the end of scope.
        defer { withExtendedLifetime((buffers, intermediateBuffer)) {} }
        states.scalars.withUnsafeMutableBufferPointer { statesBuffer in
            let x = statesBuffer.baseAddress!
            /// x ← LN(x + input·Wᵀ + b): the product accumulates onto the residual stream and the
            /// bias is added inside the normalisation pass. An adapter needs the projection on its
            /// own first (in the free query buffer).
            func close(_ linear: Linear, input: UnsafePointer<Float>, adapter: BottleneckAdapter?, norm: LayerNorm) {
                guard let adapter else {
                    linear.multiply(input, rows: tokens, into: x, accumulate: true)
                    norm.apply(x, rows: tokens, into: x, adding: linear.bias?.value)
                    return
                }
                linear.apply(input, rows: tokens, into: query)
                adapter.apply(query, rows: tokens)
                Kernels.add(query, into: x, count: tokens * hidden)
                norm.apply(x, rows: tokens, into: x)
            }
            for layer in layers {
                layer.query.apply(x, rows: tokens, into: query)
                layer.key.apply(x, rows: tokens, into: key)
                layer.value.apply(x, rows: tokens, into: value)
                Attention.forward(
                    query: query, key: key, value: value, context: context,
                    offsets: batch.offsets, headCount: c.headCount, headSize: c.headSize)
                close(layer.attentionOutput, input: context, adapter: layer.attentionAdapter, norm: layer.attentionNorm)
                layer.intermediate.multiply(x, rows: tokens, into: intermediate, accumulate: false)
                layer.intermediate.bias?.value.scalars.withUnsafeBufferPointer { bias in
                    Kernels.addBiasGELU(intermediate, rows: tokens, width: c.intermediateSize, bias: bias.baseAddress!)
                }
                close(layer.output, input: intermediate, adapter: layer.outputAdapter, norm: layer.outputNorm)
            }
        }
        return EncoderOutput(hiddenStates: states, offsets: batch.offsets)
    }

    /// Word + position + token-type embeddings, layer-normalised: [tokens, hidden].
    func embed(_ batch: TokenBatch) -> Tensor {
        let hidden = configuration.hiddenSize
        var states = Tensor(shape: [batch.tokenCount, hidden])
        guard batch.tokenCount > 0 else { return states }
        states.scalars.withUnsafeMutableBufferPointer { out in
            sumEmbeddings(batch, into: out.baseAddress!)
            embeddingNorm.apply(out.baseAddress!, rows: batch.tokenCount, into: out.baseAddress!)
        }
        return states
    }

    /// Word (or soft-prompt) + position + token-type vectors for every token, before the norm.
    func sumEmbeddings(_ batch: TokenBatch, into output: UnsafeMutablePointer<Float>) {
        let hidden = configuration.hiddenSize
        let prompt = softPrompt?.value.scalars ?? []
        wordEmbeddings.table.withValue { words in
            positionEmbeddings.table.withValue { positions in
                tokenTypeEmbeddings.table.withValue { types in
                    prompt.withUnsafeBufferPointer { promptRows in
                        for token in 0..<batch.tokenCount {
                            let id = Int(batch.tokenIDs[token])
                            let w = id >= 0 ? words + id * hidden : promptRows.baseAddress! + (-1 - id) * hidden
                            let p = positions + Int(batch.positionIDs[token]) * hidden
                            let t = types + Int(batch.tokenTypeIDs[token]) * hidden
                            let row = output + token * hidden
                            for column in 0..<hidden { row[column] = w[column] + p[column] + t[column] }
                        }
                    }
                }
            }
        }
    }
}

/// Scaled dot-product self-attention over packed sequences (Vaswani et al. 2017).
public enum Attention {
    /// context = softmax(Q·Kᵀ/√d)·V for every (sequence, head), each a pair of small sgemm calls.
    ///
    /// Work items are (sequence, head) pairs handed to threads dynamically; OpenBLAS runs
    /// single-threaded inside each. Q, K, V and the context are [tokens, heads·d] with head h
    /// in columns h·d ..< (h+1)·d.
    public static func forward(
        query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
        context: UnsafeMutablePointer<Float>, offsets: [Int], headCount: Int, headSize: Int
    ) {
        let width = headCount * headSize
        let scale = 1 / Float(headSize).squareRoot()
        forEachSequenceHead(offsets: offsets, headCount: headCount, scratchPerItem: 1) { item, scores in
            let column = item.start * width + item.head * headSize
            let length = item.length
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: true, m: length, n: length, k: headSize,
                alpha: scale, a: query + column, lda: width, b: key + column, ldb: width,
                c: scores, ldc: length, parallel: false)
            Kernels.softmaxRows(scores, rows: length, width: length, stride: length)
            MatrixMultiplication.gemm(
                transposeA: false, transposeB: false, m: length, n: headSize, k: length,
                a: scores, lda: length, b: value + column, ldb: width,
                c: context + column, ldc: width, parallel: false)
        }
    }

    /// One (sequence, head) pair of a packed batch.
    struct Item {
        var sequence: Int
        var head: Int
        /// The sequence's first row and its length.
        var start: Int
        var length: Int
    }

    /// Runs `body` for every (sequence, head) pair with a non-empty sequence, handing items to
    /// threads dynamically, with `scratchPerItem` scratch matrices of the longest n×n each.
    static func forEachSequenceHead(
        offsets: [Int], headCount: Int, scratchPerItem: Int,
        _ body: (Item, UnsafeMutablePointer<Float>) -> Void
    ) {
        let sequences = offsets.count - 1
        let longest = (0..<sequences).map { offsets[$0 + 1] - offsets[$0] }.max() ?? 0
        ComputeThreads.parallelForEach(sequences * headCount) { index in
            let sequence = index / headCount
            let start = offsets[sequence]
            let length = offsets[sequence + 1] - start
            guard length > 0 else { return }
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, scratchPerItem * longest * longest))
            defer { scratch.deallocate() }
            body(Item(sequence: sequence, head: index % headCount, start: start, length: length), scratch)
        }
    }
}
