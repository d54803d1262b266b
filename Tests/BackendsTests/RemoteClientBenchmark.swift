import Evaluation
import Foundation
import ResultStore
import Testing
import TestSupport

@testable import Backends

/// The remote client's throughput and overheads, run by bench/remote.sh (ADAPTEVAL_BENCH=1);
/// figures go in bench/README.md. Against `FaultInjectingServer` on loopback, whose fake model
/// answers in microseconds, so the numbers measure the client, HTTP and the cache.
@Suite("Remote client benchmark", .enabled(if: ProcessInfo.processInfo.environment["ADAPTEVAL_BENCH"] == "1"), .serialized)
struct RemoteClientBenchmark {
    static let settings = GenerationSettings(maxTokens: 8, temperature: 1, topP: 0.9, samples: 1, seed: 1)

    static func model(_ server: FaultInjectingServer, concurrency: Int, cache: (any ResponseCache)? = nil) throws -> RemoteModel {
        let endpoint = RemoteEndpoint(baseURL: server.baseURL, model: "fake", concurrency: concurrency, timeout: 30, retries: 0)
        return try RemoteModel(endpoint: endpoint, environment: [:], cache: cache)
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let started = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    }

    static func report(_ line: String) {
        print("bench remote: \(line)")
    }

    @Test("requests per second at concurrency 1, 8 and 32; client and cache overhead per request")
    func throughput() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let count = 3000
        // Warm up connections and code paths.
        _ = try Self.model(server, concurrency: 8).generate((0..<200).map { "warm-up \($0)" }, settings: Self.settings)
        for concurrency in [1, 8, 32] {
            let prompts = (0..<count).map { "concurrency \(concurrency) prompt \($0) about the day" }
            let model = try Self.model(server, concurrency: concurrency)
            let elapsed = try Self.seconds { _ = try model.generate(prompts, settings: Self.settings) }
            Self.report(String(format: "concurrency %2d: %5d requests in %.2f s = %6.0f requests/s, %.3f ms each",
                               concurrency, count, elapsed, Double(count) / elapsed, elapsed / Double(count) * 1000))
        }

        // The client's own work per request, without the network: build and encode the body,
        // digest it, decode and check a typical answer.
        let model = try Self.model(server, concurrency: 1)
        let answer = server.model.answer(FaultInjectingServer.Request(
            method: "POST", path: "/v1/completions", headers: [:],
            body: Data(#"{"model": "fake", "prompt": "the day was", "max_tokens": 8, "seed": 1}"#.utf8))).1
        let repetitions = 20_000
        let clientSeconds = try Self.seconds {
            for index in 0..<repetitions {
                let call = model.generationCall(prompt: "prompt \(index) about the day", settings: Self.settings, seed: 1, label: "bench", variant: 0)
                _ = model.client.digest(of: call)
                _ = try RemoteModel.decodeGeneration(answer, api: .completions, wantsLogProbabilities: false)
            }
        }
        Self.report(String(format: "client work per request (encode, digest, decode): %.1f µs", clientSeconds / Double(repetitions) * 1e6))

        // The cache: a batch stored on first sight, then answered entirely from SQLite.
        let folder = try TestPaths.temporaryDirectory("adapteval-bench")
        let cache = try ResultDatabase(path: folder.appendingPathComponent("cache.sqlite").path)
        let prompts = (0..<count).map { "cached prompt \($0) about the day" }
        let uncached = try Self.seconds { _ = try Self.model(server, concurrency: 8).generate(prompts, settings: Self.settings) }
        let storing = try Self.seconds { _ = try Self.model(server, concurrency: 8, cache: cache).generate(prompts, settings: Self.settings) }
        let sentBefore = server.requestCount
        let cachedModel = try Self.model(server, concurrency: 8, cache: cache)
        let hits = try Self.seconds { _ = try cachedModel.generate(prompts, settings: Self.settings) }
        #expect(server.requestCount == sentBefore)
        Self.report(String(format: "cache miss + store: %.3f ms per request over the uncached %.3f ms (+%.3f ms)",
                           storing / Double(count) * 1000, uncached / Double(count) * 1000, (storing - uncached) / Double(count) * 1000))
        Self.report(String(format: "cache hit: %.1f µs per request (%.0f requests/s, nothing sent)", hits / Double(count) * 1e6, Double(count) / hits))
    }
}
