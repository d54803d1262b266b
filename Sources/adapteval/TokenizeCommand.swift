import Adaptation
import ArgumentParser
import Evaluation
import Foundation
import Transformers

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize JSONL texts with a checkpoint's WordPiece tokenizer.",
        discussion: """
            Reads lines {"text": ...} and writes {"text": ..., "input_ids": [...]} lines to \
            standard output, with [CLS] and [SEP] added and truncation to --max-length.
            """)

    @Option(name: .long, help: "Checkpoint folder holding vocab.txt or tokenizer.json.")
    var model: String

    @Option(name: .long, help: "JSONL file with a \"text\" field per line (- for standard input).")
    var input: String

    @OptionGroup var length: LengthOptions

    @Flag(name: .long, help: "Also write the token strings as \"tokens\".")
    var tokens = false

    func run() throws {
        let tokenizer = try WordPieceTokenizer.load(from: URL(fileURLWithPath: model))
        let texts = try DatasetReaders.texts(path: input)
        var output = JSONLines.Output()
        for text in texts {
            let encoding = tokenizer.encode(text, maxLength: length.maxLength)
            var line = "{\"text\": \(JSONLines.quote(text)), \"input_ids\": ["
            line += encoding.ids.map(String.init).joined(separator: ", ") + "]"
            if tokens {
                line += ", \"tokens\": [" + encoding.tokens.map(JSONLines.quote).joined(separator: ", ") + "]"
            }
            output.write(line + "}")
        }
        output.flush()
    }
}
