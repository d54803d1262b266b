import Adaptation
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
    @discardableResult
    func measure(runID: Int64) throws -> Int {
        // A served model's weights are not here to tokenize and embed with.
        guard suite.model.remote == nil else { return 0 }
        let pairs = pairs
        guard !pairs.isEmpty else { return 0 }
        var measured = 0
        var encoder: FrozenEncoder?
        for pair in pairs {
            // Pairs of texts only: an embedding task (STS pairs, retrieval) has no training corpus to compare.
            guard let source = suite.task(pair.source), let target = suite.task(pair.target),
                source.train.count >= 4, target.train.count >= 4
            else { continue }
            let key = try Self.key(model: suite.model.identity, source: source.identity, target: target.identity)
            if let stored = try database.divergence(key: key) {
                try database.linkDivergence(stored, runID: runID, sourceTask: pair.source, targetTask: pair.target)
                continue
            }
            if encoder == nil { encoder = try FrozenEncoder(base: Checkpoint(directory: suite.model.directory)) }
            guard let encoder else { continue }
            let comparison = try DomainComparison.measure(
                source: (pair.source, source.train.map(\.text)), target: (pair.target, target.train.map(\.text)),
                encoder: encoder, cache: cache)
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
    static func key(model: String, source: TaskIdentity, target: TaskIdentity) throws -> String {
        var hasher = SHA256()
        for part in [
            "divergence", AdaptEvalVersion.current, model, try CellConfiguration.canonical(source), try CellConfiguration.canonical(target),
            DomainComparison.Tokens.wordpiece.rawValue, String(DomainComparison.defaultSampleLimit),
            String(DomainComparison.defaultPermutations),
        ] {
            hasher.update(Array(part.utf8))
            hasher.update([0])
        }
        return hasher.hexDigest()
    }
}
