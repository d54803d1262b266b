import ArgumentParser
import Foundation
import Transformers

/// The checkpoint's masked-LM head, or a fresh one tied to its word embeddings (the default
/// model, a sentence-transformers checkpoint, has none).
private func maskedLanguageModel(_ checkpoint: Checkpoint) -> (model: BertMaskedLanguageModel, freshHead: Bool) {
    let head = checkpoint.maskedLanguageModelHead
        ?? MaskedLanguageModelHead.randomlyInitialized(
            configuration: checkpoint.configuration, seed: 7, tiedTo: checkpoint.model.wordEmbeddings)
    let model = BertMaskedLanguageModel(model: checkpoint.model, head: head, maskID: checkpoint.tokenizer.maskID)
    return (model, checkpoint.maskedLanguageModelHead == nil)
}

/// `count` sequences of `length` random ordinary token ids between [CLS] and [SEP].
private func randomSequences(_ checkpoint: Checkpoint, count: Int, length: Int, generator: inout SeededGenerator) -> [[Int32]] {
    let vocabulary = checkpoint.configuration.vocabularySize
    let firstOrdinaryID = min(1000, vocabulary - 1)
    return (0..<count).map { _ in
        [checkpoint.tokenizer.classID]
            + (0..<(length - 2)).map { _ in
                Int32(firstOrdinaryID + Int(generator.next() % UInt64(vocabulary - firstOrdinaryID)))
            } + [checkpoint.tokenizer.separatorID]
    }
}

/// Runs `body` `warmup` times untimed, then `repeats` times timed; the seconds of each timed run.
private func timedRuns(warmup: Int, repeats: Int, _ body: () throws -> Void) rethrows -> (median: Double, seconds: [Double]) {
    for _ in 0..<warmup { try body() }
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return (times.sorted()[times.count / 2], times)
}

private func printJSON(_ object: [String: Any]) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

struct BenchMaskedLanguageModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlm",
        abstract: "Time one masked-LM training step (forward, backward, AdamW), full fine-tuning.",
        discussion: """
            Chooses --fraction of each sequence's tokens between [CLS] and [SEP] (15% as in BERT), \
            replaces them by [MASK] and trains encoder and head on them; only those positions go \
            through the vocabulary projection. The checkpoint's head is used, or a fresh one tied \
            to the word embeddings. Dropout follows config.json. Compare with `bench train` \
            (a classification step of the same shape) and bench/torch_mlm_train.py.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Sequences per step.") var batch: Int = 16
    @Option(name: .long, help: "Tokens per sequence.") var seq: Int = 128
    @Option(name: .long, help: "Fraction of tokens masked and scored.") var fraction: Double = 0.15
    @Option(name: .long, help: "Timed steps.") var repeats: Int = 5
    @Option(name: .long, help: "Untimed warm-up steps.") var warmup: Int = 2
    @Flag(name: .long, help: "Write JSON instead of text.") var json = false

    func validate() throws {
        guard batch >= 1, seq >= 3, repeats >= 1, warmup >= 0 else {
            throw ValidationError("--batch ≥ 1, --seq ≥ 3, --repeats ≥ 1 and --warmup ≥ 0 are required")
        }
        guard fraction > 0, fraction <= 1 else { throw ValidationError("--fraction must be in (0, 1], got \(fraction)") }
    }

    func run() throws {
        let checkpoint = try modelOptions.load()
        let c = checkpoint.configuration
        guard seq <= c.maximumPositions else { throw ValidationError("--seq \(seq) exceeds the model's \(c.maximumPositions) positions") }
        let (language, freshHead) = maskedLanguageModel(checkpoint)
        var generator = SeededGenerator(seed: 7)
        let chosenPerSequence = max(1, Int((fraction * Double(seq - 2)).rounded()))
        var tokens = TokenBatch()
        var labels: [Int] = []
        for var ids in randomSequences(checkpoint, count: batch, length: seq, generator: &generator) {
            var sequenceLabels = [Int](repeating: MaskedLanguageModelLoss.ignoredLabel, count: seq)
            var candidates = Array(1..<(seq - 1))
            candidates.shuffle(using: &generator)
            for position in candidates.prefix(chosenPerSequence) {
                sequenceLabels[position] = Int(ids[position])
                ids[position] = language.maskID
            }
            tokens.append(ids: ids, typeIDs: Array(repeating: 0, count: seq))
            labels += sequenceLabels
        }
        let parameters = language.parameters.filter(\.isTrainable)
        let optimizer = AdamW(learningRate: 1e-5)
        let pass = TrainingPass(hiddenDropout: c.hiddenDropout, attentionDropout: c.attentionDropout, seed: 1)
        func step() throws {
            for parameter in parameters { parameter.zeroGradient() }
            try language.accumulateGradients(tokens, labels: labels, pass: pass)
            optimizer.update(parameters)
        }
        let (median, times) = try timedRuns(warmup: warmup, repeats: repeats, step)
        let positions = chosenPerSequence * batch
        let peakMB = Double(BenchTrainCommand.peakResidentKilobytes()) / 1024
        if json {
            try printJSON([
                "benchmark": "mlm-train", "batch": batch, "seq": seq, "threads": ComputeThreads.count,
                "scored_positions": positions, "fresh_head": freshHead, "median_seconds": median,
                "tokens_per_second": Double(batch * seq) / median, "seconds": times,
                "trainable_parameters": parameters.reduce(0) { $0 + $1.count }, "peak_rss_mb": peakMB,
            ])
        } else {
            print(String(format: "masked-LM train step %d × %d (%d positions) on %d threads: median %.4f s, %.0f tokens/s, peak RSS %.0f MB",
                         batch, seq, positions, ComputeThreads.count, median, Double(batch * seq) / median, peakMB))
        }
    }
}

struct BenchMaskedScoringCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlm-score",
        abstract: "Measure masked-LM scoring throughput (masked copies per second).",
        discussion: """
            Scores every position between [CLS] and [SEP] of --sequences random sequences of \
            --seq tokens, one masked copy per position, packed into batches of at most \
            --batch-tokens tokens (the CrowS-Pairs and StereoSet workload).
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Sequences to score.") var sequences: Int = 32
    @Option(name: .long, help: "Tokens per sequence.") var seq: Int = 24
    @Option(name: .long, help: "Tokens per encoder batch.") var batchTokens: Int = 8192
    @Option(name: .long, help: "Timed runs.") var repeats: Int = 3
    @Flag(name: .long, help: "Write JSON instead of text.") var json = false

    func validate() throws {
        guard sequences >= 1, seq >= 3, batchTokens >= seq, repeats >= 1 else {
            throw ValidationError("--sequences ≥ 1, --seq ≥ 3, --batch-tokens ≥ --seq and --repeats ≥ 1 are required")
        }
    }

    func run() throws {
        let checkpoint = try modelOptions.load()
        guard seq <= checkpoint.configuration.maximumPositions else {
            throw ValidationError("--seq \(seq) exceeds the model's \(checkpoint.configuration.maximumPositions) positions")
        }
        var (language, freshHead) = maskedLanguageModel(checkpoint)
        language.maximumBatchTokens = batchTokens
        var generator = SeededGenerator(seed: 11)
        let scored = randomSequences(checkpoint, count: sequences, length: seq, generator: &generator).map {
            ScoredSequence(ids: $0, positions: Array(1..<(seq - 1)))
        }
        let (median, times) = try timedRuns(warmup: 1, repeats: repeats) { _ = try language.logProbabilities(of: scored) }
        let copies = sequences * (seq - 2)
        if json {
            try printJSON([
                "benchmark": "mlm-score", "sequences": sequences, "seq": seq, "copies": copies,
                "threads": ComputeThreads.count, "fresh_head": freshHead, "median_seconds": median,
                "copies_per_second": Double(copies) / median, "seconds": times,
            ])
        } else {
            print(String(format: "masked-LM scoring, %d copies of %d tokens on %d threads: median %.4f s, %.0f copies/s",
                         copies, seq, ComputeThreads.count, median, Double(copies) / median))
        }
    }
}

struct BenchMaskedExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlm-export",
        abstract: "Write a BertForMaskedLM folder and print a sentence's masked log-probabilities.",
        discussion: """
            Writes the checkpoint's encoder and masked-LM head (a fresh one tied to the word \
            embeddings when it has none) to --output as Hugging Face's save_pretrained would, \
            reads the folder back and prints, as JSON, the masked log-probability of every token \
            of --text between [CLS] and [SEP]. bench/torch_mlm_load.py loads the folder with \
            transformers and checks its keys and these values.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Folder to write.") var output: String
    @Option(name: .long, help: "Sentence to score.") var text: String = "The quick brown fox jumps over the lazy dog."

    func run() throws {
        let checkpoint = try modelOptions.load()
        let (language, freshHead) = maskedLanguageModel(checkpoint)
        let target = URL(fileURLWithPath: output)
        try Checkpoint.writeMaskedLanguageModel(
            model: checkpoint.model, head: language.head, tokenizerSource: checkpoint.directory, to: target)
        let written = try Checkpoint(directory: target)
        let ids = written.tokenizer.encode(text).ids
        let positions = Array(1..<max(1, ids.count - 1))
        let scores = try BertMaskedLanguageModel(checkpoint: written).logProbabilities(
            of: [ScoredSequence(ids: ids, positions: positions)])
        try printJSON([
            "text": text, "ids": ids.map(Int.init), "positions": positions, "log_probabilities": scores[0],
            "fresh_head": freshHead, "output": target.path,
        ])
    }
}
