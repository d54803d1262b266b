import Foundation

/// A suite file as written: what to adapt, on which data, with which strategies and seeds.
/// docs/suite-format.md describes every key; unknown keys are errors.
public struct SuiteDefinition: Decodable, Sendable, Equatable, Placeholder {
    public var name: String
    public var version: String
    public var description: String?
    public var model: ModelSpec
    public var datasets: OrderedEntries<DatasetSpec>
    public var tasks: OrderedEntries<TaskSpec>
    /// Explicit task chains (each ends with its target); nil derives them from task roles.
    public var chains: [[String]]?
    /// Sets of tasks trained together (one adapter and head per task over a shared encoder).
    public var multitask: [MultiTaskSpec]
    public var strategies: [StrategySpec]
    public var seeds: [UInt64]
    public var training: TrainingSpec
    public var evaluation: EvaluationSpec
    /// Probes of a served model's generations and likelihoods, one cell per probe and seed.
    public var remoteProbes: [RemoteProbeSpec] = []
    /// Bias and toxicity probes on the base model and the adapted models.
    public var probes: [ProbeSpec] = []
    /// Release gates `adapteval gate` checks; nil gets `GateSpec.defaultGates`.
    public var gates: [GateSpec]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, version, description, model, datasets, tasks, chains, multitask, strategies, seeds, training, evaluation, probes
        case remoteProbes = "remote_probes", gates
    }

    static var placeholder: SuiteDefinition {
        SuiteDefinition(
            name: "", version: "1", model: .placeholder, datasets: .placeholder, tasks: .placeholder, strategies: [],
            seeds: [42], training: TrainingSpec(), evaluation: .placeholder)
    }

    init(
        name: String, version: String, description: String? = nil, model: ModelSpec, datasets: OrderedEntries<DatasetSpec>,
        tasks: OrderedEntries<TaskSpec>, chains: [[String]]? = nil, multitask: [MultiTaskSpec] = [], strategies: [StrategySpec],
        seeds: [UInt64],
        training: TrainingSpec, evaluation: EvaluationSpec
    ) {
        self.name = name
        self.version = version
        self.description = description
        self.model = model
        self.datasets = datasets
        self.tasks = tasks
        self.chains = chains
        self.multitask = multitask
        self.strategies = strategies
        self.seeds = seeds
        self.training = training
        self.evaluation = evaluation
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? "1"
        description = try c.decodeIfPresent(String.self, forKey: .description)
        model = try c.decode(ModelSpec.self, forKey: .model)
        // A served model may be probed without tasks.
        let optionalTasks = model.remote != nil
        datasets = optionalTasks ? try c.decodeIfPresent(OrderedEntries<DatasetSpec>.self, forKey: .datasets) ?? .placeholder
            : try c.decode(OrderedEntries<DatasetSpec>.self, forKey: .datasets)
        tasks = optionalTasks ? try c.decodeIfPresent(OrderedEntries<TaskSpec>.self, forKey: .tasks) ?? .placeholder
            : try c.decode(OrderedEntries<TaskSpec>.self, forKey: .tasks)
        chains = try c.decodeIfPresent([[String]].self, forKey: .chains)
        multitask = try c.decodeIfPresent([MultiTaskSpec].self, forKey: .multitask) ?? []
        strategies = try c.decodeIfPresent([StrategySpec].self, forKey: .strategies) ?? []
        seeds = try c.decodeIfPresent([UInt64].self, forKey: .seeds) ?? [42]
        training = try c.decodeIfPresent(TrainingSpec.self, forKey: .training) ?? TrainingSpec()
        evaluation = try c.decodeIfPresent(EvaluationSpec.self, forKey: .evaluation) ?? .placeholder
        remoteProbes = try c.decodeIfPresent([RemoteProbeSpec].self, forKey: .remoteProbes) ?? []
        probes = try c.decodeIfPresent([ProbeSpec].self, forKey: .probes) ?? []
        gates = try c.decodeIfPresent([GateSpec].self, forKey: .gates)
    }
}

/// Tasks trained at once: a frozen shared encoder with one bottleneck adapter set and one head
/// per task, batches taken round-robin (`MultiTaskTrainer`).
public struct MultiTaskSpec: Decodable, Sendable, Equatable, Placeholder {
    public var tasks: [String]
    /// Adapter bottleneck width.
    public var size: Int?
    /// How results name the set (default `multitask-adapter`).
    public var label: String?
    /// Training settings over the suite's (task-level settings do not apply: one optimiser
    /// schedule serves every task).
    public var training: TrainingSpec?

    enum CodingKeys: String, CodingKey, CaseIterable { case tasks, size, label, training }

    static var placeholder: MultiTaskSpec { MultiTaskSpec(tasks: []) }

    init(tasks: [String]) { self.tasks = tasks }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tasks = try c.decode([String].self, forKey: .tasks)
        size = try c.decodeIfPresent(Int.self, forKey: .size)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        training = try c.decodeIfPresent(TrainingSpec.self, forKey: .training)
    }

    /// The name multi-task cells carry in results.
    public static let strategyName = "multitask-adapter"
    public var displayName: String { label ?? Self.strategyName }
    public var bottleneck: Int { size ?? 64 }
}

/// The base model: a checkpoint folder, written as a path or as `{path:, name:}`, or a model
/// served over HTTP, `{name:, remote: {...}}` (`RemoteModelSpec`).
public struct ModelSpec: Decodable, Sendable, Equatable, Placeholder {
    public var path: String
    /// A display name; defaults to the folder's name (the served model's name when remote).
    public var name: String?
    public var remote: RemoteModelSpec?

    enum CodingKeys: String, CodingKey, CaseIterable { case path, name, remote }

    static var placeholder: ModelSpec { ModelSpec(path: "", name: nil) }

    init(path: String, name: String?) {
        self.path = path
        self.name = name
    }

    public init(from decoder: Decoder) throws {
        if let node = decoder as? YAMLNodeDecoder, node.isScalar {
            path = try node.decodeValue(String.self)
            name = nil
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        remote = try c.decodeIfPresent(RemoteModelSpec.self, forKey: .remote)
        path = remote == nil ? try c.decode(String.self, forKey: .path) : try c.decodeIfPresent(String.self, forKey: .path) ?? ""
        name = try c.decodeIfPresent(String.self, forKey: .name)
    }
}

/// Which scores to compute on each test split and how.
public struct EvaluationSpec: Decodable, Sendable, Equatable, Encodable, Placeholder {
    public var metrics: [MetricName]
    /// Paired-bootstrap resamples for confidence intervals; 0 computes none.
    public var bootstrapResamples: Int
    public var confidence: Double
    /// Equal-width bins for expected calibration error.
    public var calibrationBins: Int
    public var savePredictions: Bool
    public var saveCheckpoints: Bool

    enum CodingKeys: String, CodingKey, CaseIterable {
        case metrics, bootstrapResamples = "bootstrap_resamples", confidence, calibrationBins = "calibration_bins"
        case savePredictions = "save_predictions", saveCheckpoints = "save_checkpoints"
    }

    static var placeholder: EvaluationSpec {
        EvaluationSpec(metrics: MetricName.allCases, bootstrapResamples: 1000, confidence: 0.95, calibrationBins: 15,
                       savePredictions: true, saveCheckpoints: true)
    }

    init(metrics: [MetricName], bootstrapResamples: Int, confidence: Double, calibrationBins: Int, savePredictions: Bool,
         saveCheckpoints: Bool) {
        self.metrics = metrics
        self.bootstrapResamples = bootstrapResamples
        self.confidence = confidence
        self.calibrationBins = calibrationBins
        self.savePredictions = savePredictions
        self.saveCheckpoints = saveCheckpoints
    }

    public init(from decoder: Decoder) throws {
        let d = Self.placeholder
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metrics = try c.decodeIfPresent([MetricName].self, forKey: .metrics) ?? d.metrics
        bootstrapResamples = try c.decodeIfPresent(Int.self, forKey: .bootstrapResamples) ?? d.bootstrapResamples
        confidence = try c.decodeIfPresent(Double.self, forKey: .confidence) ?? d.confidence
        calibrationBins = try c.decodeIfPresent(Int.self, forKey: .calibrationBins) ?? d.calibrationBins
        savePredictions = try c.decodeIfPresent(Bool.self, forKey: .savePredictions) ?? d.savePredictions
        saveCheckpoints = try c.decodeIfPresent(Bool.self, forKey: .saveCheckpoints) ?? d.saveCheckpoints
    }
}

/// A score the runner can compute on a test split.
public enum MetricName: String, Sendable, CaseIterable, Codable, Placeholder {
    /// Fraction correct, with a bootstrap interval.
    case accuracy
    /// Unweighted mean of per-class F1, with a bootstrap interval.
    case macroF1 = "macro_f1"
    /// Support-weighted mean of per-class F1.
    case weightedF1 = "weighted_f1"
    /// Precision, recall and F1 of every class: `precision[label]`, `recall[label]`, `f1[label]`.
    case perClass = "per_class"
    /// Expected calibration error of the top-class probability.
    case expectedCalibrationError = "ece"
    /// Mean cross-entropy.
    case loss

    static var placeholder: MetricName { .accuracy }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = MetricName(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "unknown metric '\(text)' (use \(Self.allCases.map(\.rawValue).joined(separator: ", ")))"))
        }
        self = value
    }
}

/// A mapping from names to values that keeps the file's order (plans follow it).
public struct OrderedEntries<Value: Decodable & Sendable & Equatable>: Decodable, Sendable, Equatable, Placeholder {
    public var entries: [(name: String, value: Value)]

    static var placeholder: OrderedEntries { OrderedEntries(entries: []) }

    init(entries: [(name: String, value: Value)]) { self.entries = entries }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: NameKey.self)
        entries = try c.allKeys.map { ($0.stringValue, try c.decode(Value.self, forKey: $0)) }
    }

    public subscript(name: String) -> Value? { entries.first { $0.name == name }?.value }
    public var names: [String] { entries.map(\.name) }

    public static func == (lhs: OrderedEntries, rhs: OrderedEntries) -> Bool {
        lhs.entries.map(\.name) == rhs.entries.map(\.name) && lhs.entries.map(\.value) == rhs.entries.map(\.value)
    }
}

struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
