import Foundation
import Testing

@testable import Adaptation
@testable import Transformers

@Suite struct OptimizationTests {
    @Test func adamWFollowsTheDecoupledUpdateFormulaOverTwoSteps() {
        // A matrix (decayed) and a bias (not decayed, by default).
        let weight = Parameter(name: "w", value: Tensor(shape: [1, 2], scalars: [1, -2]))
        let bias = Parameter(name: "b", value: Tensor(shape: [1], scalars: [0.5]))
        let optimizer = AdamW(learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.5)
        let gradients: [[Float]] = [[0.2, -0.4], [0.1, 0.3]]
        var theta = [1.0, -2.0], m = [0.0, 0.0], v = [0.0, 0.0]
        var biasTheta = 0.5, biasM = 0.0, biasV = 0.0
        for (step, g) in gradients.enumerated() {
            weight.gradient = Tensor(shape: [1, 2], scalars: g)
            bias.gradient = Tensor(shape: [1], scalars: [g[0]])
            optimizer.update([weight, bias])
            let t = Double(step + 1)
            for i in 0..<2 {
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                theta[i] = theta[i] * (1 - 0.1 * 0.5)
                    - 0.1 / (1 - pow(0.9, t)) * m[i] / (v[i].squareRoot() / (1 - pow(0.999, t)).squareRoot() + 1e-8)
            }
            biasM = 0.9 * biasM + 0.1 * Double(g[0])
            biasV = 0.999 * biasV + 0.001 * Double(g[0]) * Double(g[0])
            // Biases are not decayed.
            biasTheta -= 0.1 / (1 - pow(0.9, t)) * biasM / (biasV.squareRoot() / (1 - pow(0.999, t)).squareRoot() + 1e-8)
        }
        for i in 0..<2 { #expect(abs(Double(weight.value.scalars[i]) - theta[i]) < 1e-6) }
        #expect(abs(Double(bias.value.scalars[0]) - biasTheta) < 1e-6)
    }

    @Test func frozenParametersAndParametersWithoutGradientsAreLeftAlone() {
        let frozen = Parameter(name: "f", value: Tensor(shape: [2], scalars: [1, 2]), isTrainable: false)
        frozen.gradient = Tensor(shape: [2], scalars: [5, 5])
        let untouched = Parameter(name: "u", value: Tensor(shape: [2], scalars: [3, 4]))
        AdamW(learningRate: 1).update([frozen, untouched])
        #expect(frozen.value.scalars == [1, 2] && untouched.value.scalars == [3, 4])
    }

    @Test func theScheduleWarmsUpLinearlyThenDecaysToZero() {
        let schedule = LinearWarmupSchedule(baseRate: 1, warmupSteps: 4, totalSteps: 12)
        #expect(schedule.rate(at: 0) == 0)
        #expect(schedule.rate(at: 2) == 0.5)
        #expect(schedule.rate(at: 4) == 1)
        #expect(schedule.rate(at: 8) == 0.5)
        #expect(schedule.rate(at: 12) == 0)
    }

    @Test func clippingScalesTheGlobalNormDownAndLeavesSmallGradientsAlone() {
        let a = Parameter(name: "a", value: Tensor(shape: [2]))
        let b = Parameter(name: "b", value: Tensor(shape: [1]))
        a.gradient = Tensor(shape: [2], scalars: [3, 0])
        b.gradient = Tensor(shape: [1], scalars: [4])
        #expect(abs(GradientTools.clip([a, b], maximumNorm: 1) - 5) < 1e-9)
        #expect(abs(GradientTools.globalNorm([a, b]) - 1) < 1e-5)
        #expect(abs(GradientTools.clip([a, b], maximumNorm: 10) - 1) < 1e-5)
        #expect(abs(GradientTools.globalNorm([a, b]) - 1) < 1e-5)
    }

    @Test func earlyStoppingCountsEvaluationsWithoutImprovementBeyondTheMinimumDelta() {
        var stopping = EarlyStopping(monitor: .validationLoss, patience: 2, minimumDelta: 0.01)
        let improvements = [1.0, 0.995, 1.2].enumerated().map { stopping.record($1, evaluation: $0) }
        // 0.995 is better than 1.0, but by less than the minimum delta.
        #expect(improvements == [true, false, false])
        #expect(stopping.shouldStop)
        #expect(stopping.bestEvaluation == 0)
        var accuracy = EarlyStopping(monitor: .validationAccuracy, patience: 1, minimumDelta: 0)
        let accuracyImprovements = [0.5, 0.6, 0.6].enumerated().map { accuracy.record($1, evaluation: $0) }
        #expect(accuracyImprovements == [true, true, false])
        #expect(accuracy.shouldStop)
    }

    @Test func aLabelOutsideTheClassesFailsTheBatchInsteadOfCrashing() throws {
        let logits = Tensor(shape: [2, 3], scalars: [0, 1, 2, 2, 1, 0])
        #expect(throws: NNError.labelOutOfRange(label: 3, row: 1, classes: 3)) {
            try CrossEntropy.lossAndGradient(logits: logits, labels: [0, 3])
        }
        #expect(throws: NNError.self) { try CrossEntropy.lossAndGradient(logits: logits, labels: [0]) }
        let error = NNError.labelOutOfRange(label: -1, row: 0, classes: 2)
        #expect(error.category == .invalidInput && error.localizedDescription.contains("outside"))
    }
}
