import ArgumentParser
import Backends
import Evaluation
import Foundation
import Probes
import Transformers

struct SEATProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seat",
        abstract: "SEAT/WEAT association tests on mean-pooled embeddings (May et al. 2019).",
        discussion: """
            Per test: effect size d (sample standard deviation, ddof 1; cosine similarity), the \
            one-sided permutation p-value (exact up to --permutations partitions, otherwise that \
            many seeded random ones) and its Holm adjustment over the tests given. --json writes \
            one record per test: test, effect_size, effect_size_low, effect_size_high, p_value, \
            p_holm, exact. The embeddings come from a checkpoint (--model) or a served model's \
            /v1/embeddings (--endpoint, --remote-model). --drift-from names the model the \
            measured one was adapted from (a checkpoint folder, or with --endpoint another \
            served name, such as the base of a served LoRA adapter): both are probed on the same \
            items, and each test's drift d − d(base) and harm drift |d| − |d(base)| get paired \
            intervals (JSON adds base_effect_size, drift, drift_low, drift_high, harm_drift, \
            harm_low, harm_high).
            """)

    @Option(name: .long, help: "Checkpoint folder (config.json, model.safetensors, vocab.txt or tokenizer.json).")
    var model: String?
    @OptionGroup var served: ServedEmbeddingOptions
    @Option(name: .long, help: "Base model of an adapted --model (default: the base its scorer.json names).") var base: String?
    @Option(name: .long, help: "Threads for numeric work (default: all cores).") var threads: Int?
    @Option(name: .long, help: "The model to measure drift from: a checkpoint folder, or with --endpoint a served model name.")
    var driftFrom: String?
    @OptionGroup var statistics: ProbeStatisticsOptions
    @Option(name: .long, parsing: .upToNextOption, help: "Test files or folders of them (default: ../shared/data/03_seat/tests).")
    var tests: [String] = []
    @Option(name: .long, help: "Partitions for the p-value.") var permutations: Int = 100_000

    func validate() throws {
        try served.checkOneSource(model: model)
        if base != nil, served.isServed { throw ValidationError("--base belongs to an adapted --model; a served model is its own") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        ComputeThreads.set(threads ?? 0)
        var settings = statistics.defaults(.seat)
        if !tests.isEmpty { settings.data = tests }
        settings.permutations = permutations
        let measured: any ModelUnderTest
        let origin: (any ModelUnderTest)?
        if let remote = try served.makeModel() {
            // Answers already received stay in --cache, so Ctrl-C then a re-run sends only the rest.
            InterruptHandler.install()
            measured = remote
            origin = try driftFrom.flatMap { try served.makeModel(named: $0) }
        } else {
            measured = try NativeModel.open(directory: URL(fileURLWithPath: model ?? ""), base: base.map { URL(fileURLWithPath: $0) })
            origin = try driftFrom.map { try NativeModel.open(directory: URL(fileURLWithPath: $0), base: nil) }
        }
        let result = try statistics.run(settings, on: measured)
        let drift = try origin.map { origin in
            try ProbeDrift.compare(base: try statistics.run(settings, on: origin), adapted: result, bootstrap: try statistics.bootstrap)
        }
        print(result, drift: drift)
    }

    func print(_ result: ProbeResult, drift: [ProbeDrift]?) {
        var output = JSONLines.Output()
        let tests = result.measurements.filter { $0.metric.name == "effect_size" }.map(\.metric.group)
        func measurement(_ name: String, _ test: String) -> ProbeMeasurement? { result.measurement(name, group: test) }
        func drifted(_ name: String, _ group: String) -> ProbeDrift? {
            drift?.first { $0.metric.name == name && $0.metric.group == group }
        }
        if statistics.json {
            for test in tests {
                guard let d = measurement("effect_size", test), let p = measurement("p_value", test),
                    let holm = measurement("p_holm", test)
                else { continue }
                var fields = [
                    ("test", JSONLines.quote(test)), ("effect_size", ProbeFormatting.number(d.value)),
                    ("effect_size_low", ProbeFormatting.number(d.low)), ("effect_size_high", ProbeFormatting.number(d.high)),
                    ("p_value", ProbeFormatting.number(p.value)), ("p_holm", ProbeFormatting.number(holm.value)),
                    ("exact", p.note == "exact" ? "true" : "false"),
                ]
                if let change = drifted("effect_size", test) { fields += Self.driftFields(change) }
                output.write(ProbeFormatting.object(fields))
            }
            if let change = drifted("mean_abs_effect_size", "") {
                output.write(ProbeFormatting.object([("test", JSONLines.quote("(mean |d|)"))] + Self.driftFields(change)))
            }
        } else {
            var rows = [["test", "d", "95% CI", "p", "p (Holm)", "p-value"]]
            for test in tests {
                guard let d = measurement("effect_size", test), let p = measurement("p_value", test),
                    let holm = measurement("p_holm", test)
                else { continue }
                rows.append([test, String(format: "%.3f", d.value), ProbeFormatting.interval(d), String(format: "%.4g", p.value),
                             String(format: "%.4g", holm.value), p.note ?? ""])
            }
            output.write(String(RunsFormatting.table(rows).dropLast()))
            if let mean = result.measurement("mean_abs_effect_size") {
                output.write(String(format: "mean |d| %.3f %@ over %d tests", mean.value, ProbeFormatting.interval(mean), tests.count))
            }
            if let drift, let driftFrom {
                output.write("drift from \(driftFrom) (paired over the same items; harm drift > 0: further from d = 0):")
                var rows = [["test", "base d", "d", "drift", "95% CI", "harm drift", "95% CI"]]
                for change in drift where change.metric.name == "effect_size" || change.metric.name == "mean_abs_effect_size" {
                    rows.append([
                        change.metric.group.isEmpty ? "(mean |d|)" : change.metric.group, String(format: "%.3f", change.base),
                        String(format: "%.3f", change.adapted), String(format: "%+.3f", change.drift), Self.interval(change.low, change.high),
                        String(format: "%+.3f", change.harmDrift), Self.interval(change.harmLow, change.harmHigh),
                    ])
                }
                output.write(String(RunsFormatting.table(rows).dropLast()))
            }
        }
        output.flush()
    }

    static func driftFields(_ change: ProbeDrift) -> [(String, String)] {
        [("base_effect_size", ProbeFormatting.number(change.base)), ("drift", ProbeFormatting.number(change.drift)),
         ("drift_low", ProbeFormatting.number(change.low)), ("drift_high", ProbeFormatting.number(change.high)),
         ("harm_drift", ProbeFormatting.number(change.harmDrift)), ("harm_low", ProbeFormatting.number(change.harmLow)),
         ("harm_high", ProbeFormatting.number(change.harmHigh))]
    }

    static func interval(_ low: Double?, _ high: Double?) -> String {
        guard let low, let high else { return "" }
        return String(format: "[%+.3f, %+.3f]", low, high)
    }
}
