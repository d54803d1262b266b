import Adaptation
import ArgumentParser
import Backends
import Evaluation
import Foundation
import Probes
import Transformers

struct ToxicityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toxicity",
        abstract: "Train AdaptEval's own toxicity scorer and score texts with it.",
        subcommands: [ToxicityTrainCommand.self, ToxicityScoreCommand.self])
}

struct ToxicityTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Adapt a model into a toxicity scorer (labels nontoxic, toxic) and report its held-out quality.",
        discussion: """
            By default trains on the Davidson et al. (2017) tweets (hate_speech and \
            offensive_language → toxic, neither → nontoxic) and the ToxiGen statements (hate → \
            toxic, neutral → nontoxic) of ../shared/data, at most --limit texts balanced between \
            the labels; --train replaces them with your files (CSV or JSONL with a text and a \
            toxic/non-toxic label). Writes the adapted checkpoint, scorer.json (base model, \
            label mapping) and metrics.json to --output, then reports ROC AUC and F1 on the \
            Wikipedia Talk test set (never used for training) and the identity-term AUCs.
            """)

    @Option(name: .long, help: "Base checkpoint folder.") var model: String = "models/all-MiniLM-L6-v2"
    @Option(name: .long, help: "Folder for the scorer.") var output: String
    @Option(name: .long, parsing: .upToNextOption, help: "Training files instead of Davidson + ToxiGen.") var train: [String] = []
    @Option(name: .long, help: "Use at most N training texts, balanced between toxic and non-toxic (0: all).") var limit: Int = 8000
    @Option(name: .long, help: "Adaptation strategy (\(StrategyRegistry.names.joined(separator: ", "))).") var strategy: String = "full"
    @Option(name: .long, help: "Maximum epochs.") var epochs: Int = 2
    @Option(name: .long, help: "Examples per micro-batch.") var batchSize: Int = 16
    @Option(name: .long, help: "Peak learning rate (default: the strategy's).") var lr: Float?
    @Option(name: .long, help: "Truncate texts to this many tokens.") var maxLength: Int = 64
    @Option(name: .long, help: "Random seed of the sample, split and training.") var seed: UInt64 = 1
    @Option(name: .long, help: "Held-out labelled texts (default: the non-fuzzed Wikipedia Talk test set).") var test: String?
    @Option(name: .long, help: "Score a seeded sample of N identity-term templates (default: all).") var identityLimit: Int?
    @Option(name: .long, help: "Threads for numeric work (default: all cores).") var threads: Int?
    @Flag(name: .long, help: "Write metrics.json to standard output.") var json = false

    func run() throws {
        ComputeThreads.set(threads ?? 0)
        let dataRoot = ProbeSettings.dataRoot(near: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let chosenStrategy: any AdaptationStrategy
        do {
            chosenStrategy = try StrategyRegistry.make(strategy)
        } catch {
            throw ValidationError("--strategy: \(error.localizedDescription)")
        }
        let sampleLimit = limit > 0 ? limit : nil
        let training = try ProbeCommandErrors.renaming {
            train.isEmpty ? try ToxicityTrainingData.defaultTrainingSet(dataRoot: dataRoot, limit: sampleLimit, seed: seed)
                : try ToxicityTrainingData.trainingSet(files: train, limit: sampleLimit, seed: seed)
        }
        var settings = TrainingConfiguration()
        settings.epochs = epochs
        settings.batchSize = batchSize
        settings.learningRate = lr ?? type(of: chosenStrategy).defaultLearningRate
        settings.maxLength = maxLength
        settings.seed = seed
        settings.patience = 1
        try settings.validate()
        let started = Date()
        let display = ProgressDisplay()
        let outputURL = URL(fileURLWithPath: output)
        let trained = try ToxicityScorer.train(
            base: URL(fileURLWithPath: model), training: training, strategy: chosenStrategy, configuration: settings,
            output: outputURL,
            record: ["toxic_labels": [ToxicityLabelledTexts.toxic], "label_mapping": ToxicityTrainingData.labelMapping,
                     "training": ["source": train.isEmpty ? "davidson+toxigen" : train.joined(separator: ","),
                                  "texts": training.samples.count, "toxic": training.labelCounts[1], "nontoxic": training.labelCounts[0],
                                  "seed": seed]],
            progress: { display.show($0) })
        display.finish()
        let trainingSeconds = Date().timeIntervalSince(started)

        let scorer = try NativeModel.open(directory: outputURL)
        let heldOutPath = test ?? dataRoot.appendingPathComponent("04_bias_madlibs/fuzzed_testset/toxicity_nonfuzzed_testset.csv").path
        let heldOut = try ToxicityHeldOut(scorer, texts: try ToxicityLabelledTexts.read(path: heldOutPath), seed: seed)
        var identitySettings = ProbeSettings.defaults(.identityTerms, dataRoot: dataRoot)
        identitySettings.limit = identityLimit
        identitySettings.seed = seed
        let identity = try identitySettings.load().run(on: scorer, bootstrap: try ProbeBootstrap(resamples: 200, seed: seed))

        func summary(_ scores: ToxicityHeldOut) -> [String: Any] {
            ["texts": scores.texts, "toxic": scores.toxic, "auc": scores.auc,
             "auc_interval": [scores.aucInterval.low, scores.aucInterval.high], "f1": scores.f1,
             "f1_interval": [scores.f1Interval.low, scores.f1Interval.high]]
        }
        let subgroups = identity.measurements.filter { !$0.metric.group.isEmpty }
        let metrics: [String: Any] = [
            "strategy": chosenStrategy.name, "training_texts": trained.trainingCount, "validation_texts": trained.validationCount,
            "epochs": trained.history.records.map { $0.values.merging(["epoch": Double($0.epoch)]) { $1 } },
            "best_epoch": trained.history.bestEpoch as Any, "stop_reason": trained.history.stopReason,
            "training_seconds": trainingSeconds,
            "held_out": ["file": heldOutPath].merging(summary(heldOut)) { $1 },
            "identity_terms": Dictionary(uniqueKeysWithValues: identity.measurements.filter { $0.metric.group.isEmpty }.map {
                ($0.metric.name, $0.value)
            }).merging(["templates": identity.items.count]) { $1 },
            "subgroup_auc": Dictionary(uniqueKeysWithValues: subgroups.filter { $0.metric.name == "subgroup_auc" }.map {
                ($0.metric.group, $0.value)
            }),
        ]
        let data = try JSONSerialization.data(
            withJSONObject: Self.finite(metrics), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try data.write(to: outputURL.appendingPathComponent("metrics.json"))
        if json {
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("trained      \(chosenStrategy.name) on \(trained.trainingCount) texts (\(trained.validationCount) validate), \(String(format: "%.0f", trainingSeconds)) s; \(trained.history.stopReason)")
        print(String(format: "held out     %@: AUC %.3f [%.3f, %.3f], F1 %.3f [%.3f, %.3f] (%d texts, %d toxic)",
                     (heldOutPath as NSString).lastPathComponent, heldOut.auc, heldOut.aucInterval.low, heldOut.aucInterval.high,
                     heldOut.f1, heldOut.f1Interval.low, heldOut.f1Interval.high, heldOut.texts, heldOut.toxic))
        let overall = { (name: String) in identity.measurement(name)?.value ?? .nan }
        print(String(format: "identity     AUC %.3f, bias score %.3f, FPED %.3f over %d templates", overall("auc"),
                     overall("bias_score"), overall("fped"), identity.items.count))
        for name in ["subgroup_auc", "bpsn_auc", "bnsp_auc"] {
            if let worst = subgroups.filter({ $0.metric.name == name }).min(by: { $0.value < $1.value }) {
                print(String(format: "             lowest %@ %.3f (%@)", name, worst.value, worst.metric.group))
            }
        }
        print("saved        \(outputURL.path)")
    }
}

extension ToxicityTrainCommand {
    /// The value with every non-finite number (an AUC of a group without negatives) as null,
    /// which JSON can hold.
    static func finite(_ value: Any) -> Any {
        switch value {
        case let number as Double: return number.isFinite ? number : NSNull()
        case let array as [Any]: return array.map(finite)
        case let object as [String: Any]: return object.mapValues(finite)
        default: return value
        }
    }
}

struct ToxicityScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score texts with a toxicity scorer: one JSON line per text, in input order.",
        discussion: """
            Writes {"line": …, "toxicity": P(toxic), "toxic": toxicity ≥ 0.5} per text (with "id" \
            and "label" when the input has them). --summary audits a labelled set instead (e.g. a \
            fine-tuning set before training): per label, the number of texts, their mean \
            toxicity and the share scored toxic with a 95% bootstrap interval.
            """)

    @Option(name: .long, help: "Scorer folder (from `adapteval toxicity train`).") var scorer: String
    @Option(name: .long, help: "Base model, when the scorer's scorer.json does not name one that exists.") var base: String?
    @Option(name: .long, help: "Texts: JSON Lines with \"text\" (optional \"id\", \"label\"), or see --format; - for standard input.")
    var input: String
    @OptionGroup var dataOptions: DataOptions
    @Flag(name: .long, help: "Print a per-label summary instead of one line per text.") var summary = false
    @Flag(name: .long, help: "With --summary, write JSON.") var json = false
    @Option(name: .long, help: "Threads for numeric work (default: all cores).") var threads: Int?

    func run() throws {
        ComputeThreads.set(threads ?? 0)
        let model = try NativeModel.open(directory: URL(fileURLWithPath: scorer), base: base.map { URL(fileURLWithPath: $0) })
        let texts = try readTexts()
        let scores = try ToxicLabels.scores(of: model, texts: texts.map(\.text), for: "toxicity scoring")
        if summary {
            try printSummary(texts: texts, scores: scores)
            return
        }
        var output = JSONLines.Output()
        for (text, score) in zip(texts, scores) {
            var fields = [("line", text.line.map(String.init) ?? "null")]
            if let id = text.id { fields.append(("id", JSONLines.quote(id))) }
            if let label = text.label { fields.append(("label", JSONLines.quote(label))) }
            fields += [("toxicity", ProbeFormatting.number(score)), ("toxic", score >= ToxicLabels.threshold ? "true" : "false")]
            output.write(ProbeFormatting.object(fields))
        }
        output.flush()
    }

    /// The input's texts with their line, id and label when present.
    func readTexts() throws -> [(text: String, line: Int?, id: String?, label: String?)] {
        if dataOptions.format == .jsonl {
            return try DatasetReaders.jsonObjects(path: input).map { row in
                guard let text = row.object["text"] as? String else {
                    throw EvaluationError.malformedFile(path: input, line: row.line, reason: "missing string field \"text\"")
                }
                let label = (row.object["label"] as? String) ?? (row.object["label"] as? NSNumber).map { "\($0)" }
                return (text, row.line, row.object["id"] as? String, label)
            }
        }
        let dataset = try dataOptions.dataset(input)
        return dataset.samples.map { ($0.text, $0.line, $0.id, $0.label) }
    }

    func printSummary(texts: [(text: String, line: Int?, id: String?, label: String?)], scores: [Double]) throws {
        let labels = Dataset.orderedLabels(texts.map { $0.label ?? "(none)" })
        var rows = [["label", "texts", "mean toxicity", "toxic", "95% CI"]]
        var objects: [String] = []
        for label in labels {
            let chosen = texts.indices.filter { (texts[$0].label ?? "(none)") == label }
            let toxicShare = { (indices: [Int]) in
                Double(indices.filter { scores[chosen[$0]] >= ToxicLabels.threshold }.count) / Double(indices.count)
            }
            let share = toxicShare(Array(chosen.indices))
            let interval = try Bootstrap.percentileInterval(count: chosen.count, resamples: 1000, seed: 0, statistic: toxicShare)
            let mean = chosen.reduce(0) { $0 + scores[$1] } / Double(chosen.count)
            rows.append([label, String(chosen.count), String(format: "%.3f", mean), String(format: "%.3f", share),
                         String(format: "[%.3f, %.3f]", interval.low, interval.high)])
            objects.append(ProbeFormatting.object([
                ("label", JSONLines.quote(label)), ("texts", String(chosen.count)), ("mean_toxicity", ProbeFormatting.number(mean)),
                ("toxic_share", ProbeFormatting.number(share)), ("low", ProbeFormatting.number(interval.low)),
                ("high", ProbeFormatting.number(interval.high)),
            ]))
        }
        if json {
            print(objects.joined(separator: "\n"))
        } else {
            print(RunsFormatting.table(rows), terminator: "")
        }
    }
}
