import Foundation

/// A CSV or TSV parser following RFC 4180: fields may be double-quoted, quoted fields may hold
/// delimiters, doubled quotes and newlines (CrowS-Pairs and the Davidson tweets rely on this).
/// With `quoting` off (SST-2's TSV), quotes are ordinary characters.
public struct DelimitedText: Sendable {
    public var header: [String]
    /// Records with their 1-based starting line, excluding the header.
    public var records: [(line: Int, fields: [String])]

    /// Parses a file; the first record is the header.
    public init(contentsOf path: String, delimiter: Character = ",", quoting: Bool = true) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvaluationError.fileNotFound(path: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EvaluationError.malformedFile(path: path, line: nil, reason: "not valid UTF-8")
        }
        try self.init(text: text, path: path, delimiter: delimiter, quoting: quoting)
    }

    /// Parses text held in memory; `path` is used in messages.
    public init(text: String, path: String, delimiter: Character = ",", quoting: Bool = true) throws {
        var rows: [(line: Int, fields: [String])] = []
        var field = ""
        var fields: [String] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var atFieldStart = true
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        let delimiterScalar = delimiter.unicodeScalars.first!
        func next() -> Unicode.Scalar? {
            if let scalar = pending { pending = nil; return scalar }
            return iterator.next()
        }
        func endRecord() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append((recordLine, fields)) }
            fields = []
            atFieldStart = true
        }
        while let scalar = next() {
            if inQuotes {
                if scalar == "\"" {
                    if let following = iterator.next() {
                        if following == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = following }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where quoting && atFieldStart:
                inQuotes = true
                atFieldStart = false
            case delimiterScalar:
                fields.append(field)
                field = ""
                atFieldStart = true
            case "\r":
                continue
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.unicodeScalars.append(scalar)
                atFieldStart = false
            }
        }
        if inQuotes {
            throw EvaluationError.malformedFile(path: path, line: recordLine, reason: "a quoted field is never closed")
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let first = rows.first else {
            throw EvaluationError.malformedFile(path: path, line: nil, reason: "the file is empty")
        }
        header = first.fields
        records = Array(rows.dropFirst())
        for record in records where record.fields.count != header.count {
            throw EvaluationError.malformedFile(
                path: path, line: record.line,
                reason: "\(record.fields.count) fields, but the header has \(header.count)")
        }
    }

    /// The index of a named column.
    public func column(_ name: String, path: String) throws -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw EvaluationError.missingColumn(path: path, column: name, available: header)
        }
        return index
    }
}
