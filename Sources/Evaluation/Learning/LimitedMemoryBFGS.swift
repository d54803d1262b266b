import Foundation

/// Why a minimisation stopped.
public enum MinimizationStop: String, Sendable, Equatable, Codable {
    /// max |gradient| fell to the tolerance: converged.
    case gradientTolerance
    /// The iteration limit was reached first.
    case iterationLimit
    /// The line search found no step that decreases the objective further: the point is
    /// optimal to within rounding, though the gradient tolerance was not met.
    case noFurtherDecrease
}

/// The limited-memory BFGS minimiser (Nocedal and Wright, *Numerical Optimization*, 2nd ed.,
/// 2006, Algorithms 7.4 and 7.5) with a line search satisfying the strong Wolfe conditions
/// (Algorithms 3.5 and 3.6, cubic interpolation in the zoom).
///
/// The search direction is −H·g by the two-loop recursion over the last `memory` pairs
/// (sₖ, yₖ), with H₀ = γI and γ = sᵀy / yᵀy of the newest pair (eq. 7.20). A step α is
/// accepted when f(x + αp) ≤ f(x) + c₁·α·∇fᵀp and |∇f(x + αp)ᵀp| ≤ c₂·|∇fᵀp|, with
/// c₁ = 1e-4 and c₂ = 0.9, the book's values for quasi-Newton methods.
struct LimitedMemoryBFGS {
    /// f(x), writing ∇f(x) into the second argument.
    typealias Objective = (_ point: [Double], _ gradient: inout [Double]) -> Double

    struct Outcome {
        var point: [Double]
        var value: Double
        var iterations: Int
        var stop: MinimizationStop
    }

    var memory = 10
    /// Converged when max |∇f| ≤ this (absolute; callers scale it).
    var gradientTolerance: Double
    var maximumIterations: Int
    let sufficientDecrease = 1e-4
    let curvature = 0.9

    func minimize(from start: [Double], _ objective: Objective) -> Outcome {
        let dimension = start.count
        var point = start
        var gradient = [Double](repeating: 0, count: dimension)
        var value = objective(point, &gradient)
        var steps: [[Double]] = []
        var gradientChanges: [[Double]] = []
        var curvatures: [Double] = []  // 1 / yᵀs per stored pair
        var iteration = 0
        while true {
            if Self.maximumMagnitude(gradient) <= gradientTolerance {
                return Outcome(point: point, value: value, iterations: iteration, stop: .gradientTolerance)
            }
            if iteration >= maximumIterations {
                return Outcome(point: point, value: value, iterations: iteration, stop: .iterationLimit)
            }
            var direction = Self.twoLoopDirection(
                gradient: gradient, steps: steps, gradientChanges: gradientChanges, curvatures: curvatures)
            var slope = VectorOperations.dot(direction, gradient)
            if !(slope < 0) {
                // Not a descent direction (rounding in old pairs): restart from steepest descent.
                steps.removeAll()
                gradientChanges.removeAll()
                curvatures.removeAll()
                direction = gradient.map { -$0 }
                slope = VectorOperations.dot(direction, gradient)
            }
            // Without curvature pairs the direction is −g: a first step of unit length.
            let initialStep = steps.isEmpty ? min(1, 1 / VectorOperations.dot(gradient, gradient).squareRoot()) : 1
            guard
                let accepted = lineSearch(
                    objective, from: point, value: value, direction: direction, slope: slope, initialStep: initialStep)
            else {
                return Outcome(point: point, value: value, iterations: iteration, stop: .noFurtherDecrease)
            }
            var step = [Double](repeating: 0, count: dimension)
            var change = [Double](repeating: 0, count: dimension)
            for i in 0..<dimension {
                step[i] = accepted.point[i] - point[i]
                change[i] = accepted.gradient[i] - gradient[i]
            }
            let stepDotChange = VectorOperations.dot(step, change)
            let previousValue = value
            point = accepted.point
            gradient = accepted.gradient
            value = accepted.value
            iteration += 1
            // The strong Wolfe conditions give sᵀy > 0; the guard keeps H positive definite
            // when rounding breaks that near the optimum.
            if stepDotChange > 1e-12 * VectorOperations.dot(change, change) {
                if steps.count == memory {
                    steps.removeFirst()
                    gradientChanges.removeFirst()
                    curvatures.removeFirst()
                }
                steps.append(step)
                gradientChanges.append(change)
                curvatures.append(1 / stepDotChange)
            }
            if value >= previousValue && Self.maximumMagnitude(step) == 0 {
                return Outcome(point: point, value: value, iterations: iteration, stop: .noFurtherDecrease)
            }
        }
    }

    /// −H·g by the two-loop recursion (Algorithm 7.4).
    private static func twoLoopDirection(
        gradient: [Double], steps: [[Double]], gradientChanges: [[Double]], curvatures: [Double]
    ) -> [Double] {
        var q = gradient
        var alphas = [Double](repeating: 0, count: steps.count)
        for index in steps.indices.reversed() {
            alphas[index] = curvatures[index] * VectorOperations.dot(steps[index], q)
            addScaled(-alphas[index], gradientChanges[index], to: &q)
        }
        if let newest = steps.indices.last {
            let gamma = 1 / (curvatures[newest] * VectorOperations.dot(gradientChanges[newest], gradientChanges[newest]))
            for i in q.indices { q[i] *= gamma }
        }
        for index in steps.indices {
            let beta = curvatures[index] * VectorOperations.dot(gradientChanges[index], q)
            addScaled(alphas[index] - beta, steps[index], to: &q)
        }
        for i in q.indices { q[i] = -q[i] }
        return q
    }

    private struct Trial {
        var step: Double
        var point: [Double]
        var value: Double
        var gradient: [Double]
        var slope: Double
    }

    /// A step satisfying the strong Wolfe conditions along `direction` (Algorithm 3.5), or nil
    /// when none is found (the objective no longer decreases measurably).
    private func lineSearch(
        _ objective: Objective, from point: [Double], value: Double, direction: [Double], slope: Double,
        initialStep: Double
    ) -> Trial? {
        func evaluate(_ step: Double) -> Trial {
            var trialPoint = point
            Self.addScaled(step, direction, to: &trialPoint)
            var trialGradient = [Double](repeating: 0, count: point.count)
            let trialValue = objective(trialPoint, &trialGradient)
            return Trial(
                step: step, point: trialPoint, value: trialValue, gradient: trialGradient,
                slope: VectorOperations.dot(trialGradient, direction))
        }
        let origin = Trial(step: 0, point: point, value: value, gradient: [], slope: slope)
        var previous = origin
        var step = initialStep
        for attempt in 0..<40 {
            let trial = evaluate(step)
            if !trial.value.isFinite || trial.value > value + sufficientDecrease * step * slope
                || (attempt > 0 && trial.value >= previous.value)
            {
                return zoom(objective: evaluate, origin: origin, low: previous, high: trial)
            }
            if abs(trial.slope) <= -curvature * slope { return trial }
            if trial.slope >= 0 { return zoom(objective: evaluate, origin: origin, low: trial, high: previous) }
            previous = trial
            step *= 2
        }
        return nil
    }

    /// Narrows [low, high], which brackets a strong Wolfe step, by safeguarded cubic
    /// interpolation (Algorithm 3.6; the interpolant's minimiser is eq. 3.59).
    private func zoom(objective evaluate: (Double) -> Trial, origin: Trial, low: Trial, high: Trial) -> Trial? {
        var low = low
        var high = high
        for _ in 0..<60 {
            let width = high.step - low.step
            if abs(width) <= 1e-16 * max(abs(low.step), abs(high.step)) { break }
            var step = Self.cubicMinimizer(low, high)
            // Keep the trial inside the middle 80% of the interval, else bisect.
            let lower = min(low.step, high.step) + 0.1 * abs(width)
            let upper = max(low.step, high.step) - 0.1 * abs(width)
            if !step.isFinite || step < lower || step > upper { step = low.step + width / 2 }
            let trial = evaluate(step)
            if !trial.value.isFinite || trial.value > origin.value + sufficientDecrease * step * origin.slope
                || trial.value >= low.value
            {
                high = trial
            } else {
                if abs(trial.slope) <= -curvature * origin.slope { return trial }
                if trial.slope * (high.step - low.step) >= 0 { high = low }
                low = trial
            }
        }
        // The interval collapsed: accept the best point if it decreased the objective at all.
        return low.step > 0 && low.value < origin.value ? low : nil
    }

    /// The minimiser of the cubic interpolating value and slope at a and b.
    private static func cubicMinimizer(_ a: Trial, _ b: Trial) -> Double {
        let d1 = a.slope + b.slope - 3 * (a.value - b.value) / (a.step - b.step)
        let discriminant = d1 * d1 - a.slope * b.slope
        guard discriminant >= 0 else { return .nan }
        let d2 = (b.step > a.step ? 1.0 : -1.0) * discriminant.squareRoot()
        return b.step - (b.step - a.step) * (b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2)
    }

    static func maximumMagnitude(_ vector: [Double]) -> Double {
        vector.reduce(0) { max($0, abs($1)) }
    }

    static func addScaled(_ alpha: Double, _ x: [Double], to y: inout [Double]) {
        guard !x.isEmpty else { return }
        x.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                VectorOperations.addScaled(alpha, x.baseAddress!, to: y.baseAddress!, count: min(x.count, y.count))
            }
        }
    }
}
