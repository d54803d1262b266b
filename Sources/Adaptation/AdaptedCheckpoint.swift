import Foundation
import Transformers

/// What a strategy trained, saved without the frozen base weights: `adapter.safetensors` with
/// the trained tensors (LoRA A/B unmerged, the head always) and `adaptation.json` naming the
/// strategy, its options, the label names and the base model's sha256.
public struct AdaptedCheckpoint {
    public static let weightsFile = "adapter.safetensors"
    public static let metadataFile = "adaptation.json"
    public static let formatVersion = 1

    public struct Metadata: Codable, Equatable, Sendable {
        public var formatVersion: Int
        public var strategy: String
        public var options: [String: String]
        public var baseModelSHA256: String
        public var labelNames: [String]
        public var pooling: String
        public var maxLength: Int
        public var cosineScale: Float?
        public var loraTargets: [String]?
        public var tensors: [String]
        /// The heads of a chain's earlier stages (their tasks scored again over the final
        /// encoder measure forgetting); tensors `stages.<index>.classifier.*`.
        public var earlierStages: [StageHead]?

        enum CodingKeys: String, CodingKey {
            case formatVersion = "format_version", strategy, options
            case baseModelSHA256 = "base_model_sha256", labelNames = "label_names", pooling
            case maxLength = "max_length", cosineScale = "cosine_scale", loraTargets = "lora_targets", tensors
            case earlierStages = "earlier_stages"
        }
    }

    /// An earlier chain stage's head.
    public struct StageHead: Codable, Equatable, Sendable {
        public var task: String
        public var labelNames: [String]
        public var cosineScale: Float?

        public init(task: String, labelNames: [String], cosineScale: Float?) {
            self.task = task
            self.labelNames = labelNames
            self.cosineScale = cosineScale
        }

        enum CodingKeys: String, CodingKey { case task, labelNames = "label_names", cosineScale = "cosine_scale" }
    }

    /// A loaded adapted checkpoint: the last stage's classifier and the earlier stages' heads
    /// over the same encoder.
    public struct Loaded {
        public var classifier: Classifier
        public var earlierStages: [(task: String, classifier: Classifier)]
    }

    /// Saves the trainable parameters (and the head) of a prepared or trained classifier.
    ///
    /// After a multi-stage chain the encoder differs from the base in ways the last stage did
    /// not train; `includingWholeEncoder` then saves every encoder weight as well.
    public static func save(
        _ classifier: Classifier, strategy: any AdaptationStrategy, baseSHA256: String, to directory: URL,
        includingWholeEncoder: Bool = false, earlierStages: [(task: String, classifier: Classifier)] = []
    ) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var tensors: [String: Tensor] = [:]
        for parameter in classifier.model.parameters where parameter.isTrainable || includingWholeEncoder {
            tensors[parameter.name] = parameter.value
        }
        for parameter in classifier.head.parameters { tensors[parameter.name] = parameter.value }
        for (index, stage) in earlierStages.enumerated() {
            for parameter in stage.classifier.head.parameters { tensors["stages.\(index)." + parameter.name] = parameter.value }
        }
        let metadata = Metadata(
            formatVersion: formatVersion, strategy: strategy.name, options: strategy.options,
            baseModelSHA256: baseSHA256, labelNames: classifier.labelNames, pooling: classifier.head.pooling.rawValue,
            maxLength: classifier.maxLength, cosineScale: classifier.head.cosineScale,
            loraTargets: (strategy as? LoRAStrategy)?.targets.map(\.rawValue), tensors: tensors.keys.sorted(),
            earlierStages: earlierStages.isEmpty ? nil : earlierStages.map {
                StageHead(task: $0.task, labelNames: $0.classifier.labelNames, cosineScale: $0.classifier.head.cosineScale)
            })
        try SafetensorsWriter.write(
            tensors: tensors, metadata: ["strategy": strategy.name, "base_model_sha256": baseSHA256],
            to: directory.appendingPathComponent(weightsFile))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(metadata).write(to: directory.appendingPathComponent(metadataFile))
    }

    /// Loads an adapted checkpoint onto its base model (whose weights it overwrites in place),
    /// refusing one trained from another base. LoRA adapters are attached and merged.
    public static func load(from directory: URL, base: Checkpoint) throws -> Classifier {
        try loadStages(from: directory, base: base).classifier
    }

    /// Loads an adapted checkpoint with the heads of its chain's earlier stages.
    public static func loadStages(from directory: URL, base: Checkpoint) throws -> Loaded {
        let metadataURL = directory.appendingPathComponent(metadataFile)
        guard let data = FileManager.default.contents(atPath: metadataURL.path) else {
            throw AdaptationError.checkpointMismatch(path: metadataURL.path, reason: "no such file; is this an adapted checkpoint?")
        }
        let metadata: Metadata
        do {
            metadata = try JSONDecoder().decode(Metadata.self, from: data)
        } catch {
            throw AdaptationError.checkpointMismatch(path: metadataURL.path, reason: "unreadable metadata: \(error)")
        }
        let baseSHA = try base.weightsSHA256()
        guard metadata.baseModelSHA256 == baseSHA else {
            throw AdaptationError.checkpointMismatch(
                path: directory.path,
                reason: "was trained on base model \(metadata.baseModelSHA256.prefix(12))…, but "
                    + "\(base.directory.path) has sha256 \(baseSHA.prefix(12))…")
        }
        guard let pooling = Pooling(rawValue: metadata.pooling) else {
            throw AdaptationError.checkpointMismatch(path: metadataURL.path, reason: "unknown pooling '\(metadata.pooling)'")
        }
        let file = try SafetensorsFile(contentsOf: directory.appendingPathComponent(weightsFile))
        let hidden = base.configuration.hiddenSize
        /// A tensor of the file, refused unless it has the shape the base model implies.
        func tensor(_ name: String, shape: [Int]) throws -> Tensor {
            let value = try file.tensor(name)
            guard value.shape == shape else {
                throw AdaptationError.checkpointMismatch(
                    path: file.path, reason: "tensor '\(name)' has shape \(value.shape), expected \(shape) for this base model")
            }
            return value
        }
        let labels = metadata.labelNames.count
        var head = ClassificationHead(
            pooling: pooling, weight: try tensor("classifier.weight", shape: [labels, hidden]),
            bias: try tensor("classifier.bias", shape: [labels]))
        head.cosineScale = metadata.cosineScale
        let model = base.model
        if let size = metadata.options["bottleneck"].flatMap(Int.init) {
            var generator = SeededGenerator(seed: 0)  // every value is overwritten below
            AdapterStrategy.attach(to: model, bottleneck: size, generator: &generator)
        }
        if let entry = file.entry(PromptTuningStrategy.parameterName) {
            model.softPrompt = Parameter(
                name: PromptTuningStrategy.parameterName,
                value: try tensor(entry.name, shape: [entry.shape.first ?? 0, hidden]), isTrainable: false)
        }
        let byName = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0) })
        for name in file.names where !name.hasPrefix("classifier.") && !name.hasPrefix("stages.") && !name.contains(".lora_") {
            guard let parameter = byName[name] else {
                throw AdaptationError.checkpointMismatch(path: file.path, reason: "tensor '\(name)' is not a parameter of the base model")
            }
            let tensor = try file.tensor(name)
            guard tensor.shape == parameter.shape else {
                throw AdaptationError.checkpointMismatch(
                    path: file.path, reason: "tensor '\(name)' has shape \(tensor.shape), the base model \(parameter.shape)")
            }
            parameter.value = tensor
        }
        // LoRA merges last, onto whatever encoder weights the checkpoint restored above.
        if let targetNames = metadata.loraTargets {
            let targets = try targetNames.map { name -> LoRATarget in
                guard let target = LoRATarget(rawValue: name) else {
                    throw AdaptationError.checkpointMismatch(path: metadataURL.path, reason: "unknown LoRA target '\(name)'")
                }
                return target
            }
            let alpha = Float(metadata.options["alpha"] ?? "") ?? 16
            for index in model.layers.indices {
                for target in targets {
                    let prefix = "encoder.layer.\(index).\(target.checkpointSuffix)"
                    let linear = model.layers[index][keyPath: target.keyPath]
                    let rank = file.entry(prefix + ".lora_A.weight")?.shape.first ?? 0
                    guard rank >= 1 else {
                        throw AdaptationError.checkpointMismatch(path: file.path, reason: "tensor '\(prefix).lora_A.weight' is missing or empty")
                    }
                    let down = try tensor(prefix + ".lora_A.weight", shape: [rank, linear.inputSize])
                    let up = try tensor(prefix + ".lora_B.weight", shape: [linear.outputSize, rank])
                    model.layers[index][keyPath: target.keyPath].adapter = LowRankAdapter(
                        down: Parameter(name: prefix + ".lora_A.weight", value: down),
                        up: Parameter(name: prefix + ".lora_B.weight", value: up),
                        scale: alpha / Float(down.shape[0]))
                    model.layers[index][keyPath: target.keyPath].mergeAdapter()
                }
            }
        }
        let earlier = try (metadata.earlierStages ?? []).enumerated().map { index, stage in
            var stageHead = ClassificationHead(
                pooling: pooling,
                weight: try tensor("stages.\(index).classifier.weight", shape: [stage.labelNames.count, hidden]),
                bias: try tensor("stages.\(index).classifier.bias", shape: [stage.labelNames.count]))
            stageHead.cosineScale = stage.cosineScale
            return (task: stage.task, classifier: Classifier(
                model: model, head: stageHead, tokenizer: base.tokenizer, labelNames: stage.labelNames, maxLength: metadata.maxLength))
        }
        return Loaded(
            classifier: Classifier(model: model, head: head, tokenizer: base.tokenizer, labelNames: metadata.labelNames,
                                   maxLength: metadata.maxLength),
            earlierStages: earlier)
    }
}
