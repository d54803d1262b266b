/// What kind of failure an error is, which decides the process exit code (DESIGN.md): the
/// user's input (2), a runtime failure (3), or an interruption (130).
public enum ErrorCategory: Sendable, Equatable {
    /// A suite, data file, model, argument or database the user gave is wrong; the message
    /// names it and says what to change.
    case invalidInput
    /// Something failed while running (a diverged training run, an unreachable backend, a
    /// full disk).
    case runtimeFailure
    /// The user stopped the command (Ctrl-C, SIGTERM); finished work is kept.
    case interrupted
}

/// An error that knows its category. Every module's error enum conforms, so the command line
/// maps errors to exit codes in one place, whatever module they come from.
public protocol CategorizedError: Error {
    var category: ErrorCategory { get }
}

extension CategorizedError {
    /// Whether the error is the user's input (exit 2).
    public var isInvalidInput: Bool { category == .invalidInput }
}
