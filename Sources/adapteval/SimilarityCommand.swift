import Adaptation
import ArgumentParser
import Evaluation
import Foundation
import Transformers

struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "Print the cosine similarity matrix of JSONL texts' embeddings.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "JSONL file with a \"text\" field per line.")
    var input: String

    @Option(name: .long, help: "How token vectors become one vector: mean or cls.")
    var pooling: PoolingChoice = .mean

    @OptionGroup var length: LengthOptions

    @Flag(name: .long, help: "Write the matrix as JSON instead of a table.")
    var json = false

    func run() throws {
        let checkpoint = try modelOptions.load()
        let texts = try DatasetReaders.texts(path: input)
        let started = Date()
        let embedder = SentenceEmbedder(
            checkpoint: checkpoint, pooling: pooling.pooling, normalize: true, maxLength: length.maxLength)
        let vectors = try embedder.embed(texts)
        let cosine = vectors.matmul(vectors, transposeOther: true)
        let elapsed = Date().timeIntervalSince(started)
        let n = texts.count
        if json {
            let rows = (0..<n).map { row in
                "[" + (0..<n).map { String(format: "%.6f", cosine[row, $0]) }.joined(separator: ", ") + "]"
            }
            print("{\"texts\": [\(texts.map(JSONLines.quote).joined(separator: ", "))], \"cosine\": [\(rows.joined(separator: ", "))]}")
            return
        }
        for (index, text) in texts.enumerated() {
            print(String(format: "%3d  ", index + 1) + text)
        }
        print()
        print("cosine " + (1...max(n, 1)).map { String(format: "%6d", $0) }.joined())
        for row in 0..<n {
            print(String(format: "%6d ", row + 1) + (0..<n).map { String(format: "%6.2f", cosine[row, $0]) }.joined())
        }
        printError(String(format: "embedded %d texts in %.2f s on %d threads", n, elapsed, ComputeThreads.count))
    }
}
