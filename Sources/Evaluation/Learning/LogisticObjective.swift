import Foundation

/// The penalised negative log-likelihood of `LogisticRegression` and its gradient:
/// L = C·Σᵢ ℓᵢ + ½‖W‖², with ℓᵢ = log(1 + e^{zᵢ}) − yᵢzᵢ for two classes and
/// ℓᵢ = log Σₖ e^{zᵢₖ} − zᵢ,yᵢ for more; ∂L/∂wₖ = C·Σᵢ (pᵢₖ − [yᵢ = k])·xᵢ + wₖ and
/// ∂L/∂bₖ = C·Σᵢ (pᵢₖ − [yᵢ = k]).
///
/// Parameters are one vector: the coefficient rows (outputs × features), then the intercepts.
/// One pass over the rows computes the logits, the loss and the gradient, so each evaluation
/// reads the features once.
struct LogisticObjective {
    let features: Matrix
    let labels: [Int]
    let classCount: Int
    let strength: Double

    /// 1 for two classes (a single log-odds), else one per class.
    var outputs: Int { classCount == 2 ? 1 : classCount }
    var featureCount: Int { features.columns }
    var parameterCount: Int { outputs * (featureCount + 1) }

    func evaluate(_ parameters: [Double], gradient: inout [Double]) -> Double {
        let width = featureCount
        let outputs = self.outputs
        let interceptOffset = outputs * width
        var logits = [Double](repeating: 0, count: outputs)
        var loss = 0.0
        for index in gradient.indices { gradient[index] = 0 }
        features.values.withUnsafeBufferPointer { x in
            parameters.withUnsafeBufferPointer { w in
                gradient.withUnsafeMutableBufferPointer { g in
                    for i in 0..<features.rows {
                        let row = x.baseAddress! + i * width
                        for k in 0..<outputs {
                            logits[k] = VectorOperations.dot(row, w.baseAddress! + k * width, count: width) + w[interceptOffset + k]
                        }
                        let label = labels[i]
                        if outputs == 1 {
                            let z = logits[0]
                            // log(1 + e^z) without overflow.
                            loss += max(z, 0) + log1p(exp(-abs(z))) - (label == 1 ? z : 0)
                            logits[0] = LogisticRegression.sigmoid(z) - Double(label)
                        } else {
                            let largest = logits.max() ?? 0
                            let labelLogit = logits[label] - largest
                            var total = 0.0
                            for k in 0..<outputs {
                                logits[k] = exp(logits[k] - largest)
                                total += logits[k]
                            }
                            // log Σ e^z − z_y, with the largest logit factored out.
                            loss += log(total) - labelLogit
                            for k in 0..<outputs { logits[k] = logits[k] / total - (k == label ? 1 : 0) }
                        }
                        // logits now hold the residuals pᵢₖ − [yᵢ = k].
                        for k in 0..<outputs {
                            let residual = strength * logits[k]
                            VectorOperations.addScaled(residual, row, to: g.baseAddress! + k * width, count: width)
                            g[interceptOffset + k] += residual
                        }
                    }
                    for index in 0..<interceptOffset { g[index] += w[index] }
                }
            }
        }
        var penalty = 0.0
        for index in 0..<interceptOffset { penalty += parameters[index] * parameters[index] }
        return strength * loss + penalty / 2
    }
}
