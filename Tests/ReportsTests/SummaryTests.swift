import Foundation
import Testing

@testable import Reports

@Suite struct MarkdownSummaryTests {
    @Test("the summary of a realistic run matches its golden file")
    func summaryMatchesGolden() throws {
        try Golden.check(MarkdownSummary.render(SampleReports.realistic), matches: "summary.md")
    }

    @Test("the summary leads with the outcome and has one table row per gate and per change")
    func summaryHasTheOutcomeAndTables() {
        let summary = MarkdownSummary.render(SampleReports.realistic)
        let lines = summary.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "## ❌ Gate failed: Sentiment domain shift: checkpoint v2")
        #expect(lines.contains("Suite **sentiment-domain-shift** · run 12 · tag v2"))
        let gateRows = lines.filter { $0.hasPrefix("| ") && ($0.contains("✅") || $0.contains("❌") || $0.contains("⚪")) }
        #expect(gateRows.count == 4)
        #expect(lines.contains("| LoRA r=8 on kitchen | accuracy vs baseline | -0.042 [-0.061, -0.020] | ▼ regression |"))
        // Every table row has the same number of unescaped cell separators as its header.
        for line in lines where line.hasPrefix("|") {
            let separators = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            #expect(separators == 4 || separators == 5, "\(line)")
        }
    }

    @Test("table cells escape Markdown so that content cannot add cells, links, HTML or emphasis")
    func cellsAreEscaped() {
        #expect(MarkdownSummary.escape("a|b") == "a\\|b")
        #expect(MarkdownSummary.escape("*bold* _it_") == "\\*bold\\* \\_it\\_")
        #expect(MarkdownSummary.escape("<script>alert(1)</script>") == "\\<script\\>alert(1)\\</script\\>")
        #expect(MarkdownSummary.escape("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))")
        #expect(MarkdownSummary.escape("![i](data:x)") == "!\\[i\\](data:x)")
        #expect(MarkdownSummary.escape("line\nbreak\r\ttab") == "line break  tab")
        #expect(MarkdownSummary.escape("back\\slash `code` $x$") == "back\\\\slash \\`code\\` \\$x\\$")
        #expect(MarkdownSummary.escape("a\u{0}b") == "a\u{FFFD}b")

        let hostile = MarkdownSummary.render(SampleReports.hostile())
        for line in hostile.split(separator: "\n") where line.hasPrefix("|") {
            let separators = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            #expect(separators == 4 || separators == 5, "\(line)")
        }
        // Raw HTML needs an unescaped "<", a link an unescaped "](".
        for opener in ["<", "](", "_", "`"] {
            #expect(hostile.components(separatedBy: opener).dropLast().allSatisfy { $0.hasSuffix("\\") }, "\(opener)")
        }
    }

    @Test("a run without gates says so")
    func emptySummarySaysSo() {
        let summary = MarkdownSummary.render(SampleReports.empty)
        #expect(summary.hasPrefix("## ⚪ Gate not evaluated: Quick start\n"))
        #expect(summary.contains("No gates have been checked for this run."))
        #expect(!summary.contains("| Gate |"))
    }
}

@Suite struct JUnitXMLTests {
    @Test("the JUnit report of a realistic run matches its golden file")
    func junitMatchesGolden() throws {
        try Golden.check(JUnitXML.render(SampleReports.realistic), matches: "junit.xml")
    }

    @Test("the JUnit report parses and has what the schema requires, one test case per gate")
    func junitHasTheRequiredElements() throws {
        let tree = try MarkupTree.parse(JUnitXML.render(SampleReports.realistic))
        #expect(tree.name == "testsuites")
        let suites = tree.all("testsuite")
        #expect(suites.count == 1)
        let suite = try #require(suites.first)
        #expect(suite.attributes["name"] == "sentiment-domain-shift")
        #expect(suite.attributes["tests"] == "4")
        #expect(suite.attributes["failures"] == "2")
        #expect(suite.attributes["errors"] == "0")
        #expect(suite.attributes["skipped"] == "1")
        #expect(suite.attributes["time"] == "0.007")
        #expect(suite.attributes["timestamp"] == "2026-12-02T05:50:00" && suite.attributes["hostname"] == "ci-runner-7")
        for key in ["tests", "failures", "errors", "skipped"] { #expect(tree.attributes[key] == suite.attributes[key]) }
        let cases = suite.all("testcase")
        #expect(cases.map { $0.attributes["name"] } == SampleReports.realistic.verdict.gates.map(\.name))
        #expect(cases.allSatisfy { $0.attributes["classname"] == "adapteval.gate" && $0.attributes["time"] != nil })
        let failures = suite.all("failure")
        #expect(failures.count == 2)
        #expect(failures[0].attributes["message"] == SampleReports.realistic.verdict.gates[1].detail)
        #expect(failures[0].attributes["type"] == "GateFailed")
        #expect(failures[0].allText == SampleReports.realistic.verdict.gates[1].detail)
        #expect(suite.all("skipped").first?.attributes["message"] == "no toxicity probe for adapter 64 yet")
        let properties = Dictionary(uniqueKeysWithValues: suite.all("property").map { ($0.attributes["name"] ?? "", $0.attributes["value"] ?? "") })
        #expect(properties == ["title": "Sentiment domain shift: checkpoint v2", "run": "12", "tag": "v2", "outcome": "failed"])
        #expect(suite.all("system-out").first?.allText.contains("regression: LoRA r=8 on kitchen, accuracy vs baseline -0.042 [-0.061, -0.020]") == true)
    }

    @Test("hostile names and details, control characters included, come back from the parser unchanged or replaced")
    func junitEscapesEverything() throws {
        var content = SampleReports.realistic
        let nasty = "<failure>\"&'\u{0}\u{1F}\u{FFFE}]]>\ttab\nline"
        content.suiteName = nasty
        content.verdict.gates[1].name = nasty
        content.verdict.gates[1].detail = nasty
        let xml = JUnitXML.render(content)
        let tree = try MarkupTree.parse(xml)
        let cleaned = "<failure>\"&'\u{FFFD}\u{FFFD}\u{FFFD}]]>\ttab\nline"
        #expect(tree.all("testsuite").first?.attributes["name"] == cleaned)
        #expect(tree.all("testcase")[1].attributes["name"] == cleaned)
        #expect(tree.all("failure").first?.attributes["message"] == cleaned)
        #expect(tree.all("failure").first?.allText == cleaned)
        #expect(tree.all("failure").count == 2)
    }

    @Test("a run without gates is an empty test suite")
    func emptyRunHasNoTestCases() throws {
        let tree = try MarkupTree.parse(JUnitXML.render(SampleReports.empty))
        #expect(tree.all("testsuite").first?.attributes["tests"] == "0")
        #expect(tree.all("testcase").isEmpty)
    }
}
