import Foundation

/// Arguments written back as one line a POSIX shell reads as the same arguments, for the
/// command line a run stores as provenance.
enum ShellQuoting {
    /// Characters that need no quoting in sh(1).
    private static let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")

    /// Each argument as is when it is plain, else in single quotes (a quote inside written `'\''`).
    static func line(_ arguments: [String]) -> String {
        arguments.map(quoted).joined(separator: " ")
    }

    static func quoted(_ argument: String) -> String {
        if !argument.isEmpty && argument.allSatisfy(plain.contains) { return argument }
        return "'" + argument.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
