import Adaptation
import Evaluation
import Foundation

/// Checks of unlabelled-text, sentence-pair and embedding tasks.
extension SuiteChecker {
    /// The task's kind from its role and type, or nil after recording why they conflict.
    func taskKind(_ spec: TaskSpec, prefix: String) -> TaskKind? {
        var kind: TaskKind? = {
            switch spec.type ?? .classification {
            case .classification: return .classification
            case .pairs: return .pairs
            case .sts: return .sts
            case .retrieval: return .retrieval
            case .pairClassification: return .pairClassification
            }
        }()
        if spec.role == .pretraining {
            if let type = spec.type, type != .classification {
                log.record("a task with role: pretraining is unlabelled text; remove type: \(type.rawValue)", field: "\(prefix).type")
                kind = nil
            } else {
                kind = .text
            }
        }
        if kind == .pairs, spec.role == .target {
            log.record("a task of type: pairs trains the encoder and is not scored; give it role: source or intermediate",
                       field: "\(prefix).role")
        }
        if let kind, kind.isEmbeddingTask, spec.role != .target {
            log.record("\(kind.rawValue) tasks are scored, not trained: give them role: target (the default)", field: "\(prefix).role")
        }
        if spec.strategy != nil, !(kind?.trainsEncoderObjective ?? true) {
            log.record("strategy: applies to tasks with role: pretraining or type: pairs, whose stages train the encoder",
                       field: "\(prefix).strategy")
        }
        if spec.minScore != nil, kind != .pairs {
            log.record("min_score: applies to type: pairs (it keeps the scored pairs that are similar enough)", field: "\(prefix).min_score")
        }
        if spec.labelDescriptions != nil, kind != .classification {
            log.record("label_descriptions: applies to classification tasks only", field: "\(prefix).label_descriptions")
        }
        return kind
    }

    /// Why a classification task's dataset cannot serve it (unlabelled text, scored pairs), or nil.
    static func unlabelledProblem(_ pool: (dataset: Dataset, source: TaskIdentity.Source)) -> String? {
        if pool.source.format == DatasetSpec.Format.sts.rawValue {
            return "dataset '\(pool.dataset.name)' holds scored sentence pairs (format sts); use it in a task of type: sts or type: pairs"
        }
        guard !pool.dataset.isLabelled else { return nil }
        let column = pool.source.labelColumn.isEmpty ? "label" : pool.source.labelColumn
        return "dataset '\(pool.dataset.name)' has no labels (no '\(column)' field or column), and a classification task "
            + "trains on labelled examples; give the task role: pretraining to pretrain on its text, or set label_column:"
    }

    /// The path a task's dataset was read from, for messages that point into the data.
    private func dataPath(_ spec: TaskSpec) -> String {
        guard let reference = spec.data ?? spec.train ?? spec.test, let dataset = definition.datasets[reference] else { return "" }
        return resolve(dataset.path).path
    }

    /// A pretraining or sentence-pair task from its splits: checks pairs, keeps the scored pairs
    /// at or above `min_score`, and checks the task's own strategy.
    func makeEncoderTask(
        name: String, spec: TaskSpec, kind: TaskKind, splits: (train: Dataset, validation: Dataset, test: Dataset), identity: TaskIdentity
    ) -> TaskData? {
        let prefix = "tasks.\(name)"
        var failed = false
        func fail(_ message: String, _ field: String) {
            log.record(message, field: field)
            failed = true
        }
        var (train, validation) = (splits.train, splits.validation)
        var identity = identity
        identity.kind = kind.rawValue
        let scored = identity.sources.first?.format == DatasetSpec.Format.sts.rawValue
        if kind == .pairs {
            for part in [train, validation] {
                if let sample = part.firstSampleWithoutPair {
                    fail("contrastive training needs sentence pairs, but \(dataPath(spec))\(sample.line.map { ":\($0)" } ?? " (\(sample.id))") "
                         + "has no second sentence; set pair_column: (a JSONL field or CSV column) or use format: sts", prefix)
                    break
                }
            }
            if scored {
                if let minimum = spec.minScore {
                    identity.minScore = minimum
                    train.samples = train.samples.filter { ($0.score ?? -.infinity) >= minimum }
                    validation.samples = validation.samples.filter { ($0.score ?? -.infinity) >= minimum }
                    for (part, data) in [("train", train), ("validation", validation)] where data.samples.count < 2 {
                        fail("\(data.samples.count) \(part) pair(s) have a score of at least \(minimum); lower min_score or use more data",
                             "\(prefix).min_score")
                    }
                } else {
                    fail("the pairs are scored (format sts): give min_score: (e.g. 4 on STS Benchmark's 0-5 scale) to keep the similar ones",
                         prefix)
                }
            }
        } else if scored {
            fail("role: pretraining reads text; scored pairs (format sts) belong to a task of type: pairs or sts", prefix)
        }
        let wanted: TrainingData = kind == .text ? .text : .sentencePairs
        if let strategy = spec.strategy, !strategy.name.isEmpty {
            if let type = StrategyRegistry.type(named: strategy.name) {
                if type.trainingData != wanted {
                    fail("\(strategy.name) trains on \(type.trainingData.rawValue), but task \(name) is \(wanted.rawValue); use "
                         + (kind == .text ? "mlm" : "contrastive"), "\(prefix).strategy")
                }
                do {
                    _ = try strategy.makeStrategy(labelDescriptions: nil)
                } catch {
                    fail(error.localizedDescription, "\(prefix).strategy")
                }
            } else {
                fail("unknown strategy '\(strategy.name)' (use \(StrategyRegistry.names.joined(separator: ", ")))", "\(prefix).strategy")
            }
        }
        guard !failed else { return nil }
        var task = TaskData(
            name: name, role: spec.role, labelNames: [], train: train.samples, validation: validation.samples, test: splits.test.samples,
            labelDescriptions: nil, training: definition.training.overridden(by: spec.training), identity: identity)
        task.kind = kind
        task.stageStrategy = spec.strategy
        return task
    }

    /// An embedding task (STS, retrieval, pair classification): a test set only, scored on the
    /// encoder each cell leaves.
    func makeEmbeddingTask(name: String, spec: TaskSpec, kind: TaskKind) -> TaskData? {
        let prefix = "tasks.\(name)"
        var failed = false
        func fail(_ message: String, _ field: String) {
            log.record(message, field: field)
            failed = true
        }
        for (key, given) in [("train", spec.train != nil), ("validation", spec.validation != nil), ("split", spec.split != nil)] where given {
            fail("\(kind.rawValue) tasks are scored, not trained: name their data with test: (or data:) only", "\(prefix).\(key)")
        }
        if spec.data != nil, spec.test != nil { fail("give either data: or test:, not both", "\(prefix).test") }
        guard let reference = spec.test ?? spec.data else {
            log.record("needs test: (the dataset to score)", field: prefix)
            return nil
        }
        let field = "\(prefix).\(spec.test != nil ? "test" : "data")"
        guard let entry = datasets[reference] else {
            log.record("no dataset named '\(reference)' (datasets: \(definition.datasets.names.joined(separator: ", ")))", field: field)
            return nil
        }
        guard let loaded = entry else { return nil }
        let dataset = loaded.dataset
        var source = loaded.source
        source.role = "test"
        let identity = TaskIdentity(sources: [source], split: nil, limit: spec.limit, labelNames: [], kind: kind.rawValue)
        var samples = dataset.samples
        var collection: RetrievalCollection?
        switch kind {
        case .retrieval:
            guard source.format == DatasetSpec.Format.beir.rawValue, let found = collections[reference] else {
                fail("a retrieval task needs a dataset of format: beir (corpus.jsonl, queries.jsonl, qrels/test.tsv)", field)
                return nil
            }
            collection = found
        case .sts:
            if source.format != DatasetSpec.Format.sts.rawValue {
                fail("an sts task needs scored pairs: a dataset of format: sts (STS Benchmark TSV, or JSONL with sentence1, sentence2, score)",
                     field)
            }
        default:
            if let sample = dataset.firstSampleWithoutPair {
                fail("pair classification needs sentence pairs, but \(sample.id) has no second sentence; set pair_column:", field)
            } else if let sample = dataset.samples.first(where: { !["0", "1", "true", "false"].contains($0.label.lowercased()) }) {
                fail("pair classification needs labels 0 or 1, but \(sample.id) has '\(sample.label)'", field)
            }
        }
        if let limit = spec.limit?.test, kind != .retrieval {
            do {
                samples = try Splits.stratified(
                    Dataset(name: dataset.name, samples: samples, labelNames: kind == .sts ? [] : dataset.labelNames),
                    fractions: [1], limits: [limit], seed: 0)[0].samples
            } catch {
                fail(error.localizedDescription, "\(prefix).limit")
            }
        }
        guard !failed else { return nil }
        var task = TaskData(
            name: name, role: spec.role, labelNames: [], train: [], validation: [], test: samples, labelDescriptions: nil,
            training: definition.training.overridden(by: spec.training), identity: identity)
        task.kind = kind
        task.retrieval = collection
        return task
    }
}
