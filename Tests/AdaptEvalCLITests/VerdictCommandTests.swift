import Foundation
import TestSupport
import Testing

@Suite struct VerdictCommandTests {
    func labelled(_ domain: String, count: Int, seed: UInt64, in folder: URL) throws -> URL {
        try TinyCheckpoint.jsonl(TinySuite.examples(domain: domain, count: count, seed: seed), in: folder, name: "\(domain).jsonl")
    }

    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func divergeMeasuresTwoCorporaAndAdvisesByTheSeedsRule() throws {
        let model = try TinyCheckpoint.make()
        let food = try labelled("food", count: 30, seed: 1, in: model)
        let movies = try labelled("movies", count: 30, seed: 2, in: model)
        let result = try CommandRunner.run(["diverge", food.path, movies.path, "--model", model.path, "--json", "--permutations", "50"])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try object(result.standardOutput)
        let js = try #require(json["jensen_shannon"] as? Double)
        #expect(js > 0 && js < 1)
        #expect(json["source_texts"] as? Int == 30 && json["mmd_permutations"] as? Int == 50)
        #expect(json["multitask_advised"] as? Bool == (js > 0.3))
        let same = try CommandRunner.run(["diverge", food.path, food.path, "--model", model.path, "--json", "--tokens", "words"])
        #expect(try object(same.standardOutput)["jensen_shannon"] as? Double == 0)
        let text = try CommandRunner.run(["diverge", food.path, movies.path, "--model", model.path])
        #expect(text.status == 0 && text.standardOutput.contains("Jensen–Shannon") && text.standardOutput.contains("advice:"))
    }

    @Test func divergeRefusesAnEmptyCorpusWithExit2NamingTheFile() throws {
        let model = try TinyCheckpoint.make()
        let food = try labelled("food", count: 10, seed: 1, in: model)
        let empty = model.appendingPathComponent("empty.jsonl")
        try Data().write(to: empty)
        let result = try CommandRunner.run(["diverge", food.path, empty.path, "--model", model.path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("empty.jsonl") && result.standardError.contains("empty"))
        #expect(!result.standardOutput.lowercased().contains("nan"))
    }

    @Test func transferabilityRanksModelsByLogMEAndRecommendExplainsItsChoice() throws {
        let first = try TinyCheckpoint.make(seed: 3)
        let second = try TinyCheckpoint.make(seed: 4)
        let train = try labelled("movies", count: 40, seed: 2, in: first)
        let ranked = try CommandRunner.run(["transferability", "--model", first.path, "--model", second.path, "--train", train.path, "--json"])
        #expect(ranked.status == 0, "\(ranked.standardError)")
        let ranking = try #require(try object(ranked.standardOutput)["ranking"] as? [[String: Any]])
        #expect(ranking.count == 2)
        let scores = ranking.compactMap { $0["logme"] as? Double }
        #expect(scores.count == 2 && scores[0] >= scores[1])
        #expect(Set(ranking.compactMap { $0["model"] as? String }) == [first.path, second.path])

        let source = try labelled("food", count: 40, seed: 1, in: first)
        let advice = try CommandRunner.run([
            "recommend", "--model", first.path, "--train", train.path, "--source", source.path, "--budget-minutes", "30", "--json",
        ])
        #expect(advice.status == 0, "\(advice.standardError)")
        let json = try object(advice.standardOutput)
        let recommended = try #require(json["recommended"] as? [[String: Any]])
        #expect(!recommended.isEmpty)
        #expect(recommended.allSatisfy { !(($0["reasons"] as? [String]) ?? []).isEmpty })
        let figures = try #require(json["figures"] as? [String: Any])
        #expect(figures["labelled_examples"] as? Int == 40)
        #expect((figures["source_divergence_bits"] as? [String: Double])?[source.path] != nil)
        let text = try CommandRunner.run(["recommend", "--model", first.path, "--train", train.path])
        #expect(text.status == 0 && text.standardOutput.contains("recommended, best first:"))
    }
}
