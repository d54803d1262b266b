import Foundation

/// Reads JSON Lines files: one object per non-blank line, errors naming the file and line.
public enum JSONLinesReader {
    /// Every non-blank line's object with its 1-based line number; `-` reads standard input.
    ///
    /// A line that is not valid UTF-8 or not a JSON object fails with
    /// `AdaptationError.invalidData` naming the file and line.
    public static func objects(path: String) throws -> [(line: Int, object: [String: Any])] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw AdaptationError.invalidData(path: path, line: nil, reason: "no such file")
            }
            data = contents
        }
        var result: [(line: Int, object: [String: Any])] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard let string = String(data: Data(line), encoding: .utf8) else {
                throw AdaptationError.invalidData(path: path, line: lineNumber, reason: "not valid UTF-8")
            }
            if string.allSatisfy(\.isWhitespace) { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                throw AdaptationError.invalidData(path: path, line: lineNumber, reason: "not a JSON object")
            }
            result.append((lineNumber, object))
        }
        return result
    }

    /// The string field `key` of every line, failing on the first line without one.
    public static func strings(_ key: String, path: String) throws -> [String] {
        try objects(path: path).map { row in
            guard let value = row.object[key] as? String else {
                throw AdaptationError.invalidData(path: path, line: row.line, reason: "missing string field \"\(key)\"")
            }
            return value
        }
    }
}
