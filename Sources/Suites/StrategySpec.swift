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
    public var training: TrainingSpec?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, label, rank, alpha, dropout, targets, size, length, shots, training
    }

    /// The options each strategy accepts.
    static let optionsByStrategy: [String: [CodingKeys]] = [
        "lora": [.rank, .alpha, .dropout, .targets], "adapter": [.size], "prompt-tuning": [.length], "few-shot": [.shots],
    ]

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
        return keys
    }

    /// The strategy with these options; zero-shot takes the task's label descriptions.
    func makeStrategy(labelDescriptions: [String]?) throws -> any AdaptationStrategy {
        switch name {
        case "lora":
            let defaults = LoRAStrategy()
            let chosenTargets = try (targets ?? defaults.targets.map(\.rawValue)).map { target -> LoRATarget in
                guard let value = LoRATarget(rawValue: target) else {
                    throw AdaptationError.invalidOption(
                        name: "targets",
                        reason: "unknown target '\(target)' (use \(LoRATarget.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return value
            }
            return LoRAStrategy(rank: rank ?? defaults.rank, alpha: alpha.map(Float.init) ?? defaults.alpha,
                                dropout: dropout.map(Float.init) ?? defaults.dropout, targets: chosenTargets)
        case "adapter": return AdapterStrategy(bottleneck: size ?? AdapterStrategy().bottleneck)
        case "prompt-tuning": return PromptTuningStrategy(length: length ?? PromptTuningStrategy().length)
        case "few-shot": return FewShot(examplesPerClass: shots ?? FewShot().examplesPerClass)
        case "zero-shot": return ZeroShot(descriptions: labelDescriptions)
        default:
            guard let strategy = Strategies.named(name) else {
                throw AdaptationError.invalidOption(
                    name: "name", reason: "unknown strategy '\(name)' (use \(Strategies.names.joined(separator: ", ")))")
            }
            return strategy
        }
    }

    /// How results name this entry.
    public var displayName: String { label ?? name }
}
