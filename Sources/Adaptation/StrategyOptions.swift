/// A strategy's options as given in a suite file or on the command line, by name: scalars as
/// text and lists as lists of text. A strategy's throwing initialiser reads and checks them,
/// naming the option in any error.
public struct StrategyOptions: Sendable, Equatable {
    public var scalars: [String: String]
    public var lists: [String: [String]]

    public init(scalars: [String: String] = [:], lists: [String: [String]] = [:]) {
        self.scalars = scalars
        self.lists = lists
    }

    /// Every option name given.
    public var names: Set<String> { Set(scalars.keys).union(lists.keys) }

    /// A whole number at least `minimum`, or the default.
    public func integer(_ name: String, default value: Int, minimum: Int = 1) throws -> Int {
        guard let text = scalars[name] else { return value }
        guard let number = Int(text), number >= minimum else {
            throw AdaptationError.invalidOption(name: name, reason: "must be a whole number of at least \(minimum), got '\(text)'")
        }
        return number
    }

    /// A finite number in `range`, or the default.
    public func number(_ name: String, default value: Float, in range: Range<Float>) throws -> Float {
        guard let text = scalars[name] else { return value }
        guard let number = Float(text), number.isFinite, range.contains(number) else {
            throw AdaptationError.invalidOption(
                name: name, reason: "must be a number in [\(range.lowerBound), \(range.upperBound)), got '\(text)'")
        }
        return number
    }

    /// A list of words, or the default.
    public func list(_ name: String) -> [String]? { lists[name] }

    /// Throws when an option the strategy does not take is given.
    public func check(accepted: [String], by strategy: String) throws {
        for name in names.sorted() where !accepted.contains(name) {
            let hint = accepted.isEmpty ? "it takes no options" : "its options: \(accepted.joined(separator: ", "))"
            throw AdaptationError.invalidOption(name: name, reason: "does not apply to \(strategy) (\(hint))")
        }
    }
}

/// Recorded with results and in adapted checkpoints as a JSON object whose values are strings
/// or arrays of strings; reading it back gives the same strategy.
extension StrategyOptions: Codable {
    struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Name.self)
        self.init()
        for key in container.allKeys {
            if let list = try? container.decode([String].self, forKey: key) {
                lists[key.stringValue] = list
            } else {
                scalars[key.stringValue] = try container.decode(String.self, forKey: key)
            }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Name.self)
        for (name, value) in scalars { try container.encode(value, forKey: Name(stringValue: name)) }
        for (name, value) in lists { try container.encode(value, forKey: Name(stringValue: name)) }
    }
}

extension StrategyOptions {
    /// The options as a JSON-compatible dictionary (strings and arrays of strings).
    public var jsonObject: [String: Any] {
        var object: [String: Any] = scalars
        for (name, list) in lists { object[name] = list }
        return object
    }
}
