import Foundation
import TestSupport

/// Runs the built `adapteval` executable as a child process.
struct CommandRunner {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The executable built next to the test bundle (`swift build` puts both in one folder).
    static var executable: URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("adapteval")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        for configuration in ["release", "debug"] {
            let candidate = TestPaths.repositoryRoot.appendingPathComponent(".build/\(configuration)/adapteval")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return besideTests
    }

    /// Runs `adapteval arguments`, through a wrapper such as `setpriv` when `prefix` names one
    /// (its executable and arguments, which go before the executable's path).
    static func run(_ arguments: [String], input: Data? = nil, environment: [String: String] = [:], prefix: [String] = [])
        throws -> Result
    {
        let process = Process()
        if let wrapper = prefix.first {
            process.executableURL = URL(fileURLWithPath: wrapper)
            process.arguments = Array(prefix.dropFirst()) + [executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        var merged = ProcessInfo.processInfo.environment
        merged["NO_COLOR"] = "1"
        merged["COLUMNS"] = "100"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let output = Pipe()
        let inputPipe = Pipe()
        // Standard error goes to a file so that neither stream can fill a pipe and block.
        let errorURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("adapteval-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorURL) }
        let errorHandle = try FileHandle(forWritingTo: errorURL)
        process.standardOutput = output
        process.standardError = errorHandle
        process.standardInput = inputPipe
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(input) }
        try inputPipe.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errorHandle.close()
        let errorData = try Data(contentsOf: errorURL)
        return Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }
}
