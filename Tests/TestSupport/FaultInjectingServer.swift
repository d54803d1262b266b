import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An HTTP/1.1 server on 127.0.0.1 for tests of remote backends: POSIX sockets, one thread per
/// connection, keep-alive, `Expect: 100-continue`. Each request is answered as the test's
/// script says: a well-formed OpenAI-compatible answer from a small deterministic model
/// (`FakeLanguageModel`), or a fault — 429 with `Retry-After`, 500, 503, a body that trickles, a
/// dropped connection, JSON cut short, a body of the wrong shape. Every request is recorded,
/// so a test can assert how many were sent and what they carried.
public final class FaultInjectingServer: @unchecked Sendable {
    /// A request as received.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Header names lower-cased.
        public var headers: [String: String]
        public var body: Data

        public init(method: String, path: String, headers: [String: String], body: Data) {
            self.method = method
            self.path = path
            self.headers = headers
            self.body = body
        }

        /// The body as a JSON object, when it is one.
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    /// How to answer one request.
    public enum Reply: Sendable {
        /// The fake model's well-formed answer.
        case model
        /// Any status and body, with extra headers.
        case raw(status: Int, body: String, headers: [String: String])
        /// A status with an OpenAI-style error body and, when given, `Retry-After`.
        case failure(status: Int, retryAfter: String?)
        /// The fake model's answer, sent `chunkBytes` at a time with `delay` seconds between.
        case slowBody(chunkBytes: Int, delay: Double)
        /// Reads the request and closes the connection without a byte.
        case dropConnection
        /// The fake model's answer announced whole (Content-Length) but cut after `keepBytes`,
        /// then the connection closes.
        case cutShort(keepBytes: Int)
        /// The fake model's answer with a short Content-Length: complete HTTP, truncated JSON.
        case truncatedJSON(keepBytes: Int)
    }

    /// Decides the reply to request `number` (1-based, in arrival order).
    public typealias Script = @Sendable (_ request: Request, _ number: Int) -> Reply

    public let port: UInt16
    public let model: FakeLanguageModel
    private let script: Script
    private let listener: Int32
    private let lock = NSLock()
    private var received: [Request] = []
    private var connections: Set<Int32> = []
    private var stopped = false
    private var active = 0
    private var mostActive = 0
    private let acceptThreadDone = DispatchSemaphore(value: 0)

    /// The API root, `http://127.0.0.1:PORT/v1`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    /// Starts listening on a free port.
    public init(model: FakeLanguageModel = FakeLanguageModel(), script: @escaping Script = { _, _ in .model }) throws {
        self.model = model
        self.script = script
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw ServerError.socket("socket", errno) }
        var yes: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socketFD, 128) == 0 else {
            close(socketFD)
            throw ServerError.socket("bind/listen", errno)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        listener = socketFD
        port = UInt16(bigEndian: actual.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Requests received so far, in arrival order.
    public var requests: [Request] { lock.withLock { received } }
    public var requestCount: Int { lock.withLock { received.count } }
    /// The most requests being answered at one time so far.
    public var maximumConcurrentRequests: Int { lock.withLock { mostActive } }

    /// Stops accepting and closes every open connection.
    public func stop() {
        let open: Set<Int32>? = lock.withLock {
            guard !stopped else { return nil }
            stopped = true
            return connections
        }
        guard let open else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for connection in open { shutdown(connection, Int32(SHUT_RDWR)) }
        acceptThreadDone.wait()
    }

    enum ServerError: Error { case socket(String, Int32) }

    private func acceptLoop() {
        defer { acceptThreadDone.signal() }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            let accepted = lock.withLock {
                guard !stopped else { return false }
                connections.insert(connection)
                return true
            }
            guard accepted else {
                close(connection)
                return
            }
            var yes: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in
                serve(connection)
                lock.withLock { _ = connections.remove(connection) }
                close(connection)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        var buffer = Data()
        while let request = readRequest(connection, buffer: &buffer) {
            let number: Int = lock.withLock {
                received.append(request)
                active += 1
                mostActive = max(mostActive, active)
                return received.count
            }
            let keepOpen = respond(to: request, reply: script(request, number), on: connection)
            lock.withLock { active -= 1 }
            guard keepOpen else { return }
        }
    }

    /// Reads one request (headers, then a Content-Length body); nil when the client closed.
    private func readRequest(_ connection: Int32, buffer: inout Data) -> Request? {
        let separator = Data("\r\n\r\n".utf8)
        var headerEnd: Range<Data.Index>?
        while true {
            headerEnd = buffer.range(of: separator)
            if headerEnd != nil { break }
            guard readMore(connection, into: &buffer) else { return nil }
        }
        guard let headerEnd else { return nil }
        let head = String(decoding: buffer[buffer.startIndex..<headerEnd.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        buffer.removeSubrange(buffer.startIndex..<headerEnd.upperBound)
        if headers["expect"]?.lowercased() == "100-continue" {
            guard write(connection, Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return nil }
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length {
            guard readMore(connection, into: &buffer) else { return nil }
        }
        let body = Data(buffer.prefix(length))
        buffer.removeFirst(length)
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private func readMore(_ connection: Int32, into buffer: inout Data) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(connection, &chunk, chunk.count, 0)
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    private func write(_ connection: Int32, _ data: Data) -> Bool {
        var offset = 0
        while offset < data.count {
            let sent = data.withUnsafeBytes { raw in
                send(connection, raw.baseAddress!.advanced(by: offset), data.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Sends the reply; false when the connection must close.
    private func respond(to request: Request, reply: Reply, on connection: Int32) -> Bool {
        func head(_ status: Int, length: Int, extra: [String: String] = [:]) -> Data {
            var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Type: application/json\r\nContent-Length: \(length)\r\n"
            for (name, value) in extra.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
            return Data((text + "\r\n").utf8)
        }
        switch reply {
        case .model:
            let (status, body) = model.answer(request)
            return write(connection, head(status, length: body.count) + body)
        case .raw(let status, let body, let headers):
            let bytes = Data(body.utf8)
            return write(connection, head(status, length: bytes.count, extra: headers) + bytes)
        case .failure(let status, let retryAfter):
            let body = Data(#"{"error": {"message": "injected failure \#(status)", "type": "server_error"}}"#.utf8)
            return write(connection, head(status, length: body.count, extra: retryAfter.map { ["Retry-After": $0] } ?? [:]) + body)
        case .slowBody(let chunkBytes, let delay):
            let (status, body) = model.answer(request)
            guard write(connection, head(status, length: body.count)) else { return false }
            var offset = 0
            while offset < body.count {
                Thread.sleep(forTimeInterval: delay)
                let end = min(offset + max(chunkBytes, 1), body.count)
                guard write(connection, body.subdata(in: offset..<end)) else { return false }
                offset = end
            }
            return true
        case .dropConnection:
            return false
        case .cutShort(let keepBytes):
            let (status, body) = model.answer(request)
            _ = write(connection, head(status, length: body.count) + body.prefix(keepBytes))
            return false
        case .truncatedJSON(let keepBytes):
            let (status, body) = model.answer(request)
            let kept = body.prefix(keepBytes)
            return write(connection, head(status, length: kept.count) + kept)
        }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 404: return "Not Found"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}
