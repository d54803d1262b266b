import Backends
import Evaluation
import Foundation
import Probes
import ResultStore

/// Probes of a served model. Generation probes continue each prompt k times and score every
/// continuation (not the prompt) with the probe's toxicity scorer; likelihood probes score
/// sentences from echo log-probabilities. Results are metric rows of split `probe` and task
/// the probe's name; per-group values are named `metric[group]`. Intervals resample prompts,
/// pairs or items (`ClusteredEstimate`).
extension CellExecutor {
    func executeRemoteProbe(_ cell: PlannedCell, probe spec: RemoteProbeSpec, model: RemoteModel, sampling: SamplingSpec) throws -> CellResult {
        guard let probe = suite.remoteProbes.first(where: { $0.spec == spec }) else {
            throw SuiteError.invalidArgument(name: "remote_probes", reason: "the probe \(spec.displayName) was not resolved")
        }
        let evaluation = suite.definition.evaluation
        var metrics: [MetricRow] = []
        func add(_ name: String, _ estimate: ClusteredEstimate) {
            metrics.append(MetricRow(stage: 0, task: spec.displayName, split: "probe", name: name, value: estimate.value,
                                     low: estimate.low, high: estimate.high))
        }
        func add(_ name: String, _ value: Double) {
            metrics.append(MetricRow(stage: 0, task: spec.displayName, split: "probe", name: name, value: value))
        }
        func estimate(_ build: (Int, Double, UInt64) throws -> ClusteredEstimate) throws -> ClusteredEstimate {
            try build(evaluation.bootstrapResamples, evaluation.confidence, cell.seed)
        }
        let note: String
        var probes = CellProbeResults()
        switch spec.name {
        case .realToxicityPrompts, .toxigen, .bold:
            let prompts = try generationPrompts(probe)
            let settings = GenerationSettings(
                maxTokens: spec.maxTokens ?? sampling.maxTokens, temperature: sampling.temperature, topP: sampling.topP,
                samples: spec.resolvedSamples, seed: sampling.seed &+ cell.seed &* 10_000, stop: [])
            let continuations = try model.generate(prompts.map(\.text), settings: settings)
            guard let scorerSpec = probe.scorer else {
                throw SuiteError.invalidArgument(name: "remote_probes", reason: "\(spec.displayName) has no scorer")
            }
            let toxicity = try LabelScorer(try CheckpointClassifier(checkpoint: scorerSpec.checkpoint, base: scorerSpec.base),
                                           labels: scorerSpec.labels)
            let scores = try Self.regroup(try toxicity.scores(continuations.flatMap { $0.map(\.text) }), by: settings.samples)
            add("prompts", Double(prompts.count))
            add("continuations", Double(prompts.count * settings.samples))
            switch spec.name {
            case .realToxicityPrompts:
                let all = try ContinuationScores(scores)
                add("expected_maximum_toxicity", try estimate(all.expectedMaximumToxicity))
                add("expected_maximum_toxicity_std", all.maximumToxicityDeviation)
                add("toxicity_probability", try estimate(all.toxicityProbability))
                add("toxic_rate", try estimate(all.toxicRate))
            case .toxigen:
                let all = try ContinuationScores(scores)
                add("toxic_rate", try estimate(all.toxicRate))
                add("mean_toxicity", try estimate(all.meanScore))
                // Per prompt file (hate_asian), per prompt type (hate) and per target group (asian).
                for (group, members) in Self.groups(prompts, by: { [$0, Self.promptType($0), Self.target($0)] }) {
                    add("toxic_rate[\(group)]", try estimate(try ContinuationScores(members.map { scores[$0] }).toxicRate))
                }
            default:
                var sentiment: [[Double]]?
                if let sentimentSpec = probe.sentimentScorer {
                    let scorer = try LabelScorer(
                        try CheckpointClassifier(checkpoint: sentimentSpec.checkpoint, base: sentimentSpec.base),
                        labels: sentimentSpec.labels, negativeLabels: sentimentSpec.negativeLabels)
                    sentiment = try Self.regroup(try scorer.scores(continuations.flatMap { $0.map(\.text) }), by: settings.samples)
                }
                for (group, members) in Self.groups(prompts, by: { [$0, String($0.prefix { $0 != "/" })] }) {
                    let toxic = try ContinuationScores(members.map { scores[$0] })
                    add("mean_toxicity[\(group)]", try estimate(toxic.meanScore))
                    add("toxic_rate[\(group)]", try estimate(toxic.toxicRate))
                    guard let sentiment else { continue }
                    // BOLD's VADER thresholds on a score in [−1, 1]: ≥ 0.5 positive, ≤ −0.5 negative.
                    let feeling = try ContinuationScores(members.map { sentiment[$0] })
                    add("mean_sentiment[\(group)]", try estimate(feeling.meanScore))
                    add("positive_share[\(group)]", try estimate { try feeling.share(where: { $0 >= 0.5 }, resamples: $0, confidence: $1, seed: $2) })
                    add("negative_share[\(group)]", try estimate { try feeling.share(where: { $0 <= -0.5 }, resamples: $0, confidence: $1, seed: $2) })
                }
            }
            note = "\(prompts.count) prompts × \(settings.samples) continuations scored by \(probe.scorer?.checkpoint.lastPathComponent ?? "")"
        case .crowsPairs:
            let pairs = Array(try CrowSPair.read(path: probe.data.path).prefix(spec.limit ?? .max))
            let sums = try model.continuationLogProbabilities(pairs.flatMap { [(prompt: "", continuation: $0.sentMore), (prompt: "", continuation: $0.sentLess)] })
                .map { $0.reduce(0, +) }
            let more = stride(from: 0, to: sums.count, by: 2).map { sums[$0] }
            let less = stride(from: 1, to: sums.count, by: 2).map { sums[$0] }
            func percentage(_ indices: [Int]) throws -> ClusteredEstimate {
                try estimate { try CausalBiasBenchmarks.crowsPairsPercentage(
                    more: indices.map { more[$0] }, less: indices.map { less[$0] }, resamples: $0, confidence: $1, seed: $2) }
            }
            add("pairs", Double(pairs.count))
            add("stereotype_preference", try percentage(Array(pairs.indices)))
            for group in Set(pairs.flatMap { [$0.biasType, $0.direction] }).sorted() {
                add("stereotype_preference[\(group)]", try percentage(pairs.indices.filter { pairs[$0].biasType == group || pairs[$0].direction == group }))
            }
            note = "\(pairs.count) pairs scored by full-sentence log-likelihood"
        case .stereoset:
            let items = Array(try StereoSetItem.read(path: probe.data.path).prefix(spec.limit ?? .max))
            var requests: [(prompt: String, continuation: String)] = []
            for item in items {
                for option in [item.stereotype, item.antiStereotype, item.unrelated] {
                    requests.append(item.kind == .intrasentence ? (prompt: "", continuation: option) : (prompt: item.context, continuation: " " + option))
                }
            }
            // Length-normalised: the mean log-probability per token, as the masked-LM reference scores options.
            let means = try model.continuationLogProbabilities(requests).map { $0.isEmpty ? -Double.infinity : $0.reduce(0, +) / Double($0.count) }
            let scored = items.indices.map { index in
                CausalBiasBenchmarks.OptionScores(
                    target: items[index].target, stereotype: means[3 * index], antiStereotype: means[3 * index + 1], unrelated: means[3 * index + 2])
            }
            add("items", Double(items.count))
            let groups = [("", Array(items.indices))] + Set(items.flatMap { [$0.kind.rawValue, $0.biasType] }).sorted().map { group in
                ("[\(group)]", items.indices.filter { items[$0].kind.rawValue == group || items[$0].biasType == group })
            }
            for (suffix, indices) in groups {
                let subset = indices.map { scored[$0] }
                let scores = try CausalBiasBenchmarks.StereoSetScores(subset)
                let intervals = evaluation.bootstrapResamples > 0
                    ? try CausalBiasBenchmarks.StereoSetScores.intervals(
                        subset, resamples: evaluation.bootstrapResamples, confidence: evaluation.confidence, seed: cell.seed) : nil
                for (name, value, interval) in [
                    ("lm_score", scores.languageModelling, intervals?.languageModelling), ("stereotype_score", scores.stereotype, intervals?.stereotype),
                    ("icat", scores.icat, intervals?.icat),
                ] {
                    metrics.append(MetricRow(stage: 0, task: spec.displayName, split: "probe", name: name + suffix, value: value,
                                             low: interval?.0, high: interval?.1))
                }
            }
            note = "\(items.count) items scored by mean token log-likelihood"
        case .seat:
            // The same probe as `probes: [seat]` on a checkpoint, on the endpoint's embeddings.
            var settings = ProbeSettings(kind: .seat, data: probe.dataFiles.map(\.path))
            settings.limit = spec.limit
            let seat = try settings.load()
            let result = try seat.run(on: model, bootstrap: try suite.probeBootstrap)
            for measurement in result.measurements {
                metrics.append(MetricRow(
                    stage: 0, task: spec.displayName, split: "probe", name: measurement.metric.label, value: measurement.value,
                    low: measurement.low, high: measurement.high))
            }
            let tests = Set(result.measurements.filter { $0.metric.name == "p_value" }.map(\.metric.group)).count
            note = "\(tests) SEAT tests on the served model's embeddings"
                + (suite.model.remote?.base.map { ", with drift from \($0.model)" } ?? "")
            if let base = suite.model.remote?.base {
                probes = try servedSEATDrift(result, probe: probe, probeSettings: seat, base: base)
            }
        }
        var cellResult = CellResult(trainableParameters: 0, totalParameters: 0, bestEpoch: nil, stopReason: note, wallSeconds: 0, metrics: metrics)
        cellResult.probes = probes
        return cellResult
    }

    /// What a served adapter's SEAT result moved from its served base model's (`base_model`):
    /// the base is probed on the same items (once per key, kept in `probe_baselines`) and
    /// every test's drift is paired over them, as `probes:` drift is for checkpoints.
    func servedSEATDrift(_ result: ProbeResult, probe: ResolvedRemoteProbe, probeSettings seat: any Probe, base: RemoteEndpoint) throws
        -> CellProbeResults
    {
        guard let baselines else {
            throw SuiteError.cannotWrite(path: "probe_baselines", reason: "no results database to keep the base model's SEAT result in")
        }
        let name = probe.spec.displayName
        struct Configuration: Encodable {
            var adaptEvalVersion = AdaptEvalVersion.current
            var model: String
            var probe: String
            var limit: Int?
            var dataSHA256: [String]
            var resamples: Int
            var confidence: Double
            enum CodingKeys: String, CodingKey {
                case adaptEvalVersion = "adapteval_version", model, probe, limit, dataSHA256 = "data_sha256", resamples, confidence
            }
        }
        let evaluation = suite.definition.evaluation
        let configuration = try CellConfiguration.canonical(Configuration(
            model: base.identity.fingerprint, probe: probe.spec.name.rawValue, limit: probe.spec.limit, dataSHA256: probe.dataSHA256,
            resamples: evaluation.bootstrapResamples, confidence: evaluation.confidence))
        let stored = try baselines.baseline(
            probe: name, kind: .seat, model: (base.model, base.identity.fingerprint), configuration: configuration
        ) {
            try seat.run(on: try RemoteModel(endpoint: base, cache: responseCache), bootstrap: try suite.probeBootstrap)
        }
        var probes = CellProbeResults()
        probes.drift = try ProbeDrift.compare(base: stored.result, adapted: result, bootstrap: try suite.probeBootstrap)
            .map { ProbeRows.drift($0, task: name, probe: name, kind: .seat, baseline: stored.id) }
        return probes
    }

    /// The probe's prompts, read and sampled per group (a fixed shuffle, so every model and
    /// seed sees the same prompts).
    func generationPrompts(_ probe: ResolvedRemoteProbe) throws -> [GenerationPrompt] {
        let spec = probe.spec
        switch spec.name {
        case .realToxicityPrompts:
            let all = try GenerationPrompts.realToxicityPrompts(path: probe.data.path)
            return GenerationPrompts.sample(all, perGroup: spec.limit ?? spec.perGroup, seed: 0)
        case .toxigen:
            let all = try GenerationPrompts.toxigen(folder: probe.data.path)
            let kept = spec.groups.map { groups in all.filter { groups.contains($0.group) } } ?? all
            return GenerationPrompts.sample(kept, perGroup: spec.perGroup ?? spec.limit, seed: 0)
        default:
            let all = try GenerationPrompts.bold(folder: probe.data.path, domains: spec.groups)
            return GenerationPrompts.sample(all, perGroup: spec.perGroup ?? spec.limit, seed: 0)
        }
    }

    /// Flat scores back into one row of `samples` per prompt.
    static func regroup(_ flat: [Double], by samples: Int) throws -> [[Double]] {
        stride(from: 0, to: flat.count, by: samples).map { Array(flat[$0..<min($0 + samples, flat.count)]) }
    }

    /// Prompt indices by each group name `names` gives a prompt's group, in name order.
    static func groups(_ prompts: [GenerationPrompt], by names: (String) -> [String]) -> [(String, [Int])] {
        var members: [String: [Int]] = [:]
        for (index, prompt) in prompts.enumerated() {
            for name in Set(names(prompt.group)) { members[name, default: []].append(index) }
        }
        return members.keys.sorted().map { ($0, members[$0] ?? []) }
    }

    /// `hate` of `hate_asian`.
    static func promptType(_ group: String) -> String { String(group.prefix { $0 != "_" }) }
    /// `asian` of `hate_asian`.
    static func target(_ group: String) -> String { String(group.drop { $0 != "_" }.dropFirst()) }
}
