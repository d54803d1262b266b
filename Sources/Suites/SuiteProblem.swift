import Evaluation
import Foundation

/// One thing wrong with a suite file, at a line and column when the YAML has one.
public struct SuiteProblem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int?
    public var column: Int?
    /// Where in the suite, e.g. `strategies[2].rank`; empty for the whole file.
    public var field: String
    public var message: String

    public init(line: Int?, column: Int?, field: String, message: String) {
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        let location = line.map { line in column.map { "\(line):\($0)" } ?? "\(line)" }
        let prefix = [location, field.isEmpty ? nil : field].compactMap { $0 }.joined(separator: ": ")
        return prefix.isEmpty ? message : "\(prefix): \(message)"
    }
}

/// What can go wrong with suites and runs.
public enum SuiteError: CategorizedError, Equatable, LocalizedError {
    /// The suite file is invalid; every problem found is listed (exit 2).
    case invalidSuite(path: String, problems: [SuiteProblem])
    /// A command-line argument that does not fit the suite (exit 2).
    case invalidArgument(name: String, reason: String)
    /// Some cells failed; their reasons are in the database (exit 3).
    case cellsFailed(count: Int, database: String)
    /// Some planned cells were neither computed nor reused, e.g. because another live run was
    /// computing them (exit 3: the run is not complete).
    case cellsLeftUnfinished(count: Int, reasons: [String], database: String)
    /// A file the run had to write could not be written (exit 3).
    case cannotWrite(path: String, reason: String)
    /// The user stopped the run; it is marked interrupted and resumes with the same command (exit 130).
    case interrupted(runID: Int64, database: String)

    public var errorDescription: String? {
        switch self {
        case .invalidSuite(let path, let problems):
            let noun = problems.count == 1 ? "problem" : "problems"
            return "\(path): \(problems.count) \(noun):\n" + problems.map { "\(path):\($0)" }.joined(separator: "\n")
        case .invalidArgument(let name, let reason):
            return "\(name): \(reason)"
        case .cellsFailed(let count, let database):
            return "\(count) cell(s) failed; see `adapteval runs show latest --db \(database)` for their reasons"
        case .cellsLeftUnfinished(let count, let reasons, let database):
            return "\(count) cell(s) left unfinished (\(reasons.joined(separator: "; "))); the run is incomplete: "
                + "run the same command again once they are done to link them (`adapteval runs list --db \(database)`)"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .interrupted(let runID, let database):
            return "interrupted; run \(runID) in \(database) is marked interrupted, its finished cells are saved: "
                + "run the same command to resume"
        }
    }

    public var category: ErrorCategory {
        switch self {
        case .invalidSuite, .invalidArgument: return .invalidInput
        case .cellsFailed, .cellsLeftUnfinished, .cannotWrite: return .runtimeFailure
        case .interrupted: return .interrupted
        }
    }
}
