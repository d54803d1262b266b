/// A forest plot of transfer gains: one row per comparison, the estimate as a marker whose
/// shape and colour say the verdict, its interval as a capped line, and a line at zero.
struct IntervalPlot: SVGChart {
    typealias Comparison = ReportContent.TransferGains.Comparison

    var title: String
    var axisTitle: String
    var comparisons: [Comparison]

    let width = 900.0
    private let rowHeight = 30.0
    private let legendHeight = 30.0
    private let axisHeight = 50.0
    private let valueColumnWidth = 170.0
    private let format = NumberFormatting.typeset

    var height: Double { legendHeight + Double(max(comparisons.count, 1)) * rowHeight + axisHeight }

    private var labelWidth: Double {
        min(250, max(80, comparisons.map { ChartFont.approximateWidth($0.label) }.max() ?? 80))
    }

    private var area: PlotArea {
        PlotArea(
            left: labelWidth + 18, top: legendHeight, right: width - valueColumnWidth,
            bottom: legendHeight + Double(max(comparisons.count, 1)) * rowHeight)
    }

    private var axis: ChartAxis {
        let values = comparisons.flatMap { [$0.gain.value, $0.gain.low, $0.gain.high].compactMap { $0 } }
        return ChartAxis.linear(title: axisTitle, covering: values, including: [0])
    }

    static func style(of verdict: Comparison.Verdict) -> (shape: MarkerShape, className: String) {
        switch verdict {
        case .positive: (.triangleUp, "mark positive")
        case .negative: (.triangleDown, "mark negative")
        case .inconclusive: (.circle, "mark inconclusive")
        }
    }

    func draw(into svg: inout MarkupWriter) {
        let area = self.area
        let axis = self.axis
        drawLegend(into: &svg)
        for (index, comparison) in comparisons.enumerated() {
            let top = area.top + Double(index) * rowHeight
            let middle = top + rowHeight / 2
            svg.element("g", ["class": "row"]) { svg in
                svg.element("title", text: "\(comparison.label): \(format.estimate(comparison.gain, signed: true)), \(comparison.verdict.rawValue)")
                if index % 2 == 0 {
                    svg.empty(
                        "rect",
                        ["x": "0", "y": svgNumber(top), "width": svgNumber(width), "height": svgNumber(rowHeight), "class": "band"])
                }
                svg.svgText(
                    ChartFont.truncated(comparison.label, toWidth: labelWidth), x: area.left - 12, y: middle + 4,
                    anchor: "end", className: "label")
                let style = Self.style(of: comparison.verdict)
                if let interval = comparison.gain.interval {
                    let low = area.x(interval.low, on: axis)
                    let high = area.x(interval.high, on: axis)
                    svg.empty("line", .line(low, middle, high, middle, "whisker"))
                    svg.empty("line", .line(low, middle - 5, low, middle + 5, "whisker"))
                    svg.empty("line", .line(high, middle - 5, high, middle + 5, "whisker"))
                }
                svg.marker(
                    style.shape, x: area.x(comparison.gain.value, on: axis), y: middle, size: 10, className: style.className)
                svg.svgText(
                    format.estimate(comparison.gain, signed: true), x: area.right + 12, y: middle + 4,
                    className: "value")
            }
        }
        svg.horizontalAxis(axis, in: area, grid: true)
        let zero = area.x(0, on: axis)
        svg.empty("line", .line(zero, area.top - 4, zero, area.bottom, "zero"))
    }

    private func drawLegend(into svg: inout MarkupWriter) {
        var x = area.left
        for verdict in Comparison.Verdict.allCases {
            let style = Self.style(of: verdict)
            svg.marker(style.shape, x: x + 5, y: 13, size: 10, className: style.className)
            let text = Self.legendText(verdict)
            svg.svgText(text, x: x + 15, y: 17, className: "legend")
            x += 30 + ChartFont.approximateWidth(text, size: ChartFont.tickSize)
        }
    }

    static func legendText(_ verdict: Comparison.Verdict) -> String {
        switch verdict {
        case .positive: "positive (interval above 0)"
        case .negative: "negative (interval below 0)"
        case .inconclusive: "inconclusive"
        }
    }

    var table: DataTable {
        DataTable(
            caption: nil,
            columns: [
                .init("Comparison"), .init("Gain", numeric: true), .init("Low", numeric: true),
                .init("High", numeric: true), .init("Verdict"), .init("Adjusted p", numeric: true),
            ],
            rows: comparisons.map { comparison in
                [
                    .text(comparison.label), .number(format.decimal(comparison.gain.value, signed: true)),
                    .number(comparison.gain.low.map { format.decimal($0, signed: true) } ?? "—"),
                    .number(comparison.gain.high.map { format.decimal($0, signed: true) } ?? "—"),
                    .text(comparison.verdict.rawValue),
                    .number(comparison.adjustedPValue.map(format.pValue) ?? "—"),
                ]
            })
    }
}
