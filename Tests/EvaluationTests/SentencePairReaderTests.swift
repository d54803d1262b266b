import Foundation
import TestSupport
import Testing

@testable import Evaluation

@Suite struct SentencePairReaderTests {
    func write(_ text: String, _ name: String) throws -> URL {
        let url = try TestPaths.temporaryDirectory().appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("STS Benchmark lines are read without quoting: quotes stay text and fields past the seventh are ignored")
    func stsBenchmarkLayout() throws {
        let url = try write(
            "main-news\theadlines\t2015\t0001\t4.750\t\"Quoted\" start\tplain\n"
                + "main-forums\tanswers\t2015\t0002\t0.0\ta \"b\tc\tsource-a\tsource-b\r\n\n", "sts.csv")
        let data = try DatasetReaders.scoredPairs(path: url.path)
        #expect(data.samples.map(\.text) == ["\"Quoted\" start", "a \"b"])
        #expect(data.samples.map(\.pair) == ["plain", "c"])
        #expect(data.samples.map(\.score) == [4.75, 0])
        #expect(data.samples.map(\.id) == ["sts.csv:1", "sts.csv:2"] && data.labelNames.isEmpty && data.hasPairs)
    }

    @Test("JSON numbers 0 and 1 are labels and scores, while true and false are refused")
    func zeroAndOneAreNumbersNotBooleans() throws {
        // On Linux the NSNumbers 0 and 1 also bridge to Bool, which once refused 0/1 labels.
        let labelled = try write(#"{"text": "a", "pair": "b", "label": 1}"# + "\n" + #"{"text": "c", "pair": "d", "label": 0}"#, "binary.jsonl")
        #expect(try DatasetReaders.jsonLines(path: labelled.path).samples.map(\.label) == ["1", "0"])
        let scored = try write(#"{"sentence1": "a", "sentence2": "b", "score": 1}"#, "one.jsonl")
        #expect(try DatasetReaders.scoredPairs(path: scored.path).samples.map(\.score) == [1])
        let boolean = try write(#"{"text": "a", "label": true}"#, "boolean.jsonl")
        #expect(throws: EvaluationError.malformedFile(path: boolean.path, line: 1, reason: "\"label\" must be a string or an integer")) {
            try DatasetReaders.jsonLines(path: boolean.path)
        }
    }

    @Test("A non-numeric score or a short line is reported with its file and line")
    func badLinesAreNamed() throws {
        let score = try write("g\tf\t2012\t1\t5.0\ta\tb\ng\tf\t2012\t2\thigh\ta\tb\n", "bad.csv")
        #expect(throws: EvaluationError.malformedFile(path: score.path, line: 2, reason: "the score (field 5) 'high' is not a number")) {
            try DatasetReaders.stsBenchmark(path: score.path)
        }
        let short = try write("g\tf\t2012\t1\t5.0\tonly one sentence\n", "short.csv")
        #expect(throws: EvaluationError.malformedFile(
            path: short.path, line: 1,
            reason: "6 tab-separated fields; an STS Benchmark line has 7 (genre, file, year, id, score, sentence 1, sentence 2)")) {
            try DatasetReaders.stsBenchmark(path: short.path)
        }
        let json = try write(#"{"sentence1": "a", "sentence2": "b", "score": 3}"# + "\n" + #"{"sentence1": "a", "sentence2": "b", "score": "x"}"#,
                             "pairs.jsonl")
        #expect(throws: EvaluationError.malformedFile(path: json.path, line: 2, reason: "\"score\" 'x' is not a number")) {
            try DatasetReaders.scoredPairs(path: json.path)
        }
    }

    @Test("JSONL scored pairs take numbers or numeric strings")
    func scoredPairsJSONLines() throws {
        let url = try write(#"{"sentence1": "a cat", "sentence2": "a dog", "score": 1.5, "id": "p1"}"# + "\n"
                            + #"{"sentence1": "x", "sentence2": "y", "score": "4"}"# + "\n", "pairs.jsonl")
        let data = try DatasetReaders.scoredPairs(path: url.path)
        #expect(data.samples.map(\.score) == [1.5, 4] && data.samples.map(\.id) == ["p1", "pairs.jsonl:2"])
    }

    @Test("Unlabelled text reads when labels are optional, and a file that labels some lines must label all")
    func unlabelledReadingMode() throws {
        let plain = try write(#"{"text": "one"}"# + "\n" + #"{"text": "two", "pair": "zwei"}"# + "\n", "plain.jsonl")
        let data = try DatasetReaders.jsonLines(path: plain.path, requireLabels: false)
        #expect(data.samples.map(\.label) == ["", ""] && data.labelNames.isEmpty && !data.isLabelled)
        #expect(throws: EvaluationError.malformedFile(path: plain.path, line: 1, reason: "\"label\" must be a string or an integer")) {
            try DatasetReaders.jsonLines(path: plain.path)
        }
        let mixed = try write(#"{"text": "one", "label": "a"}"# + "\n" + #"{"text": "two"}"# + "\n", "mixed.jsonl")
        #expect(throws: EvaluationError.malformedFile(path: mixed.path, line: 2, reason: "\"label\" must be a string or an integer")) {
            try DatasetReaders.jsonLines(path: mixed.path, requireLabels: false)
        }
        let csv = try write("body\nhello\nworld\n", "texts.csv")
        let table = try DatasetReaders.delimited(path: csv.path, textColumn: "body", labelColumn: "label", requireLabels: false)
        #expect(table.samples.map(\.text) == ["hello", "world"] && !table.isLabelled)
    }

    @Test("Unlabelled and scored datasets split as one shuffled group")
    func unlabelledSplits() throws {
        let samples = (0..<10).map { Sample(id: "\($0)", text: "t\($0)", label: "") }
        let parts = try Splits.stratified(Dataset(name: "d", samples: samples, labelNames: []), fractions: [0.7, 0.3], limits: [5], seed: 3)
        #expect(parts[0].samples.count == 5 && parts[1].samples.count == 3)
        #expect(Set(parts[0].samples.map(\.id)).isDisjoint(with: parts[1].samples.map(\.id)))
    }

    @Test("A BEIR folder reads titles into documents and keeps only judged queries")
    func retrievalCollectionFolder() throws {
        let folder = try TestPaths.temporaryDirectory()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("qrels"), withIntermediateDirectories: true)
        try (#"{"_id": "d1", "title": "Cats", "text": "purr"}"# + "\n" + #"{"_id": 2, "text": "dogs bark"}"# + "\n")
            .write(to: folder.appendingPathComponent("corpus.jsonl"), atomically: true, encoding: .utf8)
        try (#"{"_id": "q1", "text": "what purrs"}"# + "\n" + #"{"_id": "q2", "text": "unjudged"}"# + "\n")
            .write(to: folder.appendingPathComponent("queries.jsonl"), atomically: true, encoding: .utf8)
        let qrels = folder.appendingPathComponent("qrels/test.tsv")
        try "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\t2\t0\n".write(to: qrels, atomically: true, encoding: .utf8)
        let collection = try DatasetReaders.retrievalCollection(folder: folder.path)
        #expect(collection.documents.map(\.text) == ["Cats purr", "dogs bark"] && collection.documents.map(\.id) == ["d1", "2"])
        #expect(collection.queries.map(\.id) == ["q1"] && collection.judgements == ["q1": ["d1": 1, "2": 0]])
        try "query-id\tcorpus-id\tscore\nq1\td9\t1\n".write(to: qrels, atomically: true, encoding: .utf8)
        #expect(throws: EvaluationError.malformedFile(path: qrels.path, line: 2, reason: "document 'd9' is not in corpus.jsonl")) {
            try DatasetReaders.retrievalCollection(folder: folder.path)
        }
    }
}
