import Adaptation
import Foundation
import Transformers

/// One unit of work: a strategy adapting the model along a task chain with one seed.
public struct PlannedCell: Sendable {
    /// Place in the whole plan (shards keep it).
    public var position: Int
    /// The evaluation key: sha256 of `configuration` (what determines the scores).
    public var key: String
    /// The adaptation key: sha256 of the configuration's `adaptation` part (what determines
    /// the trained weights); cells that differ only in evaluation settings share it.
    public var adaptationKey: String
    public var strategy: StrategySpec
    public var seed: UInt64
    /// Task names in training order; the last is the target.
    public var chain: [String]
    /// The canonical JSON the key hashes.
    public var configuration: String
    /// The strategy's options as canonical JSON.
    public var options: String
    /// Set for a multi-task cell: `chain` lists the tasks trained together.
    public var multitask: MultiTaskSpec?
    /// Each stage's training settings, exactly as the key hashes them.
    var training: [ResolvedTraining]
    /// Set for a probe of a served model: `chain` is the probe's name.
    public var probe: RemoteProbeSpec? = nil

    public var target: String { chain.last ?? "" }
    /// `sst2 → kitchen`, or `sst2 + kitchen` for tasks trained together.
    public var chainDescription: String { chain.joined(separator: multitask == nil ? " → " : " + ") }
}

/// The cells a suite expands into: chain × strategy × seed, in file order.
///
/// Strategies that carry nothing across stages (zero-shot, few-shot, the linear probe on its
/// frozen encoder, and `scratch`, which starts each stage from new random weights) run on
/// single-task chains only (a chain would change nothing), unless an earlier stage trains the
/// encoder with a strategy of its own (masked-LM or contrastive stages).
public struct Plan: Sendable {
    public var cells: [PlannedCell]

    public init(suite: Suite) throws {
        var cells: [PlannedCell] = []
        func add(_ adaptation: AdaptationConfiguration, strategy: StrategySpec, chain: [String], multitask: MultiTaskSpec? = nil) throws {
            let probes = suite.probes(strategy: strategy.displayName, tasks: multitask == nil ? Array(chain.suffix(1)) : chain)
            let configuration = CellConfiguration(
                adaptation: adaptation, evaluation: suite.definition.evaluation, probes: probes.isEmpty ? nil : probes.map(\.identity))
            let json = try CellConfiguration.canonical(configuration)
            let adaptationJSON = try CellConfiguration.canonical(adaptation)
            cells.append(PlannedCell(
                position: cells.count, key: SHA256.hex(of: Array(json.utf8)), adaptationKey: SHA256.hex(of: Array(adaptationJSON.utf8)),
                strategy: strategy, seed: adaptation.seed, chain: chain, configuration: json,
                options: try CellConfiguration.canonical(adaptation.strategy.options), multitask: multitask,
                training: adaptation.stages.map(\.training)))
        }
        for chain in suite.chains {
            for spec in suite.definition.strategies {
                // A strategy that carries nothing from stage to stage (a frozen linear probe,
                // few-shot, zero-shot, scratch) would end a chain exactly as its direct cell ends,
                // unless an earlier stage trains the encoder with its own strategy (mlm,
                // contrastive on unlabelled text or pairs).
                if chain.count > 1, StrategyRegistry.type(named: spec.name)?.carriesAcrossStages != true,
                    chain.dropLast().allSatisfy({ suite.task($0)?.stageStrategy(in: spec)?.name == spec.name })
                {
                    continue
                }
                guard suite.plans(spec, on: chain) else { continue }
                for seed in suite.definition.seeds {
                    try add(AdaptationConfiguration(suite: suite, strategy: spec, seed: seed, chain: chain), strategy: spec, chain: chain)
                }
            }
        }
        for entry in suite.definition.multitask {
            var strategy = StrategySpec(name: MultiTaskSpec.strategyName)
            strategy.label = entry.label
            for seed in suite.definition.seeds {
                try add(AdaptationConfiguration(suite: suite, multitask: entry, seed: seed), strategy: strategy, chain: entry.tasks,
                        multitask: entry)
            }
        }
        cells += try Self.remoteProbeCells(suite: suite, firstPosition: cells.count)
        self.cells = cells
    }

    /// Shard `index` of `count` (1-based): every count-th cell from the index-th, so shards are
    /// balanced, disjoint, and together cover the plan.
    public func shard(_ index: Int, of count: Int) throws -> [PlannedCell] {
        guard count >= 1, (1...count).contains(index) else {
            throw SuiteError.invalidArgument(name: "--shard", reason: "use i/n with 1 ≤ i ≤ n, got \(index)/\(count)")
        }
        return cells.filter { $0.position % count == index - 1 }
    }

    /// Parses "i/n".
    public static func parseShard(_ text: String) throws -> (index: Int, count: Int) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (1...count).contains(index) else {
            throw SuiteError.invalidArgument(name: "--shard", reason: "use i/n with 1 ≤ i ≤ n (e.g. 2/4), got '\(text)'")
        }
        return (index, count)
    }
}

/// Everything that determines a cell's scores, and nothing else: no paths, suite name, tag,
/// shard or database. Its canonical JSON (sorted keys) is what the evaluation key hashes; the
/// `adaptation` part alone is what the adaptation key hashes.
struct CellConfiguration: Encodable {
    var adaptation: AdaptationConfiguration
    var evaluation: EvaluationSpec
    /// The probes that run on the cell; absent without any, so cells of suites without probes
    /// keep their keys.
    var probes: [ProbeIdentity]?

    /// JSON with sorted keys and unescaped slashes: the same value always gives the same bytes.
    static func canonical<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Everything that determines a cell's trained weights: the model, the data, the strategy and
/// its options, every stage's resolved training settings, the seed and the AdaptEval version.
struct AdaptationConfiguration: Encodable {
    struct Model: Encodable {
        var weightsSHA256: String
        var fileSHA256: [String: String]
        enum CodingKeys: String, CodingKey { case weightsSHA256 = "weights_sha256", fileSHA256 = "file_sha256" }
    }
    struct Strategy: Encodable {
        var name: String
        var label: String?
        var options: StrategyOptions
    }
    struct Stage: Encodable {
        var task: String
        var role: String
        var data: TaskIdentity
        var training: ResolvedTraining
        var labelDescriptions: [String]?
        /// The stage's own strategy when it is not the cell's (a pretraining or pair stage).
        var strategy: Strategy?
        enum CodingKeys: String, CodingKey { case task, role, data, training, labelDescriptions = "label_descriptions", strategy }
    }

    var adaptEvalVersion = AdaptEvalVersion.current
    var model: Model
    var strategy: Strategy
    var seed: UInt64
    var stages: [Stage]
    /// "multitask" when the stages train together; absent for chains.
    var mode: String?

    enum CodingKeys: String, CodingKey {
        case adaptEvalVersion = "adapteval_version", model, strategy, seed, stages, mode
    }

    init(suite: Suite, multitask entry: MultiTaskSpec, seed: UInt64) throws {
        model = Model(weightsSHA256: suite.model.weightsSHA256, fileSHA256: suite.model.fileSHA256)
        strategy = Strategy(name: MultiTaskSpec.strategyName, label: entry.label, options: StrategyOptions(scalars: ["size": String(entry.bottleneck)]))
        self.seed = seed
        var training = try suite.definition.training.overridden(by: entry.training).resolved(strategy: "adapter")
        training.configuration.seed = seed
        stages = try entry.tasks.map { name in
            guard let task = suite.task(name) else {
                throw SuiteError.invalidArgument(name: "multitask", reason: "no task named '\(name)'")
            }
            return Stage(task: name, role: task.role.rawValue, data: task.identity, training: training,
                         labelDescriptions: task.labelDescriptions)
        }
        mode = "multitask"
    }

    init(suite: Suite, strategy spec: StrategySpec, seed: UInt64, chain: [String]) throws {
        model = Model(weightsSHA256: suite.model.weightsSHA256, fileSHA256: suite.model.fileSHA256)
        let target = suite.task(chain.last ?? "")
        self.strategy = Strategy(
            name: spec.name, label: spec.label, options: try spec.resolvedOptions(labelDescriptions: target?.labelDescriptions))
        self.seed = seed
        stages = try chain.map { name in
            guard let task = suite.task(name) else {
                throw SuiteError.invalidArgument(name: "chain", reason: "no task named '\(name)'")
            }
            let stageSpec = task.stageStrategy(in: spec) ?? spec
            var training = try task.training.overridden(by: stageSpec.training).resolved(strategy: stageSpec.name)
            training.configuration.seed = seed
            var stage = Stage(task: name, role: task.role.rawValue, data: task.identity, training: training,
                              labelDescriptions: task.labelDescriptions)
            if stageSpec != spec {
                let own = try stageSpec.makeStrategy(labelDescriptions: nil)
                stage.strategy = Strategy(name: stageSpec.name, label: stageSpec.label, options: own.options)
            }
            return stage
        }
    }
}
