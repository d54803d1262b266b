import Evaluation
import Foundation
import Transformers

/// One validation of a training run.
public struct EpochRecord: Sendable, Equatable, Codable {
    public var epoch: Int
    public var step: Int
    public var trainLoss: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    public var validationMacroF1: Double
    public var learningRate: Double
    public var seconds: Double
}

/// The curve of a training run and why it ended.
public struct TrainingHistory: Sendable, Equatable {
    public var records: [EpochRecord] = []
    /// The epoch of the best validation (whose weights were restored when configured).
    public var bestEpoch: Int?
    /// The index in `records` of the evaluation early stopping chose.
    public var bestRecord: Int?
    public var stopReason = ""
    public var steps = 0
    public var seconds = 0.0

    /// The losses of every optimiser step, for determinism checks and plots.
    public var stepLosses: [Double] = []

    public init() {}
}

/// Progress reports for a display.
public struct TrainingProgress: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var step: Int
    public var totalSteps: Int
    public var loss: Double

    public init(epoch: Int, epochs: Int, step: Int, totalSteps: Int, loss: Double) {
        self.epoch = epoch
        self.epochs = epochs
        self.step = step
        self.totalSteps = totalSteps
        self.loss = loss
    }
}

/// Mini-batch training with AdamW, linear warm-up and decay, gradient accumulation and clipping,
/// dropout, per-epoch validation and early stopping.
///
/// Runs are deterministic: the same seed and thread count give the same losses. A non-finite
/// loss or gradient norm stops the run with `AdaptationError.diverged` naming the step.
public final class Trainer {
    public let classifier: Classifier
    public let configuration: TrainingConfiguration
    public var progress: ((TrainingProgress) -> Void)?

    public init(classifier: Classifier, configuration: TrainingConfiguration) {
        self.classifier = classifier
        self.configuration = configuration
    }

    public func train(_ training: [LabelledExample], validation: [LabelledExample]) throws -> TrainingHistory {
        let c = configuration
        try c.validate()
        guard !training.isEmpty else { throw AdaptationError.invalidData(path: "training data", line: nil, reason: "no examples") }
        guard !validation.isEmpty else { throw AdaptationError.invalidData(path: "validation data", line: nil, reason: "no examples") }
        let started = Date()
        let parameters = classifier.parameters.filter(\.isTrainable)
        let microBatches = (training.count + c.batchSize - 1) / c.batchSize
        let stepsPerEpoch = (microBatches + c.accumulationSteps - 1) / c.accumulationSteps
        let totalSteps = stepsPerEpoch * c.epochs
        let schedule = LinearWarmupSchedule(
            baseRate: c.learningRate, warmupSteps: Int((Float(totalSteps) * c.warmupFraction).rounded()),
            totalSteps: totalSteps)
        let optimizer = AdamW(learningRate: c.learningRate, weightDecay: c.weightDecay)
        let pass = TrainingPass(
            hiddenDropout: c.hiddenDropout ?? classifier.model.configuration.hiddenDropout,
            attentionDropout: c.attentionDropout ?? classifier.model.configuration.attentionDropout, seed: 0)
        var stopping = EarlyStopping(monitor: c.monitor, patience: c.patience, minimumDelta: c.minimumDelta)
        var best: [ObjectIdentifier: Tensor] = [:]
        var history = TrainingHistory()
        var step = 0
        var microStep = 0
        for parameter in parameters { parameter.zeroGradient() }

        func evaluate(epoch: Int, trainLoss: Double) throws -> Bool {
            let evaluation = try classifier.evaluate(validation, batchSize: max(c.batchSize, 32))
            history.records.append(EpochRecord(
                epoch: epoch, step: step, trainLoss: trainLoss, validationLoss: evaluation.loss,
                validationAccuracy: evaluation.scores.accuracy, validationMacroF1: evaluation.scores.macroF1,
                learningRate: Double(optimizer.learningRate), seconds: Date().timeIntervalSince(started)))
            let value: Double
            switch c.monitor {
            case .validationLoss: value = evaluation.loss
            case .validationAccuracy: value = evaluation.scores.accuracy
            case .validationMacroF1: value = evaluation.scores.macroF1
            }
            if stopping.record(value, evaluation: history.records.count - 1) {
                history.bestEpoch = epoch
                history.bestRecord = history.records.count - 1
                if c.restoreBestWeights {
                    for parameter in parameters { best[ObjectIdentifier(parameter)] = parameter.value }
                }
            }
            return stopping.shouldStop
        }

        var stoppedEarly = false
        training: for epoch in 1...c.epochs {
            var generator = SeededGenerator(seed: c.seed &+ UInt64(epoch) &* 0x9E37_79B9)
            var order = Array(training.indices)
            for index in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(index, Int(generator.next() % UInt64(index + 1)))
            }
            var lossSum = 0.0
            var lossCount = 0
            var pendingLoss = 0.0
            for batchIndex in 0..<microBatches {
                try Interruption.checkpoint()
                let rows = order[(batchIndex * c.batchSize)..<min((batchIndex + 1) * c.batchSize, order.count)]
                let examples = rows.map { training[$0] }
                var microPass = pass
                microPass.seed = Dropout.siteSeed(step: c.seed, site: microStep)
                microStep += 1
                let loss = try classifier.accumulateGradients(on: examples, pass: microPass)
                guard loss.isFinite else {
                    throw AdaptationError.diverged(step: step + 1, reason: "the training loss is \(Self.describe(loss))")
                }
                lossSum += loss * Double(examples.count)
                lossCount += examples.count
                pendingLoss += loss
                let isLastOfStep = (batchIndex + 1) % c.accumulationSteps == 0 || batchIndex == microBatches - 1
                guard isLastOfStep else { continue }
                let accumulated = (batchIndex % c.accumulationSteps) + 1
                if accumulated > 1 { GradientTools.scale(parameters, by: 1 / Float(accumulated)) }
                let norm = c.maximumGradientNorm.map { GradientTools.clip(parameters, maximumNorm: $0) }
                    ?? GradientTools.globalNorm(parameters)
                guard norm.isFinite else {
                    throw AdaptationError.diverged(step: step + 1, reason: "the gradient norm is \(Self.describe(norm))")
                }
                optimizer.learningRate = schedule.rate(at: step)
                optimizer.update(parameters)
                for parameter in parameters { parameter.zeroGradient() }
                step += 1
                history.stepLosses.append(pendingLoss / Double(accumulated))
                pendingLoss = 0
                progress?(TrainingProgress(epoch: epoch, epochs: c.epochs, step: step, totalSteps: totalSteps,
                                           loss: lossSum / Double(max(lossCount, 1))))
                if let interval = c.evaluationInterval, step % interval == 0, step % stepsPerEpoch != 0 {
                    if try evaluate(epoch: epoch, trainLoss: lossSum / Double(max(lossCount, 1))) {
                        stoppedEarly = true
                        break training
                    }
                }
            }
            if try evaluate(epoch: epoch, trainLoss: lossSum / Double(max(lossCount, 1))) {
                stoppedEarly = true
                break training
            }
        }
        if c.restoreBestWeights, !best.isEmpty {
            for parameter in parameters { if let value = best[ObjectIdentifier(parameter)] { parameter.value = value } }
        }
        history.steps = step
        history.seconds = Date().timeIntervalSince(started)
        let monitor = c.monitor.rawValue
        if stoppedEarly {
            history.stopReason = "early stopping: validation \(monitor) did not improve by more than \(c.minimumDelta) "
                + "for \(c.patience) evaluation(s); best at epoch \(history.bestEpoch ?? 0)"
        } else {
            history.stopReason = "completed \(c.epochs) epoch(s); best validation \(monitor) at epoch \(history.bestEpoch ?? 0)"
        }
        if c.restoreBestWeights, history.bestEpoch != nil { history.stopReason += ", weights restored" }
        return history
    }

    /// "NaN" or "infinite" rather than libc's "-nan" spellings.
    static func describe(_ value: Double) -> String {
        value.isNaN ? "NaN" : value.isInfinite ? "infinite" : String(value)
    }

}
