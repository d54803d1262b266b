import Adaptation
import ArgumentParser
import Backends
import Evaluation
import Foundation
import Transformers

enum TokenChoice: String, ExpressibleByArgument, CaseIterable {
    case wordpiece, words
    var tokens: DomainComparison.Tokens { self == .words ? .words : .wordpiece }
}

struct DivergeCommand: ParsableCommand {
    static let defaultModel = "models/all-MiniLM-L6-v2"

    static let configuration = CommandConfiguration(
        commandName: "diverge",
        abstract: "Measure how far apart two corpora are: unigram KL and Jensen–Shannon, cosine of mean embeddings, MMD², proxy A-distance.",
        discussion: """
            KL and JS are in bits over the model's WordPiece tokens (--tokens words: \
            whitespace-separated words), with add-ε smoothing, ε = 1e-6. The embedding \
            measures use a seeded sample of at most --sample texts per side. Above 0.3 bits of \
            JS the seed's rule of thumb prefers multi-task training over direct transfer; it is \
            printed as advice. With --endpoint the embeddings come from a served model's \
            /v1/embeddings and the token counts are words (its tokenizer is not here). \
            Definitions: docs/metrics.md.
            """)

    @Argument(help: "The first corpus (the source): a file, or a folder for --format mds.") var first: String
    @Argument(help: "The second corpus (the target).") var second: String
    @Option(name: .long, help: "Checkpoint folder for tokens and embeddings (default: models/all-MiniLM-L6-v2 without --endpoint).")
    var model: String?
    @OptionGroup var served: ServedEmbeddingOptions
    @OptionGroup var data: DataOptions
    @Option(name: .long, help: "wordpiece (the model's tokens; the default for --model) or words (the default for --endpoint).")
    var tokens: TokenChoice?
    @Option(name: .long, help: "Texts per side for the embedding measures.") var sample = DomainComparison.defaultSampleLimit
    @Option(name: .long, help: "Permutations of the MMD test.") var permutations = DomainComparison.defaultPermutations
    @Option(name: .long, help: "Seed of the sample, the permutations and the domain classifier's split.") var seed: UInt64 = 0
    @OptionGroup var length: LengthOptions
    @Option(name: .long, help: "Threads for numeric work (default: all cores).") var threads: Int?
    @Flag(name: .long, help: "Write JSON.") var json = false

    func validate() throws {
        try served.checkOneSource(model: model, required: false)
        if served.isServed, tokens == .wordpiece {
            throw ValidationError("--tokens wordpiece needs a checkpoint's tokenizer; a served model's texts are counted in words")
        }
        guard (4...DomainComparison.largestSampleLimit).contains(sample) else {
            throw ValidationError("--sample must be between 4 and \(DomainComparison.largestSampleLimit) (MMD's kernel matrix grows with its square), got \(sample)")
        }
        guard permutations >= 1 else { throw ValidationError("--permutations must be at least 1, got \(permutations)") }
    }

    func run() throws {
        ComputeThreads.set(threads ?? 0)
        let source = try data.readTexts(first)
        let target = try data.readTexts(second)
        let comparison: DomainComparison
        if let remote = try served.makeModel() {
            InterruptHandler.install()
            comparison = try DomainComparison.measure(
                source: (first, source), target: (second, target), embedder: remote, sampleLimit: sample, permutations: permutations,
                seed: seed)
        } else {
            let checkpoint = try Checkpoint(directory: URL(fileURLWithPath: model ?? Self.defaultModel))
            comparison = try DomainComparison.measure(
                source: (first, source), target: (second, target), encoder: try FrozenEncoder(base: checkpoint),
                cache: FeatureCache(directory: nil), tokens: (tokens ?? .wordpiece).tokens, maxLength: length.maxLength,
                sampleLimit: sample, permutations: permutations, seed: seed)
        }
        let advised = comparison.unigram.jensenShannon > RunsFormatting.multiTaskAdviceBits
        if json {
            try RunsFormatting.printJSON([
                "source": first, "target": second, "tokens": comparison.tokens.rawValue, "source_texts": comparison.sourceTexts,
                "target_texts": comparison.targetTexts, "kl_source_target": comparison.unigram.firstToSecond,
                "kl_target_source": comparison.unigram.secondToFirst, "jensen_shannon": comparison.unigram.jensenShannon,
                "cosine": comparison.cosine, "mmd2": comparison.maximumMeanDiscrepancy.squaredDiscrepancy,
                "mmd_bandwidth": comparison.maximumMeanDiscrepancy.bandwidth, "mmd_p_value": comparison.maximumMeanDiscrepancy.pValue,
                "mmd_permutations": comparison.maximumMeanDiscrepancy.permutations,
                "proxy_a_distance": comparison.proxyADistance.distance,
                "domain_classifier_error": comparison.proxyADistance.heldOutError, "multitask_advised": advised,
                "seconds": comparison.seconds,
            ])
            return
        }
        print("\(comparison.sourceTexts) source and \(comparison.targetTexts) target texts, \(comparison.tokens.rawValue) tokens")
        print(RunsFormatting.table([
            ["measure", "value", "meaning"],
            ["KL(source ‖ target)", String(format: "%.4f bits", comparison.unigram.firstToSecond), "0 = same token distribution"],
            ["KL(target ‖ source)", String(format: "%.4f bits", comparison.unigram.secondToFirst), ""],
            ["Jensen–Shannon", String(format: "%.4f bits", comparison.unigram.jensenShannon), "0 same … 1 disjoint vocabularies"],
            ["cosine of means", String(format: "%.4f", comparison.cosine), "1 = same mean embedding"],
            ["MMD² (RBF)", String(format: "%.5f", comparison.maximumMeanDiscrepancy.squaredDiscrepancy),
             String(format: "p = %.4f over %d permutations", comparison.maximumMeanDiscrepancy.pValue, comparison.maximumMeanDiscrepancy.permutations)],
            ["proxy A-distance", String(format: "%.3f", comparison.proxyADistance.distance),
             String(format: "domain classifier held-out error %.3f", comparison.proxyADistance.heldOutError)],
        ]), terminator: "")
        print(advised
            ? "advice: JS > \(RunsFormatting.multiTaskAdviceBits) bits: the seed's rule prefers multi-task training over direct transfer (a rule of thumb; measure the transfer gain in a suite)."
            : "advice: JS ≤ \(RunsFormatting.multiTaskAdviceBits) bits: close enough for direct transfer by the seed's rule (a rule of thumb; measure the transfer gain in a suite).")
    }
}
