import Adaptation
import Foundation
import Reports
import ResultStore
import Suites
import TestSupport
import Testing

/// The tiny suite with unlabelled text, sentence pairs and an STS task beside its movie reviews.
private func encoderStageSuite(seeds: [Int] = [1], extraTasks: String = "", bootstrap: Int = 50) -> String {
    """
    name: tiny-encoder
    model: model
    datasets:
      movies: {path: data/movies.jsonl}
      text: {path: data/text.jsonl}
      pairs: {path: data/pairs.jsonl, pair_column: pair}
      sts: {path: data/sts.tsv, format: sts}
    tasks:
      text:
        role: pretraining
        data: text
        split: {train: 0.8, validation: 0.2, seed: 1}
        training: {epochs: 1}
      pairs:
        role: source
        type: pairs
        data: pairs
        split: {train: 0.75, validation: 0.25, seed: 1}
        strategy: {name: contrastive, learn_temperature: true}
        training: {epochs: 1, learning_rate: 1.0e-3}
      sts:
        type: sts
        test: sts
      movies:
        data: movies
        split: {train: 0.6, validation: 0.2, test: 0.2, seed: 3}
    \(extraTasks)
    strategies: [full]
    seeds: [\(seeds.map(String.init).joined(separator: ", "))]
    training: {epochs: 2, batch_size: 8, max_length: 16}
    evaluation: {bootstrap_resamples: \(bootstrap)}

    """
}

/// Writes the unlabelled, pair and STS data of `encoderStageSuite`.
private func writeEncoderData(_ fixture: TinySuite) throws {
    let words = ["good", "bad", "great", "awful", "dog", "cat", "sun", "food", "movie"]
    var lines: [String] = []
    var pairs: [String] = []
    var scored: [String] = []
    for index in 0..<40 {
        let (a, b) = (words[index % words.count], words[(index * 7 + 3) % words.count])
        lines.append(#"{"text": "the \#(a) was very \#(b)"}"#)
        pairs.append(#"{"text": "the \#(a) \#(b)", "pair": "a \#(b) is \#(a)"}"#)
        scored.append("main-news\ttiny\t2026\t\(index)\t\(Double(index % 6))\tthe \(a) is \(b)\ta \(index % 2 == 0 ? a : b) was \(b)")
    }
    for (name, content) in [("text.jsonl", lines), ("pairs.jsonl", pairs), ("sts.tsv", scored)] {
        try (content.joined(separator: "\n") + "\n").write(to: fixture.path("data/\(name)"), atomically: true, encoding: .utf8)
    }
}

private func encoderFixture(_ text: String = encoderStageSuite()) throws -> TinySuite {
    let fixture = try TinySuite.make(yaml: text)
    try writeEncoderData(fixture)
    return fixture
}

@Suite struct EncoderStageSuiteTests {
    @Test("Pretraining, pair and STS tasks expand into chains whose stages train with mlm and contrastive")
    func planAndKeys() throws {
        let fixture = try encoderFixture()
        let suite = try SuiteLoader(environment: [:]).load(path: fixture.suite.path)
        #expect(suite.chains == [["sts"], ["pairs", "sts"], ["text", "sts"], ["movies"], ["pairs", "movies"], ["text", "movies"]])
        let text = try #require(suite.task("text"))
        #expect(text.kind == .text && text.test.isEmpty && text.train.count == 32 && text.labelNames.isEmpty)
        #expect(try #require(suite.task("sts")).test.count == 40)
        let plan = try Plan(suite: suite)
        #expect(plan.cells.count == 6)
        let pretrained = try #require(plan.cells.first { $0.chain == ["text", "movies"] })
        #expect(pretrained.configuration.contains(#""strategy":{"name":"mlm","options":{"mask_probability":"0.15","method":"full"}}"#))
        let paired = try #require(plan.cells.first { $0.chain == ["pairs", "sts"] })
        #expect(paired.configuration.contains(#""learn_temperature":"true""#))
        // A classification-only cell keeps the key it had before stage strategies existed.
        let direct = try #require(plan.cells.first { $0.chain == ["movies"] })
        #expect(!direct.configuration.contains(#""strategy":{"name":"mlm""#) && !direct.configuration.contains(#""kind""#))
    }

    @Test("A run pretrains, trains contrastively, scores STS as MTEB does, and re-scores from the saved checkpoints")
    func runAndRescore() throws {
        let fixture = try encoderFixture()
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let artifacts = fixture.path("artifacts")
        let outcome = try runSuite(fixture, database: database, options: .init(artifactsDirectory: artifacts))
        #expect(outcome.computed == 6 && outcome.failed == 0)
        let cells = try database.cells(ofRun: outcome.runID)
        func detail(_ chain: [String]) throws -> RunCellDetail { try #require(cells.first { $0.cell.chainTasks == chain }) }
        let base = try detail(["sts"])
        let baseSpearman = try #require(base.metrics.first { $0.name == "spearman" && $0.task == "sts" && $0.stage == 0 })
        #expect((-100...100).contains(baseSpearman.value) && baseSpearman.low != nil)
        #expect(base.metrics.contains { $0.name == "pearson" } && base.epochs.isEmpty)
        #expect(try database.predictions(ofCell: try #require(base.cell.id)).count == 40)
        let contrastive = try detail(["pairs", "sts"])
        #expect(contrastive.epochs.contains { $0.stage == 0 && $0.values["temperature"] != nil })
        let after = try #require(contrastive.metrics.first { $0.name == "spearman" && $0.stage == 1 })
        #expect(after.value != baseSpearman.value)
        let pretrained = try detail(["text", "movies"])
        #expect(pretrained.epochs.contains { $0.stage == 0 && $0.values["validation_perplexity"] != nil })
        #expect(pretrained.metrics.contains { $0.name == "accuracy" && $0.task == "movies" && $0.stage == 1 && $0.split == "test" })
        #expect(pretrained.artifacts.count == 2 && contrastive.artifacts.count == 2)

        // The gain on an STS target is in its own score, Spearman × 100, paired over the same
        // pairs; stages with no test score of their own (pairs, text) forget nothing.
        let verdicts = try database.verdicts(ofRun: outcome.runID).transfer
        let gain = try #require(verdicts.first { $0.kind == "transfer_gain" && $0.chain == #"["pairs","sts"]"# })
        #expect(gain.metric == "spearman" && gain.examples == 40 && gain.reference == #"["sts"]"#)
        let (value, low, high) = (try #require(gain.value), try #require(gain.low), try #require(gain.high))
        #expect(abs(value - (after.value - baseSpearman.value)) < 1e-6)
        #expect(low < high && low <= value && value <= high && gain.pValue != nil)
        let accuracyGain = try #require(verdicts.first { $0.kind == "transfer_gain" && $0.chain == #"["text","movies"]"# })
        #expect(accuracyGain.metric == "accuracy")
        #expect(!verdicts.contains { $0.kind == "forgetting" })
        // The report's chart puts Spearman points and accuracy on one axis only in points.
        let content = try RunReport.content(database: database, runID: outcome.runID)
        let chart = content.transfer
        // The largest changes are ranked in those same points.
        let ranked = content.verdict.largestChanges.compactMap { change in chart.comparisons.first { $0.label.hasPrefix(change.subject) } }
        #expect(ranked.count == content.verdict.largestChanges.count)
        #expect(zip(ranked, ranked.dropFirst()).allSatisfy { abs($0.gain.value) >= abs($1.gain.value) })
        #expect(chart.metric.hasPrefix("points"))
        let stsBar = try #require(chart.comparisons.first { $0.label.contains("pairs → sts") && $0.label.hasSuffix("(spearman)") })
        #expect(abs(stsBar.gain.value - value) < 1e-9)
        let accuracyBar = try #require(chart.comparisons.first { $0.label.contains("text → movies") && $0.label.hasSuffix("(accuracy)") })
        #expect(abs(accuracyBar.gain.value - 100 * (try #require(accuracyGain.value))) < 1e-9)

        // New evaluation settings re-score every cell from its stored checkpoint, identically.
        try fixture.rewrite(encoderStageSuite(bootstrap: 20))
        let again = try runSuite(fixture, database: database, options: .init(artifactsDirectory: artifacts))
        #expect(again.computed == 6 && again.failed == 0)
        let rescored = try database.cells(ofRun: again.runID)
        for chain in [["sts"], ["pairs", "sts"], ["text", "sts"]] {
            let old = try detail(chain).metrics.first { $0.name == "spearman" && $0.stage == chain.count - 1 }
            let new = try #require(rescored.first { $0.cell.chainTasks == chain }).metrics.first { $0.name == "spearman" && $0.stage == chain.count - 1 }
            #expect(new?.value == old?.value, "\(chain)")
            #expect(rescored.first { $0.cell.chainTasks == chain }?.cell.trainingCellID != nil)
        }
    }

    @Test("Unlabelled, unpaired and unscorable data are reported with the file, line and what to change")
    func badInputIsNamed() throws {
        // A classification task on unlabelled text.
        var found = try problems(in: encoderStageSuite(extraTasks: "  words:\n    data: text\n")) { try writeEncoderData($0) }
        #expect(found.contains { $0.field == "tasks.words.data" && $0.message.contains("has no labels") && $0.message.contains("role: pretraining") })
        // Sentence pairs for contrastive training from a dataset without a pair column.
        found = try problems(in: encoderStageSuite(extraTasks: "  unpaired:\n    role: source\n    type: pairs\n    data: text\n")) {
            try writeEncoderData($0)
        }
        let unpaired = try #require(found.first { $0.field == "tasks.unpaired" })
        #expect(unpaired.message.contains("data/text.jsonl:") && unpaired.message.contains("pair_column"))
        // A non-numeric STS score.
        found = try problems(in: encoderStageSuite()) { fixture in
            try writeEncoderData(fixture)
            try "g\tf\t2012\t1\tfive\ta\tb\n".write(to: fixture.path("data/sts.tsv"), atomically: true, encoding: .utf8)
        }
        #expect(found.contains { $0.field == "datasets.sts.path" && $0.message.contains("sts.tsv:1: the score (field 5) 'five' is not a number") })
        // A strategy that needs labels on unlabelled text, and a chain that ends with it.
        found = try problems(in: encoderStageSuite().replacingOccurrences(
            of: "strategies: [full]", with: "chains: [[movies], [text]]\nstrategies: [full]").replacingOccurrences(
            of: "    training: {epochs: 1}\n", with: "    training: {epochs: 1}\n    strategy: full\n")) { try writeEncoderData($0) }
        #expect(found.contains { $0.field == "tasks.text.strategy" && $0.message.contains("full trains on labelled examples") })
        #expect(found.contains { $0.field == "chains[1]" && $0.message.contains("unlabelled text") })
    }
}
