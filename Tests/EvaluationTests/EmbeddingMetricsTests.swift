import Foundation
import TestSupport
import Testing

@testable import Evaluation

@Suite struct EmbeddingMetricsTests {
    @Test("Pearson's r and its p-value match scipy, with and without ties")
    func pearsonMatchesScipy() throws {
        // from scipy import stats  (scipy 1.17.1); r = stats.pearsonr(x, y)
        let untied = try RankCorrelation.pearson(
            [3.1, 1.2, 5.5, 4.4, 2.0, 6.7, 8.1, 7.3, 0.5, 9.9], [2.0, 1.5, 4.9, 6.1, 2.2, 5.0, 7.7, 9.1, 1.0, 8.8])
        expectClose(untied.coefficient, 0.9295942766483689, relative: 1e-14, "r")
        expectClose(untied.pValue, 9.86817487976999e-05, relative: 1e-9, "p")
        let tied = try RankCorrelation.pearson([1, 2, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8], [2, 1, 3, 3, 5, 4, 4, 6, 6, 8, 7, 7])
        expectClose(tied.coefficient, 0.9421115601739796, relative: 1e-14, "r with ties")
        expectClose(tied.pValue, 4.643449860260072e-06, relative: 1e-9, "p with ties")
        #expect(throws: EvaluationError.invalidArgument(reason: "Pearson's r is undefined when y is constant (all 3 values equal)")) {
            try RankCorrelation.pearson([1, 2, 3], [4, 4, 4])
        }
    }

    @Test("STS scores are Spearman and Pearson times 100 of the similarities against the gold scores")
    func semanticSimilarityScalesBothCorrelations() throws {
        let similarities = [0.91, 0.12, 0.55, 0.40, 0.77]
        let gold = [4.8, 0.5, 3.0, 3.2, 4.0]
        let scores = try EmbeddingMetrics.semanticSimilarity(similarities: similarities, gold: gold)
        expectClose(scores.spearman, 100 * (try RankCorrelation.spearman(similarities, gold)).coefficient, relative: 1e-15, "ρ")
        expectClose(scores.pearson, 100 * (try RankCorrelation.pearson(similarities, gold)).coefficient, relative: 1e-15, "r")
        #expect(scores.spearman == 90 && scores.count == 5)
    }

    @Test("Paired cosine similarity is scale-free and treats a zero vector as dissimilar to everything")
    func pairedCosine() throws {
        let values = try EmbeddingMetrics.pairedCosineSimilarities([[3, 4], [1, 0], [0, 0]], [[6, 8], [0, 2], [1, 1]])
        #expect(values == [1, 0, 0])
    }

    @Test("Average precision matches scikit-learn, tied scores entering together")
    func averagePrecisionMatchesScikitLearn() throws {
        // from sklearn.metrics import average_precision_score  (scikit-learn 1.9.1)
        // average_precision_score([1,0,1,1,0,1,0,0,1,0], [0.9,0.8,0.8,0.7,0.6,0.6,0.6,0.5,0.3,0.1]) = 0.7087301587301587
        // average_precision_score([0,0,1,1,1,0,0,1], [0.35,0.1,0.8,0.4,0.9,0.05,0.65,0.2]) = 0.8541666666666666
        let tied = try EmbeddingMetrics.averagePrecision(
            scores: [0.9, 0.8, 0.8, 0.7, 0.6, 0.6, 0.6, 0.5, 0.3, 0.1],
            labels: [1, 0, 1, 1, 0, 1, 0, 0, 1, 0].map { $0 == 1 })
        expectClose(tied, 0.7087301587301587, relative: 1e-14, "AP with ties")
        let untied = try EmbeddingMetrics.averagePrecision(
            scores: [0.35, 0.1, 0.8, 0.4, 0.9, 0.05, 0.65, 0.2], labels: [0, 0, 1, 1, 1, 0, 0, 1].map { $0 == 1 })
        expectClose(untied, 0.8541666666666666, relative: 1e-14, "AP")
        #expect(throws: EvaluationError.self) { try EmbeddingMetrics.averagePrecision(scores: [0.5, 0.2], labels: [false, false]) }
    }

    /// Three queries over seven documents with graded judgements and tied scores.
    static let judgements: [String: [String: Int]] = ["q1": ["d1": 1, "d3": 2, "d7": 0], "q2": ["d2": 1], "q3": ["d5": 1, "d6": 1, "d4": 3]]
    static let documentIDs = ["d1", "d2", "d3", "d4", "d5", "d6", "d7"]
    static let runScores: [String: [Float]] = [
        "q1": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3], "q2": [0.9, 0.1, 0.5, 0.5, 0.4, 0.3, 0.2], "q3": [0.2, 0.5, 0.5, 0.9, 0.1, 0.6, 0.7],
    ]

    @Test("nDCG@k and recall@k match pytrec_eval's ndcg_cut and recall, ties ordered by document id as trec_eval orders them")
    func retrievalMetricsMatchPytrecEval() throws {
        // import pytrec_eval  (pytrec-eval-terrier 0.5.11)
        // pytrec_eval.RelevanceEvaluator(qrels, {'ndcg_cut.1,3,10', 'recall.1,3,10'}).evaluate(run)
        // with qrels = judgements above and run[q][d] = runScores[q][index of d]
        let expected: [String: (ndcg: [Double], recall: [Double])] = [
            "q1": ([0.5, 0.7601875334318685, 0.7601875334318685], [0.5, 1, 1]),
            "q2": ([0, 0, 0.3333333333333333], [0, 0, 1]),
            "q3": ([1, 0.8472668887613066, 0.9279589734052406], [0.3333333333333333, 0.6666666666666666, 1]),
        ]
        for (query, values) in expected {
            let ranked = RetrievalMetrics.ranking(scores: Self.runScores[query]!, ids: Self.documentIDs, depth: 10).map { Self.documentIDs[$0] }
            for (index, cutoff) in [1, 3, 10].enumerated() {
                let judged = Self.judgements[query]!
                expectClose(RetrievalMetrics.normalizedDiscountedCumulativeGain(ranked: ranked, judgements: judged, cutoff: cutoff),
                            values.ndcg[index], relative: 1e-12, "\(query) nDCG@\(cutoff)")
                expectClose(RetrievalMetrics.recall(ranked: ranked, judgements: judged, cutoff: cutoff),
                            values.recall[index], relative: 1e-12, "\(query) recall@\(cutoff)")
            }
        }
    }

    @Test("MRR@k is the reciprocal rank of the first relevant document within the cut-off")
    func reciprocalRank() throws {
        let ranked = RetrievalMetrics.ranking(scores: Self.runScores["q2"]!, ids: Self.documentIDs, depth: 10).map { Self.documentIDs[$0] }
        #expect(ranked == ["d1", "d4", "d3", "d5", "d6", "d7", "d2"])
        #expect(RetrievalMetrics.reciprocalRank(ranked: ranked, judgements: Self.judgements["q2"]!, cutoff: 10) == 1.0 / 7)
        #expect(RetrievalMetrics.reciprocalRank(ranked: ranked, judgements: Self.judgements["q2"]!, cutoff: 5) == 0)
    }

    @Test("A collection is ranked by cosine similarity of query and document embeddings")
    func collectionEvaluation() throws {
        let collection = RetrievalCollection(
            name: "toy", documents: [.init(id: "a", text: "x"), .init(id: "b", text: "y"), .init(id: "c", text: "z")],
            queries: [.init(id: "q", text: "w"), .init(id: "r", text: "v")], judgements: ["q": ["b": 1], "r": ["a": 2, "c": 1]])
        let scores = try RetrievalMetrics.evaluate(
            collection: collection, queryVectors: [[0, 10], [1, 0.1]], documentVectors: [[1, 0], [0, 3], [1, 1]])
        #expect(scores.topDocuments == ["b", "a"])
        #expect(scores.mrrAt10 == [1, 1] && scores.recallAt1 == [1, 0.5] && scores.recallAt10 == [1, 1])
        #expect(scores.ndcgAt10 == [1, 1])
    }
}
