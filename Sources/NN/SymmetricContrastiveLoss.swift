/// CLIP's symmetric contrastive loss over in-batch negatives (Radford et al. 2021, "Learning
/// Transferable Visual Models From Natural Language Supervision", Fig. 3), in its text-to-text
/// form: InfoNCE (van den Oord et al. 2018) from anchors to positives and back.
///
/// For B pairs with unit-length embeddings aᵢ and pᵢ and a logit scale s = 1/τ (τ the
/// temperature), S = s·A·Pᵀ and
/// L = ½·[CE(S, I) + CE(Sᵀ, I)] = −(1/2B)·Σᵢ [log softmax(Sᵢ,·)ᵢ + log softmax(S·,ᵢ)ᵢ],
/// the mean cross-entropy of picking each anchor's own positive among the batch's positives
/// and each positive's own anchor among the anchors. Range [0, ∞); log B for uninformative
/// embeddings. The cross-entropies are `CrossEntropy`'s.
public enum SymmetricContrastiveLoss {
    public struct Result {
        public var loss: Double
        /// ∂L/∂A and ∂L/∂P, [B, d].
        public var anchorGradient: Tensor
        public var positiveGradient: Tensor
        /// ∂L/∂s.
        public var scaleGradient: Double
        /// Anchors whose own positive has the highest similarity (in-batch retrieval, top 1).
        public var correct: Int
    }

    /// The loss and its gradients for anchors and positives [B, d] (rows already unit length)
    /// at logit scale `scale`.
    ///
    /// With G = ∂L/∂S = ½·(G₁ + G₂ᵀ), G₁ and G₂ the cross-entropy gradients of S and Sᵀ:
    /// ∂L/∂A = s·G·P, ∂L/∂P = s·Gᵀ·A and ∂L/∂s = Σᵢⱼ Gᵢⱼ·(A·Pᵀ)ᵢⱼ.
    public static func lossAndGradient(anchors: Tensor, positives: Tensor, scale: Float) throws -> Result {
        guard anchors.rank == 2, anchors.shape == positives.shape else {
            throw NNError.sizeMismatch(what: "positives for the anchors (rows)", expected: anchors.shape.first ?? 0,
                                       actual: positives.shape.first ?? 0)
        }
        let pairs = anchors.shape[0]
        let cosines = anchors.matmul(positives, transposeOther: true)
        var logits = cosines
        for index in 0..<logits.count { logits.scalars[index] *= scale }
        let diagonal = Array(0..<pairs)
        let forward = try CrossEntropy.lossAndGradient(logits: logits, labels: diagonal)
        let backward = try CrossEntropy.lossAndGradient(logits: logits.transposed(), labels: diagonal)
        var gradient = forward.gradient
        let transposedBack = backward.gradient.transposed()
        var scaleGradient = 0.0
        for index in 0..<gradient.count {
            gradient.scalars[index] = 0.5 * (gradient.scalars[index] + transposedBack.scalars[index])
            scaleGradient += Double(gradient.scalars[index]) * Double(cosines.scalars[index])
        }
        var anchorGradient = gradient.matmul(positives)
        var positiveGradient = gradient.matmul(anchors, transposeSelf: true)
        for index in 0..<anchorGradient.count {
            anchorGradient.scalars[index] *= scale
            positiveGradient.scalars[index] *= scale
        }
        var correct = 0
        for row in 0..<pairs {
            let own = cosines.scalars[row * pairs + row]
            if !(0..<pairs).contains(where: { $0 != row && cosines.scalars[row * pairs + $0] >= own }) { correct += 1 }
        }
        return Result(
            loss: 0.5 * (Double(forward.loss) + Double(backward.loss)), anchorGradient: anchorGradient,
            positiveGradient: positiveGradient, scaleGradient: scaleGradient, correct: correct)
    }
}
