import Foundation
import TestSupport
import Testing

@testable import Adaptation
@testable import Transformers

/// A second task over the same vocabulary: does the text mention an animal?
func animalExamples(count: Int, seed: UInt64) -> [LabelledExample] {
    let animals = ["cat", "dog"]
    let others = ["sun", "food", "movie"]
    let filler = ["the", "is", "was", "very", "a", "good", "bad"]
    var generator = SeededGenerator(seed: seed)
    func pick(_ words: [String]) -> String { words[Int(generator.next() % UInt64(words.count))] }
    return (0..<count).map { index in
        let label = index % 2
        return LabelledExample(text: [pick(filler), pick(label == 1 ? animals : others), pick(filler)].joined(separator: " "),
                               label: label)
    }
}

@Suite struct MultiTaskTests {
    @Test func aChainTrainsTheIntermediateTaskThenTheTargetOnTheSameEncoder() throws {
        let base = try tinyBase()
        let original = base.model.layers[0].query.weight.value
        let intermediate = AdaptationTask(name: "sentiment", training: separableExamples(count: 48, seed: 1),
                                          validation: separableExamples(count: 16, seed: 2), labelNames: ["neg", "pos"])
        let target = AdaptationTask(name: "animals", training: animalExamples(count: 48, seed: 3),
                                    validation: animalExamples(count: 16, seed: 4), labelNames: ["other", "animal"])
        let chain = AdaptationChain(stages: [
            .init(task: intermediate, strategy: FullFineTuning(), configuration: settings(epochs: 30, lr: 3e-3)),
            .init(task: target, strategy: FullFineTuning(), configuration: settings(epochs: 30, lr: 3e-3)),
        ])
        var generator = SeededGenerator(seed: 1)
        let (classifier, histories) = try chain.run(base: base, pooling: .mean, generator: &generator)
        #expect(histories.count == 2 && histories.allSatisfy { !$0.records.isEmpty })
        #expect(classifier.labelNames == ["other", "animal"])
        #expect(classifier.model === base.model)
        #expect(base.model.layers[0].query.weight.value != original)
        #expect(try classifier.evaluate(target.validation).metrics.accuracy > 0.9)
    }

    @Test func aChainCheckpointWithLoRAOnAFineTunedEncoderReloadsExactly() throws {
        let baseURL = try TinyCheckpoint.make(seed: 9)
        let base = try Checkpoint(directory: baseURL)
        let intermediate = AdaptationTask(name: "sentiment", training: separableExamples(count: 32, seed: 1),
                                          validation: separableExamples(count: 16, seed: 2), labelNames: ["neg", "pos"])
        var generator = SeededGenerator(seed: 1)
        _ = try AdaptationChain(stages: [.init(task: intermediate, strategy: FullFineTuning(), configuration: settings(epochs: 3, lr: 3e-3))])
            .run(base: base, pooling: .mean, generator: &generator)
        var lora = LoRAStrategy(rank: 2, alpha: 4, dropout: 0)
        lora.mergesAfterTraining = true
        let target = animalExamples(count: 32, seed: 3)
        let classifier = try lora.prepare(base: base, labelNames: ["other", "animal"], training: target, pooling: .mean, generator: &generator)
        _ = try Trainer(classifier: classifier, configuration: settings(epochs: 3, lr: 1e-2)).train(target, validation: target)
        let output = try TestPaths.temporaryDirectory()
        try AdaptedCheckpoint.save(classifier, strategy: lora, baseSHA256: try Checkpoint(directory: baseURL).weightsSHA256(),
                                   to: output, includingWholeEncoder: true)
        lora.finish(classifier)
        let reloaded = try AdaptedCheckpoint.load(from: output, base: try Checkpoint(directory: baseURL))
        #expect(try reloaded.logits(target).maximumAbsoluteDifference(to: try classifier.logits(target)) < 1e-5)
    }

    @Test func adaptersCarryOverFromOneStageToTheNext() throws {
        let base = try tinyBase()
        var generator = SeededGenerator(seed: 1)
        _ = try AdapterStrategy(bottleneck: 4).prepare(base: base, labelNames: ["a", "b"], training: [], pooling: .mean, generator: &generator)
        let first = base.model.layers[1].outputAdapter!.up.weight
        let second = try AdapterStrategy(bottleneck: 4).prepare(base: base, labelNames: ["c", "d"], training: [], pooling: .mean, generator: &generator)
        #expect(second.model.layers[1].outputAdapter!.up.weight === first)
        #expect(first.isTrainable)
    }

    @Test func multiTaskTrainingLearnsEachTaskWithItsOwnAdaptersAndAFrozenEncoder() throws {
        let base = try tinyBase()
        let before = base.model.parameters.map(\.value)
        let tasks = [
            AdaptationTask(name: "sentiment", training: separableExamples(count: 48, seed: 1),
                           validation: separableExamples(count: 24, seed: 2), labelNames: ["neg", "pos"]),
            AdaptationTask(name: "animals", training: animalExamples(count: 48, seed: 3),
                           validation: animalExamples(count: 24, seed: 4), labelNames: ["other", "animal", "unused"]),
        ]
        var generator = SeededGenerator(seed: 5)
        var c = settings(epochs: 40, lr: 1e-2)
        c.patience = 40
        let objective = try MultiTaskObjective(base: base, tasks: tasks, bottleneck: 8, pooling: .mean, configuration: c,
                                               generator: &generator)
        let history = try Trainer(configuration: c).train(objective)
        #expect(Set(history.records.map(\.task)) == ["sentiment", "animals"])
        for index in tasks.indices {
            let accuracy = try objective.classifier(for: index).evaluate(tasks[index].validation).metrics.accuracy
            #expect(accuracy > 0.85, "task \(tasks[index].name): \(accuracy)")
        }
        #expect(objective.classifier(for: 1).head.labelCount == 3)
        let encoder = base.model.parameters.filter { !$0.name.hasPrefix("tasks.") }
        #expect(encoder.map(\.value) == before)
        #expect(objective.tasks[0].outputAdapters[0].up.weight !== objective.tasks[1].outputAdapters[0].up.weight)
    }

    /// Multi-task training once had its own loop that ignored the schedule, accumulation,
    /// mid-epoch evaluation and the monitored metric; now the one trainer applies them all.
    @Test func multiTaskTrainingHonoursEveryTrainingSetting() throws {
        let tasks = [
            AdaptationTask(name: "sentiment", training: separableExamples(count: 40, seed: 1),
                           validation: separableExamples(count: 16, seed: 2), labelNames: ["neg", "pos"]),
            AdaptationTask(name: "animals", training: animalExamples(count: 24, seed: 3),
                           validation: animalExamples(count: 16, seed: 4), labelNames: ["other", "animal"]),
        ]
        var c = settings(epochs: 3, lr: 1e-2)
        c.warmupFraction = 0.5
        c.accumulationSteps = 2
        c.evaluationInterval = 2
        c.monitor = .validationAccuracy
        c.patience = 10
        var generator = SeededGenerator(seed: 5)
        let objective = try MultiTaskObjective(base: try tinyBase(), tasks: tasks, bottleneck: 4, pooling: .mean, configuration: c,
                                               generator: &generator)
        let trainer = Trainer(configuration: c)
        var rates: [Double] = []
        let history = try trainer.train(objective)
        for record in history.records { rates.append(record.learningRate) }
        // 5 + 3 batches of 8 per epoch, interleaved, 2 per step: 4 steps per epoch, 12 in all.
        #expect(history.steps == 12)
        #expect(rates.first! < Double(c.learningRate), "warm-up: the first evaluation sees a reduced rate")
        // Mid-epoch evaluations every 2 steps (not at epoch ends) plus one per epoch, each one row per task.
        let evaluations = Set(history.records.map(\.evaluation)).count
        #expect(evaluations == 6 && history.records.count == 12)
        #expect(history.bestEvaluation != nil && history.stopReason.contains("mean validation accuracy over tasks"))
        #expect(history.records.allSatisfy { $0.values[TrainingMetric.trainAccuracy] != nil })
    }
}
