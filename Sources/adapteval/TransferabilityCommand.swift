import Adaptation
import ArgumentParser
import Evaluation
import Foundation
import Transformers

struct TransferabilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transferability",
        abstract: "Rank candidate encoders for a labelled task before training, by LogME and H-score on frozen features.",
        discussion: """
            Each --model is a Hugging Face checkpoint folder (a base model, or one written by \
            `adapteval pretrain`). LogME (You et al. 2021) is the mean per-class log evidence \
            of a Bayesian linear model on the features; H-score (Bao et al. 2019) is \
            tr(cov(f)⁻¹ cov(E[f|y])). Higher is better for both; models are ranked by LogME.
            """)

    @Option(name: .long, help: "A candidate checkpoint folder; repeat for several.") var model: [String]
    @Option(name: .long, help: "The target task's training data.") var train: String
    @OptionGroup var data: DataOptions
    @Option(name: .long, help: "How token vectors become one vector: mean or cls.") var pooling: PoolingChoice = .mean
    @OptionGroup var length: LengthOptions
    @Option(name: .long, help: "Threads for numeric work (default: all cores).") var threads: Int?
    @Flag(name: .long, help: "Write JSON.") var json = false

    func validate() throws {
        guard !model.isEmpty else { throw ValidationError("give at least one --model") }
    }

    func run() throws {
        ComputeThreads.set(threads ?? 0)
        let dataset = try data.read(train)
        let cache = FeatureCache(directory: nil)
        let estimates = try model.map { path in
            try TransferabilityEstimate.measure(
                encoder: path, FrozenEncoder(base: Checkpoint(directory: URL(fileURLWithPath: path))), examples: dataset.examples,
                classCount: dataset.labelNames.count, cache: cache, pooling: pooling.pooling, maxLength: length.maxLength)
        }.sorted { $0.logME > $1.logME }
        if json {
            try RunsFormatting.printJSON([
                "train": train, "examples": dataset.examples.count, "classes": dataset.labelNames.count,
                "ranking": estimates.enumerated().map { rank, estimate -> [String: Any] in
                    ["rank": rank + 1, "model": estimate.encoder, "logme": estimate.logME, "h_score": estimate.hScore,
                     "seconds": estimate.seconds]
                },
            ])
            return
        }
        print("\(dataset.examples.count) training examples, \(dataset.labelNames.count) classes")
        var rows = [["rank", "model", "LogME", "H-score", "time"]]
        for (rank, estimate) in estimates.enumerated() {
            rows.append([String(rank + 1), estimate.encoder, String(format: "%.4f", estimate.logME), String(format: "%.4f", estimate.hScore),
                         RunsFormatting.duration(estimate.seconds)])
        }
        print(RunsFormatting.table(rows), terminator: "")
    }
}
