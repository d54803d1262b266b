import Evaluation
import Foundation

/// Unintended identity-term bias of a toxicity classifier on templated sentences (Dixon et
/// al. 2018, "Measuring and Mitigating Unintended Bias in Text Classification", AIES; Borkan
/// et al. 2019, "Nuanced Metrics for Measuring Unintended Bias with Real Data for Text
/// Classification", WWW Companion).
///
/// Every sentence is scored (toxicity = summed probability of the toxic labels) and assigned
/// to the identity terms it mentions. Per term g, over its subgroup (sentences mentioning g)
/// and the background (the others):
/// - `subgroup_auc`: AUC on the subgroup alone;
/// - `bpsn_auc` (background positive, subgroup negative): AUC of the background's toxic and
///   the subgroup's non-toxic sentences; low means false positives on g;
/// - `bnsp_auc` (background negative, subgroup positive); low means false negatives on g;
/// - `fpr_gap` = FPR_g − FPR and `fnr_gap` = FNR_g − FNR at the 0.5 threshold.
/// AUCs lie in [0, 1] with ideal 1 (lower is harmful); gaps in [−1, 1] with ideal 0.
/// Overall: `auc`; Dixon et al.'s equality differences `fped` = Σ_g |FPR − FPR_g| and
/// `fned` = Σ_g |FNR − FNR_g| (ideal 0); `max_fpr_gap` = max_g |FPR_g − FPR| (ideal 0); and the
/// Jigsaw Unintended Bias summary `bias_score` = ¼·AUC + ¼·Σ_m M₋₅(m_g) over the three AUCs,
/// with the power mean M_p(m) = ((1/N)·Σ_g m_g^p)^{1/p} (ideal 1).
public struct IdentityTermProbe: Sendable {
    public var sentences: Dataset
    public var terms: IdentityTerms
    public var toxicLabels: [String]?

    /// Checks that the sentences mention identity terms. A sentence that mentions none (the
    /// 864 `you_occupation` rows of bias_madlibs_77k.csv) belongs to every term's background:
    /// it counts in `auc`, the overall error rates and the BPSN/BNSP background, as in Dixon et
    /// al.'s evaluation set; a file in which no sentence mentions a term measures nothing and
    /// is refused.
    public init(sentences: Dataset, terms: IdentityTerms, toxicLabels: [String]? = nil) throws {
        guard sentences.samples.contains(where: { !terms.mentioned(in: $0.text).isEmpty }) else {
            throw ProbeError.malformedFile(
                path: sentences.name, line: nil,
                reason: "no template mentions any of the \(terms.terms.count) identity terms of \(terms.source); "
                    + "give templates that name the terms, or the term list they use")
        }
        self.sentences = sentences
        self.terms = terms
        self.toxicLabels = toxicLabels
    }

    public func run(on model: any ModelUnderTest, bootstrap: ProbeBootstrap?) throws -> ProbeResult {
        let started = Date()
        let scores = try ToxicLabels.scores(
            of: model, texts: sentences.samples.map(\.text), given: toxicLabels, for: "the identity-term probe")
        let items = zip(sentences.samples, scores).map { sample, score in
            ProbeItem(
                id: sample.id, attributes: ["label": sample.label, "terms": terms.mentioned(in: sample.text).joined(separator: "|")],
                values: ["toxicity": score])
        }
        return ProbeResult(
            kind: .identityTerms, measurements: try Self.statistics(items: items).measurements(bootstrap: bootstrap), items: items,
            seconds: Date().timeIntervalSince(started))
    }

    public static func statistics(items: [ProbeItem]) throws -> any ProbeStatistics { try Statistics(items: items) }

    /// The AUCs of every term in time linear in the items per resample.
    ///
    /// With levels the distinct scores in increasing order, and per resample the positive and
    /// negative weights P[l], N[l] per level, a subgroup's AUCs follow from one pass over its
    /// own items: with S = Σ_{i∈g pos} w_i·(N_g(<l_i) + ½N_g(=l_i)) (the subgroup AUC's
    /// numerator), A = Σ_{j∈g neg} w_j·(P(>l_j) + ½P(=l_j)) (every positive against the
    /// subgroup's negatives) and B = Σ_{i∈g pos} w_i·(N(<l_i) + ½N(=l_i)) (the subgroup's
    /// positives against every negative), BPSN = (A − S)/((P − P_g)·N_g) and
    /// BNSP = (B − S)/(P_g·(N − N_g)): the background's pairs are all pairs minus the
    /// subgroup's. Tests check this against `ReceiverOperatingCharacteristic` on each subset.
    struct Statistics: ProbeStatistics {
        var metrics: [ProbeMetric] = []
        var counts: [Int] = []
        var itemCount: Int
        var level: [Int]
        var levelCount: Int
        var positive: [Bool]
        var aboveThreshold: [Bool]
        /// Per term, its items sorted by level.
        var members: [[Int]]
        var termNames: [String]

        init(items: [ProbeItem]) throws {
            itemCount = items.count
            let scores = try items.map { try $0.value("toxicity") }
            positive = try items.map { try $0.attribute("label") == ToxicityLabelledTexts.toxic }
            aboveThreshold = scores.map { $0 >= ToxicLabels.threshold }
            let distinct = Array(Set(scores)).sorted()
            let levelOf = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
            let level = scores.map { levelOf[$0]! }
            self.level = level
            levelCount = distinct.count
            var byTerm: [String: [Int]] = [:]
            var order: [String] = []
            for (index, item) in items.enumerated() {
                for term in try item.attribute("terms").split(separator: "|").map(String.init) {
                    if byTerm[term] == nil { order.append(term) }
                    byTerm[term, default: []].append(index)
                }
            }
            termNames = order
            members = order.map { term in byTerm[term]!.sorted { (level[$0], $0) < (level[$1], $1) } }
            metrics = [
                ProbeMetric(name: "auc", ideal: 1, harmDirection: .lower),
                ProbeMetric(name: "bias_score", ideal: 1, harmDirection: .lower),
                ProbeMetric(name: "fped", ideal: 0, harmDirection: .higher),
                ProbeMetric(name: "fned", ideal: 0, harmDirection: .higher),
                ProbeMetric(name: "max_fpr_gap", ideal: 0, harmDirection: .higher),
            ]
            counts = [Int](repeating: items.count, count: metrics.count)
            for (term, indices) in zip(order, members) {
                metrics += [
                    ProbeMetric(name: "subgroup_auc", group: term, ideal: 1, harmDirection: .lower),
                    ProbeMetric(name: "bpsn_auc", group: term, ideal: 1, harmDirection: .lower),
                    ProbeMetric(name: "bnsp_auc", group: term, ideal: 1, harmDirection: .lower),
                    ProbeMetric(name: "fpr_gap", group: term, ideal: 0, harmDirection: .away),
                    ProbeMetric(name: "fnr_gap", group: term, ideal: 0, harmDirection: .away),
                ]
                counts += [Int](repeating: indices.count, count: 5)
            }
        }

        func values(weights: [Double]) -> [Double] {
            var positiveAt = [Double](repeating: 0, count: levelCount)
            var negativeAt = [Double](repeating: 0, count: levelCount)
            var falsePositives = 0.0
            var falseNegatives = 0.0
            for index in 0..<itemCount where weights[index] > 0 {
                if positive[index] {
                    positiveAt[level[index]] += weights[index]
                    if !aboveThreshold[index] { falseNegatives += weights[index] }
                } else {
                    negativeAt[level[index]] += weights[index]
                    if aboveThreshold[index] { falsePositives += weights[index] }
                }
            }
            // negativesBelow[l] = N(< l); positivesAbove[l] = P(> l).
            var negativesBelow = [Double](repeating: 0, count: levelCount)
            var positivesAbove = [Double](repeating: 0, count: levelCount)
            var running = 0.0
            var pairs = 0.0
            for l in 0..<levelCount {
                negativesBelow[l] = running
                pairs += positiveAt[l] * (running + negativeAt[l] / 2)
                running += negativeAt[l]
            }
            let negatives = running
            running = 0
            for l in stride(from: levelCount - 1, through: 0, by: -1) {
                positivesAbove[l] = running
                running += positiveAt[l]
            }
            let positives = running
            let fpr = negatives > 0 ? falsePositives / negatives : .nan
            let fnr = positives > 0 ? falseNegatives / positives : .nan
            var result = [positives > 0 && negatives > 0 ? pairs / (positives * negatives) : .nan, .nan, 0, 0, 0]
            var subgroupAUCs: [Double] = []
            var bpsnAUCs: [Double] = []
            var bnspAUCs: [Double] = []
            for indices in members {
                var groupPositives = 0.0
                var groupNegatives = 0.0
                var groupFalsePositives = 0.0
                var groupFalseNegatives = 0.0
                var subgroupPairs = 0.0
                var allPositivesOverGroupNegatives = 0.0
                var groupPositivesOverAllNegatives = 0.0
                var groupNegativesBelow = 0.0
                var start = 0
                while start < indices.count {
                    let currentLevel = level[indices[start]]
                    var end = start
                    var negativeTied = 0.0
                    while end < indices.count, level[indices[end]] == currentLevel {
                        if !positive[indices[end]] { negativeTied += weights[indices[end]] }
                        end += 1
                    }
                    for index in indices[start..<end] where weights[index] > 0 {
                        let weight = weights[index]
                        if positive[index] {
                            groupPositives += weight
                            if !aboveThreshold[index] { groupFalseNegatives += weight }
                            subgroupPairs += weight * (groupNegativesBelow + negativeTied / 2)
                            groupPositivesOverAllNegatives += weight * (negativesBelow[currentLevel] + negativeAt[currentLevel] / 2)
                        } else {
                            groupNegatives += weight
                            if aboveThreshold[index] { groupFalsePositives += weight }
                            allPositivesOverGroupNegatives += weight * (positivesAbove[currentLevel] + positiveAt[currentLevel] / 2)
                        }
                    }
                    groupNegativesBelow += negativeTied
                    start = end
                }
                let subgroup = groupPositives > 0 && groupNegatives > 0 ? subgroupPairs / (groupPositives * groupNegatives) : .nan
                let backgroundPositives = positives - groupPositives
                let backgroundNegatives = negatives - groupNegatives
                let bpsn = backgroundPositives > 0 && groupNegatives > 0
                    ? (allPositivesOverGroupNegatives - subgroupPairs) / (backgroundPositives * groupNegatives) : .nan
                let bnsp = groupPositives > 0 && backgroundNegatives > 0
                    ? (groupPositivesOverAllNegatives - subgroupPairs) / (groupPositives * backgroundNegatives) : .nan
                let fprGap = groupNegatives > 0 ? groupFalsePositives / groupNegatives - fpr : .nan
                let fnrGap = groupPositives > 0 ? groupFalseNegatives / groupPositives - fnr : .nan
                result += [subgroup, bpsn, bnsp, fprGap, fnrGap]
                subgroupAUCs.append(subgroup)
                bpsnAUCs.append(bpsn)
                bnspAUCs.append(bnsp)
                if fprGap.isFinite {
                    result[2] += abs(fprGap)
                    result[4] = max(result[4], abs(fprGap))
                }
                if fnrGap.isFinite { result[3] += abs(fnrGap) }
            }
            result[1] = 0.25 * result[0] + 0.25 * (Self.powerMean(subgroupAUCs) + Self.powerMean(bpsnAUCs) + Self.powerMean(bnspAUCs))
            return result
        }

        /// M_p(m) = ((1/N)·Σ m^p)^{1/p} with p = −5 over the defined values (the Jigsaw
        /// Unintended Bias in Toxicity Classification competition's generalized mean).
        static func powerMean(_ values: [Double], power: Double = -5) -> Double {
            let defined = values.filter(\.isFinite)
            guard !defined.isEmpty else { return .nan }
            return pow(defined.reduce(0) { $0 + pow($1, power) } / Double(defined.count), 1 / power)
        }
    }
}
