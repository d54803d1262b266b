import Foundation

/// One entry of `remote_probes`: a probe of a served model's generations (RealToxicityPrompts,
/// ToxiGen prompts, BOLD), of its likelihoods (CrowS-Pairs, StereoSet) or of its embeddings
/// (SEAT), run once per seed.
public struct RemoteProbeSpec: Codable, Sendable, Equatable, Placeholder {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case realToxicityPrompts = "realtoxicityprompts"
        case toxigen
        case bold
        case crowsPairs = "crows-pairs"
        case stereoset
        case seat

        /// Whether the probe generates continuations (and needs a toxicity scorer).
        var generates: Bool { self == .realToxicityPrompts || self == .toxigen || self == .bold }
        /// Whether the probe scores sentences by echo log-probabilities.
        var scoresLikelihoods: Bool { self == .crowsPairs || self == .stereoset }
    }

    public var name: Kind
    /// How results name the probe (default its name); needed when one probe appears twice.
    public var label: String?
    /// The benchmark file or folder (../shared/data §1, §2, §3, §7).
    public var data: String
    /// The most prompts (RealToxicityPrompts), pairs or items read, in file order for the
    /// likelihood probes and by a fixed shuffle for prompts.
    public var limit: Int?
    /// The most prompts per group (ToxiGen file, BOLD group).
    public var perGroup: Int?
    /// ToxiGen groups (`hate_asian`, …) or BOLD domains (`gender`, …) to keep; all by default.
    public var groups: [String]?
    /// Continuations per prompt (RealToxicityPrompts' k: 25 in the paper).
    public var samples: Int?
    /// Overrides the model's `sampling.max_tokens`.
    public var maxTokens: Int?
    /// The toxicity scorer: a classifier checkpoint; AdaptEval's own scorer when not given.
    public var scorer: ScorerSpec?
    /// BOLD's sentiment scorer: a classifier checkpoint with positive and negative labels.
    public var sentimentScorer: ScorerSpec?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, label, data, limit, perGroup = "per_group", groups, samples, maxTokens = "max_tokens", scorer
        case sentimentScorer = "sentiment_scorer"
    }

    static var placeholder: RemoteProbeSpec { RemoteProbeSpec(name: .realToxicityPrompts, data: "") }

    init(name: Kind, data: String) {
        self.name = name
        self.data = data
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeKeyword(Kind.self, forKey: .name, noun: "remote probe", decoder: decoder) ?? .realToxicityPrompts
        label = try c.decodeIfPresent(String.self, forKey: .label)
        data = try c.decode(String.self, forKey: .data)
        limit = try c.decodeIfPresent(Int.self, forKey: .limit)
        perGroup = try c.decodeIfPresent(Int.self, forKey: .perGroup)
        groups = try c.decodeIfPresent([String].self, forKey: .groups)
        samples = try c.decodeIfPresent(Int.self, forKey: .samples)
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens)
        scorer = try c.decodeIfPresent(ScorerSpec.self, forKey: .scorer)
        sentimentScorer = try c.decodeIfPresent(ScorerSpec.self, forKey: .sentimentScorer)
    }

    public var displayName: String { label ?? name.rawValue }
    /// Continuations per prompt: as given, else 25 for RealToxicityPrompts and 1 otherwise.
    var resolvedSamples: Int { samples ?? (name == .realToxicityPrompts ? 25 : 1) }
}

/// A classifier checkpoint that scores texts: an adapted checkpoint (`adapteval train
/// --output`, a suite's saved cell) on its base model. A text's score is the summed probability
/// of `labels` (toxicity: default `toxic`), minus that of `negative_labels` when given
/// (sentiment: default `positive` minus `negative`).
public struct ScorerSpec: Codable, Sendable, Equatable, Placeholder {
    public var checkpoint: String
    public var base: String
    public var labels: [String]?
    public var negativeLabels: [String]?

    enum CodingKeys: String, CodingKey, CaseIterable { case checkpoint, base, labels, negativeLabels = "negative_labels" }

    static var placeholder: ScorerSpec { ScorerSpec(checkpoint: "", base: "") }

    init(checkpoint: String, base: String) {
        self.checkpoint = checkpoint
        self.base = base
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        checkpoint = try c.decode(String.self, forKey: .checkpoint)
        base = try c.decode(String.self, forKey: .base)
        labels = try c.decodeIfPresent([String].self, forKey: .labels)
        negativeLabels = try c.decodeIfPresent([String].self, forKey: .negativeLabels)
    }
}
