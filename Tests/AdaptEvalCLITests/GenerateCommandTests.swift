import Foundation
import ResultStore
import TestSupport
import Testing

/// `adapteval generate` against `FaultInjectingServer`.
@Suite struct GenerateCommandTests {
    static let prompts = ["the day was", "people are", "a \"quoted\"\nprompt", "the", "kind words"]

    static func input(_ prompts: [String] = prompts) throws -> URL {
        let folder = try TestPaths.temporaryDirectory("adapteval-generate")
        let lines = try prompts.map { String(decoding: try JSONSerialization.data(withJSONObject: ["text": $0]), as: UTF8.self) }
        return try TinyCheckpoint.jsonl(lines, in: folder, name: "prompts.jsonl")
    }

    static func lines(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test("generate prints one JSON line per prompt, in input order, with token log-probabilities on request")
    func printsOneLinePerPrompt() throws {
        let server = try FaultInjectingServer { _, _ in .slowBody(chunkBytes: 4096, delay: 0.02) }
        defer { server.stop() }
        let input = try Self.input()
        let result = try CommandRunner.run([
            "generate", "--endpoint", server.baseURL.absoluteString, "--remote-model", "fake", "--input", input.path,
            "--max-tokens", "3", "--seed", "5", "--concurrency", "3", "--logprobs",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = try Self.lines(result.standardOutput)
        #expect(lines.count == Self.prompts.count)
        for (prompt, line) in zip(Self.prompts, lines) {
            #expect(line["text"] as? String == server.model.continuation(prompt, body: ["max_tokens": 3, "seed": 5]))
            #expect(line["token_logprobs"] as? [Double] == [-1, -1, -1])
        }
        #expect(server.requestCount == 5)
        #expect(server.requests.allSatisfy { $0.json?["logprobs"] as? Int == 1 && $0.json?["max_tokens"] as? Int == 3 })
        #expect(result.standardError.contains("5 request(s) sent"))
    }

    @Test("k samples per prompt come back as one line with a samples array")
    func samples() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let result = try CommandRunner.run([
            "generate", "--endpoint", server.baseURL.absoluteString, "--remote-model", "fake", "--input", try Self.input(["a", "b"]).path,
            "--samples", "3", "--seed", "1", "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = try Self.lines(result.standardOutput)
        #expect(lines.map { ($0["samples"] as? [[String: Any]])?.count } == [3, 3])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.standardError.utf8)) as? [String: Any])
        #expect(summary["sent"] as? Int == 6)
        #expect(summary["cached"] as? Int == 0)
    }

    @Test("with --cache a second run sends nothing and prints the same lines")
    func cache() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let input = try Self.input()
        let cache = input.deletingLastPathComponent().appendingPathComponent("cache.sqlite").path
        let arguments = ["generate", "--endpoint", server.baseURL.absoluteString, "--remote-model", "fake", "--input", input.path,
                         "--seed", "2", "--cache", cache]
        let first = try CommandRunner.run(arguments)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(server.requestCount == 5)
        let second = try CommandRunner.run(arguments)
        #expect(second.status == 0)
        #expect(server.requestCount == 5)
        #expect(second.standardOutput == first.standardOutput)
        #expect(second.standardError.contains("0 request(s) sent, 5 from the cache"))
    }

    @Test("a spent retry budget exits 3 naming the endpoint and the last error")
    func budgetSpent() throws {
        let server = try FaultInjectingServer { _, _ in .failure(status: 503, retryAfter: "0") }
        defer { server.stop() }
        let result = try CommandRunner.run([
            "generate", "--endpoint", server.baseURL.absoluteString, "--remote-model", "fake", "--input", try Self.input(["x"]).path,
            "--retries", "2",
        ])
        #expect(result.status == 3)
        #expect(server.requestCount == 3)
        #expect(result.standardError.contains("\(server.baseURL.absoluteString)/completions"), "\(result.standardError)")
        #expect(result.standardError.contains("HTTP 503"), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test("a URL with credentials, a bad number or an unset key variable exits 2 naming the flag")
    func invalidArguments() throws {
        let input = try Self.input(["x"]).path
        let cases: [([String], String)] = [
            (["--endpoint", "http://user:secret@127.0.0.1:9/v1"], "--endpoint"),
            (["--endpoint", "ftp://127.0.0.1/v1"], "--endpoint"),
            (["--endpoint", "http://127.0.0.1:9", "--concurrency", "0"], "--concurrency"),
            (["--endpoint", "http://127.0.0.1:9", "--api-key-env", "ADAPTEVAL_TEST_UNSET_KEY"], "--api-key-env"),
        ]
        for (extra, flag) in cases {
            let result = try CommandRunner.run(["generate", "--remote-model", "fake", "--input", input] + extra)
            #expect(result.status == 2, "\(extra): \(result.standardError)")
            #expect(result.standardError.contains(flag), "\(extra): \(result.standardError)")
            #expect(!result.standardError.contains("secret"))
        }
    }

    @Test("an interrupted generate exits 130, keeps the answers it got in the cache, and the same command resumes")
    func interruptAndResume() throws {
        let server = try FaultInjectingServer { _, _ in .slowBody(chunkBytes: 4096, delay: 0.15) }
        defer { server.stop() }
        let prompts = (0..<40).map { "prompt \($0)" }
        let input = try Self.input(prompts)
        let cache = input.deletingLastPathComponent().appendingPathComponent("cache.sqlite").path
        let arguments = ["generate", "--endpoint", server.baseURL.absoluteString, "--remote-model", "fake", "--input", input.path,
                         "--seed", "3", "--concurrency", "1", "--cache", cache]
        let child = try startAdaptEval(arguments)
        let deadline = Date().addingTimeInterval(30)
        while server.requestCount < 5, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        kill(child.processIdentifier, SIGINT)
        child.waitUntilExit()
        #expect(child.terminationStatus == 130)
        let stored = try ResultDatabase(path: cache).cachedResponseCount()
        #expect(stored >= 4 && stored < 40, "\(stored) answers cached")
        let before = server.requestCount
        let resumed = try CommandRunner.run(arguments)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(server.requestCount - before == 40 - stored)
        let lines = try Self.lines(resumed.standardOutput)
        #expect(lines.map { $0["text"] as? String } == prompts.map { server.model.continuation($0, body: ["max_tokens": 20, "seed": 3]) })
    }
}
