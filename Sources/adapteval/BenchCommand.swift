import Adaptation
import ArgumentParser
import Foundation
import Transformers

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure the speed of the numeric engine.",
        subcommands: [
            BenchForwardCommand.self, BenchTrainCommand.self, BenchMatrixCommand.self, BenchMaskedLanguageModelCommand.self,
            BenchMaskedScoringCommand.self, BenchMaskedExportCommand.self, BenchLinearProbeCommand.self,
        ])
}

struct BenchForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Time the encoder forward pass on a full batch (no padding).",
        discussion: """
            Runs warm-up passes, then --repeats timed passes over batch × seq random token ids, \
            and reports the median seconds, tokens per second and achieved GFLOP/s.
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Sequences per batch.")
    var batch: Int = 32

    @Option(name: .long, help: "Tokens per sequence.")
    var seq: Int = 128

    @Option(name: .long, help: "Timed passes.")
    var repeats: Int = 7

    @Option(name: .long, help: "Untimed warm-up passes.")
    var warmup: Int = 2

    @Flag(name: .long, help: "Write JSON instead of text.")
    var json = false

    func validate() throws {
        guard batch >= 1, seq >= 2 else { throw ValidationError("--batch must be ≥ 1 and --seq ≥ 2") }
        guard repeats >= 1, warmup >= 0 else { throw ValidationError("--repeats must be ≥ 1 and --warmup ≥ 0") }
    }

    func run() throws {
        let checkpoint = try modelOptions.load()
        let c = checkpoint.configuration
        guard seq <= c.maximumPositions else {
            throw ValidationError("--seq \(seq) exceeds the model's \(c.maximumPositions) positions")
        }
        var generator = SeededGenerator(seed: 42)
        var tokens = TokenBatch()
        let firstOrdinaryID = min(1000, c.vocabularySize - 1)
        for _ in 0..<batch {
            var ids: [Int32] = [checkpoint.tokenizer.classID]
            for _ in 0..<(seq - 2) {
                ids.append(Int32(firstOrdinaryID + Int(generator.next() % UInt64(c.vocabularySize - firstOrdinaryID))))
            }
            ids.append(checkpoint.tokenizer.separatorID)
            tokens.append(ids: ids, typeIDs: Array(repeating: 0, count: seq))
        }
        let model = checkpoint.model
        for _ in 0..<warmup { _ = try model(tokens) }
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try model(tokens)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let median = times.sorted()[times.count / 2]
        let flops = Self.forwardFLOPs(configuration: c, batch: batch, seq: seq)
        let tokensPerSecond = Double(batch * seq) / median
        let gflops = flops / median / 1e9
        if json {
            let object: [String: Any] = [
                "benchmark": "forward", "model": modelOptions.model, "batch": batch, "seq": seq,
                "threads": ComputeThreads.count, "median_seconds": median,
                "tokens_per_second": tokensPerSecond, "gflops": gflops, "seconds": times,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "forward %d × %d on %d threads: median %.4f s, %.0f tokens/s, %.1f GFLOP/s",
                         batch, seq, ComputeThreads.count, median, tokensPerSecond, gflops))
        }
    }

    /// Multiply-adds ×2 of the dense layers and the attention products of one forward.
    static func forwardFLOPs(configuration c: BertConfiguration, batch: Int, seq: Int) -> Double {
        let tokens = Double(batch * seq)
        let h = Double(c.hiddenSize)
        let dense = 2 * tokens * (4 * h * h + 2 * h * Double(c.intermediateSize))
        let attention = 2 * 2 * Double(batch) * Double(seq) * Double(seq) * h
        return Double(c.layerCount) * (dense + attention)
    }
}

struct BenchMatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Time one matrix product C = A·Bᵀ (the shape of a dense layer), for a GFLOP/s ceiling.",
        discussion: "Defaults are MiniLM's feed-forward input layer over 32 × 128 tokens.")

    @Option(name: .long, help: "Rows of A and C (tokens).") var m: Int = 4096
    @Option(name: .long, help: "Rows of B, columns of C (output features).") var n: Int = 1536
    @Option(name: .long, help: "Columns of A and B (input features).") var k: Int = 384
    @Option(name: .long, help: "Threads (default: all cores).") var threads: Int?
    @Option(name: .long, help: "Timed products.") var repeats: Int = 9
    @Flag(name: .long, help: "Write JSON instead of text.") var json = false

    func validate() throws {
        guard m >= 1, n >= 1, k >= 1, repeats >= 1 else { throw ValidationError("m, n, k and --repeats must be ≥ 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        ComputeThreads.set(threads ?? 0)
        var generator = SeededGenerator(seed: 1)
        let a = generator.normalTensor(shape: [m, k], standardDeviation: 1)
        let b = generator.normalTensor(shape: [n, k], standardDeviation: 1)
        _ = a.matmul(b, transposeOther: true)
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = a.matmul(b, transposeOther: true)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let median = times.sorted()[times.count / 2]
        let gflops = 2 * Double(m) * Double(n) * Double(k) / median / 1e9
        if json {
            let object: [String: Any] = [
                "benchmark": "gemm", "m": m, "n": n, "k": k, "threads": ComputeThreads.count,
                "median_seconds": median, "gflops": gflops, "blas_core": BLASRuntime.coreName,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "sgemm %d×%d·(%d×%d)ᵀ on %d threads (%@ kernels): median %.5f s, %.1f GFLOP/s",
                         m, k, n, k, ComputeThreads.count, BLASRuntime.coreName, median, gflops))
        }
    }
}

struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Time one optimiser step (forward, backward, AdamW) with a mean-pooled linear head.",
        discussion: """
            Full fine-tuning trains every weight; lora trains rank-8, alpha-16 adapters on query \
            and value with the encoder frozen, as the PyTorch reference in bench/ does. Dropout \
            follows config.json. Reports the median over --repeats steps after --warmup steps.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "full or lora.") var strategy: String = "full"
    @Option(name: .long, help: "Sequences per step.") var batch: Int = 16
    @Option(name: .long, help: "Tokens per sequence.") var seq: Int = 128
    @Option(name: .long, help: "Timed steps.") var repeats: Int = 5
    @Option(name: .long, help: "Untimed warm-up steps.") var warmup: Int = 2
    @Flag(name: .long, help: "Write JSON instead of text.") var json = false

    func validate() throws {
        guard ["full", "lora"].contains(strategy) else { throw ValidationError("--strategy must be full or lora, got '\(strategy)'") }
        guard batch >= 1, seq >= 2, repeats >= 1, warmup >= 0 else {
            throw ValidationError("--batch ≥ 1, --seq ≥ 2, --repeats ≥ 1 and --warmup ≥ 0 are required")
        }
    }

    func run() throws {
        let checkpoint = try modelOptions.load()
        let c = checkpoint.configuration
        guard seq <= c.maximumPositions else { throw ValidationError("--seq \(seq) exceeds the model's \(c.maximumPositions) positions") }
        var generator = SeededGenerator(seed: 7)
        let chosen: any AdaptationStrategy = strategy == "lora" ? LoRAStrategy(rank: 8, alpha: 16, dropout: 0.1) : FullFineTuning()
        let classifier = try chosen.prepare(base: checkpoint, labelNames: ["0", "1"], training: [], pooling: .mean, generator: &generator)
        var tokens = TokenBatch()
        for _ in 0..<batch {
            var ids: [Int32] = [checkpoint.tokenizer.classID]
            for _ in 0..<(seq - 2) { ids.append(Int32(1000 + Int(generator.next() % UInt64(c.vocabularySize - 1000)))) }
            ids.append(checkpoint.tokenizer.separatorID)
            tokens.append(ids: ids, typeIDs: Array(repeating: 0, count: seq))
        }
        let labels = (0..<batch).map { $0 % 2 }
        let parameters = classifier.parameters.filter(\.isTrainable)
        let optimizer = AdamW(learningRate: 1e-5)
        let pass = TrainingPass(hiddenDropout: c.hiddenDropout, attentionDropout: c.attentionDropout, seed: 1)
        func step() throws {
            for parameter in parameters { parameter.zeroGradient() }
            let activations = try classifier.model.trainingForward(tokens, pass: pass)
            let (pooled, logits) = classifier.head(activations.output)
            let gradient = try CrossEntropy.lossAndGradient(logits: logits, labels: labels).gradient
            classifier.model.backward(
                activations, outputGradient: classifier.head.backward(pooled: pooled, logitsGradient: gradient, offsets: activations.batch.offsets))
            optimizer.update(parameters)
        }
        for _ in 0..<warmup { try step() }
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            try step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let median = times.sorted()[times.count / 2]
        let tokensPerSecond = Double(batch * seq) / median
        let peakMB = Double(Self.peakResidentKilobytes()) / 1024
        // Full fine-tuning costs a forward plus input and weight gradients (3×); LoRA skips the
        // frozen weights' gradients (2×, the adapters' own products are negligible).
        let forward = BenchForwardCommand.forwardFLOPs(configuration: c, batch: batch, seq: seq)
        let gflops = (strategy == "full" ? 3 : 2) * forward / median / 1e9
        if json {
            let object: [String: Any] = [
                "benchmark": "train", "strategy": strategy, "batch": batch, "seq": seq, "threads": ComputeThreads.count,
                "median_seconds": median, "tokens_per_second": tokensPerSecond, "seconds": times,
                "trainable_parameters": classifier.trainableParameterCount, "peak_rss_mb": peakMB, "gflops": gflops,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "train step (%@) %d × %d on %d threads: median %.4f s, %.0f tokens/s, %.1f GFLOP/s, peak RSS %.0f MB",
                         strategy, batch, seq, ComputeThreads.count, median, tokensPerSecond, gflops, peakMB))
        }
    }

    /// The process's peak resident set size (VmHWM) in kilobytes, 0 where /proc is absent.
    static func peakResidentKilobytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
