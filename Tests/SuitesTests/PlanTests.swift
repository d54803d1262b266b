import Foundation
import Suites
import TestSupport
import Testing

/// Keys of a suite's cells by "strategy seed chain".
func keys(of fixture: TinySuite, environment: [String: String] = [:]) throws -> [String: String] {
    let suite = try SuiteLoader(environment: environment).load(path: fixture.suite.path)
    let plan = try Plan(suite: suite)
    return Dictionary(uniqueKeysWithValues: plan.cells.map {
        ("\($0.strategy.displayName) \($0.seed) \($0.chainDescription)", $0.key)
    })
}

@Suite struct PlanTests {
    @Test func aSuiteExpandsIntoChainStrategyAndSeedCellsInFileOrder() throws {
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["full", "zero-shot", "scratch", "lora"], seeds: [1, 2]))
        let plan = try Plan(suite: try SuiteLoader(environment: [:]).load(path: fixture.suite.path))
        let described = plan.cells.map { "\($0.strategy.name) \($0.seed) \($0.chainDescription)" }
        #expect(described == [
            "full 1 movies", "full 2 movies", "zero-shot 1 movies", "zero-shot 2 movies", "scratch 1 movies", "scratch 2 movies",
            "lora 1 movies", "lora 2 movies",
            // Zero-shot and scratch learn nothing that a first stage could pass on.
            "full 1 food → movies", "full 2 food → movies", "lora 1 food → movies", "lora 2 food → movies",
        ])
        #expect(plan.cells.map(\.position) == Array(0..<12))
        #expect(Set(plan.cells.map(\.key)).count == 12)
    }

    @Test func explicitChainsReplaceTheOnesRolesImply() throws {
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(extra: "chains: [[movies, food]]\n"))
        let plan = try Plan(suite: try SuiteLoader(environment: [:]).load(path: fixture.suite.path))
        #expect(Set(plan.cells.map(\.chain)) == [["movies", "food"]])
    }

    /// Each change alters exactly the keys of the cells it concerns.
    @Test(arguments: [
        ("a seed", "seeds: [1]", "seeds: [2]", ["full", "linear-probe"]),
        ("a training setting", "epochs: 2,", "epochs: 3,", ["full", "linear-probe"]),
        ("another strategy", "[full, linear-probe]", "[full, linear-probe, {name: lora, rank: 4}]", []),
        ("the split seed of the target", "test: 0.2, seed: 3}\nstrategies", "test: 0.2, seed: 4}\nstrategies", ["full", "linear-probe"]),
        ("a strategy's own training", "[full, linear-probe]", "[full, {name: linear-probe, training: {learning_rate: 0.01}}]",
         ["linear-probe"]),
        ("the evaluation", "bootstrap_resamples: 50", "bootstrap_resamples: 60", ["full", "linear-probe"]),
    ])
    func aChangedInputChangesTheKeysOfTheCellsItConcerns(change: String, old: String, new: String, changed: [String]) throws {
        let fixture = try TinySuite.make()
        let before = try keys(of: fixture)
        try fixture.rewrite(TinySuite.yaml().replacingOccurrences(of: old, with: new))
        let after = try keys(of: fixture)
        for (cell, key) in before {
            let strategy = String(cell.split(separator: " ")[0])
            if changed.contains(strategy) {
                #expect(after[cell] != key, "\(change) should change \(cell)")
            } else {
                #expect(after[cell] == key, "\(change) should not change \(cell)")
            }
        }
    }

    @Test func changedDataBytesOrModelWeightsChangeTheKeys() throws {
        let fixture = try TinySuite.make()
        let before = try keys(of: fixture)
        // One more example in the source domain: only chains through it change.
        let food = fixture.path("data/food.jsonl")
        let handle = try FileHandle(forWritingTo: food)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"text": "the food was good", "label": "positive"}"#.utf8 + [10]))
        try handle.close()
        let afterData = try keys(of: fixture)
        for (cell, key) in before {
            #expect((afterData[cell] != key) == cell.contains("food"), "\(cell)")
        }
        // Another model: every key changes.
        try FileManager.default.removeItem(at: fixture.model)
        let other = try TinyCheckpoint.make(seed: 77)
        try FileManager.default.moveItem(at: other, to: fixture.model)
        let afterModel = try keys(of: fixture)
        for (cell, key) in afterData { #expect(afterModel[cell] != key, "\(cell)") }
    }

    @Test func formattingOrderNamesAndLocationsDoNotChangeTheKeys() throws {
        let fixture = try TinySuite.make()
        let before = try keys(of: fixture)
        // Block style, comments, keys reordered, another suite name, the data moved elsewhere
        // with the same bytes, and one more strategy (which only adds cells).
        let moved = try TestPaths.temporaryDirectory("adapteval-moved")
        for name in ["food.jsonl", "movies.jsonl"] {
            try FileManager.default.copyItem(at: fixture.path("data/\(name)"), to: moved.appendingPathComponent(name))
        }
        try fixture.rewrite("""
            # The same suite, written differently.
            seeds:
              - 1
            name: renamed
            version: 7
            description: reformatted
            model: {path: model, name: tiny-model}
            training:
              max_length: 16
              batch_size: 8
              epochs: 2
            strategies:
              - linear-probe
              - name: full
              - bitfit
            evaluation:
              bootstrap_resamples: 50
            tasks:
              movies:
                split: {seed: 3, test: 0.2, train: 0.6, validation: 0.2}
                data: movies
              food:
                data: food
                role: source
                split: {train: 0.6, validation: 0.2, test: 0.2, seed: 3}
            datasets:
              movies: {path: \(moved.path)/movies.jsonl, format: jsonl}
              food: {path: \(moved.path)/food.jsonl}
            """)
        let after = try keys(of: fixture)
        for (cell, key) in before { #expect(after[cell] == key, "\(cell)") }
        #expect(after.count == before.count + 2)
    }

    @Test func shardsCoverEveryCellExactlyOnce() throws {
        let fixture = try TinySuite.make(yaml: TinySuite.yaml(strategies: ["full", "lora", "bitfit"], seeds: [1, 2, 3]))
        let plan = try Plan(suite: try SuiteLoader(environment: [:]).load(path: fixture.suite.path))
        #expect(plan.cells.count == 18)
        for count in 1...7 {
            let shards = try (1...count).map { try plan.shard($0, of: count) }
            let keys = shards.flatMap { $0.map(\.key) }
            #expect(keys.count == plan.cells.count && Set(keys) == Set(plan.cells.map(\.key)), "\(count) shards")
            #expect(shards.map(\.count).max()! - shards.map(\.count).min()! <= 1, "balanced")
            #expect(try plan.shard(1, of: count).map(\.key) == shards[0].map(\.key), "deterministic")
        }
        #expect(throws: SuiteError.self) { try plan.shard(3, of: 2) }
        for bad in ["0/2", "3/2", "1", "a/b", "1/0"] {
            #expect(throws: SuiteError.self) { try Plan.parseShard(bad) }
        }
    }
}
