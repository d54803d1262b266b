import Dispatch
import Foundation

/// A running `adapteval` child whose exit the test can time exactly: the termination handler
/// records the moment the child was reaped, so waits and signals do not blur the measurement.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    /// Where the child's standard error goes (a file, so it can never block on a full pipe).
    let standardErrorURL: URL
    private let exited = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var exitTime: DispatchTime?

    /// Starts `adapteval arguments`, optionally through a wrapper such as `setpriv` (`prefix`:
    /// the wrapper's executable and its own arguments, before the executable's path).
    init(_ arguments: [String], prefix: [String] = [], environment: [String: String] = [:]) throws {
        standardErrorURL = FileManager.default.temporaryDirectory.appendingPathComponent("adapteval-child-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: standardErrorURL.path, contents: nil)
        if let wrapper = prefix.first {
            process.executableURL = URL(fileURLWithPath: wrapper)
            process.arguments = Array(prefix.dropFirst()) + [CommandRunner.executable.path] + arguments
        } else {
            process.executableURL = CommandRunner.executable
            process.arguments = arguments
        }
        var merged = ProcessInfo.processInfo.environment
        merged["NO_COLOR"] = "1"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: standardErrorURL)
        process.terminationHandler = { [weak self] _ in
            guard let self else { return }
            self.lock.withLock { self.exitTime = .now() }
            self.exited.signal()
        }
        try process.run()
    }

    deinit {
        try? FileManager.default.removeItem(at: standardErrorURL)
    }

    var processIdentifier: pid_t { process.processIdentifier }

    /// Sends a signal and returns when it was sent.
    @discardableResult
    func send(_ signalNumber: Int32) -> DispatchTime {
        let sent = DispatchTime.now()
        Foundation.kill(process.processIdentifier, signalNumber)
        return sent
    }

    /// Waits up to `timeout` seconds for the child to exit; returns the moment it exited, or nil
    /// when it is still running.
    func waitForExit(timeout: Double) -> DispatchTime? {
        guard exited.wait(timeout: .now() + timeout) == .success else { return nil }
        exited.signal()  // later waits return at once
        process.waitUntilExit()
        return lock.withLock { exitTime }
    }

    /// Kills the child (SIGKILL) and waits for it, when a test gives up on it.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = waitForExit(timeout: 60)
    }

    /// Whether the child has exited, without waiting.
    var hasExited: Bool {
        guard exited.wait(timeout: .now()) == .success else { return false }
        exited.signal()
        return true
    }

    /// The exit status, or 128 + the signal that ended the child (as a shell reports it).
    var status: Int32 {
        process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }

    var standardError: String {
        (try? String(contentsOf: standardErrorURL, encoding: .utf8)) ?? ""
    }
}

/// Words a crash, a failed precondition or a backtrace leaves on standard error.
let crashMarkers = ["crashed", "Fatal error", "Backtrace", "Thread 0", "Segmentation fault", "Bad pointer", "SIGSEGV", "SIGBUS"]
