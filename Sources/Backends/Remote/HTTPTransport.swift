import Evaluation
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An HTTP answer: status, headers (names lower-cased) and body.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Why an attempt ended without an HTTP status.
enum TransportFailure: Error, Sendable, Equatable {
    /// No complete answer within the timeout (a slow server or a body that trickles).
    case timedOut(seconds: Double)
    /// The connection could not be made or broke (refused, reset, closed early, cut short).
    case connection(String)
    /// The batch was abandoned (another request failed, or the user interrupted).
    case cancelled

    var description: String {
        switch self {
        case .timedOut(let seconds): return "no complete answer within \(Self.format(seconds)) s (timeout)"
        case .connection(let reason): return "connection error: \(reason)"
        case .cancelled: return "cancelled"
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.2f", seconds)
    }
}

/// Stops in-flight requests and backoff waits of one batch at once: when a request fails for
/// good or the user interrupts, the others need not run to their end.
final class BatchCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var tasks: [Int: URLSessionTask] = [:]
    private var nextToken = 0

    var isCancelled: Bool { lock.withLock { cancelled } }

    func cancel() {
        let running = lock.withLock {
            cancelled = true
            defer { tasks.removeAll() }
            return Array(tasks.values)
        }
        for task in running { task.cancel() }
    }

    /// Registers a running task; returns a token to unregister it, or nil when the batch is
    /// already cancelled (the task is then cancelled at once).
    func register(_ task: URLSessionTask) -> Int? {
        let token: Int? = lock.withLock {
            guard !cancelled else { return nil }
            nextToken += 1
            tasks[nextToken] = task
            return nextToken
        }
        if token == nil { task.cancel() }
        return token
    }

    func unregister(_ token: Int?) {
        guard let token else { return }
        lock.withLock { _ = tasks.removeValue(forKey: token) }
    }

    /// Sleeps `seconds` in short slices, returning early (false) when the batch is cancelled
    /// or the user asked to stop.
    func sleep(_ seconds: Double) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while true {
            if isCancelled || Interruption.isRequested { return false }
            let left = end.timeIntervalSinceNow
            if left <= 0 { return true }
            Thread.sleep(forTimeInterval: min(left, 0.05))
        }
    }
}

/// Synchronous HTTP over Foundation's URLSession (libcurl on Linux), one call per attempt.
///
/// Callers run on their own threads (`RemoteClient`'s workers), so nothing here depends on
/// Swift's cooperative thread pool, and blocking a caller cannot starve it. The timeout is a
/// deadline for the whole exchange, enforced here, because URLSession's own request timeout
/// only measures idle time and a trickling body would never trip it.
final class HTTPTransport: Sendable {
    let session: URLSession

    init(connections: Int, timeout: Double) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = connections
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.timeoutIntervalForRequest = Self.idleTimeout(timeout)
        configuration.timeoutIntervalForResource = Self.idleTimeout(timeout) * 2
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// URLSession's idle timeout for a deadline of `timeout` seconds: whole seconds, at least
    /// one, never below the deadline. On Linux, Foundation truncates the interval to whole
    /// seconds, so 0.6 s would time out every request at once; the deadline in `send` is exact.
    static func idleTimeout(_ timeout: Double) -> Double { max(1, timeout.rounded(.up)) }

    /// Sends `request` and waits for the complete answer, at most `timeout` seconds.
    func send(_ request: URLRequest, timeout: Double, cancellation: BatchCancellation) -> Result<HTTPAnswer, TransportFailure> {
        var request = request
        request.timeoutInterval = Self.idleTimeout(timeout)
        let done = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox()
        let task = session.dataTask(with: request) { data, response, error in
            outcome.set(Self.outcome(data: data, response: response, error: error))
            done.signal()
        }
        let token = cancellation.register(task)
        defer { cancellation.unregister(token) }
        task.resume()
        let deadline = Date().addingTimeInterval(timeout)
        // Short waits, so an interrupt or a failed sibling ends the wait promptly.
        while done.wait(timeout: .now() + 0.05) == .timedOut {
            if Interruption.isRequested || cancellation.isCancelled {
                task.cancel()
                done.wait()
                return .failure(.cancelled)
            }
            if Date() >= deadline {
                task.cancel()
                done.wait()
                return .failure(.timedOut(seconds: timeout))
            }
        }
        return outcome.value ?? .failure(.connection("no answer"))
    }

    static func outcome(data: Data?, response: URLResponse?, error: Error?) -> Result<HTTPAnswer, TransportFailure> {
        if let error {
            let urlError = error as? URLError
            if urlError?.code == .cancelled { return .failure(.cancelled) }
            if urlError?.code == .timedOut { return .failure(.connection("the server stopped sending (idle timeout)")) }
            return .failure(.connection(Self.describe(error)))
        }
        guard let http = response as? HTTPURLResponse else { return .failure(.connection("the answer is not HTTP")) }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String { headers[name.lowercased()] = "\(value)" }
        }
        return .success(HTTPAnswer(status: http.statusCode, headers: headers, body: data ?? Data()))
    }

    /// A URL error in plain words, without the URL (messages name the endpoint themselves).
    static func describe(_ error: Error) -> String {
        guard let urlError = error as? URLError else { return error.localizedDescription }
        switch urlError.code {
        case .cannotConnectToHost: return "cannot connect (refused; is the server running?)"
        case .networkConnectionLost: return "the connection was lost before the answer was complete"
        case .badServerResponse, .zeroByteResource: return "the server closed the connection without a valid answer"
        case .cannotFindHost, .dnsLookupFailed: return "cannot resolve the host name"
        case .notConnectedToInternet: return "no network"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "TLS handshake failed (\(urlError.code.rawValue))"
        default: return "URL error \(urlError.code.rawValue)"
        }
    }

    /// The completion handler's result, handed to the waiting thread.
    private final class OutcomeBox: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Result<HTTPAnswer, TransportFailure>?
        func set(_ value: Result<HTTPAnswer, TransportFailure>) { lock.withLock { stored = value } }
        var value: Result<HTTPAnswer, TransportFailure>? { lock.withLock { stored } }
    }
}
