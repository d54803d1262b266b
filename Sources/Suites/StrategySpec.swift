import Adaptation
import Foundation

/// One strategy entry: a bare name (`lora`) or a mapping with its options and training
/// overrides (`{name: lora, rank: 16, training: {learning_rate: 5e-4}}`).
public struct StrategySpec: Decodable, Sendable, Equatable, Placeholder {
    public var name: String
    /// A label for results when one strategy appears twice with different options.
    public var label: String?
    public var rank: Int?
    public var alpha: Double?
    public var dropout: Double?
    public var targets: [String]?
    public var size: Int?
    public var length: Int?
    public var shots: Int?
    /// Prompt learning on a remote model (`prompt`): the instruction, one verbaliser per label
    /// and how answers are scored.
    public var instruction: String?
    public var verbalizers: [String]?
    public var scoring: String?
    /// `mlm` and `contrastive`: which weights train (full or lora).
    public var method: String?
    public var maskProbability: Double?
    public var temperature: Double?
    public var learnTemperature: Bool?
    public var training: TrainingSpec?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, label, rank, alpha, dropout, targets, size, length, shots, instruction, verbalizers, scoring
        case method, maskProbability = "mask_probability", temperature, learnTemperature = "learn_temperature", training
    }

    static var placeholder: StrategySpec { StrategySpec(name: "") }

    init(name: String) { self.name = name }

    public init(from decoder: Decoder) throws {
        if let node = decoder as? YAMLNodeDecoder, node.isScalar {
            name = try node.decodeValue(String.self)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        rank = try c.decodeIfPresent(Int.self, forKey: .rank)
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha)
        dropout = try c.decodeIfPresent(Double.self, forKey: .dropout)
        targets = try c.decodeIfPresent([String].self, forKey: .targets)
        size = try c.decodeIfPresent(Int.self, forKey: .size)
        length = try c.decodeIfPresent(Int.self, forKey: .length)
        shots = try c.decodeIfPresent(Int.self, forKey: .shots)
        instruction = try c.decodeIfPresent(String.self, forKey: .instruction)
        verbalizers = try c.decodeIfPresent([String].self, forKey: .verbalizers)
        scoring = try c.decodeIfPresent(String.self, forKey: .scoring)
        method = try c.decodeIfPresent(String.self, forKey: .method)
        maskProbability = try c.decodeIfPresent(Double.self, forKey: .maskProbability)
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
        learnTemperature = try c.decodeIfPresent(Bool.self, forKey: .learnTemperature)
        training = try c.decodeIfPresent(TrainingSpec.self, forKey: .training)
    }

    /// The options set on this entry, by key.
    var givenOptions: [CodingKeys] {
        var keys: [CodingKeys] = []
        if rank != nil { keys.append(.rank) }
        if alpha != nil { keys.append(.alpha) }
        if dropout != nil { keys.append(.dropout) }
        if targets != nil { keys.append(.targets) }
        if size != nil { keys.append(.size) }
        if length != nil { keys.append(.length) }
        if shots != nil { keys.append(.shots) }
        if instruction != nil { keys.append(.instruction) }
        if verbalizers != nil { keys.append(.verbalizers) }
        if scoring != nil { keys.append(.scoring) }
        if method != nil { keys.append(.method) }
        if maskProbability != nil { keys.append(.maskProbability) }
        if temperature != nil { keys.append(.temperature) }
        if learnTemperature != nil { keys.append(.learnTemperature) }
        return keys
    }

    /// The options set on this entry, under the strategies' option names.
    var strategyOptions: StrategyOptions {
        var options = StrategyOptions()
        if let rank { options.scalars["rank"] = String(rank) }
        if let alpha { options.scalars["alpha"] = String(alpha) }
        if let dropout { options.scalars["dropout"] = String(dropout) }
        if let targets { options.lists["targets"] = targets }
        if let size { options.scalars["size"] = String(size) }
        if let length { options.scalars["length"] = String(length) }
        if let shots { options.scalars["shots"] = String(shots) }
        if let instruction { options.scalars["instruction"] = instruction }
        if let verbalizers { options.lists["verbalizers"] = verbalizers }
        if let scoring { options.scalars["scoring"] = scoring }
        if let method { options.scalars["method"] = method }
        if let maskProbability { options.scalars["mask_probability"] = String(maskProbability) }
        if let temperature { options.scalars["temperature"] = String(temperature) }
        if let learnTemperature { options.scalars["learn_temperature"] = String(learnTemperature) }
        return options
    }

    /// The strategy with these options; zero-shot takes the task's label descriptions.
    func makeStrategy(labelDescriptions: [String]?) throws -> any AdaptationStrategy {
        var options = strategyOptions
        if name == ZeroShot.name, let labelDescriptions { options.lists["descriptions"] = labelDescriptions }
        return try StrategyRegistry.make(name, options: options)
    }

    /// How results name this entry.
    public var displayName: String { label ?? name }
}
