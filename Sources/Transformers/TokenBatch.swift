/// Sequences packed end to end without padding, the layout the encoder runs on.
///
/// Dense layers act on each token independently, so they see one [tokens, hidden] matrix with
/// no padding rows; only attention needs the sequence boundaries in `offsets`. Results are
/// therefore identical whatever else is in the batch, and no work is spent on padding.
public struct TokenBatch: Sendable, Equatable {
    public var tokenIDs: [Int32] = []
    public var tokenTypeIDs: [Int32] = []
    public var positionIDs: [Int32] = []
    /// Sequence i occupies rows offsets[i] ..< offsets[i + 1]; offsets[0] == 0.
    public var offsets: [Int] = [0]

    public init() {}

    /// Packs tokenizer encodings.
    public init(_ encodings: [Encoding]) {
        for encoding in encodings {
            append(ids: encoding.ids, typeIDs: encoding.typeIDs)
        }
    }

    /// Packs a right-padded batch, keeping the tokens whose attention mask is 1.
    ///
    /// Masks must be a run of 1s followed by 0s (right padding): positions are counted from the
    /// first token, as in Hugging Face's BERT, so left padding would change results.
    public init(_ padded: PaddedBatch) throws {
        for (row, ids) in padded.inputIDs.enumerated() {
            let mask = padded.attentionMask[row]
            let length = mask.firstIndex(of: 0) ?? mask.count
            guard mask[length...].allSatisfy({ $0 == 0 }), mask[..<length].allSatisfy({ $0 == 1 }) else {
                throw TransformersError.invalidInput(
                    reason: "attention mask of row \(row) is not right padding (1…1 0…0)")
            }
            append(ids: Array(ids[..<length]), typeIDs: Array(padded.tokenTypeIDs[row][..<length]))
        }
    }

    /// Appends one sequence.
    public mutating func append(ids: [Int32], typeIDs: [Int32]) {
        precondition(ids.count == typeIDs.count, "ids and type ids differ in length")
        tokenIDs.append(contentsOf: ids)
        tokenTypeIDs.append(contentsOf: typeIDs)
        positionIDs.append(contentsOf: (0..<ids.count).map(Int32.init))
        offsets.append(tokenIDs.count)
    }

    /// The batch with `length` soft-prompt slots after each sequence's first token ([CLS]).
    ///
    /// Slot k has token id −1 − k, which the model resolves to row k of its soft prompt; its
    /// segment is 0 and positions shift as if the slots were ordinary tokens.
    public func insertingPrompt(length: Int) -> TokenBatch {
        guard length > 0 else { return self }
        var result = TokenBatch()
        let slots = (0..<length).map { Int32(-1 - $0) }
        for index in 0..<sequenceCount {
            let rows = rows(of: index)
            guard let first = rows.first else {
                result.append(ids: [], typeIDs: [])
                continue
            }
            result.append(
                ids: [tokenIDs[first]] + slots + Array(tokenIDs[(first + 1)..<rows.upperBound]),
                typeIDs: [tokenTypeIDs[first]] + Array(repeating: 0, count: length)
                    + Array(tokenTypeIDs[(first + 1)..<rows.upperBound]))
        }
        return result
    }

    /// Whether the batch already holds soft-prompt slots.
    public var hasPromptSlots: Bool { tokenIDs.contains { $0 < 0 } }

    /// The number of sequences.
    public var sequenceCount: Int { offsets.count - 1 }

    /// The number of tokens in all sequences.
    public var tokenCount: Int { tokenIDs.count }

    /// The rows of sequence `index`.
    public func rows(of index: Int) -> Range<Int> { offsets[index]..<offsets[index + 1] }
}
