import Foundation
import Reports
import TestSupport
import Testing

/// The report as a browser sees it: Debian's headless Chromium loads the rendered file.
///
/// Five browser launches in all (about 5 s each here), one at a time. Without chromium these
/// tests fail and say how to install it: CI installs it through `make setup`.
@Suite(.serialized) final class BrowserTests {
    /// A new temporary folder for one test's pages and screenshots.
    let folder: URL

    init() throws { folder = try TestPaths.temporaryDirectory("adapteval-report") }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func write(_ html: String, name: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try html.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func requireChromium() throws {
        if HeadlessChromium.executable == nil {
            Issue.record(Comment(rawValue: HeadlessChromium.missingMessage))
            throw HeadlessChromium.Failure(description: HeadlessChromium.missingMessage)
        }
    }

    /// The start tags of a serialised DOM: name and attribute names. Serialisation escapes "<"
    /// in text and quotes in attribute values, so every "<" starts a tag and attributes parse
    /// as name="value" pairs.
    static func startTags(of dom: String) -> [(name: String, attributes: [String])] {
        dom.components(separatedBy: "<").dropFirst().compactMap { piece in
            guard let first = piece.first, first.isLetter else { return nil }
            let tag = piece.prefix { $0 != ">" }
            let name = tag.prefix { !$0.isWhitespace && $0 != "/" }.lowercased()
            var attributes: [String] = []
            var rest = tag.dropFirst(name.count)
            while let equals = rest.firstIndex(of: "=") {
                attributes.append(rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased())
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"", let close = rest.dropFirst().firstIndex(of: "\"") else { break }
                rest = rest[rest.index(after: close)...]
            }
            return (name, attributes)
        }
    }

    /// Text as a serialised text node writes it.
    static func serialised(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    @Test("in Chromium, hostile strings leave no mark, add no element and show as text")
    func hostileContentStaysInert() throws {
        try Self.requireChromium()
        // The detector first: an unescaped page does get marked, so a clean result means something.
        let control = try write(
            "<!DOCTYPE html><html><body><p>x</p>\(SampleReports.payloads[4])</body></html>", name: "control.html")
        let controlDOM = try HeadlessChromium.dumpDOM(of: control)
        #expect(controlDOM.contains("data-pwned=\"1\""), "the control page should have run its script")
        #expect(Self.startTags(of: controlDOM).contains { $0.name == "script" })

        let report = try write(HTMLReport.render(SampleReports.hostile()), name: "hostile.html")
        let dom = try HeadlessChromium.dumpDOM(of: report)
        #expect(dom.contains("<h1>"), "the report did not load: \(dom.prefix(200))")
        #expect(!dom.contains("data-pwned=\"1\""))
        let tags = Self.startTags(of: dom)
        #expect(tags.count > 500)
        for tag in tags {
            #expect(!["script", "img", "iframe", "object", "embed"].contains(tag.name), "element \(tag.name)")
            #expect(!tag.attributes.contains { $0.hasPrefix("on") || $0 == "data-pwned" || $0 == "src" }, "\(tag)")
        }
        #expect(tags.filter { $0.name == "style" }.count == 1)
        for payload in SampleReports.payloads.dropLast() {
            #expect(dom.contains(Self.serialised(payload)), "payload not shown as text: \(payload)")
        }
    }

    /// Screenshots the realistic report and surveys it: the image, the share of pixels that
    /// differ from its most common (background) colour, its number of distinct colours and
    /// that background.
    func screenshot(width: Int, darkMode: Bool = false) throws
        -> (image: PNGImage, foreground: Double, colours: Int, background: UInt32)
    {
        let report = try write(HTMLReport.render(SampleReports.realistic), name: "report.html")
        let png = folder.appendingPathComponent("\(width)-\(darkMode ? "dark" : "light").png")
        try HeadlessChromium.screenshot(of: report, to: png, width: width, height: 2400, darkMode: darkMode)
        let image = try PNGImage(contentsOf: png)
        let histogram = image.colorHistogram
        let background = histogram.max { $0.value < $1.value }
        let total = image.width * image.height
        return (image, 1 - Double(background?.value ?? total) / Double(total), histogram.count, background?.key ?? 0)
    }

    static func luminance(_ rgba: UInt32) -> Double {
        0.2126 * Double(rgba >> 24) + 0.7152 * Double((rgba >> 16) & 0xFF) + 0.0722 * Double((rgba >> 8) & 0xFF)
    }

    @Test("a desktop screenshot of the report is far from blank, in light and in dark mode")
    func desktopScreenshotsAreNotBlank() throws {
        try Self.requireChromium()
        let lightSurvey = try screenshot(width: 1280)
        #expect(lightSurvey.image.width == 1280 && lightSurvey.image.height == 2400)
        #expect(lightSurvey.colours > 200, "\(lightSurvey.colours) colours")
        #expect(lightSurvey.foreground > 0.06, "\(lightSurvey.foreground) of pixels are not background")
        #expect(Self.luminance(lightSurvey.background) > 230)

        let darkSurvey = try screenshot(width: 1280, darkMode: true)
        #expect(darkSurvey.colours > 200 && darkSurvey.foreground > 0.06)
        #expect(Self.luminance(darkSurvey.background) < 40, "the dark scheme should have a dark background")
    }

    @Test("the demo report's screenshot in docs/ is a PNG of at most 300 KB and far from blank")
    func docsScreenshotIsNotBlank() throws {
        let url = TestPaths.repositoryRoot.appendingPathComponent("docs/report.png")
        let bytes = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        #expect(bytes <= 300 * 1024, "\(bytes) bytes")
        let image = try PNGImage(contentsOf: url)
        let histogram = image.colorHistogram
        let background = histogram.max { $0.value < $1.value }
        let foreground = 1 - Double(background?.value ?? 0) / Double(image.width * image.height)
        #expect(image.width >= 1000 && image.height >= 1000)
        // pngquant keeps at most 256 colours; a blank or one-colour page has a handful.
        #expect(histogram.count > 32 && foreground > 0.06, "\(histogram.count) colours, \(foreground) foreground")
    }

    @Test("a phone-width screenshot of the report is far from blank")
    func phoneScreenshotIsNotBlank() throws {
        try Self.requireChromium()
        let survey = try screenshot(width: 360)
        #expect(survey.image.width == 360)
        #expect(survey.colours > 100 && survey.foreground > 0.06, "\(survey.colours) colours, \(survey.foreground) foreground")
        // The page itself must not overflow: the right-most column of pixels is background.
        let rightEdge = (0..<survey.image.height).filter {
            survey.image.packedColor(x: survey.image.width - 2, y: $0) != survey.background
        }
        #expect(Double(rightEdge.count) / Double(survey.image.height) < 0.35, "\(rightEdge.count) rows touch the right edge")
    }
}
