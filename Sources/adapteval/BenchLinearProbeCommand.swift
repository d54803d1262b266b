import Adaptation
import ArgumentParser
import Evaluation
import Foundation
import Transformers

/// Benchmark data sets for the linear probe, from ../shared/data.
enum LinearProbeBenchmarkData: String, ExpressibleByArgument, CaseIterable {
    case kitchen, sst2, davidson
}

struct BenchLinearProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linear-probe",
        abstract: "Time the linear probe (one encoder pass plus an L-BFGS fit) on a shared benchmark task.",
        discussion: """
            Splits the task with a fixed seed (kitchen: Multi-Domain Sentiment 60/20/20; sst2: \
            4,000 training and 1,000 validation sentences of train.tsv, dev.tsv as test; davidson: \
            the tweets 60/20/20 capped at 4,000/1,000/2,000), computes mean-pooled features once, \
            fits the probe with C chosen on validation, and reports test accuracy and times. \
            --export writes the features (raw little-endian float32) and labels so that \
            bench/linear-probe.sh can fit scikit-learn on exactly the same numbers.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "kitchen, sst2 or davidson.") var data: LinearProbeBenchmarkData
    @Option(name: .long, help: "The shared data folder (default: $ADAPTEVAL_SHARED/data or ../shared/data).")
    var dataRoot: String?
    @Option(name: .long, help: "Truncate texts to this many tokens.") var maxLength: Int = 128
    @Option(name: .long, help: "Write features and labels to this folder.") var export: String?
    @Flag(name: .long, help: "Write JSON instead of text.") var json = false

    func run() throws {
        let root = dataRoot ?? ((ProcessInfo.processInfo.environment["ADAPTEVAL_SHARED"]).map { "\($0)/data" } ?? "../shared/data")
        let (train, validation, test, labels) = try split(root: root)
        let checkpoint = try modelOptions.load()
        let cache = FeatureCache(directory: nil)
        let source = FeatureSource(cache: cache, encoder: try FrozenEncoder(base: checkpoint), pooling: .mean, maxLength: maxLength)
        let started = Date()
        let sets = try [train, validation, test].map { try source.features(of: $0) }
        let encoderSeconds = Date().timeIntervalSince(started)
        var generator = SeededGenerator(seed: 1)
        let probe = LinearProbe()
        let classifier = try probe.prepare(base: checkpoint, labelNames: labels, training: train, pooling: .mean, generator: &generator)
        let fitStarted = Date()
        let history = try probe.fit(classifier, training: sets[0], validation: sets[1], generator: &generator)
        let fitSeconds = Date().timeIntervalSince(fitStarted)
        let accuracy = try classifier.evaluate(sets[2]).metrics.accuracy
        if let export { try write(sets, to: URL(fileURLWithPath: export)) }
        let result: [String: Any] = [
            "data": data.rawValue, "train": train.count, "validation": validation.count, "test": test.count,
            "classes": labels.count, "test_accuracy": accuracy, "encoder_seconds": encoderSeconds, "fit_seconds": fitSeconds,
            "stop_reason": history.stopReason, "threads": ComputeThreads.count,
        ]
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print("linear probe on \(data.rawValue): \(train.count) train, \(validation.count) validation, \(test.count) test, \(labels.count) classes")
            print(String(format: "  test accuracy %.4f; encoder %.2f s, fit %.3f s", accuracy, encoderSeconds, fitSeconds))
            print("  \(history.stopReason)")
        }
    }

    /// The task's fixed splits as labelled examples.
    func split(root: String) throws -> ([LabelledExample], [LabelledExample], [LabelledExample], [String]) {
        let parts: [Dataset]
        switch data {
        case .kitchen:
            let all = try DatasetReaders.multiDomainSentiment(folder: "\(root)/06_domain_shift/blitzer2007_mds/kitchen")
            parts = try Splits.stratified(all, fractions: [0.6, 0.2, 0.2], seed: 7)
        case .sst2:
            let train = try DatasetReaders.sst2(path: "\(root)/06_domain_shift/sst2_glue/train.tsv")
            parts = try Splits.stratified(train, fractions: [0.95, 0.05], limits: [4000, 1000], seed: 7)
                + [try DatasetReaders.sst2(path: "\(root)/06_domain_shift/sst2_glue/dev.tsv")]
        case .davidson:
            let all = try DatasetReaders.davidson(path: "\(root)/05_toxicity_labelled/davidson2017/labeled_data.csv")
            parts = try Splits.stratified(all, fractions: [0.6, 0.2, 0.2], limits: [4000, 1000, 2000], seed: 7)
        }
        let labels = parts[0].labelNames
        let examples = try parts.map { try LabelledDataset($0, labelNames: labels, source: data.rawValue).examples }
        return (examples[0], examples[1], examples[2], labels)
    }

    func write(_ sets: [LabelledFeatureSet], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, set) in zip(["train", "validation", "test"], sets) {
            let bytes = set.features.scalars.withUnsafeBufferPointer { Data(buffer: $0) }
            try bytes.write(to: folder.appendingPathComponent("\(name).f32"))
            let meta: [String: Any] = ["rows": set.features.shape[0], "columns": set.features.shape[1], "labels": set.labels]
            try JSONSerialization.data(withJSONObject: meta).write(to: folder.appendingPathComponent("\(name).json"))
        }
    }
}
