import Foundation
import TestSupport
import Testing

@testable import Evaluation

@Suite struct DelimitedTextTests {
    @Test func quotedFieldsMayHoldDelimitersDoubledQuotesAndNewlines() throws {
        let text = "id,text,label\n1,\"a, b\",x\n2,\"she said \"\"hi\"\"\",y\n3,\"two\nlines\",x\n"
        let table = try DelimitedText(text: text, path: "t.csv")
        #expect(table.header == ["id", "text", "label"])
        #expect(table.records.map(\.fields) == [["1", "a, b", "x"], ["2", "she said \"hi\"", "y"], ["3", "two\nlines", "x"]])
        #expect(table.records.map(\.line) == [2, 3, 4])
    }

    @Test func withoutQuotingQuotesAreOrdinaryCharacters() throws {
        let table = try DelimitedText(text: "sentence\tlabel\n\"odd\" start\t1\n", path: "t.tsv", delimiter: "\t", quoting: false)
        #expect(table.records.first?.fields == ["\"odd\" start", "1"])
    }

    @Test func crlfLineEndingsAndAMissingFinalNewlineAreAccepted() throws {
        let table = try DelimitedText(text: "a,b\r\n1,2\r\n3,4", path: "t.csv")
        #expect(table.records.map(\.fields) == [["1", "2"], ["3", "4"]])
    }

    @Test func raggedRowsAndUnclosedQuotesAreReportedWithTheirLine() {
        #expect(throws: EvaluationError.malformedFile(path: "t.csv", line: 3, reason: "3 fields, but the header has 2")) {
            try DelimitedText(text: "a,b\n1,2\n1,2,3\n", path: "t.csv")
        }
        #expect(throws: EvaluationError.malformedFile(path: "t.csv", line: 2, reason: "a quoted field is never closed")) {
            try DelimitedText(text: "a,b\n\"1,2\n", path: "t.csv")
        }
    }

    @Test func aMissingColumnIsNamedWithTheColumnsThatExist() throws {
        let directory = try TestPaths.temporaryDirectory()
        let url = directory.appendingPathComponent("data.csv")
        try "text,gold\nhello,1\n".write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: EvaluationError.missingColumn(path: url.path, column: "label", available: ["text", "gold"])) {
            try DatasetReaders.delimited(path: url.path, textColumn: "text", labelColumn: "label")
        }
    }

    @Test func htmlEntitiesAreDecodedAndBareAmpersandsKept() {
        #expect(DatasetReaders.decodeEntities("kitchen & housewares &amp; &quot;x&quot; &#8220;y&#x201D; &bogus;")
            == "kitchen & housewares & \"x\" \u{201C}y\u{201D} &bogus;")
    }
}

@Suite(.enabled(if: TestPaths.shared != nil, Comment(rawValue: TestPaths.skipReason)))
struct SharedDatasetTests {
    static var data: URL { TestPaths.shared!.appendingPathComponent("data") }

    @Test func sst2HasTheDocumentedRowsAndLabels() throws {
        let dev = try DatasetReaders.sst2(path: Self.data.appendingPathComponent("06_domain_shift/sst2_glue/dev.tsv").path)
        #expect(dev.samples.count == 872)
        #expect(dev.labelNames == ["negative", "positive"])
        #expect(dev.labelCounts == [428, 444])
        #expect(dev.samples[0].text == "it 's a charming and often affecting journey .")
        let train = try DatasetReaders.sst2(path: Self.data.appendingPathComponent("06_domain_shift/sst2_glue/train.tsv").path)
        #expect(train.labelCounts == [29_780, 37_569])
    }

    @Test func everyMultiDomainSentimentDomainHasAThousandReviewsPerLabel() throws {
        for domain in ["books", "dvd", "electronics", "kitchen"] {
            let dataset = try DatasetReaders.multiDomainSentiment(
                folder: Self.data.appendingPathComponent("06_domain_shift/blitzer2007_mds/\(domain)").path)
            #expect(dataset.labelCounts == [1000, 1000], "\(domain)")
            #expect(dataset.samples.allSatisfy { !$0.text.isEmpty && !$0.text.contains("<review_text>") })
            #expect(dataset.samples.allSatisfy { !$0.text.unicodeScalars.contains { $0.value == 0x1A } })
        }
    }

    @Test func davidsonTweetsParseDespiteNewlinesInsideQuotes() throws {
        let dataset = try DatasetReaders.davidson(
            path: Self.data.appendingPathComponent("05_toxicity_labelled/davidson2017/labeled_data.csv").path)
        #expect(dataset.samples.count == 24_783)
        #expect(dataset.labelNames == ["hate_speech", "offensive_language", "neither"])
        #expect(dataset.samples.filter { $0.text.contains("\n") }.count == 917)
    }

    @Test func crowsPairsHasItsDocumentedRecordCountAndMultilineField() throws {
        let table = try DelimitedText(contentsOf: Self.data.appendingPathComponent("01_crows_pairs/crows_pairs_anonymized.csv").path)
        #expect(table.records.count == 1508)
        let lessColumn = try table.column("sent_less", path: "crows")
        #expect(table.records[1293].fields[lessColumn] == "Bob was denied because he was white\n.")
    }
}

@Suite struct SplitTests {
    func dataset() -> Dataset {
        let samples = (0..<300).map { Sample(id: "\($0)", text: "t\($0)", label: $0 % 3 == 0 ? "a" : "b") }
        return Dataset(name: "d", samples: samples)
    }

    @Test func stratifiedSplitsKeepLabelProportionsAndCoverEverySampleOnce() throws {
        let parts = try Splits.stratified(dataset(), fractions: [0.8, 0.1, 0.1], seed: 7)
        #expect(parts.map(\.samples.count) == [240, 30, 30])
        #expect(parts.map(\.labelCounts) == [[80, 160], [10, 20], [10, 20]])
        let ids = parts.flatMap { $0.samples.map(\.id) }
        #expect(Set(ids).count == 300 && ids.count == 300)
    }

    @Test func theSameSeedGivesTheSameSplitAndAnotherSeedAnother() throws {
        let first = try Splits.stratified(dataset(), fractions: [0.5, 0.5], seed: 1)
        #expect(first == (try Splits.stratified(dataset(), fractions: [0.5, 0.5], seed: 1)))
        #expect(first != (try Splits.stratified(dataset(), fractions: [0.5, 0.5], seed: 2)))
    }

    @Test func sizeLimitsKeepProportions() throws {
        let parts = try Splits.stratified(dataset(), fractions: [0.8, 0.2], limits: [30, nil], seed: 3)
        #expect(parts[0].labelCounts == [10, 20])
        #expect(parts[1].samples.count == 60)
    }

    @Test func aLimitGivesExactlyThatManySamplesEvenWhenSharesRoundUp() throws {
        // Shares of 31 over labels of 80 and 160 are 10.33 and 20.67: floors 10 + 20, and the
        // one left over goes to the larger remainder.
        for (limit, counts) in [(31, [10, 21]), (1, [0, 1]), (2, [1, 1]), (5, [2, 3])] {
            let parts = try Splits.stratified(dataset(), fractions: [0.8, 0.2], limits: [limit, nil], seed: 3)
            #expect(parts[0].labelCounts == counts, "limit \(limit)")
        }
    }

    @Test func fractionsOverOneAreRejected() {
        #expect(throws: EvaluationError.self) { try Splits.stratified(dataset(), fractions: [0.8, 0.3], seed: 1) }
    }
}

@Suite struct MetricTests {
    @Test func perClassScoresAndAveragesFollowTheirDefinitions() throws {
        // gold:      a a a b b c
        // predicted: a a b b c c
        let metrics = try ClassificationMetrics(gold: [0, 0, 0, 1, 1, 2], predicted: [0, 0, 1, 1, 2, 2], labelNames: ["a", "b", "c"])
        #expect(metrics.accuracy == 4.0 / 6)
        #expect(metrics.confusion == [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
        // a: P 1, R 2/3, F1 0.8; b: P 1/2, R 1/2, F1 1/2; c: P 1/2, R 1, F1 2/3.
        let f1 = metrics.perClass.map(\.f1)
        #expect(abs(f1[0] - 0.8) < 1e-12 && abs(f1[1] - 0.5) < 1e-12 && abs(f1[2] - 2.0 / 3) < 1e-12)
        #expect(abs(metrics.macroF1 - (0.8 + 0.5 + 2.0 / 3) / 3) < 1e-12)
        #expect(abs(metrics.weightedF1 - (0.8 * 3 + 0.5 * 2 + 2.0 / 3) / 6) < 1e-12)
    }

    @Test func calibrationErrorIsZeroWhenConfidenceMatchesAccuracy() throws {
        // Four predictions at confidence 0.75, three right: perfectly calibrated.
        let probabilities = [[0.75, 0.25], [0.75, 0.25], [0.75, 0.25], [0.75, 0.25]]
        #expect(try ClassificationMetrics.expectedCalibrationError(probabilities: probabilities, gold: [0, 0, 0, 1]) < 1e-12)
    }

    @Test func calibrationErrorWeightsEachBinsGap() throws {
        // Two samples at confidence 0.9 (one right: gap 0.4) and two at 0.6 (both right: gap 0.4).
        let probabilities = [[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.4, 0.6]]
        let ece = try ClassificationMetrics.expectedCalibrationError(probabilities: probabilities, gold: [0, 1, 0, 1], bins: 10)
        #expect(abs(ece - 0.4) < 1e-12)
    }

    @Test func mismatchedLengthsAndOutOfRangeLabelsAreErrors() {
        #expect(throws: EvaluationError.self) { try ClassificationMetrics(gold: [0], predicted: [], labelNames: ["a"]) }
        #expect(throws: EvaluationError.self) { try ClassificationMetrics(gold: [3], predicted: [0], labelNames: ["a"]) }
    }
}
