import Foundation
import Reports
import ResultStore
import TestSupport
import Testing

/// An API key planted in the environment must reach the server and nothing else: not the
/// results database, not a report, not standard output or standard error.
@Suite struct PlantedKeyTests {
    static let key = "sk-adapteval-planted-5f0c2e9a7b1d4c3e"

    @Test("a planted API key reaches the server's Authorization header and nowhere else")
    func keyStaysOutOfEverything() throws {
        // The server demands the key, echoes it in generated text, and puts it in the error
        // message of every embeddings request, so a leak anywhere would show.
        let model = FakeLanguageModel(requiredKey: Self.key, echoesAuthorization: true)
        let server = try FaultInjectingServer(model: model) { request, _ in
            request.path == "/v1/embeddings"
                ? .raw(status: 400, body: #"{"error": {"message": "no embeddings for \#(request.headers["authorization"] ?? "")"}}"#, headers: [:])
                : .model
        }
        defer { server.stop() }
        let fixture = try TinySuite.make(yaml: """
            name: planted-key
            model:
              remote:
                base_url: \(server.baseURL.absoluteString)
                model: fake
                api_key_env: PLANTED_API_KEY
                retries: 0
            datasets:
              movies: {path: data/movies.jsonl}
            tasks:
              movies:
                data: movies
                split: {train: 0.6, validation: 0.2, test: 0.2, seed: 3}
            strategies:
              - {name: prompt, verbalizers: [bad, good]}
              - {name: prompt, label: parsed, scoring: generation, verbalizers: [bad, good]}
              - zero-shot
            seeds: [1]
            evaluation: {bootstrap_resamples: 20}
            """)
        let database = fixture.path("results.sqlite").path
        let environment = ["PLANTED_API_KEY": Self.key]
        let run = try CommandRunner.run(["run", fixture.suite.path, "--db", database], environment: environment)
        // The embeddings cell fails (its error message is the server's, with the key redacted).
        #expect(run.status == 3, "\(run.standardError)")
        #expect(server.requests.allSatisfy { $0.headers["authorization"] == "Bearer \(Self.key)" })
        #expect(server.requests.contains { $0.path == "/v1/embeddings" })
        let shown = try CommandRunner.run(["runs", "show", "latest", "--db", database], environment: environment)
        let exported = try CommandRunner.run(["export", "--db", database, "--format", "json"], environment: environment)
        #expect(shown.status == 0 && exported.status == 0)
        #expect(shown.standardOutput.contains("[redacted]") || run.standardError.contains("[redacted]"))

        let store = try ResultDatabase(path: database)
        try store.checkpoint()
        let html = HTMLReport.render(try Self.content(store))
        #expect(html.contains("zero-shot"))
        var places: [(String, Data)] = [
            ("run stdout", Data(run.standardOutput.utf8)), ("run stderr", Data(run.standardError.utf8)),
            ("runs show", Data((shown.standardOutput + shown.standardError).utf8)),
            ("export", Data((exported.standardOutput + exported.standardError).utf8)), ("HTML report", Data(html.utf8)),
        ]
        for file in try FileManager.default.contentsOfDirectory(at: fixture.folder, includingPropertiesForKeys: nil)
        where file.lastPathComponent.hasPrefix("results.sqlite") {
            places.append((file.lastPathComponent, try Data(contentsOf: file)))
        }
        // The embedding commands reach the same leaky endpoint through the same client.
        let texts = try TinyCheckpoint.jsonl(
            ["a day", "the day", "kind people", "rude people"].map { #"{"text": "\#($0)"}"# }, in: fixture.folder, name: "texts.jsonl")
        let seat = try FakeLanguageModel.writeSEATTest(in: fixture.folder)
        for command in [["embed", "--input", texts.path], ["probe", "seat", "--tests", seat.path], ["diverge", texts.path, texts.path]] {
            let served = try CommandRunner.run(
                command + ["--endpoint", server.baseURL.absoluteString, "--remote-model", "fake", "--api-key-env", "PLANTED_API_KEY",
                           "--retries", "0"],
                environment: environment)
            #expect(served.status == 3, "\(command): the server refuses embeddings: \(served.standardError)")
            places.append(("\(command[0]) output", Data((served.standardOutput + served.standardError).utf8)))
        }
        for (place, bytes) in places {
            #expect(bytes.range(of: Data(Self.key.utf8)) == nil, "the key reached \(place)")
            #expect(bytes.range(of: Data(Self.key.dropFirst(3).utf8)) == nil, "part of the key reached \(place)")
        }
    }

    /// The report of the latest run as the HTML renderer takes it: scores, cell notes and
    /// errors, and the run's stored configuration as provenance.
    static func content(_ store: ResultDatabase) throws -> ReportContent {
        let summary = try #require(try store.runSummaries().first)
        let runID = try #require(summary.run.id)
        let cells = try store.cells(ofRun: runID)
        let rows = cells.map { detail in
            ReportContent.ScoreTable.Row(
                strategy: detail.cell.strategy, chain: detail.cell.targetTask,
                scores: [detail.metrics.first { $0.name == "accuracy" && $0.split == "test" }.map {
                    ReportContent.Estimate($0.value, low: $0.low, high: $0.high)
                }])
        }
        var provenance = [ReportContent.ProvenanceEntry("configuration", summary.run.config)]
        for detail in cells {
            provenance.append(.init("\(detail.cell.strategy) options", detail.cell.options))
            provenance.append(.init("\(detail.cell.strategy) outcome", detail.cell.error ?? detail.cell.stopReason ?? ""))
            provenance.append(.init("\(detail.cell.strategy) configuration", detail.cell.config))
        }
        return ReportContent(
            title: "Planted key", suiteName: summary.run.suiteName, runID: String(runID), status: summary.run.status,
            scores: ReportContent.ScoreTable(caption: "Test accuracy", columns: ["movies"], rows: rows), provenance: provenance)
    }
}
