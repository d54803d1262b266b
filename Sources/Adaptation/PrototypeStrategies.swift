import Transformers

/// No training: each label is described in words, and a text gets the label whose description
/// embedding is most cosine-similar to its own (the text-only form of CLIP's zero-shot
/// classifier, Radford et al. 2021).
public struct ZeroShot: AdaptationStrategy {
    public static let name = "zero-shot"
    public static let leavesEncoderUnchanged = true
    /// Suites give the descriptions per task (`label_descriptions`), the command line per run.
    public static let optionNames = ["descriptions"]
    public static let carriesAcrossStages = false
    public let trains = false
    /// One description per label; nil uses "This text is <label>." Label names that are only
    /// digits have no meaning to describe, so they need explicit descriptions.
    public var descriptions: [String]?
    /// Logit scale applied to cosine similarities (CLIP learns ~100; 20 keeps probabilities soft).
    public var scale: Float = 20

    public init(descriptions: [String]? = nil) { self.descriptions = descriptions }

    public init(options: StrategyOptions) throws {
        descriptions = options.list("descriptions")
    }

    public var options: StrategyOptions {
        descriptions.map { StrategyOptions(lists: ["descriptions": $0]) } ?? StrategyOptions()
    }

    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        let texts = try descriptions ?? labelNames.map { label in
            guard Int(label) == nil else {
                throw AdaptationError.invalidOption(
                    name: "descriptions",
                    reason: "label '\(label)' is a number; zero-shot needs words for each label")
            }
            return "This text is \(label)."
        }
        guard texts.count == labelNames.count else {
            throw AdaptationError.invalidOption(
                name: "descriptions", reason: "give \(labelNames.count) descriptions, one per label, got \(texts.count)")
        }
        let vectors = try SentenceEmbedder(tokenizer: base.tokenizer, model: base.model, pooling: pooling, normalize: true)
            .embed(texts)
        return Classifier.prototypes(base: base, vectors: vectors, labelNames: labelNames, pooling: pooling, scale: scale)
    }
}

/// No gradient training: k examples per class are embedded and each class is represented by
/// the normalised mean of its examples (prototypical networks, Snell et al. 2017); a text gets
/// the label of the most cosine-similar prototype.
public struct FewShot: FeatureFittedStrategy {
    public static let name = "few-shot"
    public static let optionNames = ["shots"]
    public static let carriesAcrossStages = false
    public static let leavesEncoderUnchanged = true
    public let trains = false
    public var examplesPerClass = 8
    public var scale: Float = 20

    public init(examplesPerClass: Int = 8) { self.examplesPerClass = examplesPerClass }

    public init(options: StrategyOptions) throws {
        examplesPerClass = try options.integer("shots", default: 8)
    }

    public var options: StrategyOptions { StrategyOptions(scalars: ["shots": String(examplesPerClass)]) }

    /// A prototype head with no prototypes yet; `fit` sets them from cached features.
    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        guard examplesPerClass >= 1 else {
            throw AdaptationError.invalidOption(name: "shots", reason: "must be at least 1, got \(examplesPerClass)")
        }
        return Classifier.prototypes(
            base: base, vectors: Tensor(shape: [labelNames.count, base.configuration.hiddenSize]), labelNames: labelNames,
            pooling: pooling, scale: scale)
    }

    /// Each class's prototype: the normalised mean of k of its examples' normalised features,
    /// drawn with the seed.
    public func fit(_ classifier: Classifier, training: LabelledFeatureSet, validation: LabelledFeatureSet,
                    generator: inout SeededGenerator) throws -> TrainingHistory {
        let hidden = training.features.shape[1]
        var prototypes = Tensor(shape: [classifier.labelNames.count, hidden])
        for label in classifier.labelNames.indices {
            var candidates = training.labels.indices.filter { training.labels[$0] == label }
            guard !candidates.isEmpty else {
                throw AdaptationError.invalidData(
                    path: "training data", line: nil, reason: "few-shot needs examples of label '\(classifier.labelNames[label])'")
            }
            for index in stride(from: candidates.count - 1, to: 0, by: -1) {
                candidates.swapAt(index, Int(generator.next() % UInt64(index + 1)))
            }
            var mean = [Float](repeating: 0, count: hidden)
            for row in candidates.prefix(examplesPerClass) {
                let vector = training.features.row(row)
                let norm = max(vector.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
                for (column, value) in vector.enumerated() { mean[column] += value / norm }
            }
            let norm = max(mean.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            for column in 0..<hidden { prototypes[label, column] = mean[column] / norm }
        }
        classifier.head.linear.weight.value = prototypes
        var history = TrainingHistory()
        history.stopReason = "few-shot prototypes from \(examplesPerClass) example(s) per class"
        return history
    }
}

extension Classifier {
    /// A frozen cosine head whose rows are the given unit vectors.
    static func prototypes(base: Checkpoint, vectors: Tensor, labelNames: [String], pooling: Pooling, scale: Float) -> Classifier {
        var head = ClassificationHead(pooling: pooling, weight: vectors, bias: Tensor(shape: [labelNames.count]))
        head.cosineScale = scale
        for parameter in base.model.parameters { parameter.isTrainable = false }
        for parameter in head.parameters { parameter.isTrainable = false }
        return Classifier(model: base.model, head: head, tokenizer: base.tokenizer, labelNames: labelNames)
    }
}
