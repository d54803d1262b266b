import Adaptation
import Backends
import Evaluation
import Foundation
import ResultStore
import Transformers

/// The divergence of every source → target pair of a suite's chains and multi-task sets,
/// measured on the tasks' training texts under the suite's model and stored by content key:
/// a run over the same model and data reuses what an earlier run measured.
struct SuiteDivergences {
    var suite: Suite
    var database: ResultDatabase
    var cache: FeatureCache

    /// Distinct (source, target) pairs in plan order: every earlier stage of a chain against its
    /// target, and every other task of a multi-task set against its last.
    var pairs: [(source: String, target: String)] {
        var seen = Set<[String]>()
        var pairs: [(String, String)] = []
        let groups = suite.chains + suite.definition.multitask.map(\.tasks)
        for chain in groups where chain.count > 1 {
            guard let target = chain.last else { continue }
            for source in chain.dropLast() where source != target && seen.insert([source, target]).inserted {
                pairs.append((source, target))
            }
        }
        return pairs
    }

    /// Measures (or reuses) and links each pair to the run; returns how many were measured now.
    ///
    /// A served model is measured through the embeddings endpoint its suite names
    /// (`embedding_model`), over word tokens: its tokenizer is not here to count WordPiece
    /// tokens with. A served model without `embedding_model` is not measured, since many
    /// servers only generate and a run must not fail on a measure nobody asked for.
    @discardableResult
    func measure(runID: Int64) throws -> Int {
        let pairs = pairs
        guard !pairs.isEmpty else { return 0 }
        let served = suite.model.remote
        if let served, served.endpoint.embeddingModel == nil { return 0 }
        let tokens: DomainComparison.Tokens = served == nil ? .wordpiece : .words
        let model = served == nil ? suite.model.identity : suite.model.weightsSHA256
        var measured = 0
        var encoder: FrozenEncoder?
        var servedModel: RemoteModel?
        for pair in pairs {
            // Pairs of texts only: an embedding task (STS pairs, retrieval) has no training corpus to compare.
            guard let source = suite.task(pair.source), let target = suite.task(pair.target),
                source.train.count >= 4, target.train.count >= 4
            else { continue }
            let key = try Self.key(model: model, source: source.identity, target: target.identity, tokens: tokens)
            if let stored = try database.divergence(key: key) {
                try database.linkDivergence(stored, runID: runID, sourceTask: pair.source, targetTask: pair.target)
                continue
            }
            let sourceTexts = (pair.source, source.train.map(\.text))
            let targetTexts = (pair.target, target.train.map(\.text))
            let comparison: DomainComparison
            if let served {
                let embedder = try servedModel ?? RemoteModel(endpoint: served.endpoint, cache: database)
                servedModel = embedder
                comparison = try DomainComparison.measure(source: sourceTexts, target: targetTexts, embedder: embedder)
            } else {
                let frozen = try encoder ?? FrozenEncoder(base: Checkpoint(directory: suite.model.directory))
                encoder = frozen
                comparison = try DomainComparison.measure(source: sourceTexts, target: targetTexts, encoder: frozen, cache: cache)
            }
            let row = DivergenceRow(
                key: key, modelSHA256: suite.model.weightsSHA256, sourceSHA256: SHA256.hex(of: Array(try CellConfiguration.canonical(source.identity).utf8)),
                targetSHA256: SHA256.hex(of: Array(try CellConfiguration.canonical(target.identity).utf8)), tokens: comparison.tokens.rawValue,
                sourceTexts: comparison.sourceTexts, targetTexts: comparison.targetTexts,
                klSourceTarget: comparison.unigram.firstToSecond, klTargetSource: comparison.unigram.secondToFirst,
                jensenShannon: comparison.unigram.jensenShannon, cosine: comparison.cosine,
                mmd2: comparison.maximumMeanDiscrepancy.squaredDiscrepancy, mmdPValue: comparison.maximumMeanDiscrepancy.pValue,
                proxyADistance: comparison.proxyADistance.distance, seconds: comparison.seconds)
            try database.linkDivergence(row, runID: runID, sourceTask: pair.source, targetTask: pair.target)
            measured += 1
        }
        return measured
    }

    /// The content key: AdaptEval version, model identity, both tasks' data and the measure's
    /// settings.
    static func key(model: String, source: TaskIdentity, target: TaskIdentity, tokens: DomainComparison.Tokens) throws -> String {
        var hasher = SHA256()
        for part in [
            "divergence", AdaptEvalVersion.current, model, try CellConfiguration.canonical(source), try CellConfiguration.canonical(target),
            tokens.rawValue, String(DomainComparison.defaultSampleLimit),
            String(DomainComparison.defaultPermutations),
        ] {
            hasher.update(Array(part.utf8))
            hasher.update([0])
        }
        return hasher.hexDigest()
    }
}
