import Foundation
import Testing

@testable import Reports

@Suite struct HTMLReportTests {
    static let realistic = HTMLReport.render(SampleReports.realistic)
    static let empty = HTMLReport.render(SampleReports.empty)

    @Test("a realistic report matches its golden file")
    func realisticReportMatchesGolden() throws {
        try Golden.check(Self.realistic, matches: "report.html")
    }

    @Test("an empty report matches its golden file")
    func emptyReportMatchesGolden() throws {
        try Golden.check(Self.empty, matches: "empty-report.html")
    }

    @Test("the document is well-formed and its sections follow the verdict in order, each with its id and heading")
    func sectionsComeInOrder() throws {
        let tree = try MarkupTree.parse(Self.realistic)
        let sections = tree.all("section")
        #expect(sections.map { $0.attributes["id"] } == ReportSection.allCases.map(\.rawValue))
        #expect(sections.first?.attributes["id"] == "verdict")
        for (section, kind) in zip(sections, ReportSection.allCases) {
            let heading = try #require(section.all("h2").first)
            #expect(heading.allText == kind.heading)
            #expect(section.attributes["aria-labelledby"] == heading.attributes["id"])
            #expect(!section.all("p").contains { $0.attributes["class"] == "empty" } || kind == .verdict)
        }
        // After the verdict, the table of contents links to every other section, in order.
        let links = tree.all("nav").flatMap { $0.all("a") }.compactMap { $0.attributes["href"] }
        #expect(links == ReportSection.allCases.dropFirst().map { "#" + $0.rawValue })
    }

    @Test("the verdict banner says the outcome in words and counts the gates")
    func verdictBannerSaysTheOutcome() throws {
        let tree = try MarkupTree.parse(Self.realistic)
        let banner = try #require(tree.descendants.first { $0.attributes["class"] == "banner failed" })
        #expect(banner.allText.contains("Gate failed"))
        #expect(banner.allText.contains("2 of 4 gates failed · 1 passed · 1 not evaluated"))
        let changes = try #require(tree.all("ol").first { $0.attributes["class"] == "changes" })
        #expect(changes.all("li").count == 3)
        #expect(changes.all("li")[0].allText.contains("▼ regression"))
        #expect(changes.all("li")[0].allText.contains("\u{2212}0.042 [\u{2212}0.061, \u{2212}0.020]"))
    }

    @Test("numbers appear exactly as given, with intervals in brackets")
    func numbersAppearAsGiven() throws {
        let text = try MarkupTree.parse(Self.realistic).allText
        for expected in [
            "0.903 [0.873, 0.930]", "0.612 [0.568, 0.655]", "+0.018 [+0.004, +0.032]",
            "\u{2212}0.013 [\u{2212}0.027, \u{2212}0.001]", "22,713,986", "74,498", "14.2", "0.214", "0.0412",
            "p = 0.001", "p < 0.001", "+4.7 [+1.2, +8.1]", "58.9", "+0.007 [\u{2212}0.004, +0.018]", "0.921", "0.905", "0.021", "< 0.001", "McNemar exact",
            "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db", "3 seeds", "1 seed",
            "Stopped: validation loss did not improve for 3 epochs.", "Weights from epoch 3",
        ] {
            #expect(text.contains(expected), "missing \(expected)")
        }
    }

    @Test("a report without data says for every section that it has none and what produces it")
    func emptyReportSaysWhatIsMissing() throws {
        let tree = try MarkupTree.parse(Self.empty)
        for section in tree.all("section") {
            let kind = try #require(ReportSection(rawValue: section.attributes["id"] ?? ""))
            let lines = section.all("p").filter { $0.attributes["class"] == "empty" }
            #expect(lines.map(\.allText) == [HTMLReport.emptyMessage(kind)], "\(kind)")
            #expect(section.all("table").isEmpty && section.all("svg").isEmpty)
        }
        #expect(HTMLReport.emptyMessage(.divergence) == "No divergences: add source tasks to the suite.")
        #expect(tree.allText.contains("Gate not evaluated"))
        #expect(tree.allText.contains("● running"))
    }

    @Test("the document is self-contained: a strict policy, no script, no URL, no style attribute")
    func documentIsSelfContained() throws {
        for html in [Self.realistic, Self.empty] {
            let tree = try MarkupTree.parse(html)
            let policy = tree.all("meta").first { $0.attributes["http-equiv"] == "Content-Security-Policy" }
            #expect(policy?.attributes["content"]?.hasPrefix("default-src 'none'; style-src 'unsafe-inline'; img-src data:") == true)
            #expect(tree.all("meta").contains { $0.attributes["name"] == "viewport" })
            #expect(tree.all("meta").contains { $0.attributes["charset"] == "utf-8" })
            #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
            for element in tree.descendants {
                #expect(!["script", "img", "iframe", "object", "embed", "link", "base", "form"].contains(element.name))
                for (name, value) in element.attributes {
                    #expect(!name.lowercased().hasPrefix("on") && name != "style" && name != "src", "\(element.name) \(name)")
                    if name == "href" { #expect(value.hasPrefix("#")) }
                }
            }
            #expect(!html.contains("http:") && !html.contains("https:") && !html.contains("url("))
            #expect(tree.all("style").count == 1)
        }
    }

    @Test("the stylesheet follows the colour scheme, prints without backgrounds and fits a phone")
    func stylesheetCoversSchemesPrintAndPhones() {
        let css = HTMLReport.stylesheet.description
        #expect(css.contains("@media (prefers-color-scheme: dark)"))
        #expect(css.contains("@media print"))
        #expect(css.contains("break-inside: avoid"))
        #expect(css.contains("@media (max-width: 640px)"))
        #expect(css.contains(".table-scroll { overflow-x: auto;"))
        #expect(css.contains("font-variant-numeric: tabular-nums"))
    }

    @Test("table headers have a scope and numeric cells are right-aligned")
    func tablesHaveScopesAndAlignedNumbers() throws {
        let tree = try MarkupTree.parse(Self.realistic)
        let tables = tree.all("table")
        #expect(tables.count >= 10)
        #expect(tables.filter { $0.all("th").contains { $0.attributes["class"] == "num" } }.count >= 9)
        for table in tables {
            #expect(table.all("th").allSatisfy { ["col", "row"].contains($0.attributes["scope"]) })
            let headers = try #require(table.all("thead").first).all("th")
            let numeric = Set(headers.indices.filter { headers[$0].attributes["class"] == "num" })
            for row in try #require(table.all("tbody").first).all("tr") {
                let cells = row.all("th").count == 1 ? [row.all("th")[0]] + row.all("td") : row.all("td")
                #expect(cells.count == headers.count)
                for (index, cell) in cells.enumerated() {
                    #expect((cell.attributes["class"] == "num") == numeric.contains(index), "\(cell.allText)")
                }
            }
        }
        let scores = try #require(tree.all("section").first { $0.attributes["id"] == "scores" }?.all("table").first)
        #expect(scores.all("tr").count == 1 + 10)
        let firstRow = try #require(scores.all("tbody").first?.all("tr").first)
        #expect(firstRow.all("th").first?.allText == "fullkitchen")
        #expect(firstRow.all("td").map(\.allText) == ["0.903 [0.873, 0.930]3 seeds", "0.892 [0.861, 0.920]3 seeds", "—"])
    }

    @Test("every chart has a title, an aria-label, a viewBox and a table of its numbers")
    func chartsAreAccessible() throws {
        let tree = try MarkupTree.parse(Self.realistic)
        let figures = tree.all("figure")
        // Transfer, 2 × 2 learning curves, efficiency, 3 divergence measures.
        #expect(figures.count == 1 + 4 + 1 + 3)
        for figure in figures {
            let svg = try #require(figure.all("svg").first)
            let label = try #require(svg.attributes["aria-label"])
            #expect(svg.attributes["role"] == "img")
            #expect(svg.all("title").first?.allText == label)
            #expect(svg.attributes["viewBox"]?.hasPrefix("0 0 ") == true)
            let fallback = try #require(figure.all("details").first?.all("table").first)
            #expect(fallback.all("tbody").first?.all("tr").isEmpty == false)
            #expect(svg.all("text").contains { $0.attributes["class"] == "axis-title" } || label.contains("divergence")
                || label.contains("MMD"))
        }
        let transfer = try #require(tree.all("section").first { $0.attributes["id"] == "transfer" })
        let table = try #require(transfer.all("table").first).allText
        for number in ["+0.018", "+0.004", "+0.032", "\u{2212}0.013", "0.012", "0.430", "positive", "negative", "inconclusive"] {
            #expect(table.contains(number), "\(number)")
        }
    }

    @Test("hostile strings stay text: no element, attribute or style comes from content")
    func hostileStringsStayText() throws {
        let html = HTMLReport.render(SampleReports.hostile())
        let tree = try MarkupTree.parse(html)
        let allowedAttributes: Set<String> = [
            "lang", "charset", "name", "content", "http-equiv", "id", "aria-labelledby", "aria-label", "aria-hidden",
            "class", "href", "role", "scope", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx",
            "cy", "r", "points", "text-anchor", "transform", "fill-opacity",
        ]
        for element in tree.descendants {
            #expect(!["script", "img", "iframe", "object", "embed"].contains(element.name))
            #expect(Set(element.attributes.keys).isSubset(of: allowedAttributes), "\(element.name): \(element.attributes.keys)")
        }
        #expect(tree.all("style").count == 1)
        let text = tree.allText
        for payload in SampleReports.payloads.dropLast() { #expect(text.contains(payload), "\(payload)") }
        #expect(text.contains("x\u{FFFD}y\u{FFFD}z\u{FFFD}"))
    }
}

@Suite struct MarkupEscapingTests {
    @Test("text escapes the characters that start markup")
    func textEscapesMarkup() {
        #expect(MarkupEscaping.text("a < b && c > \"d\" 'e'") == "a &lt; b &amp;&amp; c &gt; \"d\" 'e'")
        #expect(MarkupEscaping.text("</svg><script>") == "&lt;/svg&gt;&lt;script&gt;")
        #expect(MarkupEscaping.text("&amp;") == "&amp;amp;")
    }

    @Test("attribute values also escape both quotes and whitespace controls")
    func attributesEscapeQuotes() {
        #expect(MarkupEscaping.attribute("\" onerror=\"x") == "&quot; onerror=&quot;x")
        #expect(MarkupEscaping.attribute("it's\ta\nb\r") == "it&#39;s&#9;a&#10;b&#13;")
    }

    @Test("characters XML forbids or HTML rejects become the replacement character")
    func forbiddenCharactersAreReplaced() {
        #expect(MarkupEscaping.text("a\u{0}b\u{8}c\u{1B}d\u{7F}e\u{85}f\u{FFFE}g") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}f\u{FFFD}g")
        #expect(MarkupEscaping.text("tab\tnew\nline\r✓ 😀") == "tab\tnew\nline\r✓ 😀")
    }
}
