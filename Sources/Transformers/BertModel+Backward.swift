extension BertModel {
    /// Whether any parameter of layer `index` or below (embeddings included) trains, i.e.
    /// whether the backward pass must continue below that layer's output.
    func needsGradient(belowLayer index: Int) -> Bool {
        if embeddingParameters.contains(where: \.isTrainable) { return true }
        for layer in layers[..<index] where layer.parameters.contains(where: \.isTrainable) {
            return true
        }
        return false
    }

    /// Back-propagates ∂L/∂(last hidden states) through the encoder, accumulating the
    /// gradients of trainable parameters. Returns ∂L/∂(embedding output after dropout) when
    /// `wantsEmbeddingGradient` (prompt tuning needs it), else nil.
    ///
    /// Work below the lowest trainable parameter is skipped, and frozen weights get no
    /// gradient, so a linear probe or LoRA pays only for what it trains.
    @discardableResult
    public func backward(
        _ activations: BertActivations, outputGradient: Tensor, wantsEmbeddingGradient: Bool = false
    ) -> Tensor? {
        let c = configuration
        let batch = activations.batch
        let tokens = batch.tokenCount
        let hidden = c.hiddenSize
        let count = tokens * hidden
        let dx = ScratchBuffer(copying: outputGradient.scalars)
        let scratch = ScratchBuffer(count: count)
        let dq = ScratchBuffer(count: count)
        let dk = ScratchBuffer(count: count)
        let dv = ScratchBuffer(count: count)
        let dIntermediate = ScratchBuffer(count: tokens * c.intermediateSize)
        // Raw pointers taken from these do not keep them alive; this does, to the end of scope.
        defer { withExtendedLifetime((dx, scratch, dq, dk, dv, dIntermediate)) {} }
        /// Through a sublayer's closing: dx holds ∂L/∂(sublayer output) and becomes
        /// ∂L/∂(residual sum); scratch receives ∂L/∂(projection output).
        func open(_ closing: SublayerRecord, norm: LayerNorm, adapter: BottleneckAdapter?) {
            norm.backward(
                outputGradient: dx.pointer, normalized: closing.normalized.pointer,
                inverseDeviations: closing.inverseDeviations.pointer, rows: tokens, inputGradient: dx.pointer)
            scratch.pointer.update(from: dx.pointer, count: count)
            if let adapter, let record = closing.adapter { adapter.backward(scratch.pointer, rows: tokens, record: record) }
            if let m = closing.dropoutMask { Kernels.multiply(scratch.pointer, by: m.pointer, count: count) }
        }
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[index]
            let r = activations.layers[index]
            let continueBelow = needsGradient(belowLayer: index) || wantsEmbeddingGradient
            open(r.feedForward, norm: layer.outputNorm, adapter: layer.outputAdapter)
            backward(layer.output, r.linears[5], rows: tokens, dy: scratch.pointer, x: r.activated.pointer,
                     dx: dIntermediate.pointer, accumulate: false)
            Kernels.geluBackward(dIntermediate.pointer, input: r.intermediate.pointer, count: dIntermediate.count)
            // ∂L/∂(attention norm output) = residual path (dx) + feed-forward input gradient.
            backward(layer.intermediate, r.linears[4], rows: tokens, dy: dIntermediate.pointer,
                     x: r.attentionNormOutput.pointer, dx: dx.pointer, accumulate: true)
            open(r.attention, norm: layer.attentionNorm, adapter: layer.attentionAdapter)
            let needsAttentionInputs = continueBelow
                || [layer.query, layer.key, layer.value].contains { $0.parameters.contains(where: \.isTrainable) }
            let dContext = dIntermediate  // reused: the intermediate gradient is no longer needed
            backward(layer.attentionOutput, r.linears[3], rows: tokens, dy: scratch.pointer, x: r.context.pointer,
                     dx: needsAttentionInputs ? dContext.pointer : nil, accumulate: false)
            guard needsAttentionInputs else { break }
            Attention.backward(
                contextGradient: dContext.pointer, query: r.query.pointer, key: r.key.pointer,
                value: r.value.pointer, probabilities: r.probabilities.pointer,
                mask: r.probabilityMask?.pointer, queryGradient: dq.pointer, keyGradient: dk.pointer,
                valueGradient: dv.pointer, probabilityOffsets: activations.probabilityOffsets,
                offsets: batch.offsets, headCount: c.headCount, headSize: c.headSize)
            // ∂L/∂(layer input) = residual path (dx) + the three projections' input gradients.
            let target = continueBelow ? dx.pointer : nil
            backward(layer.query, r.linears[0], rows: tokens, dy: dq.pointer, x: r.input.pointer, dx: target, accumulate: true)
            backward(layer.key, r.linears[1], rows: tokens, dy: dk.pointer, x: r.input.pointer, dx: target, accumulate: true)
            backward(layer.value, r.linears[2], rows: tokens, dy: dv.pointer, x: r.input.pointer, dx: target, accumulate: true)
            guard continueBelow else { return nil }
        }
        guard needsGradient(belowLayer: 0) || wantsEmbeddingGradient else { return nil }
        if let m = activations.embeddingMask { Kernels.multiply(dx.pointer, by: m.pointer, count: count) }
        let embeddingOutputGradient = wantsEmbeddingGradient ? Tensor(shape: [tokens, hidden], scalars: dx.array) : nil
        guard embeddingParameters.contains(where: \.isTrainable) else { return embeddingOutputGradient }
        embeddingNorm.backward(
            outputGradient: dx.pointer, normalized: activations.embeddingNormalized.pointer,
            inverseDeviations: activations.embeddingInverse.pointer, rows: tokens, inputGradient: dx.pointer)
        wordEmbeddings.backward(ids: batch.tokenIDs, outputGradient: dx.pointer)
        if let softPrompt {
            // Slot k of the prompt has token id −1 − k.
            Embedding.scatterAdd(dx.pointer, ids: batch.tokenIDs, into: softPrompt) { $0 < 0 ? Int(-1 - $0) : nil }
        }
        positionEmbeddings.backward(ids: batch.positionIDs, outputGradient: dx.pointer)
        tokenTypeEmbeddings.backward(ids: batch.tokenTypeIDs, outputGradient: dx.pointer)
        return embeddingOutputGradient
    }

    /// Parameters of the embedding layer, the soft prompt included.
    var embeddingParameters: [Parameter] {
        [wordEmbeddings.table, positionEmbeddings.table, tokenTypeEmbeddings.table, embeddingNorm.gamma,
         embeddingNorm.beta] + (softPrompt.map { [$0] } ?? [])
    }

    private func backward(
        _ linear: Linear, _ record: LinearRecord, rows: Int, dy: UnsafePointer<Float>,
        x: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, accumulate: Bool
    ) {
        linear.backward(
            outputGradient: dy, input: x, rows: rows,
            inputGradient: dx, accumulateInput: accumulate,
            adapterInput: record.adapterInput.map { UnsafePointer($0.pointer) },
            adapterHidden: record.adapterHidden.map { UnsafePointer($0.pointer) },
            adapterMask: record.adapterMask.map { UnsafePointer($0.pointer) })
    }
}
