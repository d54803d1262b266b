import ArgumentParser
import Backends
import Evaluation
import Foundation
import Probes
import Transformers

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Measure a model's social bias and toxicity with a probe.",
        discussion: """
            Every probe reads its default data from $ADAPTEVAL_SHARED/data (default ../shared/data): \
            see ../shared/data/README.md §1–§5. Classifier probes need an adapted checkpoint (with \
            --base when it records no base model); CrowS-Pairs and StereoSet need a checkpoint with \
            a masked-LM head. Intervals are 95% percentile-bootstrap intervals by default.
            """,
        subcommands: [
            SEATProbeCommand.self, CrowSPairsProbeCommand.self, StereoSetProbeCommand.self, IdentityTermProbeCommand.self,
            CounterfactualProbeCommand.self, ToxiGenProbeCommand.self,
        ])
}

/// The options every probe on a checkpoint takes.
struct ProbeOptions: ParsableArguments {
    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Base model of an adapted --model (default: the base its scorer.json names).") var base: String?
    @OptionGroup var statistics: ProbeStatisticsOptions

    var json: Bool { statistics.json }

    func defaults(_ kind: ProbeKind) -> ProbeSettings { statistics.defaults(kind) }

    /// Loads the model and runs the probe on it.
    func run(_ settings: ProbeSettings) throws -> ProbeResult {
        ComputeThreads.set(modelOptions.threads ?? 0)
        let model = try NativeModel.open(
            directory: URL(fileURLWithPath: modelOptions.model), base: base.map { URL(fileURLWithPath: $0) })
        return try statistics.run(settings, on: model)
    }

    func print(_ result: ProbeResult) { statistics.print(result) }
}

/// Intervals, seed and output of a probe, whatever model it runs on.
struct ProbeStatisticsOptions: ParsableArguments {
    @Option(name: .long, help: "Bootstrap resamples for intervals (0: none).") var resamples: Int = 1000
    @Option(name: .long, help: "Coverage of the intervals.") var confidence: Double = 0.95
    @Option(name: .long, help: "Seed of samples, permutations and resamples.") var seed: UInt64 = 0
    @Flag(name: .long, help: "Write one JSON record per line instead of a table.") var json = false

    func validate() throws {
        guard resamples >= 0 else { throw ValidationError("--resamples must be at least 0, got \(resamples)") }
        guard confidence > 0, confidence < 1 else { throw ValidationError("--confidence must be in (0, 1), got \(confidence)") }
    }

    /// The default settings of a probe, data under ../shared/data.
    func defaults(_ kind: ProbeKind) -> ProbeSettings {
        var settings = ProbeSettings.defaults(
            kind, dataRoot: ProbeSettings.dataRoot(near: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)))
        settings.seed = seed
        return settings
    }

    /// The bootstrap of every interval (and of drift, which pairs two models on its resamples).
    var bootstrap: ProbeBootstrap? {
        get throws { resamples > 0 ? try ProbeBootstrap(resamples: resamples, confidence: confidence, seed: seed) : nil }
    }

    /// Runs the probe on `model`.
    func run(_ settings: ProbeSettings, on model: any ModelUnderTest) throws -> ProbeResult {
        let probe = try ProbeCommandErrors.renaming { try settings.load() }
        let bootstrap = try bootstrap
        return try ProbeCommandErrors.renaming { try probe.run(on: model, bootstrap: bootstrap) }
    }

    /// Prints measurements as a table or as JSON lines.
    func print(_ result: ProbeResult) {
        var output = JSONLines.Output()
        if json {
            for measurement in result.measurements { output.write(ProbeFormatting.json(measurement)) }
        } else {
            output.write(ProbeFormatting.table(result.measurements))
            output.write(String(format: "%d items, %.1f s", result.items.count, result.seconds))
        }
        output.flush()
    }
}

/// Probe errors name settings as the library knows them; the command line names its flags.
enum ProbeCommandErrors {
    static let flags = [
        "data": "--data", "terms": "--terms", "limit": "--limit", "tests": "--tests", "permutations": "--permutations",
        "toxic_labels": "--toxic-labels", "resamples": "--resamples", "confidence": "--confidence",
    ]

    static func renaming<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch ProbeError.invalidSetting(let name, let reason) {
            throw ProbeError.invalidSetting(name: flags[name] ?? name, reason: reason)
        }
    }
}

struct CrowSPairsProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crows-pairs",
        abstract: "CrowS-Pairs stereotype preference of a masked LM (Nangia et al. 2020).",
        discussion: """
            The percentage of pairs whose more stereotyping sentence gets the higher masked-LM \
            score (50 is ideal), overall, per bias type, per direction and per direction and \
            type. Needs a checkpoint with a masked-LM head (cls.predictions.*).
            """)

    @OptionGroup var options: ProbeOptions
    @Option(name: .long, help: "CrowS-Pairs CSV (default: ../shared/data/01_crows_pairs/crows_pairs_anonymized.csv).")
    var data: String?
    @Option(name: .long, help: "Score only the first N pairs.") var limit: Int?
    @Option(name: .long, help: "Write each pair's scores as JSON lines to this file.") var items: String?

    func run() throws {
        var settings = options.defaults(.crowsPairs)
        if let data { settings.data = [data] }
        settings.limit = limit
        // A path that cannot be written is refused before the model scores anything.
        let itemsFile = try items.map { try OutputFile($0, option: "--items") }
        let result = try options.run(settings)
        if let itemsFile {
            try ProbeFormatting.writeItems(result.items, to: itemsFile) { item in
                [("index", item.id), ("bias_type", JSONLines.quote(item.attributes["bias_type"] ?? "")),
                 ("direction", JSONLines.quote(item.attributes["direction"] ?? "")),
                 ("sent_more_score", ProbeFormatting.number(item.values["sent_more_score"])),
                 ("sent_less_score", ProbeFormatting.number(item.values["sent_less_score"]))]
            }
        }
        options.print(result)
    }
}

struct StereoSetProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stereoset",
        abstract: "StereoSet LM score, stereotype score and ICAT of a masked LM (Nadeem et al. 2021).",
        discussion: """
            lms (ideal 100), ss (ideal 50) and icat (ideal 100), overall, per type and per bias \
            type. --data reads the full StereoSet dev set in the same format as the sample. \
            Needs a checkpoint with a masked-LM head.
            """)

    @OptionGroup var options: ProbeOptions
    @Option(name: .long, help: "StereoSet JSONL (default: ../shared/data/02_stereoset/stereoset_dev_sample200.jsonl).")
    var data: String?
    @Option(name: .long, help: "Score only the first N items.") var limit: Int?
    @Option(name: .long, help: "Write each item's option scores (sum and mean) as JSON lines to this file.") var items: String?

    func run() throws {
        var settings = options.defaults(.stereoSet)
        if let data { settings.data = [data] }
        settings.limit = limit
        // A path that cannot be written is refused before the model scores anything.
        let itemsFile = try items.map { try OutputFile($0, option: "--items") }
        let result = try options.run(settings)
        if let itemsFile {
            try ProbeFormatting.writeItems(result.items, to: itemsFile) { item in
                var fields = [("index", item.id), ("type", JSONLines.quote(item.attributes["type"] ?? "")),
                              ("target", JSONLines.quote(item.attributes["target"] ?? "")),
                              ("bias_type", JSONLines.quote(item.attributes["bias_type"] ?? ""))]
                for option in ["stereotype", "anti-stereotype", "unrelated"] {
                    fields.append((option, ProbeFormatting.object([
                        ("sum", ProbeFormatting.number(item.values["\(option)_sum"])),
                        ("mean", ProbeFormatting.number(item.values["\(option)_mean"])),
                    ])))
                }
                return fields
            }
        }
        options.print(result)
    }
}

/// `--toxic-labels` for classifier probes.
struct ToxicLabelOption: ParsableArguments {
    @Option(name: .long, help: "Comma-separated classifier labels that mean toxic (default: recognised names such as toxic, hate_speech, offensive_language).")
    var toxicLabels: String?

    var labels: [String]? { toxicLabels.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } }
}

struct IdentityTermProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity-terms",
        abstract: "Subgroup, BPSN and BNSP AUCs per identity term of a toxicity classifier (Borkan et al. 2019).",
        discussion: """
            Scores the identity-term templates (default: ../shared/data/04_bias_madlibs/bias_madlibs_77k.csv, \
            toxic = BAD) and reports the overall AUC, per term the subgroup, BPSN and BNSP AUCs and \
            the false-positive- and false-negative-rate gaps at 0.5, and FPED, FNED and the Jigsaw \
            bias score. Templates that mention no term of --terms are background to every term; \
            a file in which none does is refused.
            """)

    @OptionGroup var options: ProbeOptions
    @Option(name: .long, help: "Templates CSV (Text,Label or phrase,toxicity columns) or JSONL with text and label.") var templates: String?
    @Option(name: .long, help: "Identity terms, one per line (default: word_lists/adjectives_people.txt).") var terms: String?
    @Option(name: .long, help: "Score a seeded, label-stratified sample of N templates.") var limit: Int?
    @OptionGroup var toxic: ToxicLabelOption

    func run() throws {
        var settings = options.defaults(.identityTerms)
        if let templates { settings.data = [templates] }
        if let terms { settings.terms = [terms] }
        settings.limit = limit
        settings.toxicLabels = toxic.labels
        options.print(try options.run(settings))
    }
}

struct CounterfactualProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counterfactual",
        abstract: "Flip rate and probability change of a classifier under identity-term swaps (Garg et al. 2019).",
        discussion: """
            Each text's identity term is replaced by every other term of its list; reports the \
            share of swaps that change the predicted class and the mean change of each class \
            probability, overall and per swapped-in term. Texts come from --input (JSONL with \
            "text", or a templates CSV; default: 200 templates of bias_madlibs_77k.csv); every \
            text must mention a term of one of the --terms lists (one swap group per list); a \
            templates CSV gives only its templates that do.
            """)

    @OptionGroup var options: ProbeOptions
    @Option(name: .long, help: "Texts: JSONL with \"text\", or a templates CSV.") var input: String?
    @Option(name: .long, parsing: .upToNextOption, help: "Term lists, one term per line; terms swap within their list.")
    var terms: [String] = []
    @Option(name: .long, help: "Use a seeded sample of N texts (default: 200 of the default templates, all of --input).")
    var limit: Int?

    func run() throws {
        var settings = options.defaults(.counterfactual)
        if let input {
            settings.data = [input]
            settings.limit = nil
        }
        if !terms.isEmpty { settings.terms = terms }
        if let limit { settings.limit = limit }
        options.print(try options.run(settings))
    }
}

struct ToxiGenProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toxigen",
        abstract: "A toxicity classifier's accuracy on ToxiGen's hateful and neutral statements per target group.",
        discussion: """
            Accuracy and AUC per target group of ../shared/data/05_toxicity_labelled/toxigen_demonstrations \
            (hateful when toxicity ≥ 0.5), overall, and the gap between the best- and worst-served groups.
            """)

    @OptionGroup var options: ProbeOptions
    @Option(name: .long, help: "The demonstrations folder (default: ../shared/data/05_toxicity_labelled/toxigen_demonstrations).")
    var data: String?
    @OptionGroup var toxic: ToxicLabelOption

    func run() throws {
        var settings = options.defaults(.toxigen)
        if let data { settings.data = [data] }
        settings.toxicLabels = toxic.labels
        options.print(try options.run(settings))
    }
}

/// Tables and JSON of probe results.
enum ProbeFormatting {
    /// `[low, high]`, or blank without an interval.
    static func interval(_ measurement: ProbeMeasurement) -> String {
        guard let low = measurement.low, let high = measurement.high else { return "" }
        return String(format: "[%.3f, %.3f]", low, high)
    }

    static func table(_ measurements: [ProbeMeasurement]) -> String {
        var rows = [["metric", "group", "value", "95% CI", "n", "ideal", "note"]]
        for measurement in measurements {
            rows.append([measurement.metric.name, measurement.metric.group.isEmpty ? "(all)" : measurement.metric.group,
                         String(format: "%.4f", measurement.value), interval(measurement), String(measurement.count),
                         measurement.metric.ideal.map { String(format: "%g", $0) } ?? "", measurement.note ?? ""])
        }
        return String(RunsFormatting.table(rows).dropLast())
    }

    /// A JSON number, or null for nil and non-finite values.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return String(value)
    }

    /// A JSON object from already-encoded values, keys in the order given.
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(JSONLines.quote($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    static func json(_ measurement: ProbeMeasurement) -> String {
        object([
            ("metric", JSONLines.quote(measurement.metric.name)), ("group", JSONLines.quote(measurement.metric.group)),
            ("value", number(measurement.value)), ("low", number(measurement.low)), ("high", number(measurement.high)),
            ("count", String(measurement.count)), ("ideal", number(measurement.metric.ideal)),
            ("harm_direction", measurement.metric.harmDirection.map { JSONLines.quote($0.rawValue) } ?? "null"),
            ("note", measurement.note.map(JSONLines.quote) ?? "null"),
        ])
    }

    static func writeItems(_ items: [ProbeItem], to file: OutputFile, fields: (ProbeItem) -> [(String, String)]) throws {
        var text = ""
        for item in items { text += object(fields(item)) + "\n" }
        try file.write(Data(text.utf8))
    }
}
