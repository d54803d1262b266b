import Foundation
import ResultStore
import Suites
import TestSupport
import Testing
import Transformers

/// Suites with a `probes:` section on the tiny checkpoint: a SEAT test and counterfactual
/// swaps written from the tiny vocabulary.
@Suite struct SuiteProbeTests {
    static let probes = """
        probes:
          - {name: seat, data: probes/seat.jsonl}
          - {name: counterfactual, data: probes/texts.jsonl, terms: [probes/terms.txt], strategies: [full]}

        """

    /// A tiny suite whose folder also holds the probe files.
    static func fixture(strategies: [String] = ["full", "linear-probe"], probes: String = probes) throws -> TinySuite {
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: strategies, extra: probes))
        let folder = fixture.path("probes")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
            {"targ1": {"category": "animals", "examples": ["cat", "dog", "the cat"]},
             "targ2": {"category": "things", "examples": ["sun", "world", "the sun"]},
             "attr1": {"category": "pleasant", "examples": ["good", "great"]},
             "attr2": {"category": "unpleasant", "examples": ["bad", "awful"]}}
            """.write(to: folder.appendingPathComponent("seat.jsonl"), atomically: true, encoding: .utf8)
        try ["the cat was good", "the dog is bad", "a sun was very great", "the movie was not bad , cat"]
            .map { #"{"text": "\#($0)"}"# }.joined(separator: "\n")
            .write(to: folder.appendingPathComponent("texts.jsonl"), atomically: true, encoding: .utf8)
        try "cat\ndog\nsun\n".write(to: folder.appendingPathComponent("terms.txt"), atomically: true, encoding: .utf8)
        return fixture
    }

    @Test func aRunProbesTheBaseModelOnceAndEveryChosenCellWithDriftWhereTheBaseWasProbed() throws {
        let fixture = try Self.fixture()
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let outcome = try runSuite(fixture, database: database, options: .init(artifactsDirectory: fixture.path("artifacts")))
        #expect(outcome.computed == 3 && outcome.failed == 0)
        let results = try database.probeResults(ofRun: outcome.runID)
        #expect(results.baselines.count == 1 && results.baselines[0].kind == "seat")
        let baselineMetrics = results.baselineMetrics[results.baselines[0].id!] ?? []
        #expect(baselineMetrics.contains { $0.metric == "effect_size" && $0.group == "seat.jsonl" && $0.ideal == 0 })
        for detail in try database.cells(ofRun: outcome.runID) {
            let metrics = results.metrics[detail.cell.id!] ?? []
            let drift = results.drift[detail.cell.id!] ?? []
            #expect(metrics.contains { $0.probe == "seat" && $0.metric == "effect_size" && $0.task == "movies" })
            // Counterfactual swaps run on the full fine-tuning cells only and have no base to drift from.
            #expect(metrics.contains { $0.probe == "counterfactual" } == (detail.cell.strategy == "full"))
            #expect(!drift.contains { $0.probe == "counterfactual" })
            let effect = try #require(drift.first { $0.metric == "effect_size" && $0.group == "seat.jsonl" })
            #expect(effect.paired && effect.items == 6 && effect.baselineID == results.baselines[0].id)
            #expect(abs(effect.drift - (effect.adapted - effect.base)) < 1e-12)
            #expect(abs(effect.harmDrift - (abs(effect.adapted) - abs(effect.base))) < 1e-12)
            let baseEffect = try #require(baselineMetrics.first { $0.metric == "effect_size" && $0.group == "seat.jsonl" })
            #expect(effect.base == baseEffect.value)
            if detail.cell.strategy == "linear-probe" {
                // A frozen encoder embeds as the base model does: no drift.
                #expect(abs(effect.drift) < 1e-6)
            }
        }
    }

    @Test func addingProbesReevaluatesStoredCheckpointsWithoutTraining() throws {
        let fixture = try Self.fixture(probes: "")
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let artifacts = fixture.path("artifacts")
        let first = try runSuite(fixture, database: database, options: .init(artifactsDirectory: artifacts))
        #expect(first.computed == 3)
        let before = try database.cells(ofRun: first.runID)
        try fixture.rewrite(TinySuite.yaml(strategies: ["full", "linear-probe"], extra: Self.probes))
        let observer = RecordingObserver()
        let second = try runSuite(fixture, database: database, options: .init(artifactsDirectory: artifacts), observer: observer)
        #expect(second.computed == 3 && second.reused == 0)
        #expect(observer.progressReports == 0, "no training step ran")
        let after = try database.cells(ofRun: second.runID)
        for (old, new) in zip(before, after) {
            #expect(new.cell.key != old.cell.key && new.cell.adaptationKey == old.cell.adaptationKey)
            #expect(new.cell.trainingCellID == old.cell.id)
        }
        let results = try database.probeResults(ofRun: second.runID)
        #expect(after.allSatisfy { !(results.drift[$0.cell.id!] ?? []).isEmpty })
        // A probe limited to another strategy leaves the linear-probe cells' keys as they were.
        try fixture.rewrite(TinySuite.yaml(strategies: ["full", "linear-probe"], extra: """
            probes:
              - {name: counterfactual, data: probes/texts.jsonl, terms: [probes/terms.txt], strategies: [full]}

            """))
        let third = try runSuite(fixture, database: database, options: .init(artifactsDirectory: artifacts))
        #expect(third.reused == 1 && third.computed == 2)
    }

    @Test func maskedLanguageModelProbesScoreAdaptedEncodersThroughTheBaseHead() throws {
        let fixture = try Self.fixture(probes: """
            probes:
              - {name: crows-pairs, data: probes/pairs.csv}

            """)
        // The tiny model becomes a BertForMaskedLM folder: a fresh head tied to its embeddings.
        let checkpoint = try Checkpoint(directory: fixture.model)
        let head = MaskedLanguageModelHead.randomlyInitialized(
            configuration: checkpoint.model.configuration, seed: 4, tiedTo: checkpoint.model.wordEmbeddings)
        let withHead = fixture.path("model-mlm")
        try Checkpoint.writeMaskedLanguageModel(model: checkpoint.model, head: head, tokenizerSource: fixture.model, to: withHead)
        try FileManager.default.removeItem(at: fixture.model)
        try FileManager.default.moveItem(at: withHead, to: fixture.model)
        try """
            ,sent_more,sent_less,stereo_antistereo,bias_type
            0,the cat was bad,the dog was bad,stereo,animal
            1,the dog is awful,the sun is awful,stereo,animal
            2,a cat was very good,a dog was very good,antistereo,animal
            3,the sun is great,the world is great,stereo,thing
            """.write(to: fixture.path("probes/pairs.csv"), atomically: true, encoding: .utf8)
        let database = try ResultDatabase(path: fixture.path("results.sqlite").path)
        let outcome = try runSuite(fixture, database: database, options: .init(artifactsDirectory: fixture.path("artifacts")))
        #expect(outcome.computed == 3 && outcome.failed == 0)
        let results = try database.probeResults(ofRun: outcome.runID)
        #expect(results.baselines.map(\.kind) == ["crows-pairs"])
        for detail in try database.cells(ofRun: outcome.runID) {
            let drift = try #require(results.drift[detail.cell.id!]?.first { $0.metric == "percent_stereotyping" && $0.group.isEmpty })
            #expect(drift.paired && drift.items == 4 && abs(drift.harmDrift - (abs(drift.adapted - 50) - abs(drift.base - 50))) < 1e-12)
            if detail.cell.strategy == "linear-probe" {
                // A frozen encoder under the base's own head scores every pair as the base does.
                #expect(drift.drift == 0)
            }
        }
    }

    @Test func probeEntriesAreCheckedWithTheirFields() throws {
        let fixture = try Self.fixture(probes: """
            probes:
              - {name: sentiment-bias}
              - {name: toxigen, data: probes/texts.jsonl}
              - {name: seat, data: probes/missing.jsonl}
              - {name: counterfactual, data: probes/texts.jsonl, terms: [probes/terms.txt], strategies: [bitfit], base: true}

            """)
        #expect {
            try SuiteLoader(environment: [:]).load(path: fixture.suite.path)
        } throws: { error in
            guard case .invalidSuite(_, let problems) = error as? SuiteError else { return false }
            let text = problems.map(\.description).joined(separator: "\n")
            return text.contains("probes[0].name: unknown probe 'sentiment-bias'") && text.contains("probes[1]")
                && text.contains("negative, positive") && text.contains("probes[2].data") && text.contains("missing.jsonl")
                && text.contains("probes[3].strategies: no strategy named 'bitfit'") && text.contains("probes[3].base")
        }
    }
}
