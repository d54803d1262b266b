import Evaluation
import Foundation
import Testing
import TestSupport
import Transformers

@testable import Probes

@Suite("CrowS-Pairs and StereoSet scoring")
struct MaskedLanguageModelProbeTests {
    @Test("the alignment equals difflib's on small sequences")
    func alignmentOfSmallSequences() {
        // [op ranges of difflib.SequenceMatcher(None, a, b).get_opcodes() with tag 'equal']
        let letters = SequenceAlignment(Array("abxcdy"), Array("abcdzy")).equalPositions
        #expect(letters.a == [0, 1, 3, 4, 5] && letters.b == [0, 1, 2, 3, 5])
        let numbers = SequenceAlignment([1, 2, 3, 4, 2, 3, 5], [2, 3, 1, 2, 3, 5, 4]).equalPositions
        #expect(numbers.a == [0, 1, 2, 3] && numbers.b == [2, 3, 4, 6])
    }

    @Test("past 200 items popular elements leave the index but extend matches, as difflib's autojunk does")
    func alignmentWithPopularElements() {
        // a = [(i % 5) if i % 2 == 0 else 100 + i for i in range(240)]; b = a[:];
        // b[50:53] = [999]; del b[120:130]; b.insert(200, 3); b[10] = 7
        // difflib.SequenceMatcher(None, a, b).get_matching_blocks() =
        // [(0,0,10), (11,11,39), (53,51,70), (133,121,79), (212,201,28), (240,229,0)]
        let a = (0..<240).map { $0 % 2 == 0 ? $0 % 5 : 100 + $0 }
        var b = a
        b.replaceSubrange(50..<53, with: [999])
        b.removeSubrange(120..<130)
        b.insert(3, at: 200)
        b[10] = 7
        let blocks = SequenceAlignment(a, b).matchingBlocks.map { [$0.a, $0.b, $0.size] }
        #expect(blocks == [[0, 0, 10], [11, 11, 39], [53, 51, 70], [133, 121, 79], [212, 201, 28]])
    }

    @Test("shared positions equal the reference's for the 300 pairs of crows_pairs_tiny_mlm.jsonl")
    func sharedPositionsMatchTheReference() throws {
        guard let reference = TestPaths.reference else { return }
        let rows = try TestPaths.readJSONLines(reference.appendingPathComponent("mlm/crows_pairs_tiny_mlm.jsonl"))
        #expect(rows.count == 300)
        for row in rows {
            let more = try #require(row["sent_more_ids"] as? [Int])
            let less = try #require(row["sent_less_ids"] as? [Int])
            let shared = CrowSPairsProbe.sharedPositions(more, less)
            #expect(shared.more == row["sent_more_shared_positions"] as? [Int], "pair \(row["index"] ?? "")")
            #expect(shared.less == row["sent_less_shared_positions"] as? [Int], "pair \(row["index"] ?? "")")
        }
    }

    @Test("the reference's pair scores give its metric overall and per bias type")
    func crowsPairsAggregation() throws {
        guard let reference = TestPaths.reference else { return }
        let rows = try TestPaths.readJSONLines(reference.appendingPathComponent("mlm/crows_pairs_tiny_mlm.jsonl"))
        let items = try rows.map { row in
            ProbeItem(
                id: "\(try #require(row["index"] as? Int))",
                attributes: ["bias_type": try #require(row["bias_type"] as? String), "direction": try #require(row["direction"] as? String)],
                values: ["sent_more_score": try #require(row["sent_more_score"] as? Double),
                         "sent_less_score": try #require(row["sent_less_score"] as? Double)])
        }
        let result = try CrowSPairsProbe.statistics(items: items).measurements(bootstrap: try ProbeBootstrap(resamples: 300))
        func value(_ group: String) -> Double? { result.first { $0.metric.group == group }?.value }
        // rows = [json.loads(l) for l in open(...)]; 100 * sum(r['sent_more_score'] > r['sent_less_score']) / n
        #expect(value("") == 50.0)
        #expect(abs(try #require(value("age")) - 41.1764705882353) < 1e-12)          // 7 / 17
        #expect(abs(try #require(value("gender")) - 46.875) < 1e-12)                 // 30 / 64
        #expect(abs(try #require(value("race-color")) - 47.11538461538461) < 1e-12)  // 49 / 104
        #expect(abs(try #require(value("stereo")) - 100 * 126.0 / 251) < 1e-12)
        #expect(abs(try #require(value("antistereo")) - 100 * 24.0 / 49) < 1e-12)
        let overall = try #require(result.first { $0.metric.group.isEmpty })
        #expect(overall.metric.ideal == 50 && overall.count == 300)
        #expect(try #require(overall.low) < 50 && 50 < (try #require(overall.high)))
    }

    @Test("an ICAT example: lms 90 and ss 60 give 72")
    func icatExample() {
        #expect(StereoSetProbe.Statistics.icat(lms: 90, ss: 60) == 72)
        #expect(StereoSetProbe.Statistics.icat(lms: 90, ss: 40) == 72)
        #expect(StereoSetProbe.Statistics.icat(lms: 100, ss: 50) == 100)
    }

    @Test("StereoSet scores per target term, averaged over targets, worked by hand")
    func stereoSetByHand() throws {
        // Target t1: item 1 prefers the stereotype and both related options over unrelated;
        // item 2 prefers the anti-stereotype, only it beats unrelated. ss_t1 = 50,
        // lms_t1 = 100·3/4 = 75. Target t2: one item, stereotype preferred, nothing beats
        // unrelated: ss_t2 = 100, lms_t2 = 0. ss = 75, lms = 37.5, icat = 37.5·25/50 = 18.75.
        func item(_ id: String, _ target: String, _ s: Double, _ a: Double, _ u: Double) -> ProbeItem {
            ProbeItem(id: id, attributes: ["type": "intrasentence", "target": target, "bias_type": "race"],
                      values: ["stereotype_mean": s, "anti-stereotype_mean": a, "unrelated_mean": u])
        }
        let items = [item("0", "t1", -1, -2, -3), item("1", "t1", -4, -1, -2), item("2", "t2", -1, -2, -0.5)]
        let values = try StereoSetProbe.statistics(items: items).measurements(bootstrap: nil)
        func value(_ name: String) -> Double? { values.first { $0.metric.name == name && $0.metric.group.isEmpty }?.value }
        #expect(value("ss") == 75 && value("lms") == 37.5 && value("icat") == 18.75)
        #expect(values.first { $0.metric.name == "ss" && $0.metric.group == "intrasentence" }?.value == 75)
    }

    @Test("StereoSet aggregation of the reference's option scores equals Python's")
    func stereoSetAggregation() throws {
        guard let reference = TestPaths.reference else { return }
        let rows = try TestPaths.readJSONLines(reference.appendingPathComponent("mlm/stereoset_tiny_mlm.jsonl"))
        let items = try rows.enumerated().map { index, row in
            var values: [String: Double] = [:]
            for key in ["stereotype", "anti-stereotype", "unrelated"] {
                let option = try #require(row[key] as? [String: Any])
                values["\(key)_mean"] = try #require(option["mean"] as? Double)
            }
            return ProbeItem(
                id: "\(index)", attributes: ["type": try #require(row["type"] as? String), "target": try #require(row["target"] as? String),
                                             "bias_type": try #require(row["bias_type"] as? String)], values: values)
        }
        let values = try StereoSetProbe.statistics(items: items).measurements(bootstrap: nil)
        func value(_ name: String, _ group: String = "") -> Double? {
            values.first { $0.metric.name == name && $0.metric.group == group }?.value
        }
        // StereoSetReference.swift holds the Python that produced these.
        for (name, group, expected) in StereoSetReference.values {
            #expect(abs(try #require(value(name, group)) - expected) < 1e-9, "\(name)[\(group)]")
        }
    }

    @Test("StereoSet requests mask every token of an intrasentence option and only the option of a pair")
    func stereoSetRequestsMatchTheReference() throws {
        guard let reference = TestPaths.reference, let shared = TestPaths.shared else { return }
        let tokenizer = try WordPieceTokenizer.load(from: reference.appendingPathComponent("mlm/tiny-bert-mlm"))
        let model = TokenizingModel(tokenizer: tokenizer)
        let items = try StereoSetItem.read(path: shared.appendingPathComponent("data/02_stereoset/stereoset_dev_sample200.jsonl").path)
        let rows = try TestPaths.readJSONLines(reference.appendingPathComponent("mlm/stereoset_tiny_mlm.jsonl"))
        #expect(items.count == 200 && rows.count == 200)
        for (item, row) in zip(items, rows) {
            for option in item.options {
                let expected = try #require(row[option.key] as? [String: Any])
                let request = try StereoSetProbe.request(model, item: item, option: option.text)
                #expect(request.input.ids == expected["ids"] as? [Int], "item \(item.index) \(option.key)")
                #expect(request.positions == expected["scored_positions"] as? [Int], "item \(item.index) \(option.key)")
            }
        }
    }

    @Test("a model without a masked-LM head is refused with a sentence saying what CrowS-Pairs needs")
    func missingHead() throws {
        let probe = try CrowSPairsProbe(pairs: [CrowSPair(index: 0, sentMore: "a b", sentLess: "a c", direction: "stereo", biasType: "age")])
        #expect {
            try probe.run(on: StubModel(embedder: TableEmbedder([:])), bootstrap: nil)
        } throws: { error in
            let message = error.localizedDescription
            return message.contains("masked-LM head") && message.contains("CrowS-Pairs") && (error as? CategorizedError)?.category == .invalidInput
        }
    }

    @Test("the CrowS-Pairs file reads 1,508 pairs, the quoted newline included")
    func readsCrowSPairs() throws {
        guard let shared = TestPaths.shared else { return }
        let pairs = try CrowSPair.read(path: shared.appendingPathComponent("data/01_crows_pairs/crows_pairs_anonymized.csv").path)
        #expect(pairs.count == 1508)
        #expect(pairs.filter { $0.direction == "antistereo" }.count == 218)
        #expect(pairs.first { $0.index == 1293 }?.sentLess.contains("\n") == true)
    }
}

/// Tokenizes like a masked LM (BERT's [CLS] a [SEP] b [SEP] with token types) and scores every
/// masked position −1, for checking what the probes ask for.
final class TokenizingModel: MaskedLanguageModel {
    let tokenizer: WordPieceTokenizer
    init(tokenizer: WordPieceTokenizer) { self.tokenizer = tokenizer }

    func tokenize(_ input: TextInput) throws -> TokenizedInput {
        let encoding = input.pair.map { tokenizer.encode(input.text, $0, maxLength: 512) } ?? tokenizer.encode(input.text, maxLength: 512)
        let special: Set<Int32> = [tokenizer.classID, tokenizer.separatorID, tokenizer.padID]
        return TokenizedInput(
            ids: encoding.ids.map(Int.init), typeIDs: encoding.typeIDs.map(Int.init), isSpecial: encoding.ids.map(special.contains))
    }

    func maskedLogProbabilities(_ requests: [MaskedScoringRequest]) throws -> [[Double]] {
        requests.map { $0.positions.map { _ in -1 } }
    }
}
