import Adaptation
import ArgumentParser
import Evaluation
import Foundation
import Transformers

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed JSONL texts with a checkpoint's encoder.",
        discussion: """
            Reads lines {"text": ...} and writes {"text": ..., "embedding": [...]} lines to \
            standard output in input order.
            """)

    @OptionGroup var modelOptions: ModelOptions

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
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    }

    func run() throws {
        let checkpoint = try modelOptions.load()
        let texts = try DatasetReaders.texts(path: input)
        let embedder = SentenceEmbedder(
            checkpoint: checkpoint, pooling: pooling.pooling, normalize: normalize,
            maxLength: length.maxLength, batchSize: batchSize)
        var output = JSONLines.Output()
        // Chunks keep memory flat on large inputs and let output stream.
        let chunkSize = batchSize * 16
        var start = 0
        while start < texts.count {
            let chunk = Array(texts[start..<min(start + chunkSize, texts.count)])
            let vectors = try embedder.embed(chunk)
            let width = vectors.shape[1]
            for (index, text) in chunk.enumerated() {
                let values = vectors.scalars[(index * width)..<((index + 1) * width)]
                output.write(
                    "{\"text\": \(JSONLines.quote(text)), \"embedding\": ["
                        + values.map { $0.description }.joined(separator: ", ") + "]}")
            }
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
