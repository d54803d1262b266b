import Transformers

/// A way of adapting a pretrained encoder to a classification task.
///
/// A strategy builds the classifier (usually from the base model), decides what trains by
/// freezing everything else, and may post-process after training (LoRA merges its adapters).
/// Trainable and total parameter counts come from the prepared classifier.
public protocol AdaptationStrategy: Sendable {
    /// The name used in suite files and on the command line.
    var name: String { get }
    /// Hyper-parameters, recorded with results and in adapted checkpoints.
    var options: [String: String] { get }
    /// Whether the strategy runs the trainer; zero- and few-shot only build a head.
    var trains: Bool { get }

    /// Builds the classifier to train or evaluate, with the right parameters trainable.
    func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                 generator: inout SeededGenerator) throws -> Classifier

    /// Runs after training, before evaluation.
    func finish(_ classifier: Classifier)
}

extension AdaptationStrategy {
    public var options: [String: String] { [:] }
    public var trains: Bool { true }
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

/// Every built-in strategy by name, with default options.
public enum Strategies {
    public static let names = [
        "full", "lora", "adapter", "prompt-tuning", "linear-probe", "bitfit", "scratch", "zero-shot", "few-shot",
    ]

    /// Learning rates that suit each strategy's parameter count (full fine-tuning of BERT uses
    /// 2e-5 to 5e-5; adapters and heads tolerate much larger steps).
    public static func defaultLearningRate(_ strategy: String) -> Float {
        switch strategy {
        case "lora": return 1e-3
        case "adapter": return 5e-4
        case "prompt-tuning": return 3e-3
        case "linear-probe": return 1e-3
        case "bitfit": return 1e-3
        default: return 2e-5
        }
    }

    /// The strategy called `name` with its defaults, or nil.
    public static func named(_ name: String) -> (any AdaptationStrategy)? {
        switch name {
        case "full": return FullFineTuning()
        case "lora": return LoRAStrategy()
        case "adapter": return AdapterStrategy()
        case "prompt-tuning": return PromptTuningStrategy()
        case "linear-probe": return LinearProbe()
        case "bitfit": return BitFit()
        case "scratch": return ScratchBaseline()
        case "zero-shot": return ZeroShot()
        case "few-shot": return FewShot()
        default: return nil
        }
    }
}

/// Every encoder weight trains (Devlin et al. 2019).
public struct FullFineTuning: AdaptationStrategy {
    public let name = "full"
    public init() {}
    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        let classifier = Classifier.fresh(base: base, labelNames: labelNames, pooling: pooling, generator: &generator)
        classifier.train { _ in true }
        return classifier
    }
}

/// The encoder is frozen; only the head trains.
public struct LinearProbe: AdaptationStrategy {
    public let name = "linear-probe"
    public init() {}
    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        let classifier = Classifier.fresh(base: base, labelNames: labelNames, pooling: pooling, generator: &generator)
        classifier.train { _ in false }
        return classifier
    }
}

/// Only bias terms train, plus the head (Ben Zaken et al. 2022).
public struct BitFit: AdaptationStrategy {
    public let name = "bitfit"
    public init() {}
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
    public let name = "scratch"
    public init() {}
    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        let model = BertModel.randomlyInitialized(configuration: base.configuration, seed: generator.next())
        let classifier = Classifier.fresh(base: base, model: model, labelNames: labelNames, pooling: pooling, generator: &generator)
        classifier.train { _ in true }
        return classifier
    }
}
