/// Trainable parameters (logarithmic x) against score (y) with vertical interval bars, each
/// point labelled with its strategy.
struct ScatterPlot: SVGChart {
    typealias Entry = ReportContent.ParameterEfficiency.Entry

    var title: String
    var xAxisTitle: String
    var yAxisTitle: String
    var entries: [Entry]

    let width = 760.0
    let height = 380.0
    private let format = NumberFormatting.typeset

    private var area: PlotArea { PlotArea(left: 66, top: 16, right: width - 130, bottom: height - 52) }

    private var xAxis: ChartAxis {
        ChartAxis.logarithmic(title: xAxisTitle, covering: entries.map { Double($0.trainableParameters) })
    }

    private var yAxis: ChartAxis {
        let values = entries.flatMap { [$0.score.value, $0.score.low, $0.score.high].compactMap { $0 } }
        return ChartAxis.linear(title: yAxisTitle, covering: values, tickCount: 6)
    }

    func draw(into svg: inout MarkupWriter) {
        let area = self.area
        let xAxis = self.xAxis
        let yAxis = self.yAxis
        svg.verticalAxis(yAxis, in: area, titleX: 16)
        svg.horizontalAxis(xAxis, in: area, grid: true)
        // Strategies without trainable parameters (zero-shot) sit on the axis's left edge.
        for entry in entries {
            let x = area.x(max(Double(entry.trainableParameters), xAxis.domain.lowerBound), on: xAxis)
            let y = area.y(entry.score.value, on: yAxis)
            svg.element("g", ["class": "row"]) { svg in
                svg.element(
                    "title",
                    text: "\(entry.label): \(format.count(entry.trainableParameters)) trainable parameters, "
                        + format.estimate(entry.score))
                if let interval = entry.score.interval {
                    let low = area.y(interval.low, on: yAxis)
                    let high = area.y(interval.high, on: yAxis)
                    svg.empty("line", .line(x, low, x, high, "whisker"))
                    svg.empty("line", .line(x - 4, low, x + 4, low, "whisker"))
                    svg.empty("line", .line(x - 4, high, x + 4, high, "whisker"))
                }
                svg.marker(.diamond, x: x, y: y, size: 10, className: "mark scatter")
                svg.svgText(ChartFont.truncated(entry.label, toWidth: 120), x: x + 9, y: y - 6, className: "label")
            }
        }
    }

    var table: DataTable {
        DataTable(
            caption: nil,
            columns: [
                .init("Strategy"), .init("Trainable parameters", numeric: true), .init("Score", numeric: true),
                .init("Training (min)", numeric: true),
            ],
            rows: entries.map { entry in
                [
                    .text(entry.label), .number(format.count(entry.trainableParameters)),
                    .number(format.estimate(entry.score)),
                    .number(entry.trainingMinutes.map { format.decimal($0, digits: 1) } ?? "—"),
                ]
            })
    }
}
