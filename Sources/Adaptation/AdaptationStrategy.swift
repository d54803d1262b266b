import Transformers

/// A way of adapting a pretrained encoder to a classification task.
///
/// A strategy is one type that knows its name, its options and their defaults (a throwing
/// initialiser checks them), the learning rate that suits it, whether what it learns carries
/// from one chain stage to the next, how to build the classifier it trains (freezing the rest)
/// and which structures it adds to an encoder, so that an adapted checkpoint can be loaded back
/// (`attach`, then the saved tensors by name, then `finish`). `StrategyRegistry` lists them all.
public protocol AdaptationStrategy: Sendable {
    /// The name used in suite files and on the command line.
    static var name: String { get }
    /// The options it takes (suite keys and command-line flags map to these names).
    static var optionNames: [String] { get }
    /// The peak learning rate that suits its number of trainable parameters.
    static var defaultLearningRate: Float { get }
    /// Whether what it learns in one stage of a chain carries to the next.
    static var carriesAcrossStages: Bool { get }
    /// What it learns from: labelled examples (a classifier), unlabelled text or sentence pairs.
    static var trainingData: TrainingData { get }
    /// Whether the encoder's weights stay exactly those it was given (only a head is set), so
    /// its pooled features can be computed once and cached.
    static var leavesEncoderUnchanged: Bool { get }

    /// The strategy with these options; throws `AdaptationError.invalidOption` naming a bad one.
    init(options: StrategyOptions) throws

    /// Its options with defaults filled in, recorded with results and in adapted checkpoints.
    var options: StrategyOptions { get }
    /// Whether the strategy runs the trainer; zero- and few-shot only build a head.
    var trains: Bool { get }

    /// Builds the classifier to train or evaluate, with the right parameters trainable.
    func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                 generator: inout SeededGenerator) throws -> Classifier

    /// Adds the structures the strategy trains (adapters, low-rank matrices, a soft prompt) to
    /// an encoder that lacks them.
    func attach(to model: BertModel, generator: inout SeededGenerator) throws

    /// Runs after training, before evaluation (LoRA merges its adapters).
    func finish(_ classifier: Classifier)
}

/// What a strategy learns from.
public enum TrainingData: String, Sendable, CaseIterable {
    /// Labelled examples: the strategy builds and trains a classifier (`prepare`).
    case labelledExamples = "labelled examples"
    /// Unlabelled text: masked-LM pretraining.
    case text = "unlabelled text"
    /// Sentence pairs (anchor, positive): contrastive training.
    case sentencePairs = "sentence pairs"
}

extension AdaptationStrategy {
    public var name: String { Self.name }
    public static var optionNames: [String] { [] }
    public static var defaultLearningRate: Float { 1e-3 }
    public static var carriesAcrossStages: Bool { true }
    public static var trainingData: TrainingData { .labelledExamples }
    public static var leavesEncoderUnchanged: Bool { false }
    public var options: StrategyOptions { StrategyOptions() }
    public var trains: Bool { true }
    public func attach(to model: BertModel, generator: inout SeededGenerator) throws {}
    public func finish(_ classifier: Classifier) {}
}

extension Classifier {
    /// The number of scalars that train.
    public var trainableParameterCount: Int { parameters.filter(\.isTrainable).reduce(0) { $0 + $1.count } }
    /// The number of scalars in the whole classifier.
    public var totalParameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// A classifier over the base checkpoint's own weights (shared, not copied: load the
    /// checkpoint once per strategy) with a fresh head.
    static func fresh(base: Checkpoint, model: BertModel? = nil, labelNames: [String], pooling: Pooling,
                      generator: inout SeededGenerator) -> Classifier {
        let encoder = model ?? base.model
        let head = ClassificationHead(
            pooling: pooling, hiddenSize: encoder.configuration.hiddenSize, labelCount: labelNames.count,
            generator: &generator)
        return Classifier(model: encoder, head: head, tokenizer: base.tokenizer, labelNames: labelNames)
    }

    /// Makes exactly the parameters for which `trains` holds trainable (the head always trains;
    /// the BERT pooler never does, since mean and CLS heads do not use it).
    func train(only trains: (Parameter) -> Bool) {
        for parameter in model.parameters {
            parameter.isTrainable = !parameter.name.hasPrefix("pooler.") && trains(parameter)
        }
        for parameter in head.parameters { parameter.isTrainable = true }
    }
}

/// Every built-in strategy, in the order help texts list them.
public enum StrategyRegistry {
    public static let all: [any AdaptationStrategy.Type] = [
        FullFineTuning.self, LoRAStrategy.self, AdapterStrategy.self, PromptTuningStrategy.self, LinearProbe.self,
        BitFit.self, ScratchBaseline.self, ZeroShot.self, FewShot.self, MaskedLanguageModelStrategy.self,
        ContrastiveStrategy.self,
    ]

    public static var names: [String] { all.map { $0.name } }

    /// The strategy type called `name`, or nil.
    public static func type(named name: String) -> (any AdaptationStrategy.Type)? {
        all.first { $0.name == name }
    }

    /// The strategy called `name` with these options; unknown names and options are errors
    /// listing the choices.
    public static func make(_ name: String, options: StrategyOptions = StrategyOptions()) throws -> any AdaptationStrategy {
        guard let type = type(named: name) else {
            throw AdaptationError.invalidOption(name: "strategy", reason: "unknown strategy '\(name)' (use \(names.joined(separator: ", ")))")
        }
        try options.check(accepted: type.optionNames, by: name)
        return try type.init(options: options)
    }
}

/// Every encoder weight trains (Devlin et al. 2019).
public struct FullFineTuning: AdaptationStrategy {
    public static let name = "full"
    public static let defaultLearningRate: Float = 2e-5
    public init() {}
    public init(options: StrategyOptions) throws {}
    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        let classifier = Classifier.fresh(base: base, labelNames: labelNames, pooling: pooling, generator: &generator)
        classifier.train { _ in true }
        return classifier
    }
}

/// The encoder is frozen and a multinomial logistic regression is fitted to convergence on its
/// pooled features, as SentEval, CLIP and MTEB evaluate linear probes: L-BFGS on scikit-learn's
/// objective, with the inverse regularisation strength C chosen on the validation split from
/// `LogisticRegression.defaultStrengthGrid`, the features computed once through the cache.
public struct LinearProbe: FeatureFittedStrategy {
    public static let name = "linear-probe"
    public static let leavesEncoderUnchanged = true
    /// Each stage fits a fresh head on the same frozen features, so a chain [S, T] ends exactly
    /// as [T] does: planning it would only repeat the direct cell (and dilute Holm's family).
    public static let carriesAcrossStages = false
    /// The C values tried.
    public var strengthGrid = LogisticRegression.defaultStrengthGrid
    public let trains = false

    public init() {}
    public init(options: StrategyOptions) throws {}

    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        let classifier = Classifier.fresh(base: base, labelNames: labelNames, pooling: pooling, generator: &generator)
        classifier.train { _ in false }
        return classifier
    }

    public func fit(_ classifier: Classifier, training: LabelledFeatureSet, validation: LabelledFeatureSet,
                    generator: inout SeededGenerator) throws -> TrainingHistory {
        let classes = classifier.labelNames.count
        let selection = try LogisticRegression.fitSelectingStrength(
            train: try LabelledFeatures(features: try training.matrix(), labels: training.labels, classCount: classes,
                                        name: "training features"),
            validation: try LabelledFeatures(features: try validation.matrix(), labels: validation.labels, classCount: classes,
                                             name: "validation features"),
            grid: strengthGrid)
        classifier.head = try Self.head(from: selection.model, pooling: classifier.head.pooling)
        var history = TrainingHistory()
        let chosen = selection.candidates.firstIndex { $0.strength == selection.strength }
        var sampleGenerator = SeededGenerator(seed: generator.next())
        let sample = ClassificationObjective.sample(
            Array(training.labels.indices), limit: TrainingMetric.trainingSampleLimit, generator: &sampleGenerator)
        let checked = try classifier.evaluate(validation)
        let seen = try classifier.evaluate(LabelledFeatureSet(
            features: training.features.gatherRows(sample.map(Int32.init)), labels: sample.map { training.labels[$0] }))
        for (index, candidate) in selection.candidates.enumerated() {
            var values = [
                TrainingMetric.validationAccuracy: candidate.validationAccuracy,
                "regularization_strength": candidate.strength, "iterations": Double(candidate.iterations),
            ]
            if index == chosen {
                values[TrainingMetric.validationLoss] = checked.loss
                values[TrainingMetric.validationMacroF1] = checked.metrics.macroF1
                values[TrainingMetric.trainEvaluationLoss] = seen.loss
                values[TrainingMetric.trainAccuracy] = seen.metrics.accuracy
            }
            history.records.append(EpochRecord(
                evaluation: index, epoch: 1, step: candidate.iterations, task: "task", learningRate: 0, seconds: 0, values: values))
        }
        history.bestEvaluation = chosen
        history.bestEpoch = chosen.map { _ in 1 }
        history.steps = selection.model.iterations
        let grid = strengthGrid.map { String(format: "%g", $0) }.joined(separator: ", ")
        history.stopReason = "logistic regression fitted by L-BFGS (\(selection.model.stop.rawValue), "
            + "\(selection.model.iterations) iterations); C = \(String(format: "%g", selection.strength)) chosen on validation "
            + "accuracy from \(grid)"
        return history
    }

    /// A classification head computing the regression's logits: its rows for three or more
    /// classes; for two, (0, wᵀx + b), whose softmax is the sigmoid of the log-odds.
    static func head(from model: LogisticRegression, pooling: Pooling) throws -> ClassificationHead {
        let hidden = model.featureCount
        var weight = Tensor(shape: [model.classCount, hidden])
        var bias = Tensor(shape: [model.classCount])
        let firstRow = model.classCount == 2 ? 1 : 0
        for row in 0..<model.coefficients.rows {
            for column in 0..<hidden { weight[firstRow + row, column] = Float(model.coefficients[row, column]) }
            bias.scalars[firstRow + row] = Float(model.intercepts[row])
        }
        return ClassificationHead(pooling: pooling, weight: weight, bias: bias)
    }
}

/// Only bias terms train, plus the head (Ben Zaken et al. 2022).
public struct BitFit: AdaptationStrategy {
    public static let name = "bitfit"
    public init() {}
    public init(options: StrategyOptions) throws {}
    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        let classifier = Classifier.fresh(base: base, labelNames: labelNames, pooling: pooling, generator: &generator)
        classifier.train { $0.name.hasSuffix(".bias") }
        return classifier
    }
}

/// The same architecture from random weights with the same training budget: the no-transfer
/// baseline that pretraining gain is measured against.
public struct ScratchBaseline: AdaptationStrategy {
    public static let name = "scratch"
    public static let defaultLearningRate: Float = 2e-5
    /// Each stage starts from new random weights: nothing carries.
    public static let carriesAcrossStages = false
    public init() {}
    public init(options: StrategyOptions) throws {}
    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        let model = BertModel.randomlyInitialized(configuration: base.configuration, seed: generator.next())
        let classifier = Classifier.fresh(base: base, model: model, labelNames: labelNames, pooling: pooling, generator: &generator)
        classifier.train { _ in true }
        return classifier
    }
}
