import Evaluation
import Foundation
import Testing
import TestSupport

@testable import Backends

/// Each failure a server has, injected by `FaultInjectingServer`: the outcome and the number of
/// requests that reached the server.
@Suite("Remote client under injected faults")
struct RemoteClientFaultTests {
    /// A remote model on `server`, with fast backoff so tests take milliseconds, not seconds.
    static func model(_ server: FaultInjectingServer, retries: Int = 3, timeout: Double = 5, concurrency: Int = 1,
                      api: RemoteEndpoint.API = .completions, environment: [String: String] = [:],
                      keyVariable: String? = nil, cache: (any ResponseCache)? = nil) throws -> RemoteModel {
        let endpoint = RemoteEndpoint(
            baseURL: server.baseURL, model: "fake", api: api, apiKeyVariable: keyVariable, concurrency: concurrency,
            timeout: timeout, retries: retries, initialBackoff: 0.01, maximumBackoff: 0.05)
        return try RemoteModel(endpoint: endpoint, environment: environment, cache: cache)
    }

    static let settings = GenerationSettings(maxTokens: 4, temperature: 0, topP: 1, samples: 1, seed: 7)

    /// Runs `body` and returns the error it throws, or nil.
    static func error(_ body: () throws -> Void) -> Error? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test("a 429 with Retry-After is retried once the server's wait has passed")
    func tooManyRequestsHonoursRetryAfter() throws {
        let server = try FaultInjectingServer { _, number in number == 1 ? .failure(status: 429, retryAfter: "1") : .model }
        defer { server.stop() }
        let started = Date()
        let output = try Self.model(server).generate(["the day was"], settings: Self.settings)
        let elapsed = Date().timeIntervalSince(started)
        #expect(server.requestCount == 2)
        #expect(elapsed >= 1.0, "waited \(elapsed) s, less than the server's Retry-After of 1 s")
        #expect(elapsed < 3.0)
        #expect(output[0][0].text == server.model.continuation("the day was", body: ["max_tokens": 4, "seed": 7]))
    }

    @Test("a Retry-After given as an HTTP date is read as the seconds until then")
    func retryAfterDate() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryPolicy.retryAfterSeconds("Sun, 06 Nov 1994 08:49:40 GMT", now: now) == 3)
        #expect(RetryPolicy.retryAfterSeconds("Sun, 06 Nov 1994 08:49:30 GMT", now: now) == 0)
        #expect(RetryPolicy.retryAfterSeconds("2", now: now) == 2)
        #expect(RetryPolicy.retryAfterSeconds("soon", now: now) == nil)
        #expect(RetryPolicy.retryAfterSeconds(nil, now: now) == nil)
    }

    @Test("backoff doubles per retry, stays within [b/2, b], is capped, and repeats for the same request")
    func backoffGrowsWithJitter() {
        let policy = RetryPolicy(retries: 8, initialBackoff: 0.5, maximumBackoff: 4)
        let digest = "0123456789abcdef0123"
        for retry in 1...8 {
            let base = min(4, 0.5 * pow(2, Double(retry - 1)))
            let wait = policy.backoff(retry: retry, digest: digest, retryAfter: nil)
            #expect(wait >= base / 2 && wait <= base, "retry \(retry): \(wait) outside [\(base / 2), \(base)]")
            #expect(wait == policy.backoff(retry: retry, digest: digest, retryAfter: nil))
        }
        #expect(policy.backoff(retry: 1, digest: digest, retryAfter: nil) != policy.backoff(retry: 1, digest: "ffff0000", retryAfter: nil))
        let honoured = policy.backoff(retry: 3, digest: digest, retryAfter: 2)
        #expect(honoured >= 2 && honoured <= 2.2)
    }

    @Test("500 and 503 are retried until the server recovers")
    func serverErrorsAreRetried() throws {
        let server = try FaultInjectingServer { _, number in
            switch number {
            case 1: return .failure(status: 500, retryAfter: nil)
            case 2: return .failure(status: 503, retryAfter: nil)
            default: return .model
            }
        }
        defer { server.stop() }
        let model = try Self.model(server)
        let output = try model.generate(["people are"], settings: Self.settings)
        #expect(server.requestCount == 3)
        #expect(model.client.counters.retried == 2)
        #expect(!output[0][0].text.isEmpty)
    }

    @Test("a server that keeps failing spends the retry budget; the error names the endpoint and the last status")
    func budgetIsSpent() throws {
        let server = try FaultInjectingServer { _, _ in .failure(status: 503, retryAfter: nil) }
        defer { server.stop() }
        let error = Self.error { _ = try Self.model(server, retries: 2).generate(["x"], settings: Self.settings) }
        #expect(server.requestCount == 3)
        let failure = try #require(error as? RemoteModelError)
        #expect(failure.category == .runtimeFailure)
        let message = failure.localizedDescription
        #expect(message.contains("\(server.baseURL.absoluteString)/completions"), "\(message)")
        #expect(message.contains("HTTP 503"), "\(message)")
        #expect(message.contains("injected failure 503"), "\(message)")
        #expect(message.contains("completions request for prompt 1 of 1"), "\(message)")
        #expect(message.contains("failed 3 time(s)"), "\(message)")
    }

    @Test("a body that trickles slower than the timeout is abandoned and retried")
    func slowBodyTimesOut() throws {
        let server = try FaultInjectingServer { _, number in number == 1 ? .slowBody(chunkBytes: 8, delay: 0.2) : .model }
        defer { server.stop() }
        let started = Date()
        let output = try Self.model(server, timeout: 0.6).generate(["the day"], settings: Self.settings)
        #expect(server.requestCount == 2)
        #expect(Date().timeIntervalSince(started) >= 0.6)
        #expect(!output[0][0].text.isEmpty)

        let slow = try FaultInjectingServer { _, _ in .slowBody(chunkBytes: 8, delay: 0.2) }
        defer { slow.stop() }
        let error = Self.error { _ = try Self.model(slow, retries: 1, timeout: 0.4).generate(["x"], settings: Self.settings) }
        #expect(slow.requestCount == 2)
        #expect((error as? RemoteModelError)?.localizedDescription.contains("timeout") == true, "\(String(describing: error))")
    }

    @Test("a dropped connection is retried")
    func droppedConnection() throws {
        let server = try FaultInjectingServer { _, number in number == 1 ? .dropConnection : .model }
        defer { server.stop() }
        let output = try Self.model(server).generate(["a day"], settings: Self.settings)
        #expect(server.requestCount == 2)
        #expect(!output[0][0].text.isEmpty)
    }

    @Test("an answer cut short by a closed connection is retried")
    func cutShortIsRetried() throws {
        let server = try FaultInjectingServer { _, number in number == 1 ? .cutShort(keepBytes: 12) : .model }
        defer { server.stop() }
        _ = try Self.model(server).generate(["a day"], settings: Self.settings)
        #expect(server.requestCount == 2)
    }

    @Test("truncated JSON in a complete answer is an error naming the request, sent once")
    func truncatedJSON() throws {
        let server = try FaultInjectingServer { _, _ in .truncatedJSON(keepBytes: 25) }
        defer { server.stop() }
        let error = Self.error { _ = try Self.model(server).generate(["a", "b"], settings: Self.settings) }
        #expect(server.requestCount == 1)
        let failure = try #require(error as? RemoteModelError)
        guard case .invalidResponse(let endpoint, let request, let reason) = failure else {
            Issue.record("expected invalidResponse, got \(failure)")
            return
        }
        #expect(endpoint.hasSuffix("/v1/completions"))
        #expect(request.hasPrefix("completions request for prompt 1 of 2 ["))
        #expect(reason.contains("not valid JSON"), "\(reason)")
        #expect(failure.category == .runtimeFailure)
    }

    @Test("wrongly shaped answers are errors naming the field, never crashes")
    func wrongShapes() throws {
        let cases: [(path: String, body: String, expected: String)] = [
            ("completions", #"{"choices": [{"txt": "x"}]}"#, "choices[0].text is missing"),
            ("completions", #"{"choices": []}"#, "choices is empty"),
            ("completions", #"{"choices": "none"}"#, "choices is not an array"),
            ("completions", #"[1, 2]"#, "the body is not an object"),
            ("completions", #"{"choices": [{"text": 5}]}"#, "choices[0].text is not a string"),
            ("embeddings", #"{"data": [{"embedding": "abc"}]}"#, "data[0].embedding is not an array of numbers"),
            ("embeddings", #"{"data": [{"embedding": []}]}"#, "data[0].embedding is empty"),
            ("embeddings", #"{"data": [{"embedding": [[1, 2], [3]]}]}"#, "token vectors of different lengths"),
            ("embeddings", #"{"data": []}"#, "data is empty"),
        ]
        for testCase in cases {
            let server = try FaultInjectingServer { _, _ in .raw(status: 200, body: testCase.body, headers: [:]) }
            defer { server.stop() }
            let model = try Self.model(server)
            let error = Self.error {
                if testCase.path == "embeddings" {
                    _ = try model.embed([TextInput("x")])
                } else {
                    _ = try model.generate(["x"], settings: Self.settings)
                }
            }
            #expect(server.requestCount == 1, "\(testCase.body)")
            let message = (error as? RemoteModelError)?.localizedDescription ?? "no error"
            #expect(message.contains(testCase.expected), "\(testCase.body): \(message)")
        }
    }

    @Test("a refused request is not retried, and a key the server echoes is redacted from the message")
    func refusedRequest() throws {
        let key = "sk-planted-0123456789"
        let server = try FaultInjectingServer(model: FakeLanguageModel(requiredKey: "other", echoesAuthorization: true))
        defer { server.stop() }
        let error = Self.error {
            _ = try Self.model(server, environment: ["MY_KEY": key], keyVariable: "MY_KEY").generate(["x"], settings: Self.settings)
        }
        #expect(server.requestCount == 1)
        #expect(server.requests.first?.headers["authorization"] == "Bearer \(key)")
        let message = (error as? RemoteModelError)?.localizedDescription ?? "no error"
        #expect(message.contains("HTTP 401"), "\(message)")
        #expect(message.contains("check the API key"), "\(message)")
        #expect(message.contains("[redacted]"), "\(message)")
        #expect(!message.contains(key))
    }

    @Test("a server nobody listens on spends the budget and names the endpoint")
    func connectionRefused() throws {
        let server = try FaultInjectingServer()
        let url = server.baseURL
        server.stop()
        let endpoint = RemoteEndpoint(baseURL: url, model: "fake", retries: 2, initialBackoff: 0.01, maximumBackoff: 0.02)
        let model = try RemoteModel(endpoint: endpoint, environment: [:])
        let error = Self.error { _ = try model.generate(["x"], settings: Self.settings) }
        #expect(model.client.counters.sent == 3)
        let message = (error as? RemoteModelError)?.localizedDescription ?? "no error"
        #expect(message.contains(url.absoluteString), "\(message)")
        #expect(message.contains("connection error"), "\(message)")
        #expect((error as? RemoteModelError)?.category == .runtimeFailure)
    }

    @Test("at most `concurrency` requests are in flight, and results come back in input order")
    func boundedConcurrency() throws {
        let server = try FaultInjectingServer { _, _ in .slowBody(chunkBytes: 4096, delay: 0.05) }
        defer { server.stop() }
        let prompts = (0..<24).map { "prompt number \($0) says" }
        let output = try Self.model(server, concurrency: 4).generate(prompts, settings: Self.settings)
        #expect(server.requestCount == 24)
        #expect(server.maximumConcurrentRequests <= 4)
        #expect(server.maximumConcurrentRequests >= 2)
        for (prompt, samples) in zip(prompts, output) {
            #expect(samples[0].text == server.model.continuation(prompt, body: ["max_tokens": 4, "seed": 7]))
        }
    }

    @Test("k samples per prompt are k requests seeded seed, seed + 1, …")
    func samplesAreSeparateRequests() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        var settings = Self.settings
        settings.samples = 3
        let output = try Self.model(server).generate(["a", "b"], settings: settings)
        #expect(server.requestCount == 6)
        #expect(output.map(\.count) == [3, 3])
        let seeds = server.requests.compactMap { ($0.json?["seed"] as? NSNumber)?.intValue }
        #expect(seeds.sorted() == [7, 7, 8, 8, 9, 9])
        #expect(output[0][0].text == server.model.continuation("a", body: ["max_tokens": 4, "seed": 7]))
        #expect(output[0][2].text == server.model.continuation("a", body: ["max_tokens": 4, "seed": 9]))
    }

    @Test("chat generation sends one user message and reads the message content and its log-probabilities")
    func chatGeneration() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let model = try Self.model(server, api: .chat)
        model.requestsLogProbabilities = true
        let output = try model.generate(["people are"], settings: Self.settings)
        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/chat/completions")
        let messages = request.json?["messages"] as? [[String: Any]]
        #expect(messages?.count == 1)
        #expect(messages?.first?["role"] as? String == "user")
        #expect(output[0][0].text == server.model.continuation("people are", body: ["max_tokens": 4, "seed": 7])
            .trimmingCharacters(in: .whitespaces))
        #expect(output[0][0].tokenLogProbabilities == [-1, -1, -1, -1])
        #expect(model.causalLanguageModel == nil)
    }

    @Test("asking for log-probabilities from a server that gives none is an error that says what to do instead")
    func missingLogProbabilities() throws {
        let server = try FaultInjectingServer(model: FakeLanguageModel(omitsLogProbabilities: true))
        defer { server.stop() }
        let error = Self.error {
            _ = try Self.model(server).continuationLogProbabilities([(prompt: "the day", continuation: " was")])
        }
        guard case .noLogProbabilities = error as? RemoteModelError else {
            Issue.record("expected noLogProbabilities, got \(String(describing: error))")
            return
        }
        #expect(server.requestCount == 1)
        #expect((error as? RemoteModelError)?.localizedDescription.contains("scoring: generation") == true)
    }
}
