import Adaptation
import Evaluation
import Foundation

extension SuiteChecker {
    private enum SplitName: String, CaseIterable { case train, validation, test }

    /// Builds a task's splits from its datasets, or records why it cannot.
    func makeTask(name: String, spec: TaskSpec) -> TaskData? {
        let prefix = "tasks.\(name)"
        let kind = taskKind(spec, prefix: prefix)
        if let kind, kind.isEmbeddingTask { return makeEmbeddingTask(name: name, spec: spec, kind: kind) }
        // Unlabelled text and sentence pairs train the encoder; nothing scores a test split.
        let needsTest = !(kind?.trainsEncoderObjective ?? false)
        var failed = kind == nil
        func fail(_ message: String, _ field: String) {
            log.record(message, field: field)
            failed = true
        }
        func dataset(_ reference: String?, key: String) -> (dataset: Dataset, source: TaskIdentity.Source)? {
            guard let reference else { return nil }
            guard let entry = datasets[reference] else {
                let known = definition.datasets.names
                fail("no dataset named '\(reference)' (datasets: \(known.isEmpty ? "none" : known.joined(separator: ", ")))",
                     "\(prefix).\(key)")
                return nil
            }
            if entry == nil { failed = true }
            return entry
        }
        if spec.data != nil, spec.train != nil {
            fail("give either data: (one dataset split by seed) or train:, not both", "\(prefix).train")
        }
        if spec.data == nil, spec.train == nil {
            fail("needs data: (one dataset split by seed) or train:, validation: and test: datasets", prefix)
        }
        let pool = dataset(spec.data ?? spec.train, key: spec.data != nil ? "data" : "train")
        let givenValidation = dataset(spec.validation, key: "validation")
        let givenTest = dataset(spec.test, key: "test")
        let split = spec.split ?? SplitSpec(seed: 0)
        let splitField = "\(prefix).split"

        // Which splits are carved from the pool, with which fractions.
        var carved: [(SplitName, Double)] = []
        if spec.data != nil {
            let validation = spec.validation == nil ? (split.validation ?? 0.1) : nil
            let test = spec.test == nil ? (split.test ?? (needsTest ? 0.2 : nil)) : nil
            if spec.validation != nil, split.validation != nil {
                fail("the validation split is the dataset '\(spec.validation ?? "")'; remove this fraction", "\(splitField).validation")
            }
            if spec.test != nil, split.test != nil {
                fail("the test split is the dataset '\(spec.test ?? "")'; remove this fraction", "\(splitField).test")
            }
            let train = split.train ?? (1 - (validation ?? 0) - (test ?? 0))
            carved = [(.train, train)] + (validation.map { [(.validation, $0)] } ?? []) + (test.map { [(.test, $0)] } ?? [])
        } else if spec.train != nil {
            if spec.test == nil, needsTest { fail("needs test: (a dataset), or data: with split: to carve one", prefix) }
            if split.test != nil { fail("a test fraction applies only with data:; test: names the test dataset", "\(splitField).test") }
            if split.train != nil { fail("a train fraction applies only with data:", "\(splitField).train") }
            if spec.validation == nil {
                let validation = split.validation ?? 0.1
                carved = [(.train, 1 - validation), (.validation, validation)]
            } else if split.validation != nil {
                fail("the validation split is the dataset '\(spec.validation ?? "")'; remove this fraction", "\(splitField).validation")
            }
        }
        for (part, fraction) in carved where !(fraction > 0 && fraction < 1) {
            fail("the \(part.rawValue) fraction must be between 0 and 1, got \(fraction)", splitField)
        }
        if carved.map(\.1).reduce(0, +) > 1 + 1e-9 {
            fail("fractions add up to \(carved.map(\.1).reduce(0, +)), more than 1", splitField)
        }
        let limits = spec.limit ?? SplitLimits()
        for (part, limit) in [("train", limits.train), ("validation", limits.validation), ("test", limits.test)] {
            if let limit, limit < 1 { fail("must be at least 1, got \(limit)", "\(prefix).limit.\(part)") }
        }
        guard !failed, let pool else { return nil }

        var parts: [SplitName: Dataset] = [:]
        var sources: [TaskIdentity.Source] = []
        func limit(_ part: SplitName) -> Int? {
            switch part {
            case .train: return limits.train
            case .validation: return limits.validation
            case .test: return limits.test
            }
        }
        do {
            var poolSource = pool.source
            poolSource.role = spec.data != nil ? "data" : "train"
            sources.append(poolSource)
            if carved.isEmpty {
                parts[.train] = try capped(pool.dataset, limit: limit(.train), seed: split.seed)
            } else {
                let made = try Splits.stratified(
                    pool.dataset, fractions: carved.map(\.1), limits: carved.map { limit($0.0) }, seed: split.seed)
                for (index, (part, _)) in carved.enumerated() { parts[part] = made[index] }
            }
            for (part, given) in [(SplitName.validation, givenValidation), (.test, givenTest)] {
                guard let given else { continue }
                var source = given.source
                source.role = part.rawValue
                sources.append(source)
                parts[part] = try capped(given.dataset, limit: limit(part), seed: split.seed)
            }
        } catch {
            fail(error.localizedDescription, splitField)
            return nil
        }
        let emptyTest = Dataset(name: "\(name)[test]", samples: [], labelNames: pool.dataset.labelNames)
        guard let kind, let train = parts[.train], let validation = parts[.validation],
            let test = parts[.test] ?? (needsTest ? nil : emptyTest)
        else { return nil }
        for (part, data) in [("train", train), ("validation", validation), ("test", test)]
        where data.samples.isEmpty && (needsTest || part != "test") {
            fail("the \(part) split is empty; use more data, a larger fraction or a larger limit", prefix)
        }
        if kind != .classification {
            guard !failed else { return nil }
            return makeEncoderTask(
                name: name, spec: spec, kind: kind, splits: (train, validation, test),
                identity: TaskIdentity(sources: sources, split: carved.isEmpty ? nil : split, limit: spec.limit, labelNames: []))
        }
        if let problem = Self.unlabelledProblem(pool) { fail(problem, "\(prefix).\(spec.data != nil ? "data" : "train")") }
        let present = Set(train.samples.map(\.label))
        let labelNames = pool.dataset.labelNames.filter(present.contains)
        for (part, data) in [("validation", validation), ("test", test)] {
            let unseen = Dictionary(grouping: data.samples.filter { !present.contains($0.label) }, by: \.label)
            for (label, samples) in unseen.sorted(by: { $0.key < $1.key }) {
                fail("label '\(label)' occurs in the \(part) split (\(samples.count) examples, e.g. \(samples[0].id)) but never in train "
                     + "(train labels: \(labelNames.joined(separator: ", "))); map it with labels: or use other data",
                     spec.test != nil && part == "test" ? "\(prefix).test" : prefix)
            }
        }
        if let descriptions = spec.labelDescriptions, descriptions.count != labelNames.count {
            fail("give \(labelNames.count) descriptions, one per label in order (\(labelNames.joined(separator: ", "))), got \(descriptions.count)",
                 "\(prefix).label_descriptions")
        }
        guard !failed else { return nil }
        let identity = TaskIdentity(sources: sources, split: carved.isEmpty ? nil : split, limit: spec.limit, labelNames: labelNames)
        return TaskData(
            name: name, role: spec.role, labelNames: labelNames, train: train.samples, validation: validation.samples,
            test: test.samples, labelDescriptions: spec.labelDescriptions,
            training: definition.training.overridden(by: spec.training), identity: identity)
    }

    /// At most `limit` samples, label proportions kept.
    private func capped(_ dataset: Dataset, limit: Int?, seed: UInt64) throws -> Dataset {
        guard let limit, dataset.samples.count > limit else { return dataset }
        return try Splits.stratified(dataset, fractions: [1], limits: [limit], seed: seed)[0]
    }

    // MARK: chains

    func checkChains() -> [[String]] {
        let names = Set(definition.tasks.names)
        if let chains = definition.chains {
            if chains.isEmpty { log.record("list at least one chain, or leave chains out to derive them from roles", field: "chains") }
            for (index, chain) in chains.enumerated() {
                if chain.isEmpty { log.record("a chain needs at least one task", field: "chains[\(index)]") }
                for task in chain where !names.contains(task) {
                    log.record("no task named '\(task)' (tasks: \(definition.tasks.names.joined(separator: ", ")))", field: "chains[\(index)]")
                }
                if Set(chain).count != chain.count { log.record("a task appears twice in the chain", field: "chains[\(index)]") }
                if let last = chain.last, let spec = definition.tasks[last], spec.role == .pretraining || spec.type == .pairs {
                    log.record("the chain ends with '\(last)', \(spec.role == .pretraining ? "unlabelled text" : "sentence pairs") that "
                               + "trains the encoder and is not scored; end it with a classification or embedding task",
                               field: "chains[\(index)]")
                }
            }
            return chains
        }
        let entries = definition.tasks.entries
        let targets = entries.filter { $0.value.role == .target }.map(\.name)
        let sources = entries.filter { $0.value.role == .source }.map(\.name)
        let intermediates = entries.filter { $0.value.role == .intermediate }.map(\.name)
        let pretraining = entries.filter { $0.value.role == .pretraining }.map(\.name)
        if targets.isEmpty, !entries.isEmpty {
            log.record("no task has role: target (the default); chains end with a target", field: "tasks")
        }
        var chains: [[String]] = []
        for target in targets {
            chains.append([target])
            for source in sources { chains.append([source, target]) }
            for intermediate in intermediates { chains.append([intermediate, target]) }
            for text in pretraining { chains.append([text, target]) }
            for source in sources {
                for intermediate in intermediates { chains.append([source, intermediate, target]) }
            }
        }
        return chains
    }

    func checkMultiTask(tasks: [TaskData]) {
        let names = Set(definition.tasks.names)
        for (index, entry) in definition.multitask.enumerated() {
            let prefix = "multitask[\(index)]"
            if Set(entry.tasks).count < 2 { log.record("name at least two different tasks", field: "\(prefix).tasks") }
            for task in entry.tasks where !names.contains(task) {
                log.record("no task named '\(task)' (tasks: \(definition.tasks.names.joined(separator: ", ")))", field: "\(prefix).tasks")
            }
            if let size = entry.size, size < 1 { log.record("must be at least 1, got \(size)", field: "\(prefix).size") }
            do {
                _ = try definition.training.overridden(by: entry.training).resolved(strategy: "adapter")
            } catch {
                log.record(Self.suiteWording(error.localizedDescription), field: "\(prefix).training")
            }
        }
    }

    // MARK: strategies, seeds, evaluation

    func checkStrategies(tasks: [TaskData], chains: [[String]]) {
        if definition.strategies.isEmpty, definition.multitask.isEmpty, definition.remoteProbes.isEmpty {
            log.record("list at least one strategy (\(StrategyRegistry.names.joined(separator: ", "))) or a multitask set",
                       field: "strategies")
        }
        var seen: [String: Int] = [:]
        for (index, spec) in definition.strategies.enumerated() {
            let prefix = "strategies[\(index)]"
            let nameField = log.marks["\(prefix).name"] != nil ? "\(prefix).name" : prefix
            guard !spec.name.isEmpty else { continue }
            if definition.model.remote != nil || spec.name == PromptStrategy.name {
                checkServedModelStrategy(spec, index: index, tasks: tasks, chains: chains, seen: &seen)
                continue
            }
            guard let type = StrategyRegistry.type(named: spec.name) else {
                log.record("unknown strategy '\(spec.name)' (use \(StrategyRegistry.names.joined(separator: ", ")))", field: nameField)
                continue
            }
            if let previous = seen[spec.displayName] {
                log.record("'\(spec.displayName)' is already strategies[\(previous)]; give one of them a label:", field: prefix)
            }
            seen[spec.displayName] = index
            // Zero-shot's descriptions come from each task's label_descriptions, not from here.
            let accepted = type.optionNames.filter { $0 != "descriptions" }
            for option in spec.givenOptions where !accepted.contains(option.rawValue) {
                let hint = accepted.isEmpty ? "it takes no options" : "its options: \(accepted.joined(separator: ", "))"
                log.record("option '\(option.rawValue)' does not apply to \(spec.name) (\(hint))", field: "\(prefix).\(option.rawValue)")
            }
            let ranges: [(String, Double?, (Double) -> Bool)] = [
                ("rank", spec.rank.map(Double.init), { $0 >= 1 }),
                ("alpha", spec.alpha, { $0 > 0 }),
                ("dropout", spec.dropout, { $0 >= 0 && $0 < 1 }),
                ("size", spec.size.map(Double.init), { $0 >= 1 }),
                ("length", spec.length.map(Double.init), { $0 >= 1 }),
                ("shots", spec.shots.map(Double.init), { $0 >= 1 }),
            ]
            for (option, value, valid) in ranges {
                if let value, !valid(value) { log.record("\(value) is out of range", field: "\(prefix).\(option)") }
            }
            do {
                _ = try spec.makeStrategy(labelDescriptions: nil)
            } catch {
                log.record(error.localizedDescription, field: "\(prefix).targets")
            }
            checkTraining(spec: spec, index: index, tasks: tasks)
            if spec.name == "zero-shot" {
                for task in tasks where chains.contains(where: { $0.last == task.name }) {
                    if task.labelDescriptions == nil, task.labelNames.contains(where: { Int($0) != nil }) {
                        log.record("zero-shot needs words for each label; add label_descriptions: (labels: \(task.labelNames.joined(separator: ", ")))",
                                   field: "tasks.\(task.name)")
                    }
                }
            }
        }
    }

    /// Resolves the training settings of every task for one strategy, reporting each bad
    /// value once, at the innermost layer that set it.
    func checkTraining(spec: StrategySpec, index: Int, tasks: [TaskData]) {
        var reported = Set<String>()
        for task in tasks {
            let layers: [(String, TrainingSpec)] = [
                ("training", definition.training),
                ("tasks.\(task.name).training", task.training),
                ("strategies[\(index)].training", task.training.overridden(by: spec.training)),
            ]
            for (field, layer) in layers {
                do {
                    _ = try layer.resolved(strategy: spec.name)
                } catch {
                    let message = Self.suiteWording(error.localizedDescription)
                    if reported.insert(message).inserted { log.record(message, field: field) }
                    break
                }
            }
        }
    }

    /// "--batch-size: …" (the CLI's wording) as "batch_size: …".
    static func suiteWording(_ message: String) -> String {
        guard message.hasPrefix("--") else { return message }
        let renamed = ["--lr": "learning_rate", "--max-grad-norm": "max_grad_norm"]
        let name = String(message.prefix { $0 != ":" })
        let key = renamed[name] ?? name.dropFirst(2).replacingOccurrences(of: "-", with: "_")
        return key + message.dropFirst(name.count)
    }

    func checkSeeds() {
        if definition.seeds.isEmpty { log.record("list at least one seed", field: "seeds") }
        if Set(definition.seeds).count != definition.seeds.count { log.record("a seed appears twice", field: "seeds") }
    }

    func checkEvaluation() {
        let e = definition.evaluation
        if e.bootstrapResamples < 0 { log.record("must be 0 (no intervals) or more", field: "evaluation.bootstrap_resamples") }
        if !(e.confidence > 0 && e.confidence < 1) { log.record("must be between 0 and 1, e.g. 0.95", field: "evaluation.confidence") }
        if e.calibrationBins < 1 { log.record("must be at least 1", field: "evaluation.calibration_bins") }
        if e.metrics.isEmpty { log.record("list at least one metric", field: "evaluation.metrics") }
    }
}
