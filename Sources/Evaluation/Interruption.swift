import Foundation

/// A process-wide request to stop a long computation at its next safe point.
///
/// A signal handler calls `request()`; training, evaluation and probe loops call
/// `checkpoint()` between steps or batches, where stopping loses nothing but the step in
/// progress, and the resulting `InterruptedError` unwinds through the normal exit path. Nothing
/// is torn down while kernels still run on other threads.
public enum Interruption {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var requests = 0

    /// Records a request; returns how many have been made (a second one means "stop now").
    @discardableResult
    public static func request() -> Int {
        lock.withLock {
            requests += 1
            return requests
        }
    }

    /// Whether a stop was requested.
    public static var isRequested: Bool { lock.withLock { requests > 0 } }

    /// Throws `InterruptedError` when a stop was requested.
    public static func checkpoint() throws {
        if isRequested { throw InterruptedError() }
    }

    /// Forgets earlier requests (for tests that interrupt and go on).
    public static func reset() {
        lock.withLock { requests = 0 }
    }
}

/// The computation stopped because the user asked it to.
public struct InterruptedError: CategorizedError, LocalizedError, Equatable {
    public init() {}
    public var category: ErrorCategory { .interrupted }
    public var errorDescription: String? { "interrupted" }
}
