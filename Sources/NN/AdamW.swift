import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter 2019), as `torch.optim.AdamW`:
///
///     θ ← θ·(1 − η·λ)                      (parameters with `decays` only)
///     m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²
///     θ ← θ − η/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)
///
/// Only trainable parameters with a gradient are updated; moments and the step count t are
/// kept per parameter, as PyTorch keeps them, so a parameter updated only by some steps (one
/// task's adapters in multi-task training) is corrected for its own number of updates.
public final class AdamW {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    /// Calls of `update` so far.
    public private(set) var step = 0
    private var moments: [ObjectIdentifier: (first: [Float], second: [Float], step: Int)] = [:]

    public init(
        learningRate: Float = 2e-5, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0.01
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Applies one update to every trainable parameter that has a gradient.
    public func update(_ parameters: [Parameter]) {
        step += 1
        for parameter in parameters where parameter.isTrainable {
            guard let gradient = parameter.gradient else { continue }
            let key = ObjectIdentifier(parameter)
            var state = moments[key] ?? (
                [Float](repeating: 0, count: parameter.count), [Float](repeating: 0, count: parameter.count), 0)
            moments[key] = nil  // keep the arrays uniquely referenced while they are mutated
            state.step += 1
            let correction1 = 1 - Float(Foundation.pow(Double(beta1), Double(state.step)))
            let correction2 = 1 - Float(Foundation.pow(Double(beta2), Double(state.step)))
            let stepSize = learningRate / correction1
            let rootCorrection2 = correction2.squareRoot()
            let decay: Float = parameter.decays ? 1 - learningRate * weightDecay : 1
            let (b1, b2, eps) = (beta1, beta2, epsilon)
            let count = parameter.count
            parameter.value.scalars.withUnsafeMutableBufferPointer { theta in
                gradient.scalars.withUnsafeBufferPointer { g in
                    state.first.withUnsafeMutableBufferPointer { m in
                        state.second.withUnsafeMutableBufferPointer { v in
                            let t = theta.baseAddress!, gp = g.baseAddress!, mp = m.baseAddress!, vp = v.baseAddress!
                            ComputeThreads.parallelChunks(count, minimumPerThread: 32_768) { range in
                                for index in range {
                                    let gi = gp[index]
                                    let mi = b1 * mp[index] + (1 - b1) * gi
                                    let vi = b2 * vp[index] + (1 - b2) * gi * gi
                                    mp[index] = mi
                                    vp[index] = vi
                                    t[index] = t[index] * decay - stepSize * mi / (vi.squareRoot() / rootCorrection2 + eps)
                                }
                            }
                        }
                    }
                }
            }
            moments[key] = state
        }
    }
}

/// Linear warm-up from 0 to the base rate, then linear decay to 0 at the last step, as
/// Hugging Face's `get_linear_schedule_with_warmup`.
public struct LinearWarmupSchedule: Sendable {
    public var baseRate: Float
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(baseRate: Float, warmupSteps: Int, totalSteps: Int) {
        self.baseRate = baseRate
        self.warmupSteps = max(0, warmupSteps)
        self.totalSteps = max(1, totalSteps)
    }

    /// The rate for optimiser step `step` (0-based: the first update uses step 0).
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return baseRate * Float(step) / Float(max(1, warmupSteps)) }
        let remaining = Float(totalSteps - step) / Float(max(1, totalSteps - warmupSteps))
        return baseRate * max(0, remaining)
    }
}

/// Gradient utilities applied between backward and update.
public enum GradientTools {
    /// The L2 norm of all gradients together (Double accumulation).
    public static func globalNorm(_ parameters: [Parameter]) -> Double {
        var sum = 0.0
        for parameter in parameters where parameter.isTrainable {
            guard let gradient = parameter.gradient else { continue }
            for value in gradient.scalars { sum += Double(value) * Double(value) }
        }
        return sum.squareRoot()
    }

    /// Scales all gradients so that their global norm is at most `maximum`, as
    /// `torch.nn.utils.clip_grad_norm_`; returns the norm before clipping.
    @discardableResult
    public static func clip(_ parameters: [Parameter], maximumNorm maximum: Double) -> Double {
        let norm = globalNorm(parameters)
        guard norm.isFinite, norm > maximum else { return norm }
        scale(parameters.filter(\.isTrainable), by: Float(maximum / (norm + 1e-6)))
        return norm
    }

    /// Multiplies all gradients by `factor` (averaging over accumulated micro-batches).
    public static func scale(_ parameters: [Parameter], by factor: Float) {
        for parameter in parameters where parameter.gradient != nil {
            parameter.gradient!.scalars.withUnsafeMutableBufferPointer { buffer in
                for index in buffer.indices { buffer[index] *= factor }
            }
        }
    }
}
