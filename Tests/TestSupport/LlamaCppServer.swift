import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// llama.cpp's OpenAI-compatible server (`llama-cpp-python[server]`, installed by
/// scripts/setup.sh) serving a tiny random llama-architecture GGUF that
/// scripts/make-tiny-gguf.py writes: `tiny` generates and echoes log-probabilities, and
/// `tiny-embed` (the same file loaded for embeddings) embeds.
///
/// The server runs under a shell that kills it when the test process goes away, so a crashed
/// test leaves no server behind.
public final class LlamaCppServer: @unchecked Sendable {
    public let baseURL: URL
    public let modelFile: URL
    private let process: Process

    /// Whether Python has the server and the GGUF writer (scripts/setup.sh installs both).
    public static var isInstalled: Bool {
        (try? ExternalCommand.run(["python3", "-c", "import llama_cpp.server, gguf"]))?.status == 0
    }

    public static let skipReason =
        "needs python3 with llama-cpp-python[server] and gguf (run `make setup`, which installs them)"

    /// Writes the model and starts the server; returns once `/v1/models` answers.
    public init(timeout: Double = 120) throws {
        let folder = try TestPaths.temporaryDirectory("adapteval-llama")
        modelFile = folder.appendingPathComponent("tiny.gguf")
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/make-tiny-gguf.py").path
        let written = try ExternalCommand.run(["python3", script, modelFile.path])
        guard written.status == 0 else { throw ServerError.failed("make-tiny-gguf.py: \(written.output)") }
        let port = try Self.freePort()
        baseURL = URL(string: "http://127.0.0.1:\(port)/v1")!
        let models: [[String: Any]] = [
            ["model": modelFile.path, "model_alias": "tiny", "n_ctx": 512, "n_threads": 1, "n_batch": 512, "logits_all": true,
             "verbose": false],
            ["model": modelFile.path, "model_alias": "tiny-embed", "n_ctx": 512, "n_threads": 1, "embedding": true, "verbose": false],
        ]
        let configuration = folder.appendingPathComponent("server.json")
        try JSONSerialization.data(withJSONObject: ["host": "127.0.0.1", "port": port, "models": models])
            .write(to: configuration)
        let log = folder.appendingPathComponent("server.log")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The shell waits for its parent (this test process) and takes the server down with it.
        process.arguments = ["-c", """
            python3 -m llama_cpp.server --config_file '\(configuration.path)' >'\(log.path)' 2>&1 &
            server=$!
            trap 'kill -KILL $server 2>/dev/null; wait $server; exit 0' TERM INT
            while kill -0 \(getpid()) 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 0.5; done
            kill $server 2>/dev/null
            """]
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if Self.answers(baseURL.appendingPathComponent("models")) { return }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        stop()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw ServerError.failed("the server did not start within \(Int(timeout)) s: \(text.suffix(2000))")
    }

    /// Stops the server at once. Uvicorn's graceful SIGTERM waits for open keep-alive
    /// connections, which a test's URLSession may hold for ever, so the shell sends SIGKILL;
    /// should the shell itself not go within ten seconds it gets SIGKILL too. Never waits
    /// unboundedly: a blocked test thread is one of the two the whole test run shares.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }

    enum ServerError: Error, CustomStringConvertible {
        case failed(String)
        var description: String {
            switch self {
            case .failed(let reason): return reason
            }
        }
    }

    static func answers(_ url: URL) -> Bool {
        guard let data = try? Data(contentsOf: url) else { return false }
        return (try? JSONSerialization.jsonObject(with: data)) != nil
    }

    static func freePort() throws -> UInt16 {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(socketFD, pointer, length) == 0 else { return -1 }
                return getsockname(socketFD, pointer, &length)
            }
        }
        guard bound == 0 else { throw ServerError.failed("no free port") }
        return UInt16(bigEndian: address.sin_port)
    }
}
