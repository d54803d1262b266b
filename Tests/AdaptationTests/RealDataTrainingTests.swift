import Foundation
import TestSupport
import Testing

@testable import Adaptation
@testable import Transformers

/// Fine-tunes the real default model on SST-2 sentences from ../shared/data.
@Suite(.enabled(if: TestPaths.referenceAndModelAvailable, Comment(rawValue: TestPaths.skipReason)), .serialized)
struct RealDataTrainingTests {
    /// SST-2 rows (sentence, label) from a GLUE TSV, skipping the header.
    static func sst2(_ file: String) throws -> [LabelledExample] {
        let url = TestPaths.shared!.appendingPathComponent("data/06_domain_shift/sst2_glue/\(file)")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: "\t")
            guard fields.count == 2, let label = Int(fields[1]) else { return nil }
            return LabelledExample(text: String(fields[0]), label: label)
        }
    }

    func trainAndTest(_ strategy: any AdaptationStrategy, learningRate: Float, epochs: Int) throws -> (accuracy: Double, majority: Double) {
        var all = try Self.sst2("train.tsv")
        var generator = SeededGenerator(seed: 11)
        for index in stride(from: all.count - 1, to: 0, by: -1) { all.swapAt(index, Int(generator.next() % UInt64(index + 1))) }
        let train = Array(all[0..<320])
        let validation = Array(all[320..<400])
        let test = Array(try Self.sst2("dev.tsv").prefix(300))
        let base = try Checkpoint(directory: TestPaths.model!)
        let classifier = try strategy.prepare(base: base, labelNames: ["negative", "positive"], training: train, pooling: .mean,
                                              generator: &generator)
        var c = TrainingConfiguration()
        c.epochs = epochs
        c.learningRate = learningRate
        c.batchSize = 16
        c.patience = 2
        _ = try Trainer(classifier: classifier, configuration: c).train(train, validation: validation)
        strategy.finish(classifier)
        let positives = Double(test.filter { $0.label == 1 }.count) / Double(test.count)
        return (try classifier.evaluate(test).metrics.accuracy, max(positives, 1 - positives))
    }

    @Test func loraBeatsTheMajorityBaselineByAClearMargin() throws {
        let result = try trainAndTest(LoRAStrategy(), learningRate: 2e-3, epochs: 5)
        #expect(result.accuracy > result.majority + 0.12, "accuracy \(result.accuracy), majority \(result.majority)")
    }

    @Test func aLinearProbeBeatsTheMajorityBaselineByAClearMargin() throws {
        let result = try trainAndTest(LinearProbe(), learningRate: 3e-3, epochs: 5)
        #expect(result.accuracy > result.majority + 0.1, "accuracy \(result.accuracy), majority \(result.majority)")
    }
}
