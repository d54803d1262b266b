import Adaptation
import ArgumentParser
import Evaluation
import Foundation
import Transformers

struct EvaluateEmbeddingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-embeddings",
        abstract: "Score a model's sentence embeddings on STS, retrieval or pair classification, as MTEB does.",
        discussion: """
            --sts: sentence pairs with gold scores (STS Benchmark's tab-separated layout, or JSON \
            Lines with sentence1, sentence2, score); Spearman and Pearson × 100 between the cosine \
            similarity of each pair's embeddings and its score. --retrieval: a BEIR-layout folder \
            (corpus.jsonl, queries.jsonl, qrels/test.tsv); nDCG@10, MRR@10, recall@1 and \
            recall@10 of the corpus ranked by cosine similarity. --pairs: JSON Lines with \
            sentence1, sentence2 and a 0/1 label; the average precision of cosine similarities. \
            docs/metrics.md gives the definitions.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Scored sentence pairs (STS Benchmark TSV or JSONL).") var sts: String?
    @Option(name: .long, help: "A retrieval collection folder (BEIR layout).") var retrieval: String?
    @Option(name: .long, help: "Binary-labelled sentence pairs (JSONL with sentence1, sentence2, label).") var pairs: String?
    @Option(name: .long, help: "How token vectors become one vector: mean or cls.") var pooling: PoolingChoice = .mean
    @OptionGroup var length: LengthOptions
    @Flag(name: .long, help: "Write JSON instead of text.") var json = false

    func validate() throws {
        guard [sts, retrieval, pairs].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --sts FILE, --retrieval DIR or --pairs FILE")
        }
    }

    func run() throws {
        let started = Date()
        let checkpoint = try modelOptions.load()
        let evaluator = EmbeddingEvaluator(
            encoder: FrozenEncoder(identity: try checkpoint.identity(), model: checkpoint.model, tokenizer: checkpoint.tokenizer),
            cache: FeatureCache(directory: nil), pooling: pooling.pooling, maxLength: length.maxLength)
        var result: [String: Any] = ["model": checkpoint.directory.path]
        var scores: [(String, Double)] = []
        if let sts {
            let data = try DatasetReaders.scoredPairs(path: sts)
            let scored = try evaluator.semanticSimilarity(data.samples).scores
            scores = [("spearman", scored.spearman), ("pearson", scored.pearson)]
            result.merge(["task": "sts", "file": sts, "pairs": scored.count]) { $1 }
        } else if let retrieval {
            let collection = try DatasetReaders.retrievalCollection(folder: retrieval)
            let scored = try evaluator.retrieval(collection)
            scores = scored.named.map { ($0.name, $0.values.reduce(0, +) / Double(max($0.values.count, 1))) }
            result.merge(["task": "retrieval", "folder": retrieval, "queries": collection.queries.count,
                          "documents": collection.documents.count]) { $1 }
        } else if let pairs {
            let data = try DatasetReaders.jsonLines(path: pairs, textField: "sentence1", labelField: "label", pairField: "sentence2")
            let scored = try evaluator.pairClassification(data.samples)
            scores = [("average_precision", scored.averagePrecision)]
            result.merge(["task": "pair-classification", "file": pairs, "pairs": data.samples.count]) { $1 }
        }
        let seconds = Date().timeIntervalSince(started)
        if json {
            result["scores"] = Dictionary(uniqueKeysWithValues: scores)
            result["seconds"] = seconds
            let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        for (name, value) in scores { print(name.padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "%.4f", value)) }
        printError(String(format: "scored in %.1f s on %d threads", seconds, ComputeThreads.count))
    }
}
