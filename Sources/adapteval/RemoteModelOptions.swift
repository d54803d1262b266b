import ArgumentParser
import Backends
import Evaluation
import Foundation
import ResultStore

/// How commands reach a served model (OpenAI-compatible API).
struct RemoteModelOptions: ParsableArguments {
    @Option(name: .long, help: "The API root of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (/v1 is added to a bare host).")
    var endpoint: String

    @Option(name: .long, help: "The served model name (a LoRA adapter served by name is just another name).")
    var remoteModel: String

    @Option(name: .long, help: "completions or chat: the API that generates.")
    var api: RemoteEndpoint.API = .completions

    @OptionGroup var connection: RemoteConnectionOptions

    var concurrency: Int { connection.concurrency }

    /// The model, with its cache when one is named. Setting errors name the flag (exit 2).
    func makeModel() throws -> RemoteModel {
        try connection.makeModel(endpoint: endpoint, model: remoteModel, api: api)
    }
}

/// `--endpoint` and `--remote-model` as the alternative to `--model` of commands that read
/// embeddings (`embed`, `diverge`, `probe seat`): a served model's `/v1/embeddings`.
struct ServedEmbeddingOptions: ParsableArguments {
    @Option(name: .long, help: "Instead of --model: the API root of an OpenAI-compatible server whose /v1/embeddings embeds the texts.")
    var endpoint: String?

    @Option(name: .long, help: "With --endpoint: the served model name (a LoRA adapter served by name is just another name).")
    var remoteModel: String?

    @OptionGroup var connection: RemoteConnectionOptions

    var isServed: Bool { endpoint != nil }

    func validate() throws {
        if endpoint != nil, remoteModel == nil { throw ValidationError("--endpoint needs --remote-model, the served model's name") }
        if endpoint == nil, remoteModel != nil { throw ValidationError("--remote-model needs --endpoint, the server that serves it") }
    }

    /// The served model named by `name` (default `--remote-model`) on `--endpoint`, or nil
    /// without `--endpoint`.
    func makeModel(named name: String? = nil) throws -> RemoteModel? {
        guard let endpoint, let model = name ?? remoteModel else { return nil }
        return try connection.makeModel(endpoint: endpoint, model: model, api: .completions)
    }

    /// One of `--model` and `--endpoint`, not both; `model` is the command's own `--model`,
    /// which a command with a default model need not be given (`required: false`).
    func checkOneSource(model: String?, required: Bool = true) throws {
        if model != nil, isServed { throw ValidationError("give --model (a checkpoint) or --endpoint (a served model), not both") }
        if required, model == nil, !isServed {
            throw ValidationError("give --model (a checkpoint folder) or --endpoint with --remote-model (a served model)")
        }
    }
}

/// The API key, load and cache settings of any command that talks to a server.
struct RemoteConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "Environment variable holding the API key (default OPENAI_API_KEY, sent when set).")
    var apiKeyEnv: String?

    @Option(name: .long, help: "Requests in flight at once.") var concurrency: Int = 4
    @Option(name: .long, help: "Seconds one attempt may take.") var timeout: Double = 60
    @Option(name: .long, help: "Retries per request on 429, 5xx, connection errors and timeouts.") var retries: Int = 4

    @Option(name: .long, help: "SQLite file caching answers by request: a repeated request is not sent again (created when absent; a results database works).")
    var cache: String?

    /// The flag each neutral setting name stands for.
    static let flags = [
        "base_url": "--endpoint", "model": "--remote-model", "api_key_env": "--api-key-env", "concurrency": "--concurrency",
        "timeout": "--timeout", "retries": "--retries", "sampling": "--max-tokens/--samples",
    ]

    /// A served model on `endpoint`, with the cache when one is named. Setting errors name the
    /// flag (exit 2).
    func makeModel(endpoint: String, model: String, api: RemoteEndpoint.API) throws -> RemoteModel {
        do {
            let endpoint = RemoteEndpoint(
                baseURL: try RemoteEndpoint.parseBaseURL(endpoint), model: model, api: api, apiKeyVariable: apiKeyEnv,
                concurrency: concurrency, timeout: timeout, retries: retries)
            let store = try cache.map { try ResultDatabase(path: URL(fileURLWithPath: $0).standardizedFileURL.path) }
            return try RemoteModel(endpoint: endpoint, cache: store)
        } catch RemoteModelError.invalidSetting(let setting, let reason) {
            throw ValidationError("\(Self.flags[setting] ?? setting): \(reason)")
        } catch RemoteModelError.missingAPIKey(let variable) {
            throw ValidationError("--api-key-env names \(variable), which is not set in the environment; export it or name another variable")
        }
    }
}

extension RemoteEndpoint.API: ExpressibleByArgument {}
