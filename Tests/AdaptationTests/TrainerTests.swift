import Foundation
import TestSupport
import Testing

@testable import Adaptation
@testable import Transformers

/// A task a tiny model can learn: the label is whether the text mentions good things.
func separableExamples(count: Int, seed: UInt64) -> [LabelledExample] {
    let positive = ["good", "great", "sun", "dog"]
    let negative = ["bad", "awful", "not", "cat"]
    let filler = ["the", "movie", "food", "is", "was", "very", "a"]
    var generator = SeededGenerator(seed: seed)
    func pick(_ words: [String]) -> String { words[Int(generator.next() % UInt64(words.count))] }
    return (0..<count).map { index in
        let label = index % 2
        let words = [pick(filler), pick(label == 1 ? positive : negative), pick(filler), pick(label == 1 ? positive : negative)]
        return LabelledExample(text: words.joined(separator: " "), label: label)
    }
}

func tinyBase(seed: UInt64 = 9) throws -> Checkpoint {
    try Checkpoint(directory: try TinyCheckpoint.make(seed: seed))
}

func settings(epochs: Int, lr: Float, seed: UInt64 = 3) -> TrainingConfiguration {
    var c = TrainingConfiguration()
    c.epochs = epochs
    c.learningRate = lr
    c.batchSize = 8
    c.seed = seed
    c.patience = epochs
    c.warmupFraction = 0
    return c
}

@Suite struct TrainerTests {
    @Test func fullFineTuningReachesPerfectAccuracyOnASeparableTask() throws {
        var generator = SeededGenerator(seed: 1)
        let train = separableExamples(count: 64, seed: 1)
        let classifier = try FullFineTuning().prepare(base: try tinyBase(), labelNames: ["neg", "pos"], training: train,
                                                       pooling: .mean, generator: &generator)
        let history = try Trainer(classifier: classifier, configuration: settings(epochs: 30, lr: 3e-3))
            .train(train, validation: separableExamples(count: 32, seed: 2))
        #expect(try classifier.evaluate(train).metrics.accuracy == 1)
        #expect(history.records.last!.validationAccuracy == 1)
        #expect(history.stepLosses.last! < history.stepLosses.first!)
    }

    @Test func theSameSeedGivesTheSameLossesTwice() throws {
        func run() throws -> [Double] {
            var generator = SeededGenerator(seed: 5)
            let train = separableExamples(count: 40, seed: 3)
            let classifier = try FullFineTuning().prepare(base: try tinyBase(), labelNames: ["a", "b"], training: train,
                                                           pooling: .mean, generator: &generator)
            var c = settings(epochs: 2, lr: 1e-3)
            c.hiddenDropout = 0.1
            c.attentionDropout = 0.1
            return try Trainer(classifier: classifier, configuration: c).train(train, validation: train).stepLosses
        }
        let first = try run()
        #expect(first.count == 10)
        #expect(first == (try run()))
    }

    @Test func frozenParametersAreBitIdenticalAfterTraining() throws {
        let base = try tinyBase()
        let before = base.model.parameters.map { $0.value.scalars.map(\.bitPattern) }
        var generator = SeededGenerator(seed: 2)
        var lora = LoRAStrategy(rank: 2, alpha: 4, dropout: 0.1)
        lora.mergesAfterTraining = false
        let train = separableExamples(count: 32, seed: 4)
        let classifier = try lora.prepare(base: base, labelNames: ["a", "b"], training: train, pooling: .mean, generator: &generator)
        let adapters = classifier.model.layers.flatMap { [$0.query.adapter!.up, $0.value.adapter!.up] }
        _ = try Trainer(classifier: classifier, configuration: settings(epochs: 3, lr: 1e-2)).train(train, validation: train)
        let baseParameters = classifier.model.parameters.filter { !$0.name.contains("lora_") }
        #expect(baseParameters.map { $0.value.scalars.map(\.bitPattern) } == before)
        #expect(adapters.allSatisfy { $0.value.scalars.contains { $0 != 0 } })  // B moved away from zero
    }

    @Test func mergingLoRAAfterTrainingChangesOutputsByLessThan1e5() throws {
        var generator = SeededGenerator(seed: 2)
        var lora = LoRAStrategy(rank: 4, alpha: 8, dropout: 0)
        lora.mergesAfterTraining = true
        let train = separableExamples(count: 32, seed: 5)
        let classifier = try lora.prepare(base: try tinyBase(), labelNames: ["a", "b"], training: train, pooling: .mean, generator: &generator)
        _ = try Trainer(classifier: classifier, configuration: settings(epochs: 3, lr: 1e-2)).train(train, validation: train)
        let unmerged = try classifier.logits(train)
        lora.finish(classifier)
        #expect(classifier.model.layers.allSatisfy { $0.query.adapter == nil && $0.value.adapter == nil })
        #expect(try classifier.logits(train).maximumAbsoluteDifference(to: unmerged) < 1e-5)
    }

    @Test func earlyStoppingStopsOnAnOverfittingTaskAndRestoresTheBestWeights() throws {
        // Random labels: the model can memorise training data but validation loss must rise.
        var labels = SeededGenerator(seed: 8)
        let train = separableExamples(count: 24, seed: 6).map { LabelledExample(text: $0.text, label: Int(labels.next() % 2)) }
        let validation = separableExamples(count: 24, seed: 7).map { LabelledExample(text: $0.text, label: Int(labels.next() % 2)) }
        var generator = SeededGenerator(seed: 3)
        let classifier = try FullFineTuning().prepare(base: try tinyBase(), labelNames: ["a", "b"], training: train,
                                                       pooling: .mean, generator: &generator)
        var c = settings(epochs: 40, lr: 5e-3)
        c.patience = 3
        let history = try Trainer(classifier: classifier, configuration: c).train(train, validation: validation)
        #expect(history.records.count < 40)
        #expect(history.stopReason.hasPrefix("early stopping"))
        let best = history.records.min { $0.validationLoss < $1.validationLoss }!
        #expect(history.bestEpoch == best.epoch)
        #expect(history.records.count == best.epoch + 3)
        #expect(abs(try classifier.evaluate(validation).loss - best.validationLoss) < 1e-5)
    }

    @Test func aNonFiniteLossStopsTrainingWithTheStepNamed() throws {
        var generator = SeededGenerator(seed: 3)
        let train = separableExamples(count: 16, seed: 1)
        let classifier = try FullFineTuning().prepare(base: try tinyBase(), labelNames: ["a", "b"], training: train,
                                                       pooling: .mean, generator: &generator)
        classifier.model.wordEmbeddings.table.value.scalars[5] = .nan  // "hello"... and every id-5 token
        classifier.model.layers[0].query.weight.value.scalars[0] = .infinity
        #expect(throws: AdaptationError.diverged(step: 1, reason: "the training loss is NaN")) {
            try Trainer(classifier: classifier, configuration: settings(epochs: 1, lr: 1e-3)).train(train, validation: train)
        }
    }

    @Test func accumulatingTwoHalfBatchesEqualsOneFullBatch() throws {
        func weightsAfterOneStep(batchSize: Int, accumulate: Int) throws -> [Float] {
            var generator = SeededGenerator(seed: 4)
            let train = separableExamples(count: 8, seed: 9)
            let classifier = try FullFineTuning().prepare(base: try tinyBase(), labelNames: ["a", "b"], training: train,
                                                           pooling: .mean, generator: &generator)
            var c = settings(epochs: 1, lr: 1e-2)
            c.batchSize = batchSize
            c.accumulationSteps = accumulate
            c.hiddenDropout = 0
            c.attentionDropout = 0
            c.maximumGradientNorm = nil
            let history = try Trainer(classifier: classifier, configuration: c).train(train, validation: train)
            #expect(history.steps == 1)
            return classifier.parameters.flatMap(\.value.scalars)
        }
        let whole = try weightsAfterOneStep(batchSize: 8, accumulate: 1)
        let halves = try weightsAfterOneStep(batchSize: 4, accumulate: 2)
        #expect(zip(whole, halves).map { abs($0 - $1) }.max()! < 1e-5)
    }

    @Test func badOptionsAreRejectedNamingTheFlag() {
        var c = TrainingConfiguration()
        c.accumulationSteps = 0
        #expect(throws: AdaptationError.invalidOption(name: "--accumulate", reason: "must be at least 1, got 0")) { try c.validate() }
    }
}

@Suite struct TrainingCurveTests {
    @Test func everyEvaluationRecordsTrainingAccuracyOnASampleOfAtMostAThousandExamples() throws {
        var generator = SeededGenerator(seed: 1)
        let train = separableExamples(count: 1_040, seed: 1)
        let classifier = try LinearProbe().prepare(base: try tinyBase(), labelNames: ["neg", "pos"], training: train,
                                                   pooling: .mean, generator: &generator)
        let objective = try ClassificationObjective(classifier: classifier, training: train, validation: Array(train.prefix(20)),
                                                    sampleSeed: 7)
        #expect(objective.trainingSample.count == TrainingMetric.trainingSampleLimit)
        var c = settings(epochs: 1, lr: 1e-2)
        c.batchSize = 64
        let history = try Trainer(configuration: c).train(objective)
        let record = try #require(history.records.first)
        let accuracy = try #require(record.values[TrainingMetric.trainAccuracy])
        let loss = try #require(record.values[TrainingMetric.trainEvaluationLoss])
        // Independently: the same classifier scored on the same sample.
        let check = try classifier.evaluate(objective.trainingSample)
        #expect(accuracy == check.metrics.accuracy && abs(loss - check.loss) < 1e-12)
        #expect(record.values[TrainingMetric.trainLoss] != nil && record.values[TrainingMetric.validationLoss] != nil)
    }

    @Test func adamWCorrectsEachParameterForItsOwnNumberOfUpdates() {
        // One parameter updated every step, one every other step: after the second update of
        // each, both have taken bias-corrected steps of the same size for the same gradient.
        let always = Parameter(name: "always", value: Tensor(shape: [1], scalars: [0]), decays: false)
        let sometimes = Parameter(name: "sometimes", value: Tensor(shape: [1], scalars: [0]), decays: false)
        let optimizer = AdamW(learningRate: 0.1, weightDecay: 0)
        for step in 0..<4 {
            always.gradient = Tensor(shape: [1], scalars: [1])
            sometimes.gradient = Tensor(shape: [1], scalars: [1])
            optimizer.update(step % 2 == 0 ? [always, sometimes] : [always])
            if step == 1 { #expect(abs(always.value.scalars[0] - (-0.2)) < 1e-5) }
        }
        // A constant gradient gives m̂/√v̂ = 1 at every step: each update moves by the rate.
        #expect(abs(always.value.scalars[0] - (-0.4)) < 1e-5)
        #expect(abs(sometimes.value.scalars[0] - (-0.2)) < 1e-5)
    }
}
