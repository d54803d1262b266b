import Evaluation
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends JSON requests to an OpenAI-compatible server: at most `concurrency` at once, each
/// answered from the response cache when it can be, retried with backoff on 429, 5xx,
/// connection errors and timeouts (`RetryPolicy`), decoded and checked before it is cached, and
/// failing with an error that names the endpoint and the request.
///
/// The API key is read once from the environment and sent only in the `Authorization` header;
/// the cache digest leaves headers out, and the key is removed from anything the server sends
/// back (bodies before they are cached, messages before they are shown), so a server that
/// echoes it cannot make it reach a database, a report or a log.
public final class RemoteClient: Sendable {
    public let endpoint: RemoteEndpoint
    public let cache: (any ResponseCache)?
    public let counters = RequestCounters()
    private let apiKey: String?
    let transport: HTTPTransport
    let policy: RetryPolicy

    /// One request: a POST of `body` (canonical JSON) to `path` under the base URL.
    public struct Call: Sendable {
        public var path: String
        public var body: Data
        /// Names the request in errors, e.g. "completions request 3 of 10".
        public var label: String
        /// Tells apart requests with equal bodies that must get separate answers (the k
        /// samples of one prompt without a seed); part of the digest.
        public var variant: Int

        public init(path: String, body: Data, label: String, variant: Int = 0) {
            self.path = path
            self.body = body
            self.label = label
            self.variant = variant
        }
    }

    /// Why a body cannot be used; `RemoteClient` turns it into a `RemoteModelError` naming
    /// the request.
    public enum ShapeError: Error, Sendable {
        case invalid(String)
        case noLogProbabilities
    }

    /// - Parameter environment: where the API key is read (the process environment by default).
    public init(endpoint: RemoteEndpoint, environment: [String: String] = ProcessInfo.processInfo.environment,
                cache: (any ResponseCache)? = nil) throws {
        try endpoint.validate()
        self.endpoint = endpoint
        self.apiKey = try endpoint.apiKey(in: environment)
        self.cache = cache
        transport = HTTPTransport(connections: endpoint.concurrency, timeout: endpoint.timeout)
        policy = RetryPolicy(retries: endpoint.retries, initialBackoff: endpoint.initialBackoff, maximumBackoff: endpoint.maximumBackoff)
    }

    /// The cache digest of a call: sha256 of the method, the full URL, the variant and the body.
    /// Headers (the key among them) are not part of it.
    public func digest(of call: Call) -> String {
        var hash = SHA256()
        hash.update(Array("POST \(endpoint.url(call.path).absoluteString)\nvariant \(call.variant)\n".utf8))
        hash.update(call.body)
        return hash.hexDigest()
    }

    /// Sends every call (at most `concurrency` at a time) and decodes each answer; results in
    /// call order. The first request that fails for good stops the batch and its error is thrown;
    /// an interrupt stops it with `InterruptedError`. Calls with equal digests are sent once.
    public func perform<Response: Sendable>(_ calls: [Call], decode: @escaping @Sendable (Data) throws -> Response) throws -> [Response] {
        try Interruption.checkpoint()
        // Equal requests in one batch (the same text twice) are sent once.
        var firstIndex: [String: Int] = [:]
        var unique: [Call] = []
        let positions = calls.map { call in
            let digest = digest(of: call)
            if let index = firstIndex[digest] { return index }
            firstIndex[digest] = unique.count
            unique.append(call)
            return unique.count - 1
        }
        let answers = try performUnique(unique, decode: decode)
        return positions.map { answers[$0] }
    }

    func performUnique<Response: Sendable>(_ calls: [Call], decode: @escaping @Sendable (Data) throws -> Response) throws -> [Response] {
        guard !calls.isEmpty else { return [] }
        let batch = Batch<Response>(count: calls.count)
        let cancellation = BatchCancellation()
        let work: @Sendable () -> Void = { [self] in
            while !cancellation.isCancelled, let index = batch.takeNext() {
                do {
                    if Interruption.isRequested { throw InterruptedError() }
                    batch.store(try self.send(calls[index], decode: decode, cancellation: cancellation), at: index)
                } catch {
                    batch.fail(error)
                    cancellation.cancel()
                }
            }
        }
        let workers = min(endpoint.concurrency, calls.count)
        if workers == 1 {
            work()
        } else {
            let group = DispatchGroup()
            for _ in 0..<workers {
                group.enter()
                let thread = Thread {
                    work()
                    group.leave()
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
            group.wait()
        }
        return try batch.results()
    }

    /// One call: from the cache, or sent with retries; its answer decoded, then cached.
    func send<Response>(_ call: Call, decode: (Data) throws -> Response, cancellation: BatchCancellation) throws -> Response {
        let digest = digest(of: call)
        let url = endpoint.url(call.path)
        let name = "\(call.label) [\(digest.prefix(12))]"
        if let cache, let body = try cache.cachedResponse(digest: digest) {
            // A cached body this build cannot read (written by another version) is asked for again.
            if let decoded = try? decode(body) {
                counters.add(cached: 1)
                return decoded
            }
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = call.body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }

        var lastError = ""
        var retryAfter: Double?
        for attempt in 0...policy.retries {
            if attempt > 0 {
                let wait = policy.backoff(retry: attempt, digest: digest, retryAfter: retryAfter)
                counters.add(retried: 1)
                guard cancellation.sleep(wait) else { break }
            }
            if Interruption.isRequested { throw InterruptedError() }
            counters.add(sent: 1)
            switch transport.send(request, timeout: endpoint.timeout, cancellation: cancellation) {
            case .failure(.cancelled):
                if Interruption.isRequested { throw InterruptedError() }
                throw TransportFailure.cancelled
            case .failure(let failure):
                lastError = failure.description
                retryAfter = nil
            case .success(let answer) where (200..<300).contains(answer.status):
                let body = redact(answer.body)
                let decoded: Response
                do {
                    decoded = try decode(body)
                } catch ShapeError.noLogProbabilities {
                    throw RemoteModelError.noLogProbabilities(endpoint: url.absoluteString, request: name)
                } catch ShapeError.invalid(let reason) {
                    throw RemoteModelError.invalidResponse(endpoint: url.absoluteString, request: name, reason: redact(reason))
                }
                try cache?.storeResponse(body, digest: digest, endpoint: url.absoluteString)
                return decoded
            case .success(let answer):
                let message = redact(Self.serverMessage(answer.body))
                guard RetryPolicy.isRetryable(status: answer.status) else {
                    throw RemoteModelError.rejected(endpoint: url.absoluteString, request: name, status: answer.status, message: message)
                }
                retryAfter = RetryPolicy.retryAfterSeconds(answer.header("Retry-After"))
                lastError = "HTTP \(answer.status) \(HTTPURLResponse.localizedString(forStatusCode: answer.status))"
                    + (message.isEmpty ? "" : ": \(message)")
                if let wait = retryAfter, wait > policy.longestRetryAfter {
                    throw RemoteModelError.retriesExhausted(
                        endpoint: url.absoluteString, request: name, attempts: attempt + 1,
                        lastError: lastError + " (asked to retry after \(TransportFailure.format(wait)) s, longer than the "
                            + "\(TransportFailure.format(policy.longestRetryAfter)) s this client waits)")
                }
            }
        }
        if Interruption.isRequested { throw InterruptedError() }
        if cancellation.isCancelled { throw TransportFailure.cancelled }
        throw RemoteModelError.retriesExhausted(
            endpoint: url.absoluteString, request: name, attempts: policy.retries + 1, lastError: lastError)
    }

    /// The error message of an error body (`{"error": {"message": …}}`, `{"error": "…"}`,
    /// `{"detail": …}` or `{"message": …}`), shortened; empty when there is none.
    static func serverMessage(_ body: Data) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return "" }
        let candidates: [Any?] = [
            (object["error"] as? [String: Any])?["message"], object["error"], object["detail"], object["message"],
        ]
        for candidate in candidates {
            if let text = candidate as? String, !text.isEmpty {
                let oneLine = text.replacingOccurrences(of: "\n", with: " ")
                return oneLine.count > 300 ? String(oneLine.prefix(300)) + "…" : oneLine
            }
        }
        return ""
    }

    /// `text` with the API key replaced.
    func redact(_ text: String) -> String {
        guard let apiKey, !apiKey.isEmpty else { return text }
        return text.replacingOccurrences(of: apiKey, with: "[redacted]")
    }

    /// `body` with every occurrence of the API key's bytes replaced.
    func redact(_ body: Data) -> Data {
        guard let apiKey, !apiKey.isEmpty else { return body }
        let key = Data(apiKey.utf8)
        guard body.range(of: key) != nil else { return body }
        var result = Data()
        var rest = body[...]
        while let found = rest.range(of: key) {
            result.append(rest[rest.startIndex..<found.lowerBound])
            result.append(Data("[redacted]".utf8))
            rest = rest[found.upperBound...]
        }
        result.append(rest)
        return result
    }
}

/// Counts of what a client did, for summaries, tests and benchmarks.
public final class RequestCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var sentCount = 0
    private var cachedCount = 0
    private var retriedCount = 0

    /// HTTP attempts made (a retried request counts once per attempt).
    public var sent: Int { lock.withLock { sentCount } }
    /// Requests answered from the cache without sending anything.
    public var cached: Int { lock.withLock { cachedCount } }
    /// Retries made.
    public var retried: Int { lock.withLock { retriedCount } }

    func add(sent: Int = 0, cached: Int = 0, retried: Int = 0) {
        lock.withLock {
            sentCount += sent
            cachedCount += cached
            retriedCount += retried
        }
    }
}

/// The results of one batch, filled by the worker threads.
private final class Batch<Response>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Response?]
    private var next = 0
    private var error: Error?

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func takeNext() -> Int? {
        lock.withLock {
            guard error == nil, next < values.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func store(_ value: Response, at index: Int) { lock.withLock { values[index] = value } }

    /// Keeps the first real failure: a sibling cancelled because of it does not replace it.
    func fail(_ failure: Error) {
        lock.withLock {
            if error == nil || (error as? TransportFailure) == .cancelled { error = failure }
        }
    }

    func results() throws -> [Response] {
        try lock.withLock {
            if let error { throw error }
            let filled = values.compactMap { $0 }
            guard filled.count == values.count else { throw TransportFailure.cancelled }
            return filled
        }
    }
}
