import Foundation
import Yams

/// A value a lenient decoder can stand in when the file gives none or a wrong one, so that
/// decoding goes on and reports every problem of a file at once.
protocol Placeholder {
    static var placeholder: Self { get }
}

extension String: Placeholder { static var placeholder: String { "" } }
extension Int: Placeholder { static var placeholder: Int { 0 } }
extension UInt64: Placeholder { static var placeholder: UInt64 { 0 } }
extension Double: Placeholder { static var placeholder: Double { 0 } }
extension Float: Placeholder { static var placeholder: Float { 0 } }
extension Bool: Placeholder { static var placeholder: Bool { false } }
extension Array: Placeholder { static var placeholder: [Element] { [] } }
extension Dictionary: Placeholder { static var placeholder: [Key: Value] { [:] } }

/// The problems found while decoding and the position of every field, for later checks.
final class DecodingLog {
    var problems: [SuiteProblem] = []
    /// Where each decoded field's value starts, by field path.
    var marks: [String: Mark] = [:]
    let environment: [String: String]

    init(environment: [String: String]) { self.environment = environment }

    func record(_ message: String, at mark: Mark?, path: [CodingKey]) {
        problems.append(SuiteProblem(line: mark?.line, column: mark?.column, field: fieldName(path), message: message))
    }

    func record(_ message: String, field: String) {
        let mark = marks[field]
        problems.append(SuiteProblem(line: mark?.line, column: mark?.column, field: field, message: message))
    }
}

/// `strategies[2].rank` from a coding path.
func fieldName(_ path: [CodingKey]) -> String {
    var name = ""
    for key in path {
        if let index = key.intValue, key.stringValue.hasPrefix("[") || key.stringValue == "Index \(index)" {
            name += "[\(index)]"
        } else {
            name += name.isEmpty ? key.stringValue : ".\(key.stringValue)"
        }
    }
    return name
}

struct IndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ index: Int) {
        stringValue = "[\(index)]"
        intValue = index
    }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.init(intValue) }
}

/// A `Decoder` over a composed YAML node that never stops at the first problem: a missing
/// key, an unknown key, a wrong type or an invalid value is recorded with its line and column,
/// and a placeholder stands in so decoding continues.
struct YAMLNodeDecoder: Decoder {
    /// nil while decoding a stand-in for a missing value.
    let node: Node?
    let codingPath: [CodingKey]
    let log: DecodingLog
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Whether the node is a plain scalar (for fields that accept a short form).
    var isScalar: Bool {
        if case .scalar = node { return true }
        return false
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(MappingContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        SequenceContainer(decoder: self)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer {
        ScalarContainer(decoder: self)
    }

    // MARK: values

    /// The scalar's text with `${VAR}` and `${VAR:-default}` expanded from the environment.
    func scalarText(expected: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node else {
            log.record("expected \(expected), got \(Self.kind(of: node))", at: node.mark, path: codingPath)
            return nil
        }
        return expand(scalar.string, mark: scalar.mark)
    }

    func expand(_ text: String, mark: Mark?) -> String {
        guard text.contains("${") else { return text }
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                log.record("unclosed '${' in '\(text)'", at: mark, path: codingPath)
                return output + rest[start.lowerBound...]
            }
            let expression = rest[start.upperBound..<end]
            let parts = expression.components(separatedBy: ":-")
            let name = parts[0]
            if let value = log.environment[name], !value.isEmpty {
                output += value
            } else if parts.count > 1 {
                output += parts.dropFirst().joined(separator: ":-")
            } else {
                log.record(
                    "environment variable \(name) is not set (set it, or write ${\(name):-default})", at: mark,
                    path: codingPath)
            }
            rest = rest[rest.index(after: end)...]
        }
        return output + rest
    }

    static func kind(of node: Node) -> String {
        switch node {
        case .scalar(let scalar): return scalar.string.isEmpty || scalar.string == "~" ? "nothing" : "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// Decodes any value, recording problems and returning a placeholder instead of failing.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let node { log.marks[fieldName(codingPath)] = node.mark }
        if T.self == String.self {
            return (scalarText(expected: "text") ?? "") as! T
        }
        if T.self == Int.self { return (integer(Int.self) ?? 0) as! T }
        if T.self == UInt64.self { return (integer(UInt64.self) ?? 0) as! T }
        if T.self == Double.self { return (number() ?? 0) as! T }
        if T.self == Float.self { return Float(number() ?? 0) as! T }
        if T.self == Bool.self {
            guard let text = scalarText(expected: "true or false") else { return false as! T }
            switch text.lowercased() {
            case "true", "yes", "on": return true as! T
            case "false", "no", "off": return false as! T
            default:
                log.record("expected true or false, got '\(text)'", at: node?.mark, path: codingPath)
                return false as! T
            }
        }
        do {
            return try T(from: self)
        } catch let DecodingError.dataCorrupted(context) {
            log.record(context.debugDescription, at: node?.mark, path: codingPath)
        } catch let DecodingError.typeMismatch(_, context) {
            log.record(context.debugDescription, at: node?.mark, path: codingPath)
        }
        guard let placeholder = (T.self as? Placeholder.Type)?.placeholder as? T else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "no placeholder for \(T.self)"))
        }
        return placeholder
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type) -> I? {
        guard let text = scalarText(expected: "a whole number") else { return nil }
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        guard let value = I(cleaned) else {
            log.record("expected a whole number, got '\(text)'", at: node?.mark, path: codingPath)
            return nil
        }
        return value
    }

    func number() -> Double? {
        guard let text = scalarText(expected: "a number") else { return nil }
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite else {
            log.record("expected a number, got '\(text)'", at: node?.mark, path: codingPath)
            return nil
        }
        return value
    }

    func child(_ node: Node?, key: CodingKey) -> YAMLNodeDecoder {
        YAMLNodeDecoder(node: node, codingPath: codingPath + [key], log: log)
    }
}

extension KeyedDecodingContainer {
    /// An optional keyword: one of an enum's raw values. An unknown word is recorded at its
    /// line with the choices, and gives nil so the caller's default applies.
    func decodeKeyword<Word: RawRepresentable & CaseIterable>(
        _ type: Word.Type, forKey key: Key, noun: String, decoder: Decoder
    ) throws -> Word? where Word.RawValue == String {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        if let word = Word(rawValue: text) { return word }
        let choices = Word.allCases.map(\.rawValue).joined(separator: ", ")
        guard let node = decoder as? YAMLNodeDecoder else {
            // Stored JSON (a run's configuration) is never guessed at: an unknown word fails.
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "unknown \(noun) '\(text)' (use \(choices))")
        }
        node.log.record("unknown \(noun) '\(text)' (use \(choices))", field: fieldName(node.codingPath + [key]))
        return nil
    }
}

/// A mapping's keys in file order; unknown and repeated keys are recorded on creation.
private struct MappingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: YAMLNodeDecoder
    let entries: [(key: String, node: Node, mark: Mark?)]
    var codingPath: [CodingKey] { decoder.codingPath }

    init(decoder: YAMLNodeDecoder) {
        self.decoder = decoder
        var entries: [(key: String, node: Node, mark: Mark?)] = []
        switch decoder.node {
        case .mapping(let mapping):
            var seen = Set<String>()
            for (keyNode, value) in Self.expandingMergeKeys(mapping) {
                guard case .scalar(let scalar) = keyNode else {
                    decoder.log.record("keys must be plain names", at: keyNode.mark, path: decoder.codingPath)
                    continue
                }
                let name = scalar.string
                guard seen.insert(name).inserted else {
                    decoder.log.record("key '\(name)' appears twice", at: keyNode.mark, path: decoder.codingPath)
                    continue
                }
                guard Key(stringValue: name) != nil else {
                    let known = (Key.self as? any (CodingKey & CaseIterable).Type).map { knownKeys($0) } ?? []
                    let hint = known.isEmpty ? "" : " (expected one of: \(known.joined(separator: ", ")))"
                    decoder.log.record("unknown key '\(name)'\(hint)", at: keyNode.mark, path: decoder.codingPath)
                    continue
                }
                entries.append((name, value, keyNode.mark))
            }
        case .none:
            break
        case .some(let node):
            if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" {
                break
            }
            decoder.log.record("expected a mapping, got \(YAMLNodeDecoder.kind(of: node))", at: node.mark, path: decoder.codingPath)
        }
        self.entries = entries
    }

    /// YAML merge keys (`<<: *defaults`, or a list of aliases): the merged mappings' pairs
    /// come first, so keys written in the mapping itself override them.
    static func expandingMergeKeys(_ mapping: Node.Mapping) -> [(key: Node, value: Node)] {
        var merged: [(key: Node, value: Node)] = []
        var own: [(key: Node, value: Node)] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key, scalar.string == "<<" else {
                own.append((key, value))
                continue
            }
            let sources: [Node]
            if case .sequence(let list) = value { sources = Array(list) } else { sources = [value] }
            for case .mapping(let source) in sources { merged += expandingMergeKeys(source) }
        }
        let ownKeys = Set(own.compactMap { $0.key.scalar?.string })
        var seen = Set<String>()
        let inherited = merged.filter { pair in
            guard let name = pair.key.scalar?.string else { return false }
            return !ownKeys.contains(name) && seen.insert(name).inserted
        }
        return inherited + own
    }

    var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { entries.contains { $0.key == key.stringValue } }

    func entry(_ key: Key) -> Node? { entries.first { $0.key == key.stringValue }?.node }

    static func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any {
            return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
        }
        return false
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let node = entry(key) else { return true }
        return Self.isNull(node)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let node = entry(key) else {
            if decoder.node != nil {
                decoder.log.record("missing required key '\(key.stringValue)'", at: decoder.node?.mark, path: codingPath)
            }
            return try decoder.child(nil, key: key).placeholderValue(T.self)
        }
        return try decoder.child(node, key: key).decodeValue(T.self)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let node = entry(key), !Self.isNull(node) else { return nil }
        return try decoder.child(node, key: key).decodeValue(T.self)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder.child(entry(key), key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try decoder.child(entry(key), key: key).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> Decoder { decoder.child(entry(key), key: key) }
}

private func knownKeys<K: CodingKey & CaseIterable>(_ type: K.Type) -> [String] {
    K.allCases.map(\.stringValue)
}

extension YAMLNodeDecoder {
    /// A placeholder for a missing value: a primitive's zero, or a type decoded from nothing
    /// (its defaults), with problems inside it muted since the missing key was reported.
    func placeholderValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let placeholder = (T.self as? Placeholder.Type)?.placeholder as? T { return placeholder }
        let muted = YAMLNodeDecoder(node: nil, codingPath: codingPath, log: DecodingLog(environment: log.environment))
        return try T(from: muted)
    }
}

private struct SequenceContainer: UnkeyedDecodingContainer {
    let decoder: YAMLNodeDecoder
    let items: [Node]
    var currentIndex = 0
    var codingPath: [CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(decoder: YAMLNodeDecoder) {
        self.decoder = decoder
        switch decoder.node {
        case .sequence(let sequence): items = Array(sequence)
        case .none: items = []
        case .some(let node):
            if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" {
                items = []
            } else {
                decoder.log.record("expected a list, got \(YAMLNodeDecoder.kind(of: node))", at: node.mark, path: decoder.codingPath)
                items = []
            }
        }
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return true }
        if MappingContainer<IndexKey>.isNull(items[currentIndex]) {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: codingPath, debugDescription: "the list has ended"))
        }
        let value = try decoder.child(items[currentIndex], key: IndexKey(currentIndex)).decodeValue(T.self)
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        defer { currentIndex += 1 }
        return try decoder.child(isAtEnd ? nil : items[currentIndex], key: IndexKey(currentIndex)).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        defer { currentIndex += 1 }
        return try decoder.child(isAtEnd ? nil : items[currentIndex], key: IndexKey(currentIndex)).unkeyedContainer()
    }

    mutating func superDecoder() throws -> Decoder {
        defer { currentIndex += 1 }
        return decoder.child(isAtEnd ? nil : items[currentIndex], key: IndexKey(currentIndex))
    }
}

private struct ScalarContainer: SingleValueDecodingContainer {
    let decoder: YAMLNodeDecoder
    var codingPath: [CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool {
        guard let node = decoder.node else { return true }
        return MappingContainer<IndexKey>.isNull(node)
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == String.self || T.self == Int.self || T.self == UInt64.self || T.self == Double.self
            || T.self == Float.self || T.self == Bool.self
        {
            return try decoder.decodeValue(T.self)
        }
        return try T(from: decoder)
    }
}
