import Evaluation
import Foundation
import Transformers

/// The one training loop: mini-batches of a `TrainingObjective` with AdamW, linear warm-up and
/// decay, gradient accumulation and clipping, dropout, periodic evaluation and early stopping.
///
/// Runs are deterministic: the same seed and thread count give the same losses. A non-finite
/// loss or gradient norm stops the run with `AdaptationError.diverged` naming the step, and an
/// interruption request (`Interruption`) stops it between optimiser steps.
public final class Trainer {
    public let configuration: TrainingConfiguration
    public var progress: ((TrainingProgress) -> Void)?
    /// The classifier `train(_:validation:)` trains, when the trainer was made for one.
    public let classifier: Classifier?

    public init(configuration: TrainingConfiguration) {
        self.configuration = configuration
        self.classifier = nil
    }

    /// A trainer for one classifier (see `train(_:validation:)`).
    public init(classifier: Classifier, configuration: TrainingConfiguration) {
        self.configuration = configuration
        self.classifier = classifier
    }

    /// Trains the classifier the trainer was made for on labelled examples.
    public func train(_ training: [LabelledExample], validation: [LabelledExample]) throws -> TrainingHistory {
        guard let classifier else {
            throw AdaptationError.invalidOption(name: "trainer", reason: "was made without a classifier; pass an objective")
        }
        return try train(ClassificationObjective(
            classifier: classifier, training: training, validation: validation,
            evaluationBatchSize: max(configuration.batchSize, 32), sampleSeed: configuration.seed))
    }

    /// Trains an objective and returns its curve; the best weights are restored when configured.
    public func train(_ objective: some TrainingObjective) throws -> TrainingHistory {
        let c = configuration
        try c.validate()
        guard objective.trainingItemCount > 0 else {
            throw AdaptationError.invalidData(path: "training data", line: nil, reason: "no examples")
        }
        let started = Date()
        let parameters = objective.trainableParameters
        var epochBatches = try Self.epochBatches(objective, epoch: 1, configuration: c)
        let stepsPerEpoch = (epochBatches.count + c.accumulationSteps - 1) / c.accumulationSteps
        let totalSteps = stepsPerEpoch * c.epochs
        let schedule = LinearWarmupSchedule(
            baseRate: c.learningRate, warmupSteps: Int((Float(totalSteps) * c.warmupFraction).rounded()),
            totalSteps: totalSteps)
        let optimizer = AdamW(learningRate: c.learningRate, weightDecay: c.weightDecay)
        let configuration = objective.encoderConfiguration
        let pass = TrainingPass(
            hiddenDropout: c.hiddenDropout ?? configuration.hiddenDropout,
            attentionDropout: c.attentionDropout ?? configuration.attentionDropout, seed: 0)
        let monitoredName = TrainingMetric.name(of: c.monitor)
        var stopping = EarlyStopping(monitor: c.monitor, patience: c.patience, minimumDelta: c.minimumDelta)
        var best: [ObjectIdentifier: Tensor] = [:]
        var history = TrainingHistory()
        var step = 0
        var microStep = 0
        var evaluations = 0
        var runningLoss = objective.taskNames.map { _ in (sum: 0.0, count: 0) }
        for parameter in parameters { parameter.zeroGradient() }

        func meanLoss(_ task: Int) -> Double { runningLoss[task].sum / Double(max(runningLoss[task].count, 1)) }

        /// Records an evaluation; returns whether patience is exhausted.
        func evaluate(epoch: Int) throws -> Bool {
            let results = try objective.evaluate()
            let seconds = Date().timeIntervalSince(started)
            for (index, result) in results.enumerated() {
                var values = result.values
                if index < runningLoss.count, runningLoss[index].count > 0 { values[TrainingMetric.trainLoss] = meanLoss(index) }
                history.records.append(EpochRecord(
                    evaluation: evaluations, epoch: epoch, step: step, task: result.task,
                    learningRate: Double(optimizer.learningRate), seconds: seconds, values: values))
            }
            let monitored = results.map { $0.values[monitoredName] ?? .nan }
            let value = monitored.isEmpty ? .nan : monitored.reduce(0, +) / Double(monitored.count)
            if stopping.record(value, evaluation: evaluations) {
                history.bestEpoch = epoch
                history.bestEvaluation = evaluations
                if c.restoreBestWeights {
                    for parameter in parameters { best[ObjectIdentifier(parameter)] = parameter.value }
                }
            }
            evaluations += 1
            return stopping.shouldStop
        }

        var stoppedEarly = false
        training: for epoch in 1...c.epochs {
            if epoch > 1 { epochBatches = try Self.epochBatches(objective, epoch: epoch, configuration: c) }
            runningLoss = runningLoss.map { _ in (0, 0) }
            var pendingLoss = 0.0
            var touched: [ObjectIdentifier: Parameter] = [:]
            for (batchIndex, batch) in epochBatches.enumerated() {
                try Interruption.checkpoint()
                var microPass = pass
                microPass.seed = Dropout.siteSeed(step: c.seed, site: microStep)
                microStep += 1
                let outcome = try objective.accumulateGradients(on: batch, pass: microPass)
                guard outcome.loss.isFinite else {
                    throw AdaptationError.diverged(
                        step: step + 1, reason: Self.taskPrefix(objective, batch) + "the training loss is \(Self.describe(outcome.loss))")
                }
                for parameter in outcome.parameters { touched[ObjectIdentifier(parameter)] = parameter }
                runningLoss[batch.task].sum += outcome.loss * Double(batch.items.count)
                runningLoss[batch.task].count += batch.items.count
                pendingLoss += outcome.loss
                let isLastOfStep = (batchIndex + 1) % c.accumulationSteps == 0 || batchIndex == epochBatches.count - 1
                guard isLastOfStep else { continue }
                let accumulated = (batchIndex % c.accumulationSteps) + 1
                let stepParameters = parameters.filter { touched[ObjectIdentifier($0)] != nil }
                touched.removeAll(keepingCapacity: true)
                if accumulated > 1 { GradientTools.scale(stepParameters, by: 1 / Float(accumulated)) }
                let norm = c.maximumGradientNorm.map { GradientTools.clip(stepParameters, maximumNorm: $0) }
                    ?? GradientTools.globalNorm(stepParameters)
                guard norm.isFinite else {
                    throw AdaptationError.diverged(step: step + 1, reason: "the gradient norm is \(Self.describe(norm))")
                }
                optimizer.learningRate = schedule.rate(at: step)
                optimizer.update(stepParameters)
                for parameter in stepParameters { parameter.zeroGradient() }
                step += 1
                history.stepLosses.append(pendingLoss / Double(accumulated))
                pendingLoss = 0
                let seen = runningLoss.reduce((0.0, 0)) { ($0.0 + $1.sum, $0.1 + $1.count) }
                progress?(TrainingProgress(epoch: epoch, epochs: c.epochs, step: step, totalSteps: totalSteps,
                                           loss: seen.0 / Double(max(seen.1, 1))))
                if let interval = c.evaluationInterval, step % interval == 0, step % stepsPerEpoch != 0 {
                    try Interruption.checkpoint()
                    if try evaluate(epoch: epoch) {
                        stoppedEarly = true
                        break training
                    }
                }
            }
            try Interruption.checkpoint()
            if try evaluate(epoch: epoch) {
                stoppedEarly = true
                break training
            }
        }
        if c.restoreBestWeights, !best.isEmpty {
            for parameter in parameters { if let value = best[ObjectIdentifier(parameter)] { parameter.value = value } }
        }
        history.steps = step
        history.seconds = Date().timeIntervalSince(started)
        let monitor = objective.taskNames.count > 1 ? "mean validation \(c.monitor.rawValue) over tasks"
            : "validation \(c.monitor.rawValue)"
        if stoppedEarly {
            history.stopReason = "early stopping: \(monitor) did not improve by more than \(c.minimumDelta) "
                + "for \(c.patience) evaluation(s); best at epoch \(history.bestEpoch ?? 0)"
        } else {
            history.stopReason = "completed \(c.epochs) epoch(s); best \(monitor) at epoch \(history.bestEpoch ?? 0)"
        }
        if c.restoreBestWeights, history.bestEpoch != nil { history.stopReason += ", weights restored" }
        return history
    }

    /// An epoch's micro-batches in the order the seed gives.
    static func epochBatches(_ objective: some TrainingObjective, epoch: Int, configuration c: TrainingConfiguration) throws
        -> [TrainingBatch]
    {
        var generator = SeededGenerator(seed: c.seed &+ UInt64(epoch) &* 0x9E37_79B9)
        let batches = objective.batches(size: c.batchSize, generator: &generator).filter { !$0.items.isEmpty }
        guard !batches.isEmpty else {
            throw AdaptationError.invalidData(path: "training data", line: nil, reason: "no examples")
        }
        return batches
    }

    static func taskPrefix(_ objective: some TrainingObjective, _ batch: TrainingBatch) -> String {
        objective.taskNames.count > 1 ? "task \(objective.taskNames[batch.task]): " : ""
    }

    /// "NaN" or "infinite" rather than libc's "-nan" spellings.
    static func describe(_ value: Double) -> String {
        value.isNaN ? "NaN" : value.isInfinite ? "infinite" : String(value)
    }
}

extension TrainingBatch {
    /// Indices 0..<count shuffled (Fisher–Yates with `generator`) and cut into batches of `size`.
    public static func shuffled(count: Int, size: Int, task: Int = 0, generator: inout SeededGenerator) -> [TrainingBatch] {
        var order = Array(0..<count)
        for index in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(index, Int(generator.next() % UInt64(index + 1)))
        }
        return stride(from: 0, to: order.count, by: max(size, 1)).map {
            TrainingBatch(task: task, items: Array(order[$0..<min($0 + max(size, 1), order.count)]))
        }
    }
}
