import Foundation
import Transformers

/// What a strategy trained, saved without the frozen base weights: `adapter.safetensors` with
/// the trained tensors (LoRA A/B unmerged, the head always) and `adaptation.json` naming the
/// strategy, its options, the label names and the base model's sha256.
public struct AdaptedCheckpoint {
    public static let weightsFile = "adapter.safetensors"
    public static let metadataFile = "adaptation.json"
    /// 2: options as `StrategyOptions` under the strategies' own names.
    public static let formatVersion = 2

    public struct Metadata: Codable, Equatable, Sendable {
        public var formatVersion: Int
        public var strategy: String
        public var options: StrategyOptions
        public var baseModelSHA256: String
        public var labelNames: [String]
        public var pooling: String
        public var maxLength: Int
        public var cosineScale: Float?
        public var tensors: [String]
        /// The heads of a chain's earlier stages (their tasks scored again over the final
        /// encoder measure forgetting); tensors `stages.<index>.classifier.*`.
        public var earlierStages: [StageHead]?

        enum CodingKeys: String, CodingKey {
            case formatVersion = "format_version", strategy, options
            case baseModelSHA256 = "base_model_sha256", labelNames = "label_names", pooling
            case maxLength = "max_length", cosineScale = "cosine_scale", tensors
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
            tensors: tensors.keys.sorted(),
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
        // The strategy adds its structures (adapters, low-rank matrices, a soft prompt); the
        // saved tensors then fill them, and any encoder weights, by name.
        let strategy: any AdaptationStrategy
        do {
            strategy = try StrategyRegistry.make(metadata.strategy, options: metadata.formatVersion < 2
                ? Self.legacyOptions(metadata.options, strategy: metadata.strategy) : metadata.options)
        } catch {
            throw AdaptationError.checkpointMismatch(path: metadataURL.path, reason: error.localizedDescription)
        }
        var generator = SeededGenerator(seed: 0)  // every value is overwritten below
        try strategy.attach(to: model, generator: &generator)
        let byName = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0) })
        for name in file.names where !name.hasPrefix("classifier.") && !name.hasPrefix("stages.") {
            guard let parameter = byName[name] else {
                throw AdaptationError.checkpointMismatch(path: file.path, reason: "tensor '\(name)' is not a parameter of the base model")
            }
            parameter.value = try tensor(name, shape: parameter.shape)
            parameter.isTrainable = false
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
        let classifier = Classifier(model: model, head: head, tokenizer: base.tokenizer, labelNames: metadata.labelNames,
                                    maxLength: metadata.maxLength)
        // LoRA merges last, onto whatever encoder weights the checkpoint restored above.
        strategy.finish(classifier)
        return Loaded(classifier: classifier, earlierStages: earlier)
    }

    /// Options as format 1 recorded them (`bottleneck`, comma-joined LoRA targets, `k`,
    /// " | "-joined descriptions), in today's names.
    static func legacyOptions(_ options: StrategyOptions, strategy: String) -> StrategyOptions {
        var scalars = options.scalars
        var lists = options.lists
        if let size = scalars.removeValue(forKey: "bottleneck") { scalars["size"] = size }
        scalars.removeValue(forKey: "layer_norms")
        if let shots = scalars.removeValue(forKey: "k") { scalars["shots"] = shots }
        if let targets = scalars.removeValue(forKey: "targets") { lists["targets"] = targets.split(separator: ",").map(String.init) }
        if let descriptions = scalars.removeValue(forKey: "descriptions") {
            lists["descriptions"] = descriptions.components(separatedBy: " | ")
        }
        return StrategyOptions(scalars: scalars, lists: lists)
    }
}
