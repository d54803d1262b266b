import Foundation

/// A model being evaluated, wherever it runs: a native checkpoint on this CPU (an encoder, an
/// adapted classifier, a masked LM) or a model served over HTTP (OpenAI-compatible).
///
/// What a model can do varies, so each capability is optional: a probe or task asks for the
/// one it needs through `require(_:_:)`, which fails with a sentence saying what is missing
/// instead of crashing. Probes and tasks are written against these protocols only, so remote
/// backends plug in wherever native models do (DESIGN.md, "The judging layer").
public protocol ModelUnderTest: AnyObject {
    /// What the model is, for results and reports.
    var identity: ModelIdentity { get }
    /// Sentence embeddings (SEAT, divergence, linear probes, few-shot prototypes).
    var embedder: (any TextEmbedder)? { get }
    /// Class probabilities (identity-term and counterfactual probes, toxicity scoring).
    var classifier: (any TextClassifier)? { get }
    /// Masked-token log-probabilities (CrowS-Pairs and StereoSet on masked LMs).
    var maskedLanguageModel: (any MaskedLanguageModel)? { get }
    /// Continuation log-likelihoods (CrowS-Pairs and StereoSet on causal LMs, label scoring).
    var causalLanguageModel: (any CausalLanguageModel)? { get }
    /// Text generation (toxicity and bias of continuations).
    var generator: (any TextGenerator)? { get }
}

extension ModelUnderTest {
    public var embedder: (any TextEmbedder)? { nil }
    public var classifier: (any TextClassifier)? { nil }
    public var maskedLanguageModel: (any MaskedLanguageModel)? { nil }
    public var causalLanguageModel: (any CausalLanguageModel)? { nil }
    public var generator: (any TextGenerator)? { nil }

    /// A capability the model must have, or an error naming the model, what is missing and
    /// what needs it (exit 2: the user chose a model that cannot do this).
    public func require<Capability>(_ capability: Capability?, _ what: String, for purpose: String) throws -> Capability {
        guard let capability else {
            throw EvaluationError.invalidArgument(
                reason: "\(identity.name) cannot \(what); \(purpose) needs a model that can")
        }
        return capability
    }
}

/// A model's name and a fingerprint that changes whenever its outputs may: the weights'
/// sha256 for a checkpoint, the endpoint, served model name and settings for a remote model.
public struct ModelIdentity: Sendable, Hashable, Codable {
    public var name: String
    public var fingerprint: String

    public init(name: String, fingerprint: String) {
        self.name = name
        self.fingerprint = fingerprint
    }
}

/// A text, or a text pair (premise and hypothesis, context and continuation).
public struct TextInput: Sendable, Hashable, Codable {
    public var text: String
    public var pair: String?

    public init(_ text: String, pair: String? = nil) {
        self.text = text
        self.pair = pair
    }
}

/// Maps texts to fixed-size vectors.
public protocol TextEmbedder: AnyObject {
    /// One vector per input, in input order (mean-pooled and not normalised, unless the
    /// implementation documents otherwise).
    func embed(_ inputs: [TextInput]) throws -> [[Float]]
}

/// Assigns class probabilities.
public protocol TextClassifier: AnyObject {
    /// The classes, in the order of the probabilities.
    var labelNames: [String] { get }
    /// One probability vector per input, in input order.
    func probabilities(_ inputs: [TextInput]) throws -> [[Double]]
}

/// A tokenized input as a masked LM sees it: ids with the special tokens, and which of them
/// are special (never scored).
public struct TokenizedInput: Sendable, Equatable {
    public var ids: [Int]
    public var typeIDs: [Int]
    public var isSpecial: [Bool]

    public init(ids: [Int], typeIDs: [Int], isSpecial: [Bool]) {
        self.ids = ids
        self.typeIDs = typeIDs
        self.isSpecial = isSpecial
    }
}

/// Positions of one tokenized sequence to score, each masked alone.
public struct MaskedScoringRequest: Sendable, Equatable {
    public var input: TokenizedInput
    public var positions: [Int]

    public init(input: TokenizedInput, positions: [Int]) {
        self.input = input
        self.positions = positions
    }
}

/// Masked-token scoring (Salazar et al. 2020's pseudo-log-likelihood and its relatives).
public protocol MaskedLanguageModel: AnyObject {
    /// The model's tokenization of an input, with [CLS]/[SEP] (and token types for a pair).
    func tokenize(_ input: TextInput) throws -> TokenizedInput
    /// For each request and each of its positions: log P(original token | the sequence with
    /// that one position masked), natural log.
    func maskedLogProbabilities(_ requests: [MaskedScoringRequest]) throws -> [[Double]]
}

/// Left-to-right likelihoods.
public protocol CausalLanguageModel: AnyObject {
    /// For each (prompt, continuation): the natural-log probability of each continuation token
    /// given the prompt and the continuation tokens before it. An empty prompt scores the
    /// whole text (its first token given the beginning of text).
    func continuationLogProbabilities(_ requests: [(prompt: String, continuation: String)]) throws -> [[Double]]
}

/// Sampling settings for generation.
public struct GenerationSettings: Sendable, Hashable, Codable {
    public var maxTokens: Int
    public var temperature: Double
    public var topP: Double
    /// Continuations per prompt (k in expected maximum toxicity).
    public var samples: Int
    public var seed: UInt64?
    public var stop: [String]

    public init(maxTokens: Int = 20, temperature: Double = 1, topP: Double = 0.9, samples: Int = 1, seed: UInt64? = nil,
                stop: [String] = []) {
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.samples = samples
        self.seed = seed
        self.stop = stop
    }
}

/// One generated continuation.
public struct Generation: Sendable, Equatable, Codable {
    public var text: String
    /// The natural-log probability of each generated token, when the model reports them.
    public var tokenLogProbabilities: [Double]?

    public init(text: String, tokenLogProbabilities: [Double]? = nil) {
        self.text = text
        self.tokenLogProbabilities = tokenLogProbabilities
    }
}

/// Continues prompts.
public protocol TextGenerator: AnyObject {
    /// `settings.samples` continuations per prompt, in prompt order.
    func generate(_ prompts: [String], settings: GenerationSettings) throws -> [[Generation]]
}
