import Foundation

/// A token sequence and the positions of it to score by masking.
public struct ScoredSequence: Sendable, Equatable {
    /// Token ids with the special tokens ([CLS] … [SEP]) already in place.
    public var ids: [Int32]
    public var typeIDs: [Int32]
    /// Positions (indices into `ids`) to mask and score, one masked copy each.
    public var positions: [Int]

    /// A sequence; token types default to 0 throughout (a single segment).
    public init(ids: [Int32], typeIDs: [Int32]? = nil, positions: [Int]) {
        self.ids = ids
        self.typeIDs = typeIDs ?? [Int32](repeating: 0, count: ids.count)
        self.positions = positions
    }

    /// Token types of a pair encoded as `[CLS] a [SEP] b [SEP]`: 0 up to and including the first
    /// [SEP], 1 after it, as BERT's tokenizer assigns them (Devlin et al. 2019, §3).
    public static func pairTypeIDs(_ ids: [Int32], separatorID: Int32) -> [Int32] {
        guard let firstSeparator = ids.firstIndex(of: separatorID) else {
            return [Int32](repeating: 0, count: ids.count)
        }
        return ids.indices.map { $0 <= firstSeparator ? 0 : 1 }
    }
}

/// One entry of a masked position's predicted distribution.
public struct MaskedPrediction: Sendable, Equatable {
    public var tokenID: Int32
    public var logProbability: Double
}

/// A scored position: the original token's masked log-probability and, when asked for, the
/// most probable tokens at that position.
public struct MaskedPositionScore: Sendable, Equatable {
    public var logProbability: Double
    /// Highest first; empty unless a top count was asked for.
    public var top: [MaskedPrediction]
}

/// An encoder with its masked-LM head, scoring tokens by masked log-probability.
///
/// The masked log-probability of position p of a sequence is log softmax(logits)[original id]
/// at p, after replacing the token at p (and only it) by [MASK] — one masked copy of the
/// sequence per position. It is the building block of pseudo-log-likelihood scores (Salazar et
/// al. 2020), CrowS-Pairs (Nangia et al. 2020) and StereoSet (Nadeem et al. 2021).
///
/// Copies are packed without padding into batches of at most `maximumBatchTokens` tokens and
/// `maximumBatchRows` copies; the encoder spreads each batch over the worker pool (its products
/// are split by rows, attention by sequence and head), only each copy's masked row goes through
/// the head and its vocabulary projection, and the log-softmax rows run in parallel. Scores do
/// not depend on how copies are batched (packing is exact) nor on the thread count.
public struct BertMaskedLanguageModel {
    public let model: BertModel
    public let head: MaskedLanguageModelHead
    public let maskID: Int32
    /// Tokens per encoder batch; 8,192 keeps a MiniLM batch's activations near 50 MB.
    public var maximumBatchTokens = 8192
    /// Scored copies per batch, bounding the [rows, vocabulary] logits (512 × 30,522 floats is
    /// 62 MB).
    public var maximumBatchRows = 512

    public init(model: BertModel, head: MaskedLanguageModelHead, maskID: Int32) {
        self.model = model
        self.head = head
        self.maskID = maskID
    }

    /// The checkpoint's model and head; throws (invalid input) when it has no masked-LM head.
    public init(checkpoint: Checkpoint) throws {
        self.init(
            model: checkpoint.model, head: try checkpoint.requireMaskedLanguageModelHead(),
            maskID: checkpoint.tokenizer.maskID)
    }

    /// The masked log-probability of each requested position of each sequence, in order.
    public func logProbabilities(of sequences: [ScoredSequence]) throws -> [[Double]] {
        try scores(of: sequences, top: 0).map { $0.map(\.logProbability) }
    }

    /// Masked log-probabilities with the `top` most probable tokens at each position.
    public func scores(of sequences: [ScoredSequence], top: Int) throws -> [[MaskedPositionScore]] {
        try check(sequences)
        var results = sequences.map {
            [MaskedPositionScore](repeating: MaskedPositionScore(logProbability: 0, top: []), count: $0.positions.count)
        }
        var batch = TokenBatch()
        var pending: [(sequence: Int, slot: Int)] = []
        func flush() throws {
            guard !pending.isEmpty else { return }
            try score(batch, copies: pending, sequences: sequences, top: top, into: &results)
            batch = TokenBatch()
            pending.removeAll(keepingCapacity: true)
        }
        for (index, sequence) in sequences.enumerated() {
            for (slot, position) in sequence.positions.enumerated() {
                if batch.tokenCount + sequence.ids.count > maximumBatchTokens || pending.count >= maximumBatchRows {
                    try flush()
                }
                var masked = sequence.ids
                masked[position] = maskID
                batch.append(ids: masked, typeIDs: sequence.typeIDs)
                pending.append((index, slot))
            }
        }
        try flush()
        return results
    }

    private func check(_ sequences: [ScoredSequence]) throws {
        for (index, sequence) in sequences.enumerated() {
            guard sequence.typeIDs.count == sequence.ids.count else {
                throw TransformersError.invalidInput(
                    reason: "sequence \(index) has \(sequence.ids.count) ids but \(sequence.typeIDs.count) token type ids")
            }
            if let bad = sequence.positions.first(where: { !sequence.ids.indices.contains($0) }) {
                throw TransformersError.invalidInput(
                    reason: "sequence \(index): position \(bad) to score is outside its \(sequence.ids.count) tokens")
            }
        }
    }

    /// Runs one packed batch of masked copies and writes each copy's score into `results`.
    private func score(
        _ batch: TokenBatch, copies: [(sequence: Int, slot: Int)], sequences: [ScoredSequence], top: Int,
        into results: inout [[MaskedPositionScore]]
    ) throws {
        let output = try model(batch)
        let rows = copies.enumerated().map { copy, item in
            encoderRow(position: sequences[item.sequence].positions[item.slot], of: copy, in: output.offsets)
        }
        let logits = head.forward(output.hiddenStates, rows: rows).logits
        let width = head.vocabularySize
        var scored = [MaskedPositionScore](repeating: MaskedPositionScore(logProbability: 0, top: []), count: copies.count)
        logits.scalars.withUnsafeBufferPointer { logitBuffer in
            scored.withUnsafeMutableBufferPointer { scoredBuffer in
                let (z, destination) = (logitBuffer.baseAddress!, scoredBuffer.baseAddress!)
                ComputeThreads.parallelForEach(copies.count) { copy in
                    let item = copies[copy]
                    let sequence = sequences[item.sequence]
                    let target = Int(sequence.ids[sequence.positions[item.slot]])
                    let row = z + copy * width
                    let normalizer = MaskedLanguageModelLoss.logSumExp(row, width: width)
                    let best = top > 0 ? Self.largest(top, of: row, width: width) : []
                    destination[copy] = MaskedPositionScore(
                        logProbability: Double(row[target]) - normalizer,
                        top: best.map { MaskedPrediction(tokenID: Int32($0), logProbability: Double(row[$0]) - normalizer) })
                }
            }
        }
        for (copy, item) in copies.enumerated() { results[item.sequence][item.slot] = scored[copy] }
    }

    /// The encoder-output row of `position` of packed sequence `index`: a soft prompt, when the
    /// model has one, sits after each sequence's first token and shifts the rest.
    func encoderRow(position: Int, of index: Int, in offsets: [Int]) -> Int {
        let promptLength = model.softPrompt?.shape[0] ?? 0
        return offsets[index] + (position == 0 ? 0 : position + promptLength)
    }

    /// Indices of the `count` largest values, largest first (ties: lower index first).
    static func largest(_ count: Int, of row: UnsafePointer<Float>, width: Int) -> [Int] {
        var best: [Int] = []
        best.reserveCapacity(count + 1)
        for index in 0..<width {
            if best.count == count, let last = best.last, row[index] <= row[last] { continue }
            let insertion = best.firstIndex { row[index] > row[$0] } ?? best.count
            best.insert(index, at: insertion)
            if best.count > count { best.removeLast() }
        }
        return best
    }
}

extension WordPieceTokenizer {
    /// The id of the mask token, which the initialiser requires to be in the vocabulary.
    public var maskID: Int32 { id(of: maskToken).unsafelyUnwrapped }
}
