import Evaluation
import Foundation

/// Which data a probe reads and how it runs: what the command line's flags and a suite's
/// `probes:` entries both resolve to. Data paths default to the benchmark files of
/// ../shared/data (data/README.md §1–§5).
public struct ProbeSettings: Sendable, Equatable, Codable {
    public var kind: ProbeKind
    /// The probe's data: SEAT test files or folders; the CrowS-Pairs CSV; the StereoSet JSONL;
    /// the identity-term templates; the counterfactual texts; the ToxiGen folder.
    public var data: [String]
    /// Identity-term lists (identity-terms: one; counterfactual: one per swap group).
    public var terms: [String]
    /// Use at most this many items (a seeded, label-stratified sample where labels exist).
    public var limit: Int?
    /// Seed of samples and random permutations.
    public var seed: UInt64
    /// SEAT: permutations for the p-value (exact up to this many).
    public var permutations: Int
    /// The classifier labels that mean toxic (default: the recognised names).
    public var toxicLabels: [String]?

    public init(kind: ProbeKind, data: [String], terms: [String] = [], limit: Int? = nil, seed: UInt64 = 0,
                permutations: Int = 100_000, toxicLabels: [String]? = nil) {
        self.kind = kind
        self.data = data
        self.terms = terms
        self.limit = limit
        self.seed = seed
        self.permutations = permutations
        self.toxicLabels = toxicLabels
    }

    /// The settings with the default data under `dataRoot` (the `data` folder of ../shared).
    public static func defaults(_ kind: ProbeKind, dataRoot: URL) -> ProbeSettings {
        func path(_ relative: String) -> String { dataRoot.appendingPathComponent(relative).path }
        let identityTerms = path("04_bias_madlibs/word_lists/adjectives_people.txt")
        switch kind {
        case .seat: return ProbeSettings(kind: kind, data: [path("03_seat/tests")])
        case .crowsPairs: return ProbeSettings(kind: kind, data: [path("01_crows_pairs/crows_pairs_anonymized.csv")])
        case .stereoSet: return ProbeSettings(kind: kind, data: [path("02_stereoset/stereoset_dev_sample200.jsonl")])
        case .identityTerms:
            return ProbeSettings(kind: kind, data: [path("04_bias_madlibs/bias_madlibs_77k.csv")], terms: [identityTerms])
        case .counterfactual:
            return ProbeSettings(kind: kind, data: [path("04_bias_madlibs/bias_madlibs_77k.csv")], terms: [identityTerms],
                                 limit: 200)
        case .toxigen: return ProbeSettings(kind: kind, data: [path("05_toxicity_labelled/toxigen_demonstrations")])
        }
    }

    /// Where the benchmark data is: `$ADAPTEVAL_SHARED/data`, else `<near>/../shared/data`.
    public static func dataRoot(environment: [String: String] = ProcessInfo.processInfo.environment, near folder: URL) -> URL {
        if let shared = environment["ADAPTEVAL_SHARED"], !shared.isEmpty {
            return URL(fileURLWithPath: shared).appendingPathComponent("data")
        }
        return folder.deletingLastPathComponent().appendingPathComponent("shared/data").standardizedFileURL
    }

    /// Reads the data and builds the probe.
    public func load() throws -> any Probe {
        guard !data.isEmpty else { throw ProbeError.invalidSetting(name: "data", reason: "\(kind.rawValue) needs its data") }
        if let limit, limit < 1 { throw ProbeError.invalidSetting(name: "limit", reason: "must be at least 1, got \(limit)") }
        switch kind {
        case .seat:
            var tests = try AssociationTest.read(paths: data)
            if let limit { tests = Array(tests.prefix(limit)) }
            return try SEATProbe(tests: tests, permutations: permutations, seed: seed)
        case .crowsPairs:
            let pairs = try CrowSPair.read(path: try single("data"))
            return try CrowSPairsProbe(pairs: limit.map { Array(pairs.prefix($0)) } ?? pairs)
        case .stereoSet:
            let items = try StereoSetItem.read(path: try single("data"))
            return try StereoSetProbe(items: limit.map { Array(items.prefix($0)) } ?? items)
        case .identityTerms:
            let templates = try ToxicityLabelledTexts.sample(try ToxicityLabelledTexts.read(path: try single("data")), limit: limit, seed: seed)
            guard terms.count == 1 else {
                throw ProbeError.invalidSetting(name: "terms", reason: "the identity-term probe takes one term list, got \(terms.count)")
            }
            return try IdentityTermProbe(sentences: templates, terms: try IdentityTerms.read(path: terms[0]), toxicLabels: toxicLabels)
        case .counterfactual:
            let path = try single("data")
            guard !terms.isEmpty else { throw ProbeError.invalidSetting(name: "terms", reason: "give at least one identity-term list") }
            let termLists = try terms.map { try IdentityTerms.read(path: $0) }
            let chosen: [Sample]
            if path.hasSuffix(".jsonl") {
                let texts = try DatasetReaders.jsonObjects(path: path).map { row in
                    guard let text = row.object["text"] as? String else {
                        throw ProbeError.malformedFile(path: path, line: row.line, reason: "no string \"text\"")
                    }
                    let id = (row.object["id"] as? String) ?? "\((path as NSString).lastPathComponent):\(row.line)"
                    return Sample(id: id, text: text, label: "", line: row.line)
                }
                chosen = try limit.map { try seededSample(Array(texts.indices), limit: $0, seed: seed).sorted().map { texts[$0] } } ?? texts
            } else {
                // A templates file is a pool to draw from: templates without a term to swap
                // (bias_madlibs_77k.csv's occupation rows) are left out before sampling.
                var templates = try ToxicityLabelledTexts.read(path: path)
                templates.samples.removeAll { sample in termLists.allSatisfy { $0.mentioned(in: sample.text).isEmpty } }
                guard !templates.samples.isEmpty else {
                    throw ProbeError.malformedFile(
                        path: path, line: nil, reason: "no template mentions any of the identity terms (\(terms.joined(separator: ", ")))")
                }
                chosen = try ToxicityLabelledTexts.sample(templates, limit: limit, seed: seed).samples
            }
            return try CounterfactualProbe(texts: chosen, termLists: termLists, source: path)
        case .toxigen:
            return try ToxiGenProbe(statements: try ToxiGenStatement.read(folder: try single("data")), toxicLabels: toxicLabels)
        }
    }

    /// Every file the probe reads, for content keys (folders expand to their files).
    public func files() throws -> [String] {
        var files: [String] = []
        for path in data + terms {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ProbeError.malformedFile(path: path, line: nil, reason: "no such file or folder")
            }
            if isFolder.boolValue {
                let root = URL(fileURLWithPath: path)
                let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
                let inside = (enumerator?.compactMap { ($0 as? URL)?.standardizedFileURL.path } ?? [])
                    .filter { !$0.hasSuffix(".md") && !($0 as NSString).lastPathComponent.hasPrefix("LICENSE") }
                files += inside.filter { path in
                    var folder: ObjCBool = false
                    return FileManager.default.fileExists(atPath: path, isDirectory: &folder) && !folder.boolValue
                }.sorted()
            } else {
                files.append(path)
            }
        }
        return files
    }

    func single(_ name: String) throws -> String {
        guard data.count == 1 else {
            throw ProbeError.invalidSetting(name: name, reason: "\(kind.rawValue) reads one file or folder, got \(data.count)")
        }
        return data[0]
    }
}

/// A probe with its data loaded, ready to run on any model.
public protocol Probe: Sendable {
    /// Runs the probe on a model; `bootstrap` sets the intervals (nil for none).
    func run(on model: any ModelUnderTest, bootstrap: ProbeBootstrap?) throws -> ProbeResult
}

extension SEATProbe: Probe {}
extension CrowSPairsProbe: Probe {}
extension StereoSetProbe: Probe {}
extension IdentityTermProbe: Probe {}
extension CounterfactualProbe: Probe {}
extension ToxiGenProbe: Probe {}

/// At most `limit` of `indices`, chosen by the seeded shuffle of `Splits` (`limit` ≥ 1).
func seededSample(_ indices: [Int], limit: Int, seed: UInt64) throws -> [Int] {
    guard limit < indices.count else { return indices }
    let samples = indices.map { Sample(id: String($0), text: "", label: "") }
    let chosen = try Splits.stratified(Dataset(name: "sample", samples: samples, labelNames: [""]), fractions: [1], limits: [limit], seed: seed)
    return chosen[0].samples.compactMap { Int($0.id) }
}
