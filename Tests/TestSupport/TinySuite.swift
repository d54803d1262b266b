import Foundation

/// A complete small suite on disk for runner tests: a tiny random checkpoint, two labelled
/// JSONL domains written from the tiny vocabulary, and a suite file naming them.
public struct TinySuite {
    public let folder: URL
    public let model: URL
    public let suite: URL

    /// Two-domain sentiment data from the tiny vocabulary; `count` examples per domain.
    public static func examples(domain: String, count: Int, seed: UInt64) -> [String] {
        let subjects = domain == "food" ? ["the food", "the food", "a food"] : ["the movie", "a movie", "the movies"]
        let positive = ["was good", "was very good", "is great", "was great", "is good", "was not bad"]
        let negative = ["was bad", "was very bad", "is awful", "was awful", "is bad", "was not good"]
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        return (0..<count).map { index in
            let label = index % 2 == 0 ? "positive" : "negative"
            let opinion = (label == "positive" ? positive : negative)[next(6)]
            let text = "\(subjects[next(3)]) \(opinion)" + (next(3) == 0 ? " !" : "")
            return #"{"id": "\#(domain)-\#(index)", "text": "\#(text)", "label": "\#(label)"}"#
        }
    }

    /// The suite text: `strategies` and `seeds` vary; `extra` appends top-level YAML.
    public static func yaml(
        strategies: [String] = ["full", "linear-probe"], seeds: [Int] = [1], epochs: Int = 2, extra: String = ""
    ) -> String {
        """
        name: tiny
        version: 1
        model: model
        datasets:
          food: {path: data/food.jsonl}
          movies: {path: data/movies.jsonl}
        tasks:
          food:
            role: source
            data: food
            split: {train: 0.6, validation: 0.2, test: 0.2, seed: 3}
          movies:
            data: movies
            split: {train: 0.6, validation: 0.2, test: 0.2, seed: 3}
        strategies: [\(strategies.joined(separator: ", "))]
        seeds: [\(seeds.map(String.init).joined(separator: ", "))]
        training: {epochs: \(epochs), batch_size: 8, max_length: 16}
        evaluation: {bootstrap_resamples: 50}

        """ + extra
    }

    /// Writes the checkpoint, data and suite into a new temporary folder.
    public static func make(
        yaml text: String = yaml(), examplesPerDomain: Int = 40, hidden: Int = 16, layers: Int = 2
    ) throws -> TinySuite {
        let folder = try TestPaths.temporaryDirectory("adapteval-suite")
        let model = try TinyCheckpoint.make(hidden: hidden, layers: layers)
        let modelLink = folder.appendingPathComponent("model")
        try FileManager.default.moveItem(at: model, to: modelLink)
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for (domain, seed) in [("food", UInt64(1)), ("movies", UInt64(2))] {
            let lines = examples(domain: domain, count: examplesPerDomain, seed: seed)
            try (lines.joined(separator: "\n") + "\n").write(
                to: data.appendingPathComponent("\(domain).jsonl"), atomically: true, encoding: .utf8)
        }
        let suite = folder.appendingPathComponent("suite.yaml")
        try text.write(to: suite, atomically: true, encoding: .utf8)
        return TinySuite(folder: folder, model: modelLink, suite: suite)
    }

    /// Replaces the suite file's text.
    public func rewrite(_ text: String) throws {
        try text.write(to: suite, atomically: true, encoding: .utf8)
    }

    /// A path inside the suite's folder.
    public func path(_ relative: String) -> URL { folder.appendingPathComponent(relative) }
}
