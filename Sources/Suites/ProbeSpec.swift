import Foundation
import Probes

/// One entry of a suite's `probes:` list: a probe name (`seat`), or a mapping with the probe's
/// data and settings and which models it runs on.
public struct ProbeSpec: Decodable, Sendable, Equatable, Placeholder {
    /// The probe (`ProbeKind` names).
    public var name: String
    /// How results name the entry (needed when one probe appears twice).
    public var label: String?
    /// Data files or folders, relative to the suite file (default: ../shared/data's).
    public var data: [String]?
    /// Identity-term lists, relative to the suite file.
    public var terms: [String]?
    public var limit: Int?
    public var permutations: Int?
    public var toxicLabels: [String]?
    /// Target tasks whose adapted models it probes (default: every task).
    public var tasks: [String]?
    /// Strategies (names or labels) whose adapted models it probes (default: every strategy).
    public var strategies: [String]?
    /// Whether it also probes the base model, for drift (default: when the base model can).
    public var base: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, label, data, terms, limit, permutations, toxicLabels = "toxic_labels", tasks, strategies, base
    }

    static var placeholder: ProbeSpec { ProbeSpec(name: "") }

    init(name: String) { self.name = name }

    public init(from decoder: Decoder) throws {
        if let node = decoder as? YAMLNodeDecoder, node.isScalar {
            name = try node.decodeValue(String.self)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        // `data: file` or `data: [file, folder]`.
        if c.contains(.data), let node = try c.superDecoder(forKey: .data) as? YAMLNodeDecoder, node.isScalar {
            data = [try node.decodeValue(String.self)]
        } else {
            data = try c.decodeIfPresent([String].self, forKey: .data)
        }
        terms = try c.decodeIfPresent([String].self, forKey: .terms)
        limit = try c.decodeIfPresent(Int.self, forKey: .limit)
        permutations = try c.decodeIfPresent(Int.self, forKey: .permutations)
        toxicLabels = try c.decodeIfPresent([String].self, forKey: .toxicLabels)
        tasks = try c.decodeIfPresent([String].self, forKey: .tasks)
        strategies = try c.decodeIfPresent([String].self, forKey: .strategies)
        base = try c.decodeIfPresent(Bool.self, forKey: .base)
    }

    /// How results name this entry.
    public var displayName: String { label ?? name }
}

/// A suite's probe, checked and loaded: what it reads, which cells it runs on, and the
/// identity that goes into content keys (file hashes instead of paths).
public struct ResolvedProbe: Sendable {
    public var name: String
    public var kind: ProbeKind
    public var settings: ProbeSettings
    public var probe: any Probe
    /// Target tasks and strategy display names it applies to; nil for all.
    public var tasks: Set<String>?
    public var strategies: Set<String>?
    /// Whether the base model is probed too.
    public var probesBase: Bool
    public var identity: ProbeIdentity

    /// Whether the probe runs on a cell of this strategy and target task.
    func applies(strategy: String, task: String) -> Bool {
        (tasks?.contains(task) ?? true) && (strategies?.contains(strategy) ?? true)
    }
}

/// What determines a probe's results, and nothing else: its kind, settings and the sha256 of
/// every file it reads (moving a file changes nothing), in content keys.
public struct ProbeIdentity: Sendable, Equatable, Encodable {
    public var name: String
    public var kind: String
    public var fileSHA256: [String]
    public var terms: Int
    public var limit: Int?
    public var seed: UInt64
    public var permutations: Int?
    public var toxicLabels: [String]?
    public var base: Bool

    enum CodingKeys: String, CodingKey {
        case name, kind, fileSHA256 = "file_sha256", terms, limit, seed, permutations, toxicLabels = "toxic_labels", base
    }
}

extension SuiteChecker {
    /// Checks and loads the `probes:` entries; problems are recorded at their fields.
    func checkProbes(tasks: [TaskData]) -> [ResolvedProbe] {
        var resolved: [ResolvedProbe] = []
        // `probes:` read a checkpoint's encoder, head or masked-LM head, which a served model
        // does not expose; saying so beats planning probes that would never run.
        if definition.model.remote != nil, !definition.probes.isEmpty {
            log.record("probes: run on checkpoints; a served model's probes go under remote_probes: (see docs/suite-format.md)",
                       field: "probes")
            return []
        }
        let dataRoot = ProbeSettings.dataRoot(environment: environment, near: folder.deletingLastPathComponent())
        let strategyNames = Set(definition.strategies.map(\.displayName) + definition.multitask.map(\.displayName))
        var names = Set<String>()
        for (index, spec) in definition.probes.enumerated() {
            let field = "probes[\(index)]"
            guard !spec.name.isEmpty else { continue }
            guard let kind = ProbeKind(rawValue: spec.name) else {
                log.record("unknown probe '\(spec.name)' (use \(ProbeKind.allCases.map(\.rawValue).joined(separator: ", ")))",
                           field: log.marks["\(field).name"] != nil ? "\(field).name" : field)
                continue
            }
            guard names.insert(spec.displayName).inserted else {
                log.record("a second '\(spec.displayName)' entry; give one a label:", field: field)
                continue
            }
            for task in spec.tasks ?? [] where !tasks.contains(where: { $0.name == task }) {
                log.record("no task named '\(task)'", field: "\(field).tasks")
            }
            for strategy in spec.strategies ?? [] where !strategyNames.contains(strategy) {
                log.record("no strategy named '\(strategy)' (strategies: \(strategyNames.sorted().joined(separator: ", ")))",
                           field: "\(field).strategies")
            }
            if spec.base == true, kind.capability == .classifier {
                log.record("\(kind.rawValue) needs a classifier and the base model has none; base: true applies to seat, crows-pairs and stereoset",
                           field: "\(field).base")
            }
            if kind.needsToxicLabels {
                for task in tasks where spec.tasks?.contains(task.name) ?? true {
                    do {
                        _ = try ToxicLabels(labelNames: task.labelNames, given: spec.toxicLabels, model: "task \(task.name)")
                    } catch {
                        log.record("\(error.localizedDescription); limit the probe to toxicity tasks with tasks: [...]",
                                   field: field)
                    }
                }
            }
            var settings = ProbeSettings.defaults(kind, dataRoot: dataRoot)
            if let data = spec.data { settings.data = data.map { resolve($0).path } }
            if let terms = spec.terms { settings.terms = terms.map { resolve($0).path } }
            if let limit = spec.limit { settings.limit = limit }
            if let permutations = spec.permutations { settings.permutations = permutations }
            settings.toxicLabels = spec.toxicLabels
            do {
                let probe = try settings.load()
                let hashes = try settings.files().map { try ModelHashes.sha256(of: URL(fileURLWithPath: $0)) }
                let probesBase = spec.base ?? (kind.capability != .classifier)
                resolved.append(ResolvedProbe(
                    name: spec.displayName, kind: kind, settings: settings, probe: probe, tasks: spec.tasks.map(Set.init),
                    strategies: spec.strategies.map(Set.init), probesBase: probesBase,
                    identity: ProbeIdentity(
                        name: spec.displayName, kind: kind.rawValue, fileSHA256: hashes, terms: settings.terms.count,
                        limit: settings.limit, seed: settings.seed, permutations: kind == .seat ? settings.permutations : nil,
                        toxicLabels: settings.toxicLabels, base: probesBase)))
            } catch {
                log.record(error.localizedDescription + (spec.data == nil ? " (the default data of ../shared/data; give data:)" : ""),
                           field: spec.data == nil ? field : "\(field).data")
            }
        }
        return resolved
    }
}
