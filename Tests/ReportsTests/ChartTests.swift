import Foundation
import Testing

@testable import Reports

@Suite struct ChartAxisTests {
    // Heckbert's rule (Graphics Gems, 1990) by hand: for [0.873, 0.930] and 5 ticks the range
    // 0.057 rounds up to 0.1, the step 0.1 / 4 = 0.025 rounds to 0.02, and the ticks run from
    // floor(0.873 / 0.02) · 0.02 = 0.86 to ceil(0.930 / 0.02) · 0.02 = 0.94.
    @Test("linear ticks take 1-2-5 steps and widen the domain to whole steps")
    func linearTicksAreNice() {
        let axis = ChartAxis.linear(title: "Accuracy", covering: [0.873, 0.930, 0.901])
        #expect(axis.step == 0.02)
        #expect(axis.ticks.map { axis.label($0) } == ["0.86", "0.88", "0.90", "0.92", "0.94"])
        #expect(abs(axis.domain.lowerBound - 0.86) < 1e-12 && abs(axis.domain.upperBound - 0.94) < 1e-12)

        let gains = ChartAxis.linear(title: "Gain", covering: [-0.027, 0.032], including: [0])
        #expect(gains.ticks.map { gains.label($0) } == ["\u{2212}0.04", "\u{2212}0.02", "0.00", "0.02", "0.04"])

        let epochs = ChartAxis.linear(title: "Epoch", covering: [1, 8], tickCount: 6)
        #expect(epochs.ticks.map { epochs.label($0) } == ["0", "2", "4", "6", "8"])

        let loss = ChartAxis.linear(title: "Loss", covering: [0.034, 0.681])
        #expect(loss.ticks.map { loss.label($0) } == ["0.0", "0.2", "0.4", "0.6", "0.8"])
    }

    @Test("nice numbers round to 1, 2, 5 or 10 times a power of ten")
    func niceNumbers() {
        #expect(ChartAxis.niceNumber(0.057, rounding: false) == 0.1)
        #expect(ChartAxis.niceNumber(0.025, rounding: true) == 0.02)
        #expect(ChartAxis.niceNumber(3, rounding: true) == 5)
        #expect(ChartAxis.niceNumber(7.5, rounding: true) == 10)
        #expect(ChartAxis.niceNumber(140, rounding: true) == 100)
        #expect(ChartAxis.niceNumber(1.9, rounding: false) == 2)
    }

    @Test("a constant series still gets a domain around its value")
    func constantSeriesGetADomain() {
        let axis = ChartAxis.linear(title: "Accuracy", covering: [0.5, 0.5])
        #expect(axis.domain.contains(0.5) && axis.domain.upperBound > axis.domain.lowerBound)
        #expect(axis.ticks.count >= 2)
    }

    @Test("logarithmic axes tick at decades, adding 2 and 5 over short spans")
    func logarithmicTicks() {
        let wide = ChartAxis.logarithmic(title: "Parameters", covering: [770, 22_713_986])
        #expect(wide.ticks.map { wide.label($0) } == ["100", "1k", "10k", "100k", "1M", "10M", "100M"])
        let narrow = ChartAxis.logarithmic(title: "Parameters", covering: [500_000, 800_000])
        #expect(narrow.ticks.map { narrow.label($0) } == ["100k", "200k", "500k", "1M"])
        // 10^4 is halfway between 10^2 and 10^6 on a log scale.
        let axis = ChartAxis.logarithmic(title: "", covering: [100, 1_000_000])
        #expect(abs(axis.position(10_000, from: 0, to: 300) - 150) < 1e-9)
        #expect(abs(axis.position(100, from: 0, to: 300)) < 1e-9)
    }

    @Test("positions map the domain onto pixels, upwards for vertical axes")
    func positionsMapLinearly() {
        let axis = ChartAxis.linear(title: "", covering: [0, 10])
        #expect(axis.position(2.5, from: 0, to: 100) == 25)
        let area = PlotArea(left: 10, top: 20, right: 110, bottom: 220)
        #expect(area.y(0, on: axis) == 220)
        #expect(area.y(10, on: axis) == 20)
    }
}

@Suite struct NumberFormattingTests {
    let format = NumberFormatting.typeset

    @Test("decimals round half away from zero the way printf does and never print a negative zero")
    func decimals() {
        #expect(format.decimal(0.9034) == "0.903")
        #expect(format.decimal(-0.0421) == "\u{2212}0.042")
        #expect(format.decimal(-0.0001) == "0.000")
        #expect(format.decimal(0.018, signed: true) == "+0.018")
        #expect(format.decimal(0, signed: true) == "0.000")
        #expect(NumberFormatting.plain.decimal(-1.5, digits: 1) == "-1.5")
        #expect(format.decimal(.nan) == "n/a")
        #expect(format.decimal(-.infinity) == "\u{2212}∞")
    }

    @Test("estimates print their interval in brackets only when both bounds exist")
    func estimates() {
        #expect(format.estimate(.init(0.903, low: 0.873, high: 0.93)) == "0.903 [0.873, 0.930]")
        #expect(format.estimate(.init(0.903, low: 0.873)) == "0.903")
        #expect(format.estimate(.init(-0.013, low: -0.027, high: 0.001), signed: true)
            == "\u{2212}0.013 [\u{2212}0.027, +0.001]")
    }

    @Test("p-values, counts and significant digits")
    func otherNumbers() {
        #expect(format.pValue(0.0004) == "< 0.001")
        #expect(format.pValue(0.0412) == "0.041")
        #expect(format.pStatement(0.0002) == "p < 0.001")
        #expect(format.pStatement(0.43) == "p = 0.430")
        #expect(format.count(22_713_986) == "22,713,986")
        #expect(format.count(770) == "770")
        #expect(format.count(-1000) == "\u{2212}1,000")
        #expect(format.compactCount(22_713_986) == "22.7M")
        #expect(format.compactCount(74_498) == "74.5k")
        #expect(format.compactCount(1e9) == "1B")
        #expect(format.significant(0.000412) == "0.000412")
        #expect(format.significant(2.5) == "2.50")
        #expect(format.significant(1234) == "1234")
        #expect(format.progress(3) == "3")
        #expect(format.progress(2.5) == "2.50")
    }
}

@Suite struct SVGChartTests {
    /// The SVG of `chart` parsed, with the figure around it.
    func figure(_ chart: some SVGChart) throws -> MarkupTree {
        var writer = MarkupWriter()
        chart.render(into: &writer)
        return try MarkupTree.parse(writer.output)
    }

    @Test("the interval plot shapes each verdict differently and draws the zero line")
    func intervalPlotShowsVerdicts() throws {
        let plot = IntervalPlot(
            title: "Gains", axisTitle: "Gain in accuracy",
            comparisons: [
                .init(label: "up", gain: .init(0.02, low: 0.01, high: 0.03), verdict: .positive),
                .init(label: "down", gain: .init(-0.02, low: -0.03, high: -0.01), verdict: .negative),
                .init(label: "flat", gain: .init(0.0, low: -0.01, high: 0.01), verdict: .inconclusive),
            ])
        let tree = try figure(plot)
        let marks = tree.descendants.filter { $0.attributes["class"]?.hasPrefix("mark ") == true }
        // The legend's three markers, then one per row.
        #expect(marks.map(\.name) == ["polygon", "polygon", "circle", "polygon", "polygon", "circle"])
        #expect(marks.suffix(3).map { $0.attributes["class"] } == ["mark positive", "mark negative", "mark inconclusive"])
        let zero = try #require(tree.all("line").first { $0.attributes["class"] == "zero" })
        // The axis runs from −0.04 to 0.04, so zero is halfway across the plot area.
        let area = (left: 80.0 + 18, right: plot.width - 170)
        #expect(abs(Double(zero.attributes["x1"] ?? "")! - (area.left + area.right) / 2) <= 0.05)
        #expect(tree.all("line").filter { $0.attributes["class"] == "whisker" }.count == 9)
    }

    @Test("the line chart draws each series with its marker, the selected epoch and a legend")
    func lineChartMarksTheSelectedPoint() throws {
        let chart = LineChart(
            title: "Loss", xAxisTitle: "Epoch", yAxisTitle: "Loss (nats)",
            series: [
                .init(name: "train", style: .train, points: [.init(1, 0.6), .init(2, 0.3), .init(3, 0.2)]),
                .init(name: "validation", style: .validation, points: [.init(1, 0.5), .init(2, 0.35), .init(3, 0.4)]),
            ], selectedAt: 2)
        let tree = try figure(chart)
        #expect(tree.all("polyline").map { $0.attributes["class"] } == ["series train", "series validation"])
        #expect(tree.all("circle").filter { $0.attributes["class"] == "ring" }.count == 2)
        #expect(tree.all("line").filter { $0.attributes["class"] == "selected" }.count == 2)  // plot and legend
        #expect(tree.all("text").map(\.allText).contains("selected"))
        let rows = try #require(tree.all("tbody").first).all("tr").map { $0.all("th").map(\.allText) + $0.all("td").map(\.allText) }
        #expect(rows == [["1", "0.600", "0.500"], ["2 (selected)", "0.300", "0.350"], ["3", "0.200", "0.400"]])
    }

    @Test("the heatmap shades cells by value and prints values and p-values in them")
    func heatmapShadesByValue() throws {
        let chart = Heatmap(
            title: "MMD²", domains: ["a", "b"],
            measure: .init(name: "MMD²", values: [[nil, 0.04], [0.01, nil]], pValues: [[nil, 0.001], [0.2, nil]]))
        let tree = try figure(chart)
        let cells = tree.all("rect").filter { $0.attributes["class"]?.hasPrefix("heat") == true }
        // Four cells, then the five swatches of the key.
        #expect(cells.prefix(4).map { $0.attributes["fill-opacity"] } == [nil, "1.00", "0.06", nil])
        #expect(cells.prefix(4).map { $0.attributes["class"] } == ["heat-missing", "heat", "heat", "heat-missing"])
        let texts = tree.all("text").map(\.allText)
        #expect(texts.contains("0.0400") && texts.contains("p = 0.001") && texts.contains("p = 0.200"))
        #expect(tree.all("text").contains { $0.allText == "0.0400" && $0.attributes["class"] == "cell-value strong" })
    }

    @Test("the scatter plot puts parameters on a log axis with interval bars")
    func scatterPlotUsesALogAxis() throws {
        let chart = ScatterPlot(
            title: "Efficiency", xAxisTitle: "Trainable parameters (count, log scale)", yAxisTitle: "Accuracy",
            entries: [
                .init(label: "full", trainableParameters: 22_713_986, score: .init(0.9, low: 0.88, high: 0.92)),
                .init(label: "probe", trainableParameters: 770, score: .init(0.84)),
            ])
        let tree = try figure(chart)
        let ticks = tree.all("text").filter { $0.attributes["class"] == "tick" }.map(\.allText)
        #expect(ticks.contains("1k") && ticks.contains("10M"))
        #expect(tree.all("polygon").count == 2)
        #expect(tree.all("line").filter { $0.attributes["class"] == "whisker" }.count == 3)
    }

    @Test("long labels are cut to fit and keep their full text in the table")
    func longLabelsAreTruncated() throws {
        let label = String(repeating: "very long strategy name ", count: 8)
        let plot = IntervalPlot(
            title: "Gains", axisTitle: "Gain",
            comparisons: [.init(label: label, gain: .init(0.01), verdict: .inconclusive)])
        let tree = try figure(plot)
        let drawn = try #require(tree.all("text").first { $0.attributes["class"] == "label" }).allText
        #expect(drawn.hasSuffix("…") && drawn.count < label.count)
        #expect(tree.all("table").first?.allText.contains(label) == true)
    }
}
