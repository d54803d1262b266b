import Evaluation
import Foundation

/// An instruction prompt for classification by a language model (prompt learning, Brown et al.
/// 2020, "Language Models are Few-Shot Learners"): an instruction, k labelled demonstrations,
/// then the text to label, each answered by its label's verbaliser (the word or words that
/// stand for the label).
///
///     Classify each text as one of: negative, positive.
///
///     Text: the soup was cold
///     Answer: negative
///
///     Text: <input>
///     Answer:
///
/// The model's answer to the last line is read as a label, by the likelihood of each
/// verbaliser (` negative`, ` positive`) or by parsing a generated answer.
public struct PromptTemplate: Sendable, Hashable, Codable {
    /// The first paragraph; `{labels}` is replaced by the verbalisers, comma-separated.
    public var instruction: String
    /// One per label, in label order.
    public var verbalizers: [String]

    public static let defaultInstruction = "Classify each text as one of: {labels}."

    public init(instruction: String? = nil, verbalizers: [String]) {
        self.instruction = instruction ?? Self.defaultInstruction
        self.verbalizers = verbalizers
    }

    /// A labelled example shown before the input.
    public struct Demonstration: Sendable, Hashable {
        public var input: TextInput
        public var label: Int

        public init(input: TextInput, label: Int) {
            self.input = input
            self.label = label
        }
    }

    /// The prompt for `input` after `demonstrations`; it ends with "Answer:" and no space, so
    /// every verbaliser continues it as " word".
    public func prompt(for input: TextInput, demonstrations: [Demonstration]) -> String {
        var text = instruction.replacingOccurrences(of: "{labels}", with: verbalizers.joined(separator: ", "))
        for demonstration in demonstrations {
            text += "\n\n" + Self.block(demonstration.input) + " " + verbalizers[demonstration.label]
        }
        return text + "\n\n" + Self.block(input)
    }

    /// The continuation that answers with label `label`.
    public func continuation(for label: Int) -> String { " " + verbalizers[label] }

    static func block(_ input: TextInput) -> String {
        var text = "Text: " + Self.oneLine(input.text)
        if let pair = input.pair { text += "\nSecond text: " + Self.oneLine(pair) }
        return text + "\nAnswer:"
    }

    /// Line breaks inside a text would look like the template's own structure.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The label a generated answer names: the verbaliser it starts with (the longest, ignoring
    /// case, surrounding spaces, quotes and punctuation), or else the only verbaliser it
    /// contains as a whole word; nil when it names none or several.
    public func parse(_ answer: String) -> Int? {
        let trimmed = answer.lowercased().trimmingCharacters(in: CharacterSet.whitespacesAndNewlines.union(.punctuationCharacters))
        let words = verbalizers.map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
        func isBoundary(_ text: Substring) -> Bool {
            guard let first = text.unicodeScalars.first else { return true }
            return !CharacterSet.alphanumerics.contains(first)
        }
        let leading = words.indices.filter { index in
            !words[index].isEmpty && trimmed.hasPrefix(words[index]) && isBoundary(trimmed.dropFirst(words[index].count))
        }
        if let best = leading.max(by: { words[$0].count < words[$1].count }) { return best }
        let tokens = Set(trimmed.split { !$0.isLetter && !$0.isNumber }.map(String.init))
        let contained = words.indices.filter { !words[$0].isEmpty && !words[$0].contains(" ") && tokens.contains(words[$0]) }
        return contained.count == 1 ? contained[0] : nil
    }

    /// k demonstrations per class drawn from `examples` with `seed` (fewer when a class has
    /// fewer), in an order shuffled with the same seed so no class always comes last.
    public static func demonstrations(
        from examples: [Demonstration], perClass k: Int, classCount: Int, seed: UInt64
    ) throws -> [Demonstration] {
        guard k > 0 else { return [] }
        var generator = SplitMix64(seed: seed)
        var chosen: [Demonstration] = []
        for label in 0..<classCount {
            var candidates = examples.filter { $0.label == label }
            guard !candidates.isEmpty else {
                throw EvaluationError.invalidArgument(reason: "no training example of label \(label) to show as a demonstration")
            }
            shuffle(&candidates, with: &generator)
            chosen += candidates.prefix(k)
        }
        shuffle(&chosen, with: &generator)
        return chosen
    }

    /// Fisher–Yates with a seeded generator.
    static func shuffle<Element>(_ values: inout [Element], with generator: inout SplitMix64) {
        guard values.count > 1 else { return }
        for index in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(index, generator.below(index + 1))
        }
    }
}
