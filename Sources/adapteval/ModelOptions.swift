import ArgumentParser
import Foundation
import Transformers

/// Options shared by commands that run a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Checkpoint folder (config.json, model.safetensors, vocab.txt or tokenizer.json).")
    var model: String

    @Option(name: .long, help: "Threads for numeric work (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1, got \(threads)")
        }
    }

    /// Applies the thread setting and loads the checkpoint.
    func load() throws -> Checkpoint {
        ComputeThreads.set(threads ?? 0)
        return try Checkpoint(directory: URL(fileURLWithPath: model))
    }
}

/// The `--max-length` option with its range check.
struct LengthOptions: ParsableArguments {
    @Option(name: .long, help: "Truncate each text to this many tokens, [CLS] and [SEP] included.")
    var maxLength: Int = 128

    func validate() throws {
        guard maxLength >= 2 else {
            throw ValidationError("--max-length must be at least 2 (room for [CLS] and [SEP]), got \(maxLength)")
        }
    }
}
