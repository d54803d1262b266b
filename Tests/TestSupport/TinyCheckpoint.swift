import Foundation
import Transformers

/// Tiny BERT checkpoints with random weights, written with the project's own writer.
public enum TinyCheckpoint {
    public static let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", ",", "!", "the", "cat", "##s", "a",
        "good", "bad", "great", "awful", "movie", "food", "is", "was", "very", "not", "dog", "sun",
    ]

    public static func configuration(hidden: Int = 16, layers: Int = 2, heads: Int = 4) -> BertConfiguration {
        BertConfiguration(
            hiddenSize: hidden, layerCount: layers, headCount: heads, intermediateSize: hidden * 2,
            vocabularySize: vocabulary.count, maximumPositions: 32)
    }

    /// Writes a checkpoint folder and returns its URL.
    public static func make(seed: UInt64 = 9, hidden: Int = 16, layers: Int = 2) throws -> URL {
        let directory = try TestPaths.temporaryDirectory("adapteval-tiny")
        let model = BertModel.randomlyInitialized(configuration: configuration(hidden: hidden, layers: layers), seed: seed)
        try Checkpoint.write(model: model, vocabulary: vocabulary, to: directory)
        return directory
    }

    /// Writes JSON Lines to a file in `directory`.
    public static func jsonl(_ lines: [String], in directory: URL, name: String = "in.jsonl") throws -> URL {
        let url = directory.appendingPathComponent(name)
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
