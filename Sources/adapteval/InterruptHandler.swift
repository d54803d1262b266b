import Evaluation
import Foundation

/// Ctrl-C, SIGTERM and SIGHUP (the terminal closed) for long commands (`run`, `train`; later
/// `report`, `probe`, remote generation): one mechanism for all of them.
///
/// The first signal only records a stop request (`Interruption.request()`) and says so on
/// standard error. The computation notices it at its next safe point
/// (`Interruption.checkpoint()`, between training steps and evaluation batches), unwinds with
/// `InterruptedError`, and the command exits 130 through `AdaptEval.exit(with:)` like any other
/// error, after its threads have finished their kernels. Exiting from the handler instead ran
/// the process's teardown (OpenBLAS frees its buffers) under kernels still running on other
/// threads, which crashed. A second signal means "now": the command's closure set with
/// `whenStoppingAtOnce` (a short synchronous database write) runs, and the process ends with
/// `_exit(130)`, which runs no teardown at all.
///
/// The C handler only writes the signal's number to a pipe (`write` is async-signal-safe);
/// a thread of ours reads the pipe and does the rest, where locks and files are allowed.
/// `DispatchSource` signal sources are not used: on Linux libdispatch re-raises a signal to
/// the thread that registered the source, and when another thread had taken it first the
/// signal could stay pending on a thread that never reads it; 2 of 30 interrupts were lost
/// that way (the run went on for 30 s and more).
final class InterruptHandler: @unchecked Sendable {
    static let signals = [SIGINT, SIGTERM, SIGHUP]

    private static let installation = NSLock()
    nonisolated(unsafe) private static var installed: InterruptHandler?

    private let lock = NSLock()
    private var markInterrupted: (@Sendable () -> Void)?

    /// Starts handling the signals for the rest of the process (installing once); call on the
    /// main thread before the long work starts, so that a signal while loading also ends with 130.
    @discardableResult
    static func install() -> InterruptHandler {
        installation.withLock {
            if let installed { return installed }
            let handler = InterruptHandler()
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else {
                // Without a pipe the signals keep their default action (the process ends at once).
                installed = handler
                return handler
            }
            // Not inherited by child processes (git); and a full pipe (thousands of pending
            // signals) drops a byte rather than block the handler.
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
            signalPipeWriteEnd = ends[1]
            let readEnd = ends[0]
            let reader = Thread { handler.readSignals(from: readEnd) }
            reader.name = "adapteval-signals"
            reader.start()
            var unblocked = sigset_t()
            sigemptyset(&unblocked)
            for signalNumber in signals {
                // glibc's signal() installs the handler with SA_RESTART and keeps it after delivery.
                _ = signal(signalNumber, forwardSignalToPipe)
                sigaddset(&unblocked, signalNumber)
            }
            // A parent may start us with these signals blocked (a process spawned from a
            // libdispatch thread inherits its full mask), and blocked signals never reach a
            // handler: unblock them on this thread, so the kernel has one to deliver to.
            pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
            installed = handler
            return handler
        }
    }

    /// What a second signal does before the process ends: marks the work interrupted (nil: nothing
    /// to mark, e.g. once the run has finished).
    func whenStoppingAtOnce(_ mark: (@Sendable () -> Void)?) {
        lock.withLock { markInterrupted = mark }
    }

    private func readSignals(from readEnd: Int32) {
        while true {
            var byte: UInt8 = 0
            let count = read(readEnd, &byte, 1)
            if count == 1 {
                received(Int32(byte))
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return
            }
        }
    }

    private func received(_ signalNumber: Int32) {
        let name = signalNumber == SIGINT ? "Ctrl-C" : signalNumber == SIGTERM ? "SIGTERM" : "SIGHUP"
        if Interruption.request() == 1 {
            FileHandle.standardError.write(
                Data("\nadapteval: \(name): stopping at the next safe point; press Ctrl-C again to stop at once\n".utf8))
            return
        }
        FileHandle.standardError.write(Data("\nadapteval: \(name) again: stopping at once\n".utf8))
        lock.withLock { markInterrupted }?()
        _exit(ExitStatus.interrupted)
    }
}

/// The pipe's write end, set before any handler is installed (so the handler only reads it).
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The signal handler: async-signal-safe, it writes the signal's number to the pipe and
/// restores `errno` for the code it interrupted.
private func forwardSignalToPipe(_ signalNumber: Int32) {
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: signalNumber)
    _ = write(signalPipeWriteEnd, &byte, 1)
    errno = savedErrno
}
