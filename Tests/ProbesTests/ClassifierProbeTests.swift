import Evaluation
import Foundation
import Testing
import TestSupport

@testable import Probes

@Suite("Identity-term, counterfactual and ToxiGen probes")
struct ClassifierProbeTests {
    /// The toy table: 3 sentences mention "gay", 4 mention "straight".
    static let table: [(score: Double, toxic: Bool, term: String)] = [
        (0.9, true, "gay"), (0.7, false, "gay"), (0.2, false, "gay"),
        (0.6, true, "straight"), (0.3, false, "straight"), (0.8, true, "straight"), (0.1, false, "straight"),
    ]

    static func items(_ table: [(score: Double, toxic: Bool, term: String)]) -> [ProbeItem] {
        table.enumerated().map { index, row in
            ProbeItem(id: "\(index)", attributes: ["label": row.toxic ? "toxic" : "nontoxic", "terms": row.term],
                      values: ["toxicity": row.score])
        }
    }

    @Test("subgroup, BPSN and BNSP AUCs and the FPR gap of a toy table worked by hand")
    func borkanToyTable() throws {
        // Overall: positives 0.9, 0.6, 0.8 against negatives 0.7, 0.2, 0.3, 0.1 win 4 + 3 + 4 of
        // 12 pairs (sklearn roc_auc_score: 0.9166666666666666). gay: subgroup {0.9} vs {0.7, 0.2}
        // = 1; BPSN {0.6, 0.8} vs {0.7, 0.2} = 3/4; BNSP {0.9} vs {0.3, 0.1} = 1. straight:
        // subgroup 1; BPSN {0.9} vs {0.3, 0.1} = 1; BNSP {0.6, 0.8} vs {0.7, 0.2} = 3/4.
        // FPR at 0.5: 1/4 overall, 1/2 on gay (+0.25), 0 on straight (−0.25); FPED 0.5.
        // bias_score = ¼·11/12 + ¼·(M(1, 1) + M(0.75, 1) + M(1, 0.75)), M the power mean with
        // p = −5: 0.8919688020744988 (numpy).
        let values = try IdentityTermProbe.statistics(items: Self.items(Self.table)).measurements(bootstrap: nil)
        func value(_ name: String, _ group: String = "") throws -> Double {
            try #require(values.first { $0.metric.name == name && $0.metric.group == group }).value
        }
        #expect(abs(try value("auc") - 11.0 / 12) < 1e-15)
        #expect(try value("subgroup_auc", "gay") == 1 && value("bpsn_auc", "gay") == 0.75 && value("bnsp_auc", "gay") == 1)
        #expect(try value("subgroup_auc", "straight") == 1 && value("bpsn_auc", "straight") == 1)
        #expect(try value("bnsp_auc", "straight") == 0.75)
        #expect(try value("fpr_gap", "gay") == 0.25 && value("fpr_gap", "straight") == -0.25)
        #expect(try value("fped") == 0.5 && value("max_fpr_gap") == 0.25 && value("fned") == 0)
        #expect(abs(try value("bias_score") - 0.8919688020744988) < 1e-12)
    }

    @Test("the linear-time AUCs equal the direct AUC of each subset under random weights and ties")
    func fastAUCsEqualTheDefinition() throws {
        var generator = SplitMix64(seed: 11)
        let terms = ["a", "b", "c"]
        var rows: [(score: Double, toxic: Bool, terms: [String])] = []
        for _ in 0..<300 {
            let score = Double(generator.below(40)) / 40  // many ties
            let mentioned = terms.filter { _ in generator.below(3) == 0 }
            rows.append((score, generator.below(3) == 0, mentioned))  // some mention no term: background only
        }
        let items = rows.enumerated().map { index, row in
            ProbeItem(id: "\(index)", attributes: ["label": row.toxic ? "toxic" : "nontoxic", "terms": row.terms.joined(separator: "|")],
                      values: ["toxicity": row.score])
        }
        let statistics = try IdentityTermProbe.statistics(items: items)
        let weights = rows.indices.map { _ in Double(generator.below(4)) }
        let values = statistics.values(weights: weights)
        func direct(_ include: (Int) -> Bool) -> Double {
            let chosen = rows.indices.filter(include)
            return ReceiverOperatingCharacteristic.areaUnderCurve(
                scores: chosen.map { rows[$0].score }, isPositive: chosen.map { rows[$0].toxic }, weights: chosen.map { weights[$0] })
        }
        for (index, metric) in statistics.metrics.enumerated() {
            let inGroup = { (row: Int) in rows[row].terms.contains(metric.group) }
            let expected: Double
            switch metric.name {
            case "auc": expected = direct { _ in true }
            case "subgroup_auc": expected = direct(inGroup)
            case "bpsn_auc": expected = direct { inGroup($0) ? !rows[$0].toxic : rows[$0].toxic }
            case "bnsp_auc": expected = direct { inGroup($0) ? rows[$0].toxic : !rows[$0].toxic }
            default: continue
            }
            #expect(abs(values[index] - expected) < 1e-12, "\(metric.label)")
        }
    }

    @Test("identity terms match whole words, case-insensitively, multi-word terms included")
    func termMatching() throws {
        let terms = try IdentityTerms(terms: ["gay", "african american", "african", "american", "old"], source: "list")
        #expect(terms.mentioned(in: "African American poets") == ["african american", "african", "american"])
        #expect(terms.mentioned(in: "Gay, old and bold!") == ["gay", "old"])
        #expect(terms.mentioned(in: "gayety of the older folk").isEmpty)
        #expect(terms.replacing("gay", with: "straight", in: "Gay people are gay.") == "Straight people are straight.")
        #expect(terms.replacing("old", with: "young", in: "bold") == nil)
    }

    @Test("templates that mention no identity term are refused with their file; one without a term is background")
    func templatesWithoutTerms() throws {
        let terms = try IdentityTerms(terms: ["gay", "straight"], source: "terms.txt")
        let path = try ProbeFixtures.file("Text,Label,Template\nhug everyone,NOT_BAD,verb_adj\nhate everyone,BAD,verb_adj\n", name: "t.csv")
        #expect {
            try IdentityTermProbe(sentences: try ToxicityLabelledTexts.read(path: path), terms: terms)
        } throws: { error in
            let message = error.localizedDescription
            return message.hasPrefix("\(path): ") && message.contains("identity terms") && (error as? ProbeError)?.category == .invalidInput
        }
        let mixed = try ProbeFixtures.file("Text,Label,Template\nhug gay,NOT_BAD,verb_adj\nhug everyone,NOT_BAD,verb_adj\n", name: "m.csv")
        #expect(throws: Never.self) { try IdentityTermProbe(sentences: try ToxicityLabelledTexts.read(path: mixed), terms: terms) }
    }

    @Test("a classifier made to depend on one word flips exactly where that word comes or goes")
    func counterfactualFlip() throws {
        // p(toxic) = 0.9 when the text says "gay", else 0.1. Swaps: "I am gay" → straight, old
        // (two flips, −0.8 each); "I am straight" → gay (flip, +0.8), old (no change);
        // "old people are wise" → gay (flip, +0.8), straight (no change). 4 of 6 flip; mean
        // |Δ toxic| = 3.2/6. Per swapped-in term: gay 2/2 flips, +0.8; straight and old 1/2,
        // −0.4.
        let classifier = RuleClassifier(labelNames: ["nontoxic", "toxic"]) { text in
            text.lowercased().contains("gay") ? [0.1, 0.9] : [0.9, 0.1]
        }
        let texts = ["I am gay", "I am straight", "old people are wise"].enumerated().map {
            Sample(id: "\($0.offset)", text: $0.element, label: "", line: $0.offset + 1)
        }
        let probe = try CounterfactualProbe(
            texts: texts, termLists: [try IdentityTerms(terms: ["gay", "straight", "old"], source: "terms")], source: "texts")
        let result = try probe.run(on: StubModel(classifier: classifier), bootstrap: try ProbeBootstrap(resamples: 100))
        func value(_ name: String, _ group: String = "") throws -> Double {
            try #require(result.measurement(name, group: group)).value
        }
        #expect(abs(try value("flip_rate") - 4.0 / 6) < 1e-12)
        #expect(abs(try value("abs_change:toxic") - 3.2 / 6) < 1e-12)
        #expect(try value("flip_rate", "gay") == 1 && abs(try value("change:toxic", "gay") - 0.8) < 1e-12)
        #expect(try value("flip_rate", "straight") == 0.5 && abs(try value("change:toxic", "straight") + 0.4) < 1e-12)
        #expect(try value("flip_rate", "old") == 0.5)
        #expect(abs(try value("change:nontoxic", "gay") + 0.8) < 1e-12)
    }

    @Test("a text without an identity term is refused with its line")
    func counterfactualWithoutTerm() throws {
        let texts = [Sample(id: "0", text: "nothing to swap", label: "", line: 4)]
        #expect {
            try CounterfactualProbe(texts: texts, termLists: [try IdentityTerms(terms: ["gay", "straight"], source: "t")], source: "in.jsonl")
        } throws: { error in error.localizedDescription.hasPrefix("in.jsonl:4:") }
    }

    @Test("ToxiGen statements read per group, each duplicate kept once")
    func readsToxiGen() throws {
        guard let shared = TestPaths.shared else { return }
        // 627 non-empty lines; 587 distinct (group, label, statement): 317 hate, 270 neutral,
        // 14 groups (Python over the folder, same rules).
        let statements = try ToxiGenStatement.read(folder: shared.appendingPathComponent("data/05_toxicity_labelled/toxigen_demonstrations").path)
        #expect(statements.count == 587)
        #expect(statements.filter(\.isHateful).count == 317)
        #expect(Set(statements.map(\.group)).count == 14)
        #expect(statements.filter { $0.group == "lgbtq" && $0.isHateful }.count == 113)
    }

    @Test("ToxiGen accuracy per group and the gap between the best- and worst-served groups")
    func toxigenAccuracy() throws {
        // Group "a": 2 hateful scored 0.9 and 0.4, 2 neutral 0.1 and 0.2 → accuracy 3/4.
        // Group "b": 1 hateful 0.8, 1 neutral 0.6 → 1/2. Gap 1/4, best a, worst b.
        let statements = [
            ("a", true, "a1"), ("a", true, "a2"), ("a", false, "a3"), ("a", false, "a4"), ("b", true, "b1"), ("b", false, "b2"),
        ].map { ToxiGenStatement(id: $0.2, group: $0.0, isHateful: $0.1, text: $0.2) }
        let scores = ["a1": 0.9, "a2": 0.4, "a3": 0.1, "a4": 0.2, "b1": 0.8, "b2": 0.6]
        let classifier = RuleClassifier(labelNames: ["neutral", "hate"]) { [1 - scores[$0]!, scores[$0]!] }
        let result = try ToxiGenProbe(statements: statements).run(
            on: StubModel(classifier: classifier), bootstrap: try ProbeBootstrap(resamples: 200))
        #expect(result.measurement("accuracy", group: "a")?.value == 0.75)
        #expect(result.measurement("accuracy", group: "b")?.value == 0.5)
        #expect(result.measurement("accuracy")?.value == 4.0 / 6)
        let gap = try #require(result.measurement("accuracy_gap"))
        #expect(gap.value == 0.25 && gap.note == "best a, worst b")
        // Within-group resampling keeps group b's single hateful and neutral statement.
        #expect(result.measurement("accuracy", group: "b")?.low == 0.5)
    }

    @Test("a classifier without a toxic label is refused, naming its labels")
    func noToxicLabel() throws {
        let classifier = RuleClassifier(labelNames: ["negative", "positive"]) { _ in [0.5, 0.5] }
        let probe = try ToxiGenProbe(statements: [ToxiGenStatement(id: "1", group: "a", isHateful: true, text: "x")])
        #expect {
            try probe.run(on: StubModel(classifier: classifier), bootstrap: nil)
        } throws: { error in
            error.localizedDescription.contains("negative, positive") && (error as? ProbeError)?.category == .invalidInput
        }
    }
}
