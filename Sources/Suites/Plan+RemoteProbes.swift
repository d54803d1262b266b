import Evaluation
import Foundation

/// A remote probe with its data and scorers found and hashed.
public struct ResolvedRemoteProbe: Sendable, Equatable {
    public var spec: RemoteProbeSpec
    /// The benchmark file or folder.
    public var data: URL
    /// Every data file the probe reads, in reading order, and the sha256 of each.
    public var dataFiles: [URL]
    public var dataSHA256: [String]
    public var scorer: ResolvedScorer?
    public var sentimentScorer: ResolvedScorer?
}

/// A scorer checkpoint and its base, with the hashes that identify them.
public struct ResolvedScorer: Sendable, Equatable, Encodable {
    public var checkpoint: URL
    public var base: URL
    /// sha256 of the checkpoint's and the base's files, by name.
    public var fileSHA256: [String: String]
    public var labels: [String]
    public var negativeLabels: [String]

    enum CodingKeys: String, CodingKey { case fileSHA256 = "file_sha256", labels, negativeLabels = "negative_labels" }
}

/// Everything that determines a probe cell's results, and nothing else (no paths, no label):
/// the evaluation key hashes its canonical JSON.
struct RemoteProbeConfiguration: Encodable {
    struct Settings: Encodable {
        var name: String
        var limit: Int?
        var perGroup: Int?
        var groups: [String]?
        var samples: Int
        var maxTokens: Int

        enum CodingKeys: String, CodingKey { case name, limit, perGroup = "per_group", groups, samples, maxTokens = "max_tokens" }
    }

    var adaptEvalVersion = AdaptEvalVersion.current
    var modelFingerprint: String
    /// SEAT's drift is measured from this served base model (`base_model`), when named.
    var baseModelFingerprint: String?
    var probe: Settings
    var dataSHA256: [String]
    var sampling: SamplingSpec
    var scorer: ResolvedScorer?
    var sentimentScorer: ResolvedScorer?
    var seed: UInt64
    var bootstrapResamples: Int
    var confidence: Double

    enum CodingKeys: String, CodingKey {
        case adaptEvalVersion = "adapteval_version", modelFingerprint = "model_fingerprint", baseModelFingerprint = "base_model_fingerprint"
        case probe, dataSHA256 = "data_sha256"
        case sampling, scorer, sentimentScorer = "sentiment_scorer", seed, bootstrapResamples = "bootstrap_resamples", confidence
    }
}

extension Plan {
    /// One cell per remote probe and seed, after the strategy cells. A probe cell trains
    /// nothing, so its adaptation key is its evaluation key.
    static func remoteProbeCells(suite: Suite, firstPosition: Int) throws -> [PlannedCell] {
        guard let remote = suite.model.remote else { return [] }
        var cells: [PlannedCell] = []
        for probe in suite.remoteProbes {
            // SEAT's embeddings and statistics do not depend on a seed: one cell, not copies
            // that multi-seed intervals would count as replicates.
            let seeds = probe.spec.name == .seat ? Array(suite.definition.seeds.prefix(1)) : suite.definition.seeds
            for seed in seeds {
                let configuration = RemoteProbeConfiguration(
                    modelFingerprint: suite.model.weightsSHA256,
                    baseModelFingerprint: probe.spec.name == .seat ? remote.base?.identity.fingerprint : nil,
                    probe: .init(
                        name: probe.spec.name.rawValue, limit: probe.spec.limit, perGroup: probe.spec.perGroup, groups: probe.spec.groups,
                        samples: probe.spec.resolvedSamples, maxTokens: probe.spec.maxTokens ?? remote.sampling.maxTokens),
                    dataSHA256: probe.dataSHA256, sampling: remote.sampling, scorer: probe.scorer, sentimentScorer: probe.sentimentScorer,
                    seed: seed, bootstrapResamples: suite.definition.evaluation.bootstrapResamples,
                    confidence: suite.definition.evaluation.confidence)
                let json = try CellConfiguration.canonical(configuration)
                let key = SHA256.hex(of: Array(json.utf8))
                var strategy = StrategySpec(name: "probe")
                strategy.label = probe.spec.displayName
                var cell = PlannedCell(
                    position: firstPosition + cells.count, key: key, adaptationKey: key, strategy: strategy, seed: seed,
                    chain: [probe.spec.displayName], configuration: json, options: try CellConfiguration.canonical(configuration.probe),
                    multitask: nil, training: [])
                cell.probe = probe.spec
                cells.append(cell)
            }
        }
        return cells
    }
}
