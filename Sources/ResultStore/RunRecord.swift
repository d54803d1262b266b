import Foundation
import GRDB

/// One invocation of `adapteval run`: which suite, where, with what, and how it ended.
public struct RunRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "runs"

    /// How a run ended; `running` also marks a run whose process was killed.
    public enum Status: String, Codable, Sendable, DatabaseValueConvertible {
        case running, finished, failed, interrupted
    }

    public var id: Int64?
    /// Identifies the run across merged databases.
    public var uuid: String
    public var suiteName: String
    public var suiteVersion: String
    public var suitePath: String
    public var suiteSHA256: String
    /// The resolved suite (paths absolute, variables expanded) as JSON.
    public var config: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var status: Status
    public var tag: String?
    public var gitRevision: String?
    public var adaptEvalVersion: String
    public var host: String
    public var processID: Int64
    public var threads: Int
    /// "i/n" when the run computed one shard of the plan.
    public var shard: String?
    /// Cells this run planned (its shard's share).
    public var plannedCells: Int
    /// The command that started the run, each argument shell-quoted; nil for runs stored
    /// before AdaptEval kept it.
    public var commandLine: String?

    enum CodingKeys: String, CodingKey {
        case id, uuid, suiteName = "suite_name", suiteVersion = "suite_version", suitePath = "suite_path"
        case suiteSHA256 = "suite_sha256", config, startedAt = "started_at", finishedAt = "finished_at", status, tag
        case gitRevision = "git_revision", adaptEvalVersion = "adapteval_version", host, processID = "process_id"
        case threads, shard, plannedCells = "planned_cells", commandLine = "command_line"
    }

    public init(
        uuid: String = UUID().uuidString, suiteName: String, suiteVersion: String, suitePath: String, suiteSHA256: String,
        config: String, startedAt: Date = Date(), status: Status = .running, tag: String?, gitRevision: String?,
        adaptEvalVersion: String, host: String, processID: Int64, threads: Int, shard: String?, plannedCells: Int,
        commandLine: String? = nil
    ) {
        self.uuid = uuid
        self.suiteName = suiteName
        self.suiteVersion = suiteVersion
        self.suitePath = suitePath
        self.suiteSHA256 = suiteSHA256
        self.config = config
        self.startedAt = startedAt
        self.status = status
        self.tag = tag
        self.gitRevision = gitRevision
        self.adaptEvalVersion = adaptEvalVersion
        self.host = host
        self.processID = processID
        self.threads = threads
        self.shard = shard
        self.plannedCells = plannedCells
        self.commandLine = commandLine
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
