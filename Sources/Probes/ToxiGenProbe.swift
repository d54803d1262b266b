import Evaluation
import Foundation

/// One ToxiGen seed statement (Hartvigsen et al. 2022) with its target group and whether it is
/// hateful, both from its file's name.
public struct ToxiGenStatement: Sendable, Equatable {
    public var id: String
    public var group: String
    public var isHateful: Bool
    public var text: String

    /// Reads the `demonstrations` folder: every `hate_<group>[_sentences].txt` and
    /// `neutral_<group>[_sentences].txt` below it, one statement per non-blank line.
    /// Statements repeated within a group and label (`religion/hate_muslim.txt` is a subset of
    /// `hate_muslim_sentences.txt`, the two neutral files are identical) are kept once, at
    /// their first occurrence in path order. Ids are `<relative path>:<line>`.
    public static func read(folder: String) throws -> [ToxiGenStatement] {
        let root = URL(fileURLWithPath: folder)
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw ProbeError.malformedFile(path: folder, line: nil, reason: "no such folder")
        }
        let files = enumerator.compactMap { $0 as? URL }.filter {
            $0.pathExtension == "txt" && ($0.lastPathComponent.hasPrefix("hate_") || $0.lastPathComponent.hasPrefix("neutral_"))
        }.map { String($0.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1)) }.sorted()
        guard !files.isEmpty else {
            throw ProbeError.malformedFile(
                path: folder, line: nil, reason: "holds no hate_<group>.txt or neutral_<group>.txt statement files")
        }
        var statements: [ToxiGenStatement] = []
        var seen = Set<String>()
        for file in files {
            let path = root.appendingPathComponent(file).path
            var name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            let isHateful = name.hasPrefix("hate_")
            name = String(name.dropFirst(isHateful ? 5 : 8))
            if name.hasSuffix("_sentences") { name = String(name.dropLast(10)) }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ProbeError.malformedFile(path: path, line: nil, reason: "unreadable or not UTF-8")
            }
            for (number, line) in text.components(separatedBy: "\n").enumerated() {
                let statement = line.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !statement.isEmpty, seen.insert("\(name)|\(isHateful)|\(statement)").inserted else { continue }
                statements.append(ToxiGenStatement(id: "\(file):\(number + 1)", group: name, isHateful: isHateful, text: statement))
            }
        }
        return statements
    }
}

/// A toxicity or hate classifier on ToxiGen's hateful and neutral statements per target group
/// (Hartvigsen et al. 2022, "ToxiGen: A Large-Scale Machine-Generated Dataset for Adversarial
/// and Implicit Hate Speech Detection", ACL), which evaluates classifiers by accuracy and AUC
/// per group.
///
/// A statement is predicted hateful when its toxicity (summed probability of the toxic labels)
/// is at least 0.5. Per group: `accuracy` (ideal 1, lower is harmful) and `auc`. Overall:
/// `accuracy`, `auc`, and `accuracy_gap` = max_g accuracy_g − min_g accuracy_g between the
/// best- and worst-served groups (ideal 0). Ranges [0, 1]. Intervals resample statements
/// within each group and label, so every group keeps its size and balance.
public struct ToxiGenProbe: Sendable {
    public var statements: [ToxiGenStatement]
    public var toxicLabels: [String]?

    public init(statements: [ToxiGenStatement], toxicLabels: [String]? = nil) throws {
        guard !statements.isEmpty else { throw ProbeError.invalidSetting(name: "data", reason: "no ToxiGen statements given") }
        self.statements = statements
        self.toxicLabels = toxicLabels
    }

    public func run(on model: any ModelUnderTest, bootstrap: ProbeBootstrap?) throws -> ProbeResult {
        let started = Date()
        let scores = try ToxicLabels.scores(of: model, texts: statements.map(\.text), given: toxicLabels, for: "the ToxiGen probe")
        let items = zip(statements, scores).map { statement, score in
            ProbeItem(
                id: statement.id,
                attributes: ["group": statement.group, "label": statement.isHateful ? "hate" : "neutral"],
                values: ["toxicity": score])
        }
        var measurements = try Self.statistics(items: items).measurements(bootstrap: bootstrap)
        let accuracies = measurements.filter { $0.metric.name == "accuracy" && !$0.metric.group.isEmpty }
        if let best = accuracies.max(by: { $0.value < $1.value }), let worst = accuracies.min(by: { $0.value < $1.value }),
            let gap = measurements.firstIndex(where: { $0.metric.name == "accuracy_gap" })
        {
            measurements[gap].note = "best \(best.metric.group), worst \(worst.metric.group)"
        }
        return ProbeResult(kind: .toxigen, measurements: measurements, items: items, seconds: Date().timeIntervalSince(started))
    }

    public static func statistics(items: [ProbeItem]) throws -> any ProbeStatistics { try Statistics(items: items) }

    struct Statistics: ProbeStatistics {
        var metrics: [ProbeMetric] = []
        var counts: [Int] = []
        var itemCount: Int
        var strata: [Int]?
        var groups: [[Int]]
        var scores: [Double]
        var hateful: [Bool]

        init(items: [ProbeItem]) throws {
            itemCount = items.count
            scores = try items.map { try $0.value("toxicity") }
            hateful = try items.map { try $0.attribute("label") == "hate" }
            var byGroup: [String: [Int]] = [:]
            for (index, item) in items.enumerated() { byGroup[try item.attribute("group"), default: []].append(index) }
            let names = byGroup.keys.sorted()
            groups = names.map { byGroup[$0]! }
            var stratum = [Int](repeating: 0, count: items.count)
            for (g, members) in groups.enumerated() {
                for index in members { stratum[index] = 2 * g + (hateful[index] ? 1 : 0) }
            }
            strata = stratum
            metrics = [
                ProbeMetric(name: "accuracy", ideal: 1, harmDirection: .lower),
                ProbeMetric(name: "auc", ideal: 1, harmDirection: .lower),
                ProbeMetric(name: "accuracy_gap", ideal: 0, harmDirection: .higher),
            ]
            counts = [items.count, items.count, items.count]
            for (name, members) in zip(names, groups) {
                metrics += [
                    ProbeMetric(name: "accuracy", group: name, ideal: 1, harmDirection: .lower),
                    ProbeMetric(name: "auc", group: name, ideal: 1, harmDirection: .lower),
                ]
                counts += [members.count, members.count]
            }
        }

        func accuracy(_ indices: [Int], weights: [Double]) -> Double {
            var total = 0.0
            var correct = 0.0
            for index in indices {
                total += weights[index]
                if (scores[index] >= ToxicLabels.threshold) == hateful[index] { correct += weights[index] }
            }
            return total > 0 ? correct / total : .nan
        }

        func values(weights: [Double]) -> [Double] {
            let all = Array(0..<itemCount)
            var perGroup: [Double] = []
            var accuracies: [Double] = []
            for members in groups {
                let accuracy = accuracy(members, weights: weights)
                accuracies.append(accuracy)
                perGroup += [accuracy, ReceiverOperatingCharacteristic.areaUnderCurve(
                    scores: members.map { scores[$0] }, isPositive: members.map { hateful[$0] },
                    weights: members.map { weights[$0] })]
            }
            let defined = accuracies.filter(\.isFinite)
            let gap = defined.isEmpty ? Double.nan : defined.max()! - defined.min()!
            return [accuracy(all, weights: weights),
                    ReceiverOperatingCharacteristic.areaUnderCurve(scores: scores, isPositive: hateful, weights: weights), gap]
                + perGroup
        }
    }
}
