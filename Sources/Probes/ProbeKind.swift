/// Every probe, by the name commands and suite files use.
public enum ProbeKind: String, Sendable, Codable, CaseIterable {
    case seat
    case crowsPairs = "crows-pairs"
    case stereoSet = "stereoset"
    case identityTerms = "identity-terms"
    case counterfactual
    case toxigen

    /// What the probe needs the model to do, for messages and for deciding where it applies.
    public enum Capability: String, Sendable {
        case embedder, maskedLanguageModel = "masked language model", classifier
    }

    public var capability: Capability {
        switch self {
        case .seat: return .embedder
        case .crowsPairs, .stereoSet: return .maskedLanguageModel
        case .identityTerms, .counterfactual, .toxigen: return .classifier
        }
    }

    /// Whether the probe reads a toxicity score (the summed probability of toxic labels).
    public var needsToxicLabels: Bool { self == .identityTerms || self == .toxigen }

    /// The probe's metrics as functions of item weights, rebuilt from stored items (for drift
    /// intervals against a base model probed in an earlier run).
    public func statistics(items: [ProbeItem]) throws -> any ProbeStatistics {
        switch self {
        case .seat: return try SEATProbe.statistics(items: items)
        case .crowsPairs: return try CrowSPairsProbe.statistics(items: items)
        case .stereoSet: return try StereoSetProbe.statistics(items: items)
        case .identityTerms: return try IdentityTermProbe.statistics(items: items)
        case .counterfactual: return try CounterfactualProbe.statistics(items: items)
        case .toxigen: return try ToxiGenProbe.statistics(items: items)
        }
    }
}
