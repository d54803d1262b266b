import Evaluation
import Transformers

/// Which encoder weights an encoder objective (masked LM, contrastive) trains: all of them
/// (`full`), or low-rank adapters on chosen projections with the encoder frozen (`lora`, Hu et
/// al. 2021), merged into the weights when the stage ends so the next stage starts from a
/// plain encoder.
public enum EncoderTrainingMethod: Sendable {
    case full
    case lora(LoRAStrategy)

    /// The option that chooses the method, and LoRA's options, which only `lora` takes.
    public static let optionNames = ["method"] + LoRAStrategy.optionNames

    /// The method the options name (`method`: full, the default, or lora with LoRA's options).
    public init(options: StrategyOptions) throws {
        let method = options.scalars["method"] ?? "full"
        switch method {
        case "full":
            if let extra = options.names.intersection(LoRAStrategy.optionNames).sorted().first {
                throw AdaptationError.invalidOption(name: extra, reason: "applies to method lora only (method is full)")
            }
            self = .full
        case "lora":
            let loraOptions = StrategyOptions(
                scalars: options.scalars.filter { LoRAStrategy.optionNames.contains($0.key) },
                lists: options.lists.filter { LoRAStrategy.optionNames.contains($0.key) })
            self = .lora(try LoRAStrategy(options: loraOptions))
        default:
            throw AdaptationError.invalidOption(name: "method", reason: "use full or lora, got '\(method)'")
        }
    }

    /// The options with defaults filled in.
    public var options: StrategyOptions {
        switch self {
        case .full: return StrategyOptions(scalars: ["method": "full"])
        case .lora(let lora):
            var options = lora.options
            options.scalars["method"] = "lora"
            return options
        }
    }

    /// Makes exactly this method's encoder weights trainable (never the pooler, which pooled
    /// objectives do not use), attaching fresh adapters for `lora`.
    public func prepare(_ model: BertModel, generator: inout SeededGenerator) throws {
        switch self {
        case .full:
            for parameter in model.parameters { parameter.isTrainable = !parameter.name.hasPrefix("pooler.") }
        case .lora(let lora):
            for parameter in model.parameters { parameter.isTrainable = false }
            try lora.attach(to: model, generator: &generator)
        }
    }

    /// Adds the structures the method trains, for loading a saved stage (`attach`).
    public func attach(to model: BertModel, generator: inout SeededGenerator) throws {
        if case .lora(let lora) = self { try lora.attach(to: model, generator: &generator) }
    }

    /// Ends a stage: LoRA adapters merge into the weights.
    public func finish(_ model: BertModel) {
        if case .lora(let lora) = self { lora.merge(into: model) }
    }
}

/// A task an encoder objective trains on: texts (masked LM) or sentence pairs (`pair` set,
/// contrastive), split into training and validation.
public struct EncoderTask: Sendable {
    public var name: String
    public var training: [TextInput]
    public var validation: [TextInput]

    public init(name: String, training: [TextInput], validation: [TextInput]) {
        self.name = name
        self.training = training
        self.validation = validation
    }
}

/// A strategy that trains the encoder through its own objective on unlabelled text or sentence
/// pairs rather than through a classifier; `Trainer` drives the objective like any other.
public protocol EncoderObjectiveStrategy: AdaptationStrategy {
    /// Which weights train.
    var method: EncoderTrainingMethod { get }

    /// The objective over `base`'s encoder (trained in place), with exactly the parameters this
    /// strategy trains made trainable.
    func objective(
        base: Checkpoint, task: EncoderTask, configuration: TrainingConfiguration, pooling: Pooling,
        generator: inout SeededGenerator
    ) throws -> any TrainingObjective
}

extension EncoderObjectiveStrategy {
    /// Encoder objectives build no classifier: labelled tasks belong to other strategies.
    public func prepare(base: Checkpoint, labelNames: [String], training: [LabelledExample], pooling: Pooling,
                        generator: inout SeededGenerator) throws -> Classifier {
        throw AdaptationError.invalidOption(
            name: "strategy",
            reason: "\(name) trains on \(Self.trainingData.rawValue), not on labelled examples; adapt a labelled task with "
                + "full or lora (for example after a \(name) stage in a chain)")
    }

    public func attach(to model: BertModel, generator: inout SeededGenerator) throws {
        try method.attach(to: model, generator: &generator)
    }

    public func finish(_ classifier: Classifier) { method.finish(classifier.model) }

    /// Ends a stage on `model`: LoRA adapters merge into the weights.
    public func finish(encoder model: BertModel) { method.finish(model) }
}
