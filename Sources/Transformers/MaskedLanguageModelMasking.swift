/// BERT's masking procedure for masked-LM training (Devlin et al. 2019, §3.1 and appendix
/// A.1), seeded.
///
/// In each sequence, k = max(1, round(p·n)) of its n ordinary tokens (everything but [CLS],
/// [SEP] and [PAD]) are chosen uniformly without replacement (p = 0.15 by default; rounded half
/// up); each chosen token becomes [MASK] with probability 0.8, a random ordinary token with
/// probability 0.1 and stays unchanged with probability 0.1, and is the only kind of position
/// the loss scores (label = the original id, −100 elsewhere). A fixed count per sequence, as
/// `../shared/reference/mlm/mlm_grad_check.json` was made, rather than Hugging Face's
/// independent 15% draw per token; random replacements are never special tokens.
public struct MaskedLanguageModelMasking: Sendable {
    /// p, the fraction of each sequence's ordinary tokens chosen.
    public var probability: Double
    public let maskID: Int32
    /// Ids never chosen: [CLS], [SEP], [PAD].
    public let structuralIDs: Set<Int32>
    /// Ids a chosen token may be replaced by: the vocabulary without its special tokens.
    let replacementIDs: [Int32]

    /// The fractions of chosen tokens replaced by [MASK] and by a random token (the rest stay).
    public static let maskShare = 0.8
    public static let randomShare = 0.1

    public init(tokenizer: WordPieceTokenizer, vocabularySize: Int, probability: Double = 0.15) {
        self.probability = probability
        maskID = tokenizer.maskID
        structuralIDs = [tokenizer.classID, tokenizer.separatorID, tokenizer.padID]
        let special = structuralIDs.union([maskID, tokenizer.id(of: tokenizer.unknownToken) ?? -1])
        replacementIDs = (0..<Int32(vocabularySize)).filter { !special.contains($0) }
    }

    /// The masked ids and the labels of one sequence (one label per token).
    public func mask(_ ids: [Int32], generator: inout SeededGenerator) -> (ids: [Int32], labels: [Int]) {
        var masked = ids
        var labels = [Int](repeating: MaskedLanguageModelLoss.ignoredLabel, count: ids.count)
        var candidates = ids.indices.filter { !structuralIDs.contains(ids[$0]) }
        guard !candidates.isEmpty else { return (masked, labels) }
        let count = min(candidates.count, max(1, Int((probability * Double(candidates.count)).rounded())))
        // A partial Fisher–Yates shuffle: the first `count` candidates are a uniform sample.
        for index in 0..<count {
            candidates.swapAt(index, index + Int(generator.next() % UInt64(candidates.count - index)))
        }
        for position in candidates.prefix(count).sorted() {
            labels[position] = Int(ids[position])
            let draw = Double(generator.nextUniform())
            if draw < Self.maskShare {
                masked[position] = maskID
            } else if draw < Self.maskShare + Self.randomShare, !replacementIDs.isEmpty {
                masked[position] = replacementIDs[Int(generator.next() % UInt64(replacementIDs.count))]
            }
        }
        return (masked, labels)
    }

    /// Masks every sequence of a packed batch in order; labels follow the packed token order.
    public func mask(_ batch: TokenBatch, generator: inout SeededGenerator) -> (batch: TokenBatch, labels: [Int]) {
        var result = TokenBatch()
        var labels: [Int] = []
        labels.reserveCapacity(batch.tokenCount)
        for sequence in 0..<batch.sequenceCount {
            let rows = batch.rows(of: sequence)
            let (ids, sequenceLabels) = mask(Array(batch.tokenIDs[rows]), generator: &generator)
            result.append(ids: ids, typeIDs: Array(batch.tokenTypeIDs[rows]))
            labels += sequenceLabels
        }
        return (result, labels)
    }
}
