import Foundation

/// Reading `{"text": …}` lines and writing JSON lines quickly and exactly.
enum JSONLines {
    /// The `text` of every non-blank line of a JSONL file (`-` reads standard input).
    ///
    /// Every line must be valid UTF-8 holding a JSON object with a string `text`; the first bad
    /// line is reported with its number.
    static func readTexts(path: String) throws -> [String] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CommandLineError.inputNotFound(path: path)
            }
            data = contents
        }
        var texts: [String] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard let string = String(data: Data(line), encoding: .utf8) else {
                throw CommandLineError.malformedLine(path: path, line: lineNumber, reason: "not valid UTF-8")
            }
            if string.allSatisfy(\.isWhitespace) { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                throw CommandLineError.malformedLine(path: path, line: lineNumber, reason: "not a JSON object")
            }
            guard let text = object["text"] as? String else {
                throw CommandLineError.malformedLine(
                    path: path, line: lineNumber, reason: "missing string field \"text\"")
            }
            texts.append(text)
        }
        return texts
    }

    /// A JSON string literal for `text`.
    static func quote(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value):
                result += String(format: "\\u%04x", scalar.value)
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Buffered standard output for line-oriented results.
    struct Output {
        private var buffer = Data()

        mutating func write(_ line: String) {
            buffer.append(contentsOf: line.utf8)
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count > 1 << 20 { flush() }
        }

        mutating func flush() {
            FileHandle.standardOutput.write(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }
}
