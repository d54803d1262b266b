import Foundation
import Suites
import TestSupport
import Testing

/// Loads `text` as the tiny suite's file and returns the problems, or none when it is valid.
func problems(in text: String, environment: [String: String] = [:], prepare: ((TinySuite) throws -> Void)? = nil) throws
    -> [SuiteProblem]
{
    let fixture = try TinySuite.make(yaml: text)
    try prepare?(fixture)
    do {
        _ = try SuiteLoader(environment: environment).load(path: fixture.suite.path)
        return []
    } catch SuiteError.invalidSuite(let path, let problems) {
        #expect(path == fixture.suite.path)
        return problems
    }
}

/// The tiny suite with one line replaced.
func tinySuite(replacing old: String, with new: String) -> String {
    let text = TinySuite.yaml()
    precondition(text.contains(old), "the tiny suite has no '\(old)'")
    return text.replacingOccurrences(of: old, with: new)
}

/// The 1-based line of the first occurrence of `fragment`.
func line(of fragment: String, in text: String) -> Int? {
    text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(fragment) }.map { $0 + 1 }
}

@Suite struct SuiteValidationTests {
    @Test func aValidSuiteLoadsWithItsSplitsChainsAndModelHash() throws {
        let fixture = try TinySuite.make()
        let suite = try SuiteLoader(environment: [:]).load(path: fixture.suite.path)
        #expect(suite.name == "tiny")
        #expect(suite.tasks.map(\.name) == ["food", "movies"])
        #expect(suite.chains == [["movies"], ["food", "movies"]])
        let movies = try #require(suite.task("movies"))
        #expect(movies.train.count == 24 && movies.validation.count == 8 && movies.test.count == 8)
        #expect(movies.labelNames == ["negative", "positive"])
        #expect(Set(movies.train.map(\.id)).isDisjoint(with: movies.test.map(\.id)))
        #expect(suite.model.weightsSHA256.count == 64)
        #expect(suite.model.fileSHA256.keys.sorted() == ["config.json", "model.safetensors", "vocab.txt"])
    }

    @Test(arguments: [
        // (replace, with, expected message fragment, line of this fragment in the new text, field)
        ("version: 1", "version: 1\ncolour: blue", "unknown key 'colour' (expected one of: name, version", "colour:", ""),
        ("epochs: 2,", "epochs: two,", "expected a whole number, got 'two'", "epochs: two", "training.epochs"),
        ("data/food.jsonl", "data/missing.jsonl", "data/missing.jsonl: no such file", "missing.jsonl", "datasets.food.path"),
        ("food: {path: data/food.jsonl}", "food: {path: data/food.jsonl, format: csv, text_column: review}",
         "no column 'review'", "format: csv", "datasets.food"),
        ("split: {train: 0.6, validation: 0.2, test: 0.2, seed: 3}\n  movies:",
         "split: {train: 0.6, validation: 0.2, test: 0.2, seed: 3}\n    limit: {test: 0}\n  movies:",
         "must be at least 1, got 0", "limit: {test: 0}", "tasks.food.limit.test"),
        ("strategies: [full, linear-probe]", "strategies: [full, {name: adapter, rank: 4}]",
         "option 'rank' does not apply to adapter (its options: size)", "rank: 4", "strategies[1].rank"),
        ("strategies: [full, linear-probe]", "strategies: [full, finetune]", "unknown strategy 'finetune'", "finetune",
         "strategies[1]"),
        ("batch_size: 8", "batch_size: 0", "batch_size: must be at least 1, got 0", "training:", "training"),
        ("data/food.jsonl", "'${DATA_ROOT}/food.jsonl'", "environment variable DATA_ROOT is not set", "DATA_ROOT",
         "datasets.food.path"),
        ("data: movies", "data: film", "no dataset named 'film' (datasets: food, movies)", "data: film", "tasks.movies.data"),
        ("seeds: [1]", "seeds: 1", "expected a list, got '1'", "seeds: 1", "seeds"),
        ("role: source", "role: origin", "unknown role 'origin'", "role: origin", "tasks.food.role"),
    ])
    func eachKindOfMistakeIsReportedAtItsLineWithWhatToChange(
        old: String, new: String, message: String, anchor: String, field: String
    ) throws {
        let text = tinySuite(replacing: old, with: new)
        let found = try problems(in: text)
        let problem = try #require(found.first { $0.message.contains(message) }, "got \(found)")
        #expect(problem.field == field)
        #expect(problem.line == line(of: anchor, in: text), "\(problem)")
        #expect(problem.column != nil)
    }

    @Test func yamlSyntaxErrorsNameTheirLineAndColumn() throws {
        let text = tinySuite(replacing: "seeds: [1]", with: "seeds: [1, 2")
        let found = try problems(in: text)
        #expect(found.count == 1)
        #expect(found[0].message.hasPrefix("YAML syntax:"))
        #expect(found[0].line != nil && found[0].column != nil)
    }

    @Test func aTestLabelNeverSeenInTrainingIsRejected() throws {
        let text = tinySuite(
            replacing: "    data: movies\n    split: {train: 0.6, validation: 0.2, test: 0.2, seed: 3}",
            with: "    train: movies\n    test: odd\n    split: {validation: 0.2}")
            + "\n" + ""
        let found = try problems(in: text.replacingOccurrences(
            of: "  movies: {path: data/movies.jsonl}", with: "  movies: {path: data/movies.jsonl}\n  odd: {path: data/odd.jsonl}")
        ) { fixture in
            try #"{"text": "the sun was good", "label": "neutral"}"#.write(
                to: fixture.path("data/odd.jsonl"), atomically: true, encoding: .utf8)
        }
        let problem = try #require(found.first { $0.message.contains("label 'neutral' occurs in the test split") }, "got \(found)")
        #expect(problem.field == "tasks.movies.test")
        #expect(problem.message.contains("never in train (train labels: negative, positive)"))
    }

    @Test func anEmptySplitIsRejected() throws {
        // 1% of 20 examples per label rounds to none.
        let text = tinySuite(replacing: "split: {train: 0.6, validation: 0.2, test: 0.2, seed: 3}\n  movies:",
                             with: "split: {train: 0.6, validation: 0.39, test: 0.01, seed: 3}\n  movies:")
        let found = try problems(in: text)
        #expect(found.contains { $0.field == "tasks.food" && $0.message.contains("the test split is empty") }, "got \(found)")
    }

    @Test func everyProblemInAFileIsReportedTogether() throws {
        let text = TinySuite.yaml(strategies: ["full", "{name: lora, size: 3}", "magic"])
            .replacingOccurrences(of: "version: 1", with: "version: 1\nowner: me")
            .replacingOccurrences(of: "epochs: 2,", with: "epochs: many,")
            .replacingOccurrences(of: "data/movies.jsonl", with: "data/none.jsonl")
        let found = try problems(in: text)
        let expected = [
            ("unknown key 'owner'", "owner: me"), ("expected a whole number, got 'many'", "epochs: many"),
            ("data/none.jsonl: no such file", "none.jsonl"), ("option 'size' does not apply to lora", "size: 3"),
            ("unknown strategy 'magic'", "magic"),
        ]
        for (message, anchor) in expected {
            let problem = found.first { $0.message.contains(message) }
            #expect(problem != nil, "missing '\(message)' in \(found)")
            #expect(problem?.line == line(of: anchor, in: text))
        }
        let error = SuiteError.invalidSuite(path: "suite.yaml", problems: found)
        #expect(error.localizedDescription.hasPrefix("suite.yaml: \(found.count) problems:\nsuite.yaml:"))
    }

    @Test func environmentVariablesAndDefaultsExpandInPaths() throws {
        // Inside a {flow: mapping} YAML needs the braces quoted; block style does not.
        let text = tinySuite(replacing: "data/food.jsonl", with: "'${DATA_ROOT}/food.jsonl'")
            .replacingOccurrences(of: "  movies: {path: data/movies.jsonl}", with: "  movies:\n    path: ${MISSING_ROOT:-data}/movies.jsonl")
        let fixture = try TinySuite.make(yaml: text)
        let suite = try SuiteLoader(environment: ["DATA_ROOT": fixture.path("data").path]).load(path: fixture.suite.path)
        #expect(suite.task("food")?.train.isEmpty == false)
        #expect(suite.task("movies")?.train.isEmpty == false)
    }

    @Test func anchorsAliasesAndMergeKeysShareSettings() throws {
        let text = TinySuite.yaml(strategies: [
            "{name: lora, training: &fast {learning_rate: 0.01, epochs: 1}}",
            "{name: bitfit, training: {<<: *fast, epochs: 2}}",
        ])
        let fixture = try TinySuite.make(yaml: text)
        let suite = try SuiteLoader(environment: [:]).load(path: fixture.suite.path)
        let strategies = suite.definition.strategies
        #expect(strategies[0].training?.learningRate == 0.01 && strategies[0].training?.epochs == 1)
        #expect(strategies[1].training?.learningRate == 0.01 && strategies[1].training?.epochs == 2)
    }

    @Test func aFileThatIsNotUTF8OrIsEmptyGetsAClearMessage() throws {
        let fixture = try TinySuite.make()
        try Data([0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xFF, 0xFE]).write(to: fixture.suite)
        #expect(throws: SuiteError.invalidSuite(path: fixture.suite.path, problems: [
            SuiteProblem(line: nil, column: nil, field: "", message: "not valid UTF-8; save the suite as UTF-8")
        ])) { try SuiteLoader(environment: [:]).load(path: fixture.suite.path) }
        try "# nothing\n".write(to: fixture.suite, atomically: true, encoding: .utf8)
        #expect(throws: SuiteError.self) { try SuiteLoader(environment: [:]).load(path: fixture.suite.path) }
    }

    @Test func theShippedSuitesAreValid() throws {
        guard TestPaths.model != nil, let shared = TestPaths.shared else { return }
        let environment = ["ADAPTEVAL_SHARED": shared.path]
        let quickstart = try SuiteLoader(environment: environment).load(
            path: TestPaths.repositoryRoot.appendingPathComponent("suites/quickstart.yaml").path)
        // 6 strategies direct, and full, LoRA and adapter via restaurants (the linear probe's frozen
        // encoder makes its chained cell the direct one again).
        #expect(try Plan(suite: quickstart).cells.count == 9)
        let shift = try SuiteLoader(environment: environment).load(
            path: TestPaths.repositoryRoot.appendingPathComponent("suites/sentiment-domain-shift.yaml").path)
        #expect(shift.task("kitchen")?.test.count == 400)
        #expect(shift.task("sst2")?.train.count == 4000)
        // 9 strategies × 3 seeds direct, and the 5 that carry learning across stages × 3 seeds via SST-2.
        #expect(try Plan(suite: shift).cells.count == 42)
        // A linear probe after a contrastive stage does run: that stage trained the encoder.
        let sts = try SuiteLoader(environment: environment).load(
            path: TestPaths.repositoryRoot.appendingPathComponent("suites/contrastive-sts.yaml").path)
        #expect(try Plan(suite: sts).cells.filter { $0.chain.count > 1 }.count == 4)
    }
}
