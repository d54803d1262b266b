import Evaluation
import Foundation
import ResultStore
import Testing
import TestSupport

@testable import Backends

@Suite("Response cache in SQLite")
struct ResponseCacheTests {
    static let prompts = (1...5).map { "prompt \($0) of the batch" }

    static func database() throws -> ResultDatabase {
        try ResultDatabase(path: try TestPaths.temporaryDirectory("adapteval-cache").appendingPathComponent("cache.sqlite").path)
    }

    @Test("a second identical batch is answered from the cache and sends nothing")
    func repeatSendsNothing() throws {
        let cache = try Self.database()
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let first = try RemoteClientFaultTests.model(server, concurrency: 3, cache: cache).generate(Self.prompts, settings: RemoteClientFaultTests.settings)
        #expect(server.requestCount == 5)
        #expect(try cache.cachedResponseCount() == 5)
        let again = try RemoteClientFaultTests.model(server, cache: cache)
        let second = try again.generate(Self.prompts, settings: RemoteClientFaultTests.settings)
        #expect(server.requestCount == 5)
        #expect(again.client.counters.cached == 5)
        #expect(second == first)
    }

    @Test("a batch stopped by a failure resends only what it lacks once the server recovers, and matches a clean run")
    func resumeMatchesCleanRun() throws {
        let cache = try Self.database()
        let failAfterThree = ProtectedFlag()
        let server = try FaultInjectingServer { _, _ in
            failAfterThree.value ? .raw(status: 400, body: "{}", headers: [:]) : .model
        }
        defer { server.stop() }
        let model = try RemoteClientFaultTests.model(server, cache: cache)
        _ = try model.generate(Array(Self.prompts.prefix(3)), settings: RemoteClientFaultTests.settings)
        failAfterThree.value = true
        #expect(throws: RemoteModelError.self) { try model.generate(Self.prompts, settings: RemoteClientFaultTests.settings) }
        #expect(server.requestCount == 4)
        failAfterThree.value = false
        let resumed = try RemoteClientFaultTests.model(server, cache: cache)
        let output = try resumed.generate(Self.prompts, settings: RemoteClientFaultTests.settings)
        #expect(server.requestCount == 6)
        #expect(resumed.client.counters.sent == 2)
        #expect(resumed.client.counters.cached == 3)
        let clean = try RemoteClientFaultTests.model(server).generate(Self.prompts, settings: RemoteClientFaultTests.settings)
        #expect(output == clean)
    }

    @Test("the digest leaves the key out, and a key the server echoes never reaches the database file")
    func keyNeverCached() throws {
        let key = "sk-cache-planted-9f8e7d6c5b4a"
        let folder = try TestPaths.temporaryDirectory("adapteval-cache")
        let cache = try ResultDatabase(path: folder.appendingPathComponent("cache.sqlite").path)
        let server = try FaultInjectingServer(model: FakeLanguageModel(echoesAuthorization: true))
        defer { server.stop() }
        let withKey = try RemoteClientFaultTests.model(server, environment: ["OPENAI_API_KEY": key], cache: cache)
        let withoutKey = try RemoteClientFaultTests.model(server)
        let call = RemoteClient.Call(path: "completions", body: Data("{}".utf8), label: "x")
        #expect(withKey.client.digest(of: call) == withoutKey.client.digest(of: call))
        let output = try withKey.generate(["a"], settings: RemoteClientFaultTests.settings)
        #expect(server.requests.first?.headers["authorization"] == "Bearer \(key)")
        #expect(output[0][0].text == " Bearer [redacted]")
        try cache.checkpoint()
        for file in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil) {
            let bytes = try Data(contentsOf: file)
            #expect(bytes.range(of: Data(key.utf8)) == nil, "\(file.lastPathComponent) holds the key")
        }
    }

    @Test("merging results databases copies cached answers the target lacks")
    func mergeCopiesResponses() throws {
        let source = try Self.database()
        let target = try Self.database()
        try source.storeResponse(Data("{\"a\": 1}".utf8), digest: "d1", endpoint: "http://x/v1/completions")
        try source.storeResponse(Data("{\"a\": 2}".utf8), digest: "d2", endpoint: "http://x/v1/completions")
        try target.storeResponse(Data("{\"a\": 9}".utf8), digest: "d2", endpoint: "http://x/v1/completions")
        let summary = try target.merge(from: source)
        #expect(summary.responsesAdded == 1)
        #expect(try target.cachedResponse(digest: "d1") == Data("{\"a\": 1}".utf8))
        #expect(try target.cachedResponse(digest: "d2") == Data("{\"a\": 9}".utf8))
        #expect(try target.merge(from: source).responsesAdded == 0)
    }
}

/// A Boolean shared with a server script.
final class ProtectedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = false
    var value: Bool {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
