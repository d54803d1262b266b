import Adaptation
import ArgumentParser
import Backends
import Evaluation
import Foundation
import Transformers

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed JSONL texts with a checkpoint's encoder or a served model's embeddings endpoint.",
        discussion: """
            Reads lines {"text": ...} and writes {"text": ..., "embedding": [...]} lines to \
            standard output in input order. With --endpoint the server embeds each text \
            (/v1/embeddings; token vectors are averaged when it does not pool), with retries \
            and --cache as for generate; --pooling and --max-length apply to checkpoints only.
            """)

    @Option(name: .long, help: "Checkpoint folder (config.json, model.safetensors, vocab.txt or tokenizer.json).")
    var model: String?

    @OptionGroup var served: ServedEmbeddingOptions

    @Option(name: .long, help: "Threads for numeric work (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "JSONL file with a \"text\" field per line (- for standard input).")
    var input: String

    @Option(name: .long, help: "How token vectors become one vector: mean or cls.")
    var pooling: PoolingChoice = .mean

    @Flag(name: .long, help: "Scale each embedding to unit L2 norm.")
    var normalize = false

    @Option(name: .long, help: "Texts per forward pass.")
    var batchSize: Int = 32

    @OptionGroup var length: LengthOptions

    func validate() throws {
        try served.checkOneSource(model: model)
        if served.isServed, pooling != .mean { throw ValidationError("--pooling applies to a checkpoint; a served model's server pools") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    }

    func run() throws {
        ComputeThreads.set(threads ?? 0)
        let embed: ([String]) throws -> [[Float]]
        if let remote = try served.makeModel() {
            // Answers already received stay in --cache, so Ctrl-C then a re-run sends only the rest.
            InterruptHandler.install()
            embed = { texts in try remote.embed(texts.map { TextInput($0) }).map { normalize ? RetrievalMetrics.unit($0) : $0 } }
        } else {
            let checkpoint = try Checkpoint(directory: URL(fileURLWithPath: model ?? ""))
            let embedder = SentenceEmbedder(
                checkpoint: checkpoint, pooling: pooling.pooling, normalize: normalize, maxLength: length.maxLength, batchSize: batchSize)
            embed = { texts in
                let vectors = try embedder.embed(texts)
                let width = vectors.shape[1]
                return texts.indices.map { Array(vectors.scalars[($0 * width)..<(($0 + 1) * width)]) }
            }
        }
        let texts = try DatasetReaders.texts(path: input)
        var output = JSONLines.Output()
        // Chunks keep memory flat on large inputs and let output stream.
        let chunkSize = batchSize * 16
        var start = 0
        while start < texts.count {
            try Interruption.checkpoint()
            let chunk = Array(texts[start..<min(start + chunkSize, texts.count)])
            for (text, vector) in zip(chunk, try embed(chunk)) {
                output.write(
                    "{\"text\": \(JSONLines.quote(text)), \"embedding\": ["
                        + vector.map { $0.description }.joined(separator: ", ") + "]}")
            }
            output.flush()
            start += chunkSize
        }
        output.flush()
    }
}

/// `--pooling` values.
enum PoolingChoice: String, ExpressibleByArgument, CaseIterable {
    case mean, cls

    var pooling: Pooling { self == .mean ? .mean : .cls }
}
