import Evaluation
import Foundation

/// One SEAT/WEAT association test (Caliskan et al. 2017; May et al. 2019): target sets X and
/// Y of equal size and attribute sets A and B, each a category with example words or sentences.
public struct AssociationTest: Sendable, Equatable {
    /// A named list of examples.
    public struct ExampleSet: Sendable, Equatable {
        public var category: String
        public var examples: [String]

        public init(category: String, examples: [String]) {
            self.category = category
            self.examples = examples
        }
    }

    /// The file name, which names the test in results (`weat1.jsonl`).
    public var name: String
    public var firstTargets: ExampleSet
    public var secondTargets: ExampleSet
    public var firstAttributes: ExampleSet
    public var secondAttributes: ExampleSet

    public init(name: String, firstTargets: ExampleSet, secondTargets: ExampleSet, firstAttributes: ExampleSet,
                secondAttributes: ExampleSet) {
        self.name = name
        self.firstTargets = firstTargets
        self.secondTargets = secondTargets
        self.firstAttributes = firstAttributes
        self.secondAttributes = secondAttributes
    }

    /// The keys of a test file, in the order X, Y, A, B.
    public static let keys = ["targ1", "targ2", "attr1", "attr2"]

    /// Reads one test file of the sent-bias format: a single JSON object (pretty-printed,
    /// despite the `.jsonl` extension) with `targ1`, `targ2`, `attr1` and `attr2`, each
    /// `{"category": …, "examples": […]}`. Target sets must have equal sizes.
    public static func read(path: String) throws -> AssociationTest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProbeError.malformedFile(path: path, line: nil, reason: "no such file")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ProbeError.malformedFile(
                path: path, line: nil,
                reason: "not a JSON object; a SEAT test is one object with targ1, targ2, attr1 and attr2")
        }
        var sets: [ExampleSet] = []
        for key in keys {
            guard let entry = object[key] else {
                throw ProbeError.malformedFile(
                    path: path, line: nil,
                    reason: "no \"\(key)\"; a SEAT test needs targ1, targ2, attr1 and attr2, each {\"category\": …, \"examples\": […]}")
            }
            guard let set = entry as? [String: Any], let examples = set["examples"] as? [Any] else {
                throw ProbeError.malformedFile(path: path, line: nil, reason: "\"\(key)\" needs an \"examples\" list of strings")
            }
            let texts = examples.compactMap { $0 as? String }
            guard texts.count == examples.count else {
                throw ProbeError.malformedFile(path: path, line: nil, reason: "\"\(key)\".examples holds something other than strings")
            }
            guard !texts.isEmpty else {
                throw ProbeError.malformedFile(path: path, line: nil, reason: "\"\(key)\".examples is empty")
            }
            sets.append(ExampleSet(category: set["category"] as? String ?? key, examples: texts))
        }
        guard sets[0].examples.count == sets[1].examples.count else {
            throw ProbeError.malformedFile(
                path: path, line: nil,
                reason: "targ1 has \(sets[0].examples.count) examples but targ2 has \(sets[1].examples.count); the target sets must have equal sizes")
        }
        guard sets[0].examples.count >= 2 else {
            throw ProbeError.malformedFile(path: path, line: nil, reason: "the target sets need at least 2 examples each")
        }
        return AssociationTest(
            name: (path as NSString).lastPathComponent, firstTargets: sets[0], secondTargets: sets[1],
            firstAttributes: sets[2], secondAttributes: sets[3])
    }

    /// Reads test files and every `.jsonl` file of folders (in name order), in the order given.
    public static func read(paths: [String]) throws -> [AssociationTest] {
        var tests: [AssociationTest] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ProbeError.malformedFile(path: path, line: nil, reason: "no such file or folder")
            }
            if isFolder.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".jsonl") }.sorted()
                guard !names.isEmpty else {
                    throw ProbeError.malformedFile(path: path, line: nil, reason: "holds no .jsonl SEAT test files")
                }
                tests += try names.map { try read(path: (path as NSString).appendingPathComponent($0)) }
            } else {
                tests.append(try read(path: path))
            }
        }
        let names = tests.map(\.name)
        if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ProbeError.invalidSetting(name: "tests", reason: "two test files are named \(repeated); results are keyed by file name")
        }
        return tests
    }
}

/// The word-embedding association statistics of Caliskan et al. (2017), "Semantics derived
/// automatically from language corpora contain human-like biases", Science 356(6334),
/// as May et al. (2019) apply them to sentence encoders (SEAT).
public enum WordEmbeddingAssociation {
    /// s(w, A, B) = mean_{a∈A} cos(w, a) − mean_{b∈B} cos(w, b) for each target vector w;
    /// range [−2, 2].
    public static func associations(targets: [[Float]], firstAttributes: [[Float]], secondAttributes: [[Float]]) -> [Double] {
        let first = firstAttributes.map(unit)
        let second = secondAttributes.map(unit)
        return targets.map(unit).map { target in
            mean(first.map { dot(target, $0) }) - mean(second.map { dot(target, $0) })
        }
    }

    /// Effect size d = [mean_{x∈X} s(x) − mean_{y∈Y} s(y)] / std_{w∈X∪Y} s(w), with the sample
    /// standard deviation (ddof 1); range about [−2, 2], 0 is no association.
    public static func effectSize(first: [Double], second: [Double]) -> Double {
        effectSize(first: first.map { ($0, 1.0) }, second: second.map { ($0, 1.0) })
    }

    /// The effect size with frequency weights (a bootstrap resample): weighted means, and the
    /// sample variance Σw(s − m)² / (Σw − 1) over X ∪ Y. NaN when a set has no weight.
    static func effectSize(first: [(value: Double, weight: Double)], second: [(value: Double, weight: Double)]) -> Double {
        let firstWeight = first.reduce(0) { $0 + $1.weight }
        let secondWeight = second.reduce(0) { $0 + $1.weight }
        let totalWeight = firstWeight + secondWeight
        guard firstWeight > 0, secondWeight > 0, totalWeight > 1 else { return .nan }
        let firstMean = first.reduce(0) { $0 + $1.value * $1.weight } / firstWeight
        let secondMean = second.reduce(0) { $0 + $1.value * $1.weight } / secondWeight
        let mean = (firstMean * firstWeight + secondMean * secondWeight) / totalWeight
        let squares = (first + second).reduce(0) { $0 + $1.weight * ($1.value - mean) * ($1.value - mean) }
        let deviation = (squares / (totalWeight - 1)).squareRoot()
        return deviation > 0 ? (firstMean - secondMean) / deviation : .nan
    }

    /// The one-sided permutation p-value P[S(Xᵢ, Yᵢ) ≥ S(X, Y)] over equal-size partitions
    /// (Xᵢ, Yᵢ) of X ∪ Y, where S(X, Y) = Σ_{x∈X} s(x) − Σ_{y∈Y} s(y) (Caliskan et al. 2017).
    ///
    /// Since Σ_{X∪Y} s is the same for every partition, S(Xᵢ, Yᵢ) ≥ S(X, Y) exactly when
    /// Σ_{Xᵢ} s ≥ Σ_X s, which is what is counted. Ties count as exceedances, as in the
    /// sent-bias reference code (May et al. 2019); sums within 1e-12 × Σ|s| of the observed one
    /// are ties, so a reordered sum of the same values is one. Exact over all C(2n, n)
    /// partitions when there are at most `limit`; otherwise the observed partition plus
    /// `limit` − 1 seeded random ones (the reference's estimate, which counts the observed
    /// partition so the p-value is never 0). Range (0, 1].
    public static func permutationPValue(
        first: [Double], second: [Double], limit: Int = 100_000, seed: UInt64 = 0
    ) -> (pValue: Double, exact: Bool, partitions: Int) {
        let values = first + second
        let size = first.count
        let observed = first.reduce(0, +)
        let tolerance = 1e-12 * max(1, values.reduce(0) { $0 + abs($1) })
        if let count = binomial(values.count, size), count <= limit {
            var indices = Array(0..<size)
            var atLeast = 0
            while true {
                var sum = 0.0
                for index in indices { sum += values[index] }
                if sum >= observed - tolerance { atLeast += 1 }
                // Next combination in lexicographic order.
                var position = size - 1
                while position >= 0, indices[position] == values.count - size + position { position -= 1 }
                if position < 0 { break }
                indices[position] += 1
                for later in (position + 1)..<size { indices[later] = indices[later - 1] + 1 }
            }
            return (Double(atLeast) / Double(count), true, count)
        }
        var generator = SplitMix64(seed: seed)
        var order = Array(0..<values.count)
        var atLeast = 1
        for _ in 0..<(limit - 1) {
            // A partial Fisher–Yates shuffle: the first `size` positions become a uniform subset.
            var sum = 0.0
            for position in 0..<size {
                let chosen = position + generator.below(values.count - position)
                order.swapAt(position, chosen)
                sum += values[order[position]]
            }
            if sum >= observed - tolerance { atLeast += 1 }
        }
        return (Double(atLeast) / Double(limit), false, limit)
    }

    /// C(n, k), or nil past Int's range.
    static func binomial(_ n: Int, _ k: Int) -> Int? {
        var result = 1
        for step in 0..<min(k, n - k) {
            let (product, overflow) = result.multipliedReportingOverflow(by: n - step)
            if overflow { return nil }
            result = product / (step + 1)
        }
        return result
    }

    static func unit(_ vector: [Float]) -> [Double] {
        let values = vector.map(Double.init)
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? values.map { $0 / norm } : values
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for index in a.indices { sum += a[index] * b[index] }
        return sum
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
}
