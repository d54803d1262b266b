import Evaluation
import Foundation

/// Counterfactual identity-term swaps on a classifier (Garg et al. 2019, "Counterfactual
/// Fairness in Text Classification through Robustness", AIES): each text's identity term is
/// replaced by every other term of its list, and the classifier's answers are compared.
///
/// Each text's swapped term is the longest term of the first list it mentions (ties: list
/// order), replaced at every whole-word occurrence. Per counterfactual, a flip is a change of
/// the predicted (most probable) class, and Δ_k = p_k(counterfactual) − p_k(original).
/// Overall: `flip_rate` (share of counterfactuals that flip; ideal 0) and, per class k,
/// `abs_change:k` = mean |Δ_k| (Garg et al.'s counterfactual token fairness gap; ideal 0).
/// Per swapped-in term t: `flip_rate` and `change:k` = mean Δ_k of the counterfactuals with t
/// (ideal 0; for a toxic class a positive change means the term raises toxicity). Ranges
/// [0, 1] and [−1, 1]; intervals resample the original texts.
public struct CounterfactualProbe: Sendable {
    public var texts: [Sample]
    public var termLists: [IdentityTerms]
    /// Where the texts came from, for messages.
    public var source: String

    /// Checks that every text mentions a term of some list.
    public init(texts: [Sample], termLists: [IdentityTerms], source: String) throws {
        guard !termLists.isEmpty else { throw ProbeError.invalidSetting(name: "terms", reason: "no identity-term list given") }
        guard !texts.isEmpty else { throw ProbeError.malformedFile(path: source, line: nil, reason: "holds no texts") }
        for text in texts where termLists.allSatisfy({ $0.mentioned(in: text.text).isEmpty }) {
            throw ProbeError.malformedFile(
                path: source, line: text.line,
                reason: "the text mentions none of the identity terms (\(termLists.map(\.source).joined(separator: ", "))); "
                    + "every text needs one to swap")
        }
        self.texts = texts
        self.termLists = termLists
        self.source = source
    }

    /// The counterfactuals of one text: its swapped term and, per other term of that list,
    /// the text with the swap.
    public func counterfactuals(of text: String) -> (term: String, swaps: [(term: String, text: String)])? {
        for list in termLists {
            let mentioned = list.mentioned(in: text)
            guard let term = mentioned.max(by: { $0.count < $1.count }) else { continue }
            let swaps = list.terms.filter { $0 != term }.compactMap { other in
                list.replacing(term, with: other, in: text).map { (other, $0) }
            }
            return (term, swaps)
        }
        return nil
    }

    public func run(on model: any ModelUnderTest, bootstrap: ProbeBootstrap?) throws -> ProbeResult {
        let started = Date()
        let classifier = try model.require(model.classifier, "classify texts", for: "the counterfactual probe")
        let labels = classifier.labelNames
        var items: [ProbeItem] = []
        let chunk = 16
        for start in stride(from: 0, to: texts.count, by: chunk) {
            try Interruption.checkpoint()
            let slice = texts[start..<min(start + chunk, texts.count)]
            let cases = slice.map { counterfactuals(of: $0.text) }
            var inputs: [TextInput] = []
            for (sample, found) in zip(slice, cases) {
                inputs.append(TextInput(sample.text))
                inputs += (found?.swaps ?? []).map { TextInput($0.text) }
            }
            let probabilities = try classifier.probabilities(inputs)
            var row = 0
            for (sample, found) in zip(slice, cases) {
                let original = probabilities[row]
                row += 1
                var values: [String: Double] = [:]
                for swap in found?.swaps ?? [] {
                    let swapped = probabilities[row]
                    row += 1
                    values["flip:\(swap.term)"] = Self.predicted(swapped) == Self.predicted(original) ? 0 : 1
                    for (k, label) in labels.enumerated() { values["change:\(label):\(swap.term)"] = swapped[k] - original[k] }
                }
                items.append(ProbeItem(
                    id: sample.id, attributes: ["term": found?.term ?? "", "labels": labels.joined(separator: "|")], values: values))
            }
        }
        return ProbeResult(
            kind: .counterfactual, measurements: try Self.statistics(items: items).measurements(bootstrap: bootstrap),
            items: items, seconds: Date().timeIntervalSince(started))
    }

    static func predicted(_ probabilities: [Double]) -> Int {
        probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
    }

    public static func statistics(items: [ProbeItem]) throws -> any ProbeStatistics { try Statistics(items: items) }

    struct Statistics: ProbeStatistics {
        var metrics: [ProbeMetric] = []
        var counts: [Int] = []
        var itemCount: Int
        var labels: [String]
        var terms: [String]
        /// flips[item][term], NaN where the item has no counterfactual with that term.
        var flips: [[Double]]
        /// changes[item][label][term].
        var changes: [[[Double]]]

        init(items: [ProbeItem]) throws {
            itemCount = items.count
            labels = try items.first.map { try $0.attribute("labels").split(separator: "|").map(String.init) } ?? []
            var termSet: [String] = []
            var seen = Set<String>()
            for item in items {
                for key in item.values.keys.sorted() where key.hasPrefix("flip:") {
                    let term = String(key.dropFirst(5))
                    if seen.insert(term).inserted { termSet.append(term) }
                }
            }
            let terms = termSet.sorted()
            let labels = labels
            self.terms = terms
            flips = items.map { item in terms.map { item.values["flip:\($0)"] ?? .nan } }
            changes = items.map { item in
                labels.map { label in terms.map { item.values["change:\(label):\($0)"] ?? .nan } }
            }
            metrics = [ProbeMetric(name: "flip_rate", ideal: 0, harmDirection: .higher)]
                + labels.map { ProbeMetric(name: "abs_change:\($0)", ideal: 0, harmDirection: .higher) }
            counts = [Int](repeating: items.count, count: metrics.count)
            for (t, term) in terms.enumerated() {
                let count = flips.filter { !$0[t].isNaN }.count
                metrics.append(ProbeMetric(name: "flip_rate", group: term, ideal: 0, harmDirection: .higher))
                metrics += labels.map { ProbeMetric(name: "change:\($0)", group: term, ideal: 0, harmDirection: .away) }
                counts += [Int](repeating: count, count: 1 + labels.count)
            }
        }

        func values(weights: [Double]) -> [Double] {
            var pairs = 0.0
            var flipped = 0.0
            var absolute = [Double](repeating: 0, count: labels.count)
            var termWeight = [Double](repeating: 0, count: terms.count)
            var termFlips = [Double](repeating: 0, count: terms.count)
            var termChanges = [[Double]](repeating: [Double](repeating: 0, count: terms.count), count: labels.count)
            for item in 0..<itemCount where weights[item] > 0 {
                let weight = weights[item]
                for t in 0..<terms.count where !flips[item][t].isNaN {
                    pairs += weight
                    flipped += weight * flips[item][t]
                    termWeight[t] += weight
                    termFlips[t] += weight * flips[item][t]
                    for k in 0..<labels.count {
                        absolute[k] += weight * abs(changes[item][k][t])
                        termChanges[k][t] += weight * changes[item][k][t]
                    }
                }
            }
            var result = [pairs > 0 ? flipped / pairs : .nan] + absolute.map { pairs > 0 ? $0 / pairs : .nan }
            for t in 0..<terms.count {
                let weight = termWeight[t]
                result.append(weight > 0 ? termFlips[t] / weight : .nan)
                result += (0..<labels.count).map { weight > 0 ? termChanges[$0][t] / weight : .nan }
            }
            return result
        }
    }
}
