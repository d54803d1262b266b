import Foundation

/// A task: where its train, validation and test examples come from, and what kind of task it
/// is (`type`): labelled classification (the default), sentence pairs for contrastive training,
/// or an embedding task scored as MTEB scores it; `role: pretraining` marks unlabelled text.
///
/// Either `data` names one dataset that `split` divides by seed (stratified), or `train`,
/// `validation` and `test` name datasets; a missing validation set is carved from `train`
/// with `split.validation`. `limit` caps each split, keeping label proportions.
public struct TaskSpec: Decodable, Sendable, Equatable, Placeholder {
    public enum Role: String, Codable, Sendable, CaseIterable {
        /// Transferred from: chains start with it.
        case source
        /// Trained between a source (or the base model) and a target.
        case intermediate
        /// Adapted to and scored: every chain ends with one.
        case target
        /// Unlabelled text for masked-LM pretraining before the stages that follow it.
        case pretraining
    }

    /// What a task's examples are and how a stage uses them.
    public enum TaskType: String, Codable, Sendable, CaseIterable {
        /// Labelled examples: a stage trains a classifier, which is scored.
        case classification
        /// (anchor, positive) sentence pairs: a stage trains the encoder contrastively.
        case pairs
        /// Scored sentence pairs: Spearman and Pearson of cosine similarities (not trained).
        case sts
        /// A corpus, queries and judgements (`format: beir`): nDCG@10, MRR@10, recall (not trained).
        case retrieval
        /// Binary-labelled sentence pairs: average precision of cosine similarities (not trained).
        case pairClassification = "pair-classification"
    }

    public var role: Role
    public var data: String?
    public var train: String?
    public var validation: String?
    public var test: String?
    public var split: SplitSpec?
    public var limit: SplitLimits?
    /// Words describing each label, in label order, for zero-shot.
    public var labelDescriptions: [String]?
    /// Training settings for this task's stage (over the suite's, under a strategy's).
    public var training: TrainingSpec?
    /// The kind of task (default classification).
    public var type: TaskType?
    /// The strategy that trains stages on an unlabelled-text or sentence-pair task in cells
    /// whose own strategy trains on labelled examples (default `mlm` and `contrastive`).
    public var strategy: StrategySpec?
    /// For `type: pairs` from scored pairs (STS): the smallest score of a pair kept as positive.
    public var minScore: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case role, type, data, train, validation, test, split, limit, labelDescriptions = "label_descriptions", training
        case strategy, minScore = "min_score"
    }

    static var placeholder: TaskSpec { TaskSpec(role: .target) }

    init(role: Role) { self.role = role }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decodeKeyword(Role.self, forKey: .role, noun: "role", decoder: decoder) ?? .target
        data = try c.decodeIfPresent(String.self, forKey: .data)
        train = try c.decodeIfPresent(String.self, forKey: .train)
        validation = try c.decodeIfPresent(String.self, forKey: .validation)
        test = try c.decodeIfPresent(String.self, forKey: .test)
        split = try c.decodeIfPresent(SplitSpec.self, forKey: .split)
        limit = try c.decodeIfPresent(SplitLimits.self, forKey: .limit)
        labelDescriptions = try c.decodeIfPresent([String].self, forKey: .labelDescriptions)
        training = try c.decodeIfPresent(TrainingSpec.self, forKey: .training)
        type = try c.decodeKeyword(TaskType.self, forKey: .type, noun: "type", decoder: decoder)
        strategy = try c.decodeIfPresent(StrategySpec.self, forKey: .strategy)
        minScore = try c.decodeIfPresent(Double.self, forKey: .minScore)
    }
}

/// Fractions for splits made by seed; each label's examples are shuffled and divided alike.
public struct SplitSpec: Decodable, Encodable, Sendable, Equatable, Placeholder {
    public var train: Double?
    public var validation: Double?
    public var test: Double?
    /// The shuffle's seed: fixed per task, independent of training seeds, so every cell is
    /// scored on the same test examples.
    public var seed: UInt64

    enum CodingKeys: String, CodingKey, CaseIterable { case train, validation, test, seed }

    static var placeholder: SplitSpec { SplitSpec(seed: 0) }

    init(train: Double? = nil, validation: Double? = nil, test: Double? = nil, seed: UInt64) {
        self.train = train
        self.validation = validation
        self.test = test
        self.seed = seed
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        train = try c.decodeIfPresent(Double.self, forKey: .train)
        validation = try c.decodeIfPresent(Double.self, forKey: .validation)
        test = try c.decodeIfPresent(Double.self, forKey: .test)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
    }
}

/// The most examples each split keeps.
public struct SplitLimits: Decodable, Encodable, Sendable, Equatable, Placeholder {
    public var train: Int?
    public var validation: Int?
    public var test: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case train, validation, test }

    static var placeholder: SplitLimits { SplitLimits() }

    init(train: Int? = nil, validation: Int? = nil, test: Int? = nil) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        train = try c.decodeIfPresent(Int.self, forKey: .train)
        validation = try c.decodeIfPresent(Int.self, forKey: .validation)
        test = try c.decodeIfPresent(Int.self, forKey: .test)
    }
}
