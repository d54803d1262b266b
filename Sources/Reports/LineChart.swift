/// A line chart of learning curves: one line per series with markers, a legend, and the
/// point early stopping selected marked by a vertical line.
struct LineChart: SVGChart {
    typealias Point = ReportContent.LearningCurve.Point

    /// How a series is drawn; the styles differ in colour, marker and dash pattern.
    enum SeriesStyle {
        case train, validation

        var lineClass: String { self == .train ? "series train" : "series validation" }
        var markClass: String { self == .train ? "point train" : "point validation" }
        var shape: MarkerShape { self == .train ? .circle : .square }
    }

    struct Series {
        var name: String
        var style: SeriesStyle
        var points: [Point]
    }

    var title: String
    var xAxisTitle: String
    var yAxisTitle: String
    var series: [Series]
    /// The x of the selected (best) point, marked across the plot.
    var selectedAt: Double?

    let width = 400.0
    let height = 270.0
    private let format = NumberFormatting.typeset

    private var area: PlotArea { PlotArea(left: 58, top: 34, right: width - 14, bottom: height - 50) }

    private var xAxis: ChartAxis {
        let values = series.flatMap { $0.points.map(\.x) } + [selectedAt].compactMap { $0 }
        return ChartAxis.linear(title: xAxisTitle, covering: values, tickCount: 6)
    }

    private var yAxis: ChartAxis {
        ChartAxis.linear(title: yAxisTitle, covering: series.flatMap { $0.points.map(\.y) }, tickCount: 5)
    }

    func draw(into svg: inout MarkupWriter) {
        let area = self.area
        let xAxis = self.xAxis
        let yAxis = self.yAxis
        svg.verticalAxis(yAxis, in: area, titleX: 14)
        svg.horizontalAxis(xAxis, in: area, grid: false)
        if let selectedAt {
            let x = area.x(selectedAt, on: xAxis)
            svg.empty("line", .line(x, area.top, x, area.bottom, "selected"))
        }
        for line in series where !line.points.isEmpty {
            let points = line.points.map { (area.x($0.x, on: xAxis), area.y($0.y, on: yAxis)) }
            svg.polyline(points, className: line.style.lineClass)
            for (x, y) in points { svg.marker(line.style.shape, x: x, y: y, size: 6, className: line.style.markClass) }
            if let selectedAt, let chosen = line.points.first(where: { $0.x == selectedAt }) {
                svg.empty(
                    "circle",
                    [
                        "cx": svgNumber(area.x(chosen.x, on: xAxis)), "cy": svgNumber(area.y(chosen.y, on: yAxis)),
                        "r": "7", "class": "ring",
                    ])
            }
        }
        drawLegend(into: &svg)
    }

    private func drawLegend(into svg: inout MarkupWriter) {
        var x = area.left
        for line in series where !line.points.isEmpty {
            svg.empty("line", .line(x, 14, x + 22, 14, line.style.lineClass))
            svg.marker(line.style.shape, x: x + 11, y: 14, size: 6, className: line.style.markClass)
            svg.svgText(line.name, x: x + 28, y: 18, className: "legend")
            x += 40 + ChartFont.approximateWidth(line.name, size: ChartFont.tickSize)
        }
        if selectedAt != nil {
            svg.empty("line", .line(x + 6, 6, x + 6, 22, "selected"))
            svg.svgText("selected", x: x + 12, y: 18, className: "legend")
        }
    }

    var table: DataTable {
        let xs = Array(Set(series.flatMap { $0.points.map(\.x) })).sorted()
        return DataTable(
            caption: nil,
            columns: [.init(xAxisTitle)] + series.map { .init($0.name, numeric: true) },
            rows: xs.map { x in
                let marker = x == selectedAt ? " (selected)" : ""
                return [.text(format.progress(x) + marker)]
                    + series.map { line in
                        .number(line.points.first { $0.x == x }.map { format.decimal($0.y) } ?? "—")
                    }
            })
    }
}
