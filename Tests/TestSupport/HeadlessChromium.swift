import Foundation

/// Runs Debian's `chromium` headless on a local file: to read the DOM a page ends up with, or
/// to take a screenshot.
///
/// Each call is one browser launch (a few seconds here) with its own temporary profile and a
/// timeout. Root needs `--no-sandbox`; nothing is fetched, the pages are local files.
public enum HeadlessChromium {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    /// Said when the browser is missing; tests fail with it rather than skip.
    public static let missingMessage =
        "chromium is not installed: run `make setup` (scripts/setup.sh installs Debian's chromium; CI runs it)"

    /// The browser executable on PATH, if any.
    public static var executable: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }

    /// The serialised DOM of `file` after it loaded (and ran whatever scripts it could).
    public static func dumpDOM(of file: URL, timeout: TimeInterval = 90) throws -> String {
        let output = try run(["--dump-dom", file.absoluteString], timeout: timeout)
        return String(decoding: output, as: UTF8.self)
    }

    /// A `width` × `height` screenshot of `file` written to `png`; `darkMode` makes the page
    /// see `prefers-color-scheme: dark`.
    public static func screenshot(
        of file: URL, to png: URL, width: Int, height: Int, darkMode: Bool = false, timeout: TimeInterval = 90
    ) throws {
        try? FileManager.default.removeItem(at: png)
        _ = try run(
            ["--screenshot=\(png.path)", "--window-size=\(width),\(height)", "--hide-scrollbars"]
                + (darkMode ? ["--force-dark-mode"] : []) + [file.absoluteString],
            timeout: timeout)
        guard FileManager.default.fileExists(atPath: png.path) else {
            throw Failure(description: "chromium wrote no screenshot to \(png.path)")
        }
    }

    /// Runs the browser with `arguments` after the common headless flags; returns its standard
    /// output.
    private static func run(_ arguments: [String], timeout: TimeInterval) throws -> Data {
        guard let executable else { throw Failure(description: missingMessage) }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        let outputURL = profile.appendingPathExtension("out")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: profile)
            try? FileManager.default.removeItem(at: outputURL)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--force-device-scale-factor=1", "--user-data-dir=\(profile.path)",
            ] + arguments
        // Files, not pipes, so that neither stream can fill and block the browser.
        let outputHandle = try FileHandle(forWritingTo: outputURL)
        process.standardOutput = outputHandle
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw Failure(description: "chromium did not finish within \(Int(timeout)) s (\(arguments.joined(separator: " ")))")
        }
        try outputHandle.close()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "chromium exited with status \(process.terminationStatus) (\(arguments.joined(separator: " ")))")
        }
        return try Data(contentsOf: outputURL)
    }
}
