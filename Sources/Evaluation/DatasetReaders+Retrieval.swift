import Foundation

/// A retrieval test collection: documents, queries and graded relevance judgements, as BEIR
/// (Thakur et al. 2021) and MTEB's retrieval tasks (Muennighoff et al. 2023) distribute them.
public struct RetrievalCollection: Sendable, Equatable {
    public struct Document: Sendable, Equatable {
        public var id: String
        /// `title + " " + text`, trimmed, as MTEB embeds corpus entries.
        public var text: String
    }

    public struct Query: Sendable, Equatable {
        public var id: String
        public var text: String
    }

    public var name: String
    public var documents: [Document]
    /// Queries that have at least one judgement, in the order of the queries file.
    public var queries: [Query]
    /// Relevance grade by query id, then document id (0 judged not relevant).
    public var judgements: [String: [String: Int]]

    public init(name: String, documents: [Document], queries: [Query], judgements: [String: [String: Int]]) {
        self.name = name
        self.documents = documents
        self.queries = queries
        self.judgements = judgements
    }
}

extension DatasetReaders {
    /// A BEIR-layout folder: `corpus.jsonl` (`_id`, optional `title`, `text`), `queries.jsonl`
    /// (`_id`, `text`) and `qrels/<split>.tsv` (header `query-id  corpus-id  score`, tab-separated;
    /// `qrels.tsv` beside the others also works). Only queries with judgements are kept, as
    /// pytrec_eval evaluates only those. A judgement naming an unknown query or document, a
    /// duplicate id or a non-integer grade is an error naming the file and line.
    public static func retrievalCollection(folder: String, split: String = "test") throws -> RetrievalCollection {
        let base = URL(fileURLWithPath: folder)
        func file(_ name: String) -> String { base.appendingPathComponent(name).path }
        let documents = try records(file("corpus.jsonl"), kind: "document").map { record in
            let title = record.object["title"] as? String ?? ""
            return RetrievalCollection.Document(
                id: record.id, text: (title.isEmpty ? record.text : title + " " + record.text).trimmingCharacters(in: .whitespaces))
        }
        let queryTexts = try records(file("queries.jsonl"), kind: "query")
        let documentIDs = Set(documents.map(\.id))
        let queryIDs = Set(queryTexts.map(\.id))
        let nested = file("qrels/\(split).tsv")
        let qrelsPath = FileManager.default.fileExists(atPath: nested) ? nested : file("qrels.tsv")
        let table = try DelimitedText(contentsOf: qrelsPath, delimiter: "\t", quoting: false)
        let (queryColumn, documentColumn, scoreColumn) = (
            try table.column("query-id", path: qrelsPath), try table.column("corpus-id", path: qrelsPath),
            try table.column("score", path: qrelsPath)
        )
        var judgements: [String: [String: Int]] = [:]
        for record in table.records {
            let query = record.fields[queryColumn]
            let document = record.fields[documentColumn]
            guard queryIDs.contains(query) else {
                throw EvaluationError.malformedFile(path: qrelsPath, line: record.line, reason: "query '\(query)' is not in queries.jsonl")
            }
            guard documentIDs.contains(document) else {
                throw EvaluationError.malformedFile(path: qrelsPath, line: record.line, reason: "document '\(document)' is not in corpus.jsonl")
            }
            guard let grade = Int(record.fields[scoreColumn].trimmingCharacters(in: .whitespaces)) else {
                throw EvaluationError.malformedFile(
                    path: qrelsPath, line: record.line, reason: "the score '\(record.fields[scoreColumn])' is not a whole number")
            }
            judgements[query, default: [:]][document] = grade
        }
        guard !judgements.isEmpty else { throw EvaluationError.malformedFile(path: qrelsPath, line: nil, reason: "no judgements") }
        return RetrievalCollection(
            name: base.lastPathComponent, documents: documents,
            queries: queryTexts.filter { judgements[$0.id] != nil }.map { .init(id: $0.id, text: $0.text) },
            judgements: judgements)
    }

    /// The records of a BEIR JSON Lines file with their `_id` and `text`, ids unique.
    private static func records(_ path: String, kind: String) throws -> [(id: String, text: String, object: [String: Any])] {
        var seen = Set<String>()
        return try jsonObjects(path: path).map { row in
            let (line, object) = row
            let id = try identifier(object, path: path, line: line)
            guard let text = object["text"] as? String else {
                throw EvaluationError.malformedFile(path: path, line: line, reason: "missing string field \"text\"")
            }
            guard seen.insert(id).inserted else {
                throw EvaluationError.malformedFile(path: path, line: line, reason: "\(kind) id '\(id)' appears twice")
            }
            return (id, text, object)
        }
    }

    /// The `_id` of a BEIR record (a string, or a number written as one).
    private static func identifier(_ object: [String: Any], path: String, line: Int) throws -> String {
        if let id = object["_id"] as? String { return id }
        if let id = object["_id"] as? NSNumber, !id.isJSONBoolean { return id.stringValue }
        throw EvaluationError.malformedFile(path: path, line: line, reason: "missing field \"_id\"")
    }
}
