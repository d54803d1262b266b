import Foundation

/// Retrieval scores of ranked documents against graded relevance judgements, as MTEB reports
/// them: nDCG@k, recall@k (both as trec_eval's `ndcg_cut` and `recall`, which MTEB runs through
/// pytrec_eval) and MRR@k (BEIR's `mrr`, which MTEB uses). Each is computed per query and
/// averaged over the queries that have judgements.
public enum RetrievalMetrics {
    /// The cut-offs reported: nDCG@10, MRR@10, recall@1 and recall@10.
    public static let reportedCutoffs = (ndcg: 10, reciprocalRank: 10, recall: [1, 10])

    /// Indices of the `depth` highest-scoring documents, best first; equal scores are ordered
    /// by document id, decreasing (byte order), as trec_eval orders tied documents.
    public static func ranking(scores: [Float], ids: [String], depth: Int) -> [Int] {
        func before(_ a: Int, _ b: Int) -> Bool {
            scores[a] != scores[b] ? scores[a] > scores[b] : ids[b].utf8.lexicographicallyPrecedes(ids[a].utf8)
        }
        var best: [Int] = []
        best.reserveCapacity(depth + 1)
        for index in scores.indices {
            if best.count == depth, let last = best.last, !before(index, last) { continue }
            let insertion = best.firstIndex { before(index, $0) } ?? best.count
            best.insert(index, at: insertion)
            if best.count > depth { best.removeLast() }
        }
        return best
    }

    /// nDCG@k (Järvelin and Kekäläinen 2002, ACM TOIS 20(4)) as trec_eval's `ndcg_cut.k`:
    /// DCG@k = Σ_{i=1..k} gᵢ / log₂(i + 1) with gᵢ the relevance grade of the document at rank i
    /// (0 when unjudged or not positive), divided by the DCG of the ideal ordering of the query's
    /// positive grades; 0 when the query has no positive judgement. Range [0, 1].
    public static func normalizedDiscountedCumulativeGain(ranked: [String], judgements: [String: Int], cutoff: Int) -> Double {
        func discount(_ rank: Int) -> Double { 1 / log2(Double(rank) + 1) }
        var gain = 0.0
        for (index, id) in ranked.prefix(cutoff).enumerated() {
            gain += Double(max(judgements[id] ?? 0, 0)) * discount(index + 1)
        }
        let ideal = judgements.values.filter { $0 > 0 }.sorted(by: >).prefix(cutoff).enumerated()
            .reduce(0.0) { $0 + Double($1.element) * discount($1.offset + 1) }
        return ideal > 0 ? gain / ideal : 0
    }

    /// Reciprocal rank at k (Voorhees 1999, TREC-8 QA track): 1/rank of the first document
    /// with a positive grade among the top k, 0 when none is. Range [0, 1]; MRR@k is its mean.
    public static func reciprocalRank(ranked: [String], judgements: [String: Int], cutoff: Int) -> Double {
        for (index, id) in ranked.prefix(cutoff).enumerated() where (judgements[id] ?? 0) > 0 {
            return 1 / Double(index + 1)
        }
        return 0
    }

    /// Recall at k (trec_eval's `recall.k`): the positive-graded documents among the top k over
    /// all the query's positive-graded documents; 0 when it has none. Range [0, 1].
    public static func recall(ranked: [String], judgements: [String: Int], cutoff: Int) -> Double {
        let relevant = judgements.values.filter { $0 > 0 }.count
        guard relevant > 0 else { return 0 }
        let found = ranked.prefix(cutoff).filter { (judgements[$0] ?? 0) > 0 }.count
        return Double(found) / Double(relevant)
    }

    /// Per-query scores of a collection, in the collection's query order.
    public struct Scores: Sendable, Equatable {
        public var queryIDs: [String]
        public var ndcgAt10: [Double]
        public var mrrAt10: [Double]
        public var recallAt1: [Double]
        public var recallAt10: [Double]
        /// Each query's best-ranked document id.
        public var topDocuments: [String]

        /// The metrics' names, in the order they are reported and stored per query.
        public static let metricNames = ["ndcg@10", "mrr@10", "recall@1", "recall@10"]

        /// The metrics as (name, per-query values), in the order they are reported.
        public var named: [(name: String, values: [Double])] {
            Array(zip(Self.metricNames, [ndcgAt10, mrrAt10, recallAt1, recallAt10]))
        }
    }

    /// Ranks every document for every query by the cosine similarity of their embeddings and
    /// scores the rankings against the judgements.
    public static func evaluate(
        collection: RetrievalCollection, queryVectors: [[Float]], documentVectors: [[Float]]
    ) throws -> Scores {
        guard queryVectors.count == collection.queries.count, documentVectors.count == collection.documents.count else {
            throw EvaluationError.invalidArgument(
                reason: "retrieval needs one vector per query and document: \(queryVectors.count) for \(collection.queries.count) queries, "
                    + "\(documentVectors.count) for \(collection.documents.count) documents")
        }
        let unitDocuments = documentVectors.map(unit)
        let ids = collection.documents.map(\.id)
        let depth = max(reportedCutoffs.ndcg, reportedCutoffs.reciprocalRank, reportedCutoffs.recall.max() ?? 1)
        var scores = Scores(queryIDs: [], ndcgAt10: [], mrrAt10: [], recallAt1: [], recallAt10: [], topDocuments: [])
        for (query, vector) in zip(collection.queries, queryVectors) {
            let unitQuery = unit(vector)
            let similarities = unitDocuments.map { document in zip(unitQuery, document).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
            let ranked = ranking(scores: similarities, ids: ids, depth: depth).map { ids[$0] }
            let judged = collection.judgements[query.id] ?? [:]
            scores.queryIDs.append(query.id)
            scores.ndcgAt10.append(normalizedDiscountedCumulativeGain(ranked: ranked, judgements: judged, cutoff: reportedCutoffs.ndcg))
            scores.mrrAt10.append(reciprocalRank(ranked: ranked, judgements: judged, cutoff: reportedCutoffs.reciprocalRank))
            scores.recallAt1.append(recall(ranked: ranked, judgements: judged, cutoff: 1))
            scores.recallAt10.append(recall(ranked: ranked, judgements: judged, cutoff: 10))
            scores.topDocuments.append(ranked.first ?? "")
        }
        return scores
    }

    /// v/‖v‖ (a zero vector stays zero), so that dot products are cosine similarities.
    public static func unit(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }
}
