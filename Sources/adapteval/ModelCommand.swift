import ArgumentParser
import Foundation
import Transformers

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Inspect model checkpoints.", subcommands: [ModelInfoCommand.self])
}

struct ModelInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a checkpoint's architecture, parameter count, tensors and sha256.",
        discussion: """
            Validates config.json, the tokenizer, the whole safetensors header and every \
            tensor's byte range, and that the weights match the configuration.
            """)

    @Argument(help: "Checkpoint folder.")
    var directory: String

    @Flag(name: .long, help: "Omit the per-tensor listing.")
    var summary = false

    @Flag(name: .long, help: "Write JSON instead of text.")
    var json = false

    func run() throws {
        let checkpoint = try Checkpoint(directory: URL(fileURLWithPath: directory))
        let c = checkpoint.configuration
        let sha = try checkpoint.weightsSHA256()
        let file = checkpoint.weightsFile
        let used = Set(checkpoint.model.parameters.map(\.name))
        let ignored = file.names.filter { !used.contains(BertModel.canonicalName($0)) }
        if json {
            var object: [String: Any] = [
                "directory": directory, "model_type": c.modelType, "layers": c.layerCount,
                "hidden_size": c.hiddenSize, "attention_heads": c.headCount,
                "intermediate_size": c.intermediateSize, "vocab_size": c.vocabularySize,
                "max_positions": c.maximumPositions, "parameters": checkpoint.model.parameterCount,
                "sha256": sha, "tokenizer_vocabulary": checkpoint.tokenizer.vocabulary.count,
                "lowercase": checkpoint.tokenizer.normalizer.lowercase, "ignored_tensors": ignored,
            ]
            if !summary {
                object["tensors"] = file.entries.map {
                    ["name": $0.name, "dtype": $0.dtype.rawValue, "shape": $0.shape] as [String: Any]
                }
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("model       \(directory)")
        print("type        \(c.modelType), \(c.layerCount) layers, hidden \(c.hiddenSize), "
            + "\(c.headCount) heads, intermediate \(c.intermediateSize)")
        print("vocabulary  \(c.vocabularySize) (tokenizer \(checkpoint.tokenizer.vocabulary.count), "
            + (checkpoint.tokenizer.normalizer.lowercase ? "lower-cased" : "cased") + ")")
        print("positions   \(c.maximumPositions)")
        print("parameters  \(checkpoint.model.parameterCount.formatted())")
        print("pooler      \(checkpoint.model.pooler == nil ? "absent" : "present")")
        print("sha256      \(sha)")
        if !ignored.isEmpty { print("ignored     \(ignored.joined(separator: ", "))") }
        if !summary {
            print("tensors     \(file.entries.count)")
            for entry in file.entries {
                print("  \(entry.name)  \(entry.dtype.rawValue)  \(entry.shape)")
            }
        }
    }
}

extension Int {
    /// Thousands separated by commas, independent of locale.
    func formatted() -> String {
        let digits = String(self.magnitude)
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (self < 0 ? "-" : "") + groups.joined(separator: ",")
    }
}
