import Evaluation
import Foundation

/// The texts AdaptEval's toxicity scorer learns from, and how it is judged on texts it never
/// saw.
///
/// Default training data and label mapping (../shared/data/README.md §5):
/// - Davidson et al. (2017) tweets: `hate_speech` (class 0) and `offensive_language` (class 1)
///   → toxic; `neither` (class 2) → nontoxic. Perspective's TOXICITY ("rude, disrespectful or
///   unreasonable") covers offensive language, so both abusive classes count as toxic.
/// - ToxiGen seed statements: `hate_*` → toxic, `neutral_*` → nontoxic.
/// At most `limit` texts are kept, half toxic and half non-toxic where possible (a seeded
/// sample per label), since Davidson's tweets are 83% abusive. The Wikipedia Talk comments of
/// ../shared/data §4 are never used for training: they are the held-out test.
public enum ToxicityTrainingData {
    /// The scorer's classes, in head order.
    public static let labelNames = [ToxicityLabelledTexts.nonToxic, ToxicityLabelledTexts.toxic]

    /// The label mapping above, as recorded beside a trained scorer.
    public static let labelMapping: [String: [String: String]] = [
        "davidson": ["hate_speech": "toxic", "offensive_language": "toxic", "neither": "nontoxic"],
        "toxigen": ["hate": "toxic", "neutral": "nontoxic"],
    ]

    /// The default training texts, mapped to toxic and nontoxic.
    public static func defaultTrainingSet(dataRoot: URL, limit: Int?, seed: UInt64) throws -> Dataset {
        let davidson = try DatasetReaders.davidson(
            path: dataRoot.appendingPathComponent("05_toxicity_labelled/davidson2017/labeled_data.csv").path)
        var samples = davidson.samples.map { sample in
            var mapped = sample
            mapped.label = sample.label == "neither" ? ToxicityLabelledTexts.nonToxic : ToxicityLabelledTexts.toxic
            return mapped
        }
        let statements = try ToxiGenStatement.read(
            folder: dataRoot.appendingPathComponent("05_toxicity_labelled/toxigen_demonstrations").path)
        samples += statements.map {
            Sample(id: "toxigen:\($0.id)", text: $0.text, label: $0.isHateful ? ToxicityLabelledTexts.toxic : ToxicityLabelledTexts.nonToxic)
        }
        return try balanced(Dataset(name: "davidson+toxigen", samples: samples, labelNames: labelNames), limit: limit, seed: seed)
    }

    /// Training texts from the user's files (`ToxicityLabelledTexts.read`: CSV or JSONL with a
    /// text and a toxic/non-toxic label).
    public static func trainingSet(files: [String], limit: Int?, seed: UInt64) throws -> Dataset {
        let samples = try files.flatMap { try ToxicityLabelledTexts.read(path: $0).samples }
        return try balanced(Dataset(name: files.joined(separator: "+"), samples: samples, labelNames: labelNames), limit: limit, seed: seed)
    }

    /// At most `limit` samples, as evenly split between the labels as their counts allow, each
    /// label's share a seeded sample in file order.
    static func balanced(_ dataset: Dataset, limit: Int?, seed: UInt64) throws -> Dataset {
        guard let limit, limit < dataset.samples.count else { return dataset }
        guard limit >= 2 else { throw ProbeError.invalidSetting(name: "limit", reason: "must be at least 2, got \(limit)") }
        let groups = dataset.labelNames.map { label in dataset.samples.indices.filter { dataset.samples[$0].label == label } }
        var quotas = [Int](repeating: 0, count: groups.count)
        var remaining = limit
        // Fill the smaller labels first; what they cannot use goes to the others.
        for (position, label) in groups.indices.sorted(by: { groups[$0].count < groups[$1].count }).enumerated() {
            quotas[label] = min(groups[label].count, remaining / (groups.count - position))
            remaining -= quotas[label]
        }
        var chosen: [Int] = []
        for (group, quota) in zip(groups, quotas) { chosen += try seededSample(group, limit: quota, seed: seed) }
        return Dataset(name: dataset.name, samples: chosen.sorted().map { dataset.samples[$0] }, labelNames: dataset.labelNames)
    }
}

/// A toxicity model's ROC AUC and the toxic class's F1 at 0.5 on labelled texts, each with a
/// percentile-bootstrap interval (`Bootstrap.percentileInterval`).
public struct ToxicityHeldOut: Sendable, Equatable {
    public var texts: Int
    public var toxic: Int
    public var auc: Double
    public var aucInterval: (low: Double, high: Double)
    public var f1: Double
    public var f1Interval: (low: Double, high: Double)

    public static func == (a: ToxicityHeldOut, b: ToxicityHeldOut) -> Bool {
        a.texts == b.texts && a.auc == b.auc && a.f1 == b.f1
    }

    /// Scores a labelled set (`ToxicityLabelledTexts`) with a toxicity model.
    public init(_ model: any ModelUnderTest, texts: Dataset, resamples: Int = 1000, seed: UInt64 = 0) throws {
        let scores = try ToxicLabels.scores(of: model, texts: texts.samples.map(\.text), for: "toxicity scoring")
        let gold = texts.samples.map { $0.label == ToxicityLabelledTexts.toxic }
        let predicted = scores.map { $0 >= ToxicLabels.threshold }
        func f1(_ indices: [Int]) -> Double {
            let metrics = try? ClassificationMetrics(
                gold: indices.map { gold[$0] ? 1 : 0 }, predicted: indices.map { predicted[$0] ? 1 : 0 },
                labelNames: ToxicityTrainingData.labelNames)
            return metrics?.perClass[1].f1 ?? .nan
        }
        func auc(_ indices: [Int]) -> Double {
            ReceiverOperatingCharacteristic.areaUnderCurve(scores: indices.map { scores[$0] }, isPositive: indices.map { gold[$0] })
        }
        let all = Array(texts.samples.indices)
        self.texts = scores.count
        self.toxic = gold.filter { $0 }.count
        self.auc = auc(all)
        aucInterval = try Bootstrap.percentileInterval(count: all.count, resamples: resamples, seed: seed, statistic: auc)
        self.f1 = f1(all)
        f1Interval = try Bootstrap.percentileInterval(count: all.count, resamples: resamples, seed: seed, statistic: f1)
    }
}
