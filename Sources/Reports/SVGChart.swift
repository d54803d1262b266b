import Foundation

/// A chart the report draws itself as inline SVG, with the same numbers in a table.
///
/// Each chart kind is one conforming type (``IntervalPlot``, ``LineChart``, ``ScatterPlot``,
/// ``Heatmap``). Colours come from the stylesheet through class names, so charts follow the
/// colour scheme and print; series also differ by marker shape and dash pattern, so they stay
/// apart in greyscale and for colour-blind readers.
protocol SVGChart {
    /// The accessible name (`<title>`, `aria-label`) and the figure caption.
    var title: String { get }
    /// The drawing's size in SVG units; the page scales it to the screen through `viewBox`.
    var width: Double { get }
    var height: Double { get }
    /// Draws the chart's content inside the `<svg>` element.
    func draw(into svg: inout MarkupWriter)
    /// The numbers behind the chart, shown under "Numbers behind this chart".
    var table: DataTable { get }
}

extension SVGChart {
    /// Writes `<figure>` with the caption (the title unless given), the SVG and the table
    /// fallback. Wide charts keep a legible minimum width and scroll sideways on a phone.
    func render(into writer: inout MarkupWriter, caption: String? = nil) {
        writer.element("figure", ["class": "chart"]) { writer in
            writer.element("figcaption", text: caption ?? title)
            writer.newline()
            writer.element("div", ["class": "chart-frame"]) { writer in
                writer.element(
                    "svg",
                    [
                        "viewBox": "0 0 \(svgNumber(width)) \(svgNumber(height))", "width": svgNumber(width),
                        "height": svgNumber(height), "role": "img", "aria-label": title,
                        "class": width > 500 ? "wide" : nil,
                    ]
                ) { svg in
                    svg.element("title", text: title)
                    draw(into: &svg)
                }
            }
            writer.newline()
            writer.element("details") { writer in
                writer.element("summary", text: "Numbers behind this chart")
                writer.table(table)
            }
        }
        writer.newline()
    }
}

/// The rectangle that holds the data, inside the margins that hold axes and labels.
struct PlotArea {
    var left: Double
    var top: Double
    var right: Double
    var bottom: Double

    func x(_ value: Double, on axis: ChartAxis) -> Double { axis.position(value, from: left, to: right) }
    func y(_ value: Double, on axis: ChartAxis) -> Double { axis.position(value, from: bottom, to: top) }
}

/// Marker shapes, which tell series and verdicts apart without colour.
enum MarkerShape {
    case circle, square, triangleUp, triangleDown, diamond
}

/// Chart typography, in SVG units; the stylesheet uses the same sizes.
enum ChartFont {
    static let tickSize = 11.0
    static let labelSize = 12.0

    /// A conservative width of `text` in the system sans-serif at `size` (the average advance
    /// of Latin text is about 0.55 em).
    static func approximateWidth(_ text: String, size: Double = labelSize) -> Double {
        Double(text.count) * size * 0.58
    }

    /// `text` cut with "…" to fit `width`; the full text stays in the chart's table.
    static func truncated(_ text: String, toWidth width: Double, size: Double = labelSize) -> String {
        let fitting = Int(width / (size * 0.58))
        guard text.count > fitting, fitting > 1 else { return text }
        return String(text.prefix(fitting - 1)) + "…"
    }
}

/// An SVG coordinate with at most one decimal ("12.5", "40").
func svgNumber(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let rounded = (value * 10).rounded() / 10
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
}

extension MarkupWriter {
    /// Tick marks, labels, optional vertical grid lines and the title of a horizontal axis
    /// under `area`.
    mutating func horizontalAxis(_ axis: ChartAxis, in area: PlotArea, grid: Bool) {
        element("g", ["class": "axis"]) { svg in
            svg.empty("line", .line(area.left, area.bottom, area.right, area.bottom, "axis-line"))
            for tick in axis.ticks {
                let x = area.x(tick, on: axis)
                if grid { svg.empty("line", .line(x, area.top, x, area.bottom, "grid")) }
                svg.empty("line", .line(x, area.bottom, x, area.bottom + 4, "axis-line"))
                svg.svgText(axis.label(tick), x: x, y: area.bottom + 17, anchor: "middle", className: "tick")
            }
            svg.svgText(
                axis.title, x: (area.left + area.right) / 2, y: area.bottom + 36, anchor: "middle", className: "axis-title")
        }
    }

    /// Tick labels, horizontal grid lines and the rotated title of a vertical axis left of `area`.
    mutating func verticalAxis(_ axis: ChartAxis, in area: PlotArea, titleX: Double) {
        element("g", ["class": "axis"]) { svg in
            svg.empty("line", .line(area.left, area.top, area.left, area.bottom, "axis-line"))
            for tick in axis.ticks {
                let y = area.y(tick, on: axis)
                svg.empty("line", .line(area.left, y, area.right, y, "grid"))
                svg.svgText(axis.label(tick), x: area.left - 6, y: y + 4, anchor: "end", className: "tick")
            }
            let middle = (area.top + area.bottom) / 2
            svg.element(
                "text",
                [
                    "x": svgNumber(titleX), "y": svgNumber(middle), "text-anchor": "middle", "class": "axis-title",
                    "transform": "rotate(-90 \(svgNumber(titleX)) \(svgNumber(middle)))",
                ], text: axis.title)
        }
    }

    /// `<text>` at (x, y).
    mutating func svgText(_ text: String, x: Double, y: Double, anchor: String? = nil, className: String) {
        element("text", ["x": svgNumber(x), "y": svgNumber(y), "text-anchor": anchor, "class": className], text: text)
    }

    /// A marker of `shape` centred on (x, y), `size` across.
    mutating func marker(_ shape: MarkerShape, x: Double, y: Double, size: Double = 8, className: String) {
        let r = size / 2
        switch shape {
        case .circle:
            empty("circle", ["cx": svgNumber(x), "cy": svgNumber(y), "r": svgNumber(r), "class": className])
        case .square:
            empty(
                "rect",
                [
                    "x": svgNumber(x - r * 0.9), "y": svgNumber(y - r * 0.9), "width": svgNumber(r * 1.8),
                    "height": svgNumber(r * 1.8), "class": className,
                ])
        case .triangleUp:
            polygon([(x, y - r * 1.15), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)], className: className)
        case .triangleDown:
            polygon([(x, y + r * 1.15), (x + r * 1.1, y - r * 0.8), (x - r * 1.1, y - r * 0.8)], className: className)
        case .diamond:
            polygon([(x, y - r * 1.2), (x + r * 1.2, y), (x, y + r * 1.2), (x - r * 1.2, y)], className: className)
        }
    }

    /// A polyline through `points` (in SVG units).
    mutating func polyline(_ points: [(Double, Double)], className: String) {
        let coordinates = points.map { "\(svgNumber($0.0)),\(svgNumber($0.1))" }.joined(separator: " ")
        empty("polyline", ["points": coordinates, "class": className])
    }

    private mutating func polygon(_ points: [(Double, Double)], className: String) {
        let coordinates = points.map { "\(svgNumber($0.0)),\(svgNumber($0.1))" }.joined(separator: " ")
        empty("polygon", ["points": coordinates, "class": className])
    }

}

extension KeyValuePairs where Key == StaticString, Value == String? {
    /// The attributes of an SVG `<line>` from (x1, y1) to (x2, y2).
    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ className: String) -> Self {
        ["x1": svgNumber(x1), "y1": svgNumber(y1), "x2": svgNumber(x2), "y2": svgNumber(y2), "class": className]
    }
}
