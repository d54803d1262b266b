import Backends
import Evaluation
import Foundation
import Transformers

/// A validated suite with its data loaded and split: everything the plan needs.
public struct Suite: Sendable {
    /// The suite file's absolute path.
    public var path: String
    /// sha256 of the suite file's bytes.
    public var fileSHA256: String
    public var definition: SuiteDefinition
    public var model: ResolvedModel
    /// Tasks in file order.
    public var tasks: [TaskData]
    /// Task chains in plan order; each ends with its target.
    public var chains: [[String]]
    /// Probes of a served model, checked and hashed.
    public var remoteProbes: [ResolvedRemoteProbe] = []
    /// The `probes:` entries, checked and with their data loaded.
    public var probes: [ResolvedProbe] = []

    public var name: String { definition.name }

    public func task(_ name: String) -> TaskData? { tasks.first { $0.name == name } }
}

/// The base model's folder and the hashes of the files that define it.
public struct ResolvedModel: Sendable, Equatable {
    public var directory: URL
    public var name: String
    /// sha256 of model.safetensors (the model identity DESIGN.md names).
    public var weightsSHA256: String
    /// sha256 of every file read from the folder, by name.
    public var fileSHA256: [String: String]
    /// Set for a model served over HTTP: then `weightsSHA256` is the endpoint's fingerprint
    /// and `directory` is unused.
    public var remote: ServedModel? = nil

    /// Where the model is: the folder, or the served model's URL.
    public var location: String { remote.map { "\($0.endpoint.baseURL.absoluteString) (\($0.endpoint.model))" } ?? directory.path }

    /// A served model's endpoint and sampling settings.
    public struct ServedModel: Sendable, Equatable {
        public var endpoint: RemoteEndpoint
        public var sampling: SamplingSpec
        /// The model the served one adapts (`base_model`), which SEAT measures drift from.
        public var base: RemoteEndpoint? = nil
    }

    /// One sha256 for the whole model (`Checkpoint.identity(fileSHA256:)`), which feature
    /// caches key on.
    public var identity: String { Checkpoint.identity(fileSHA256: fileSHA256) }
}

/// A task's examples, split and labelled, with the identity content keys hash.
public struct TaskData: Sendable {
    public var name: String
    public var role: TaskSpec.Role
    /// Label names in index order (the training split's labels).
    public var labelNames: [String]
    public var train: [Sample]
    public var validation: [Sample]
    public var test: [Sample]
    public var labelDescriptions: [String]?
    /// Suite training settings with this task's overrides.
    public var training: TrainingSpec
    /// What determines the examples: readers, columns, splits and the sha256 of data bytes.
    public var identity: TaskIdentity
    /// What the examples are: labelled, unlabelled text, sentence pairs, or an embedding task.
    public var kind: TaskKind = .classification
    /// The strategy for stages on unlabelled text or sentence pairs in cells whose strategy
    /// trains on labelled examples.
    public var stageStrategy: StrategySpec?
    /// The corpus, queries and judgements of a retrieval task.
    public var retrieval: RetrievalCollection?
}

/// What a task's examples are, resolved from its role and type.
public enum TaskKind: String, Sendable, Equatable {
    case classification
    /// Unlabelled text (`role: pretraining`).
    case text
    case pairs
    case sts
    case retrieval
    case pairClassification = "pair-classification"

    /// Embedding tasks are scored on the encoder as it is; no stage trains on them.
    public var isEmbeddingTask: Bool { self == .sts || self == .retrieval || self == .pairClassification }
    /// Tasks whose stages train the encoder through its own objective.
    public var trainsEncoderObjective: Bool { self == .text || self == .pairs }
}

/// The inputs that determine a task's examples, without file paths (moving a file does not
/// change results, so it does not change keys).
public struct TaskIdentity: Sendable, Equatable, Encodable {
    public struct Source: Sendable, Equatable, Encodable {
        public var role: String
        public var format: String
        public var textColumn: String
        public var labelColumn: String
        public var pairColumn: String?
        public var labels: [String: String]?
        /// sha256 of each file read, in reading order.
        public var fileSHA256: [String]

        enum CodingKeys: String, CodingKey {
            case role, format, textColumn = "text_column", labelColumn = "label_column", pairColumn = "pair_column"
            case labels, fileSHA256 = "file_sha256"
        }
    }

    public var sources: [Source]
    public var split: SplitSpec?
    public var limit: SplitLimits?
    public var labelNames: [String]
    /// The task's kind, absent for classification (so that keys of classification tasks are
    /// what they were before kinds existed).
    public var kind: String?
    /// The smallest score kept of scored sentence pairs (`min_score`).
    public var minScore: Double?

    enum CodingKeys: String, CodingKey {
        case sources, split, limit, labelNames = "label_names", kind, minScore = "min_score"
    }
}
