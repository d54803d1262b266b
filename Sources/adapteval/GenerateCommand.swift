import ArgumentParser
import Backends
import Evaluation
import Foundation

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue JSONL prompts with a model served over the OpenAI-compatible API.",
        discussion: """
            Reads lines {"text": ...} and writes one JSON line per prompt to standard output, in \
            input order: {"text": continuation}, with "token_logprobs" under --logprobs, or \
            {"samples": [...]} with --samples above 1. Requests are retried with backoff on 429, \
            5xx, connection errors and timeouts; with --cache a repeated request is answered \
            from the file, so an interrupted command resumes where it stopped. The API key is \
            read from the environment only. Exit 3 when the retry budget of a request is spent.
            """)

    @OptionGroup var remote: RemoteModelOptions

    @Option(name: .long, help: "JSONL file with a \"text\" field per line (- for standard input).")
    var input: String

    @Option(name: .long, help: "Tokens to generate per continuation.") var maxTokens: Int = 20
    @Option(name: .long, help: "Sampling temperature (0 is greedy).") var temperature: Double = 1
    @Option(name: .long, help: "Nucleus sampling mass.") var topP: Double = 0.9
    @Option(name: .long, help: "Continuations per prompt.") var samples: Int = 1
    @Option(name: .long, help: "Sampling seed; continuation j of a prompt uses seed + j.") var seed: UInt64?
    @Option(name: .long, help: "A stop sequence (repeatable).") var stop: [String] = []
    @Flag(name: .long, help: "Also print each generated token's log-probability.") var logprobs = false
    @Flag(name: .long, help: "Print the closing summary (requests sent, cached, retried) as JSON on standard error.")
    var json = false

    func validate() throws {
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1, got \(maxTokens)") }
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1, got \(samples)") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be 0 or more, got \(temperature)") }
        guard topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1], got \(topP)") }
    }

    func run() throws {
        // Before reading, so that Ctrl-C at any moment ends with 130; answers already received
        // are in the cache, so a second run sends only the rest.
        InterruptHandler.install()
        let prompts = try DatasetReaders.texts(path: input)
        let model = try remote.makeModel()
        model.requestsLogProbabilities = logprobs
        let settings = GenerationSettings(
            maxTokens: maxTokens, temperature: temperature, topP: topP, samples: samples, seed: seed, stop: stop)
        let started = Date()
        var output = JSONLines.Output()
        // Chunks let output stream and give an interrupt a point between batches.
        let chunkSize = max(remote.concurrency * 16, 64)
        var start = 0
        while start < prompts.count {
            try Interruption.checkpoint()
            let chunk = Array(prompts[start..<min(start + chunkSize, prompts.count)])
            for continuations in try model.generate(chunk, settings: settings) {
                let rendered = continuations.map(render)
                output.write(rendered.count == 1 ? rendered[0] : "{\"samples\": [\(rendered.joined(separator: ", "))]}")
            }
            output.flush()
            start += chunkSize
        }
        output.flush()
        let counters = model.client.counters
        let seconds = Date().timeIntervalSince(started)
        if json {
            let summary = "{\"prompts\": \(prompts.count), \"sent\": \(counters.sent), \"cached\": \(counters.cached), "
                + "\"retried\": \(counters.retried), \"seconds\": \(String(format: "%.3f", seconds))}\n"
            FileHandle.standardError.write(Data(summary.utf8))
        } else {
            printError("\(prompts.count) prompt(s): \(counters.sent) request(s) sent, \(counters.cached) from the cache, "
                       + "\(counters.retried) retried, in \(String(format: "%.1f", seconds)) s")
        }
    }

    func render(_ generation: Generation) -> String {
        var line = "{\"text\": \(JSONLines.quote(generation.text))"
        if let values = generation.tokenLogProbabilities {
            line += ", \"token_logprobs\": [" + values.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ", ") + "]"
        }
        return line + "}"
    }
}
