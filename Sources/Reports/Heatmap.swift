import Foundation

/// A matrix of one divergence measure between domains: rows are P, columns Q, each cell
/// shaded by its value (darker is larger) with the value, and the p-value where there is
/// one, printed in it.
struct Heatmap: SVGChart {
    typealias Measure = ReportContent.DomainDivergence.Measure

    var title: String
    var domains: [String]
    var measure: Measure

    private let cellWidth = 92.0
    private let cellHeight = 48.0
    private let format = NumberFormatting.typeset

    private var labelWidth: Double {
        min(170, max(60, domains.map { ChartFont.approximateWidth($0) }.max() ?? 60))
    }

    private var top: Double { 46 }
    private var left: Double { labelWidth + 16 }
    var width: Double { max(left + Double(domains.count) * cellWidth + 16, 320) }
    var height: Double { top + Double(domains.count) * cellHeight + 34 }

    /// The finite values' range, which the shading spans.
    private var range: (low: Double, high: Double)? {
        let values = measure.values.joined().compactMap { $0 }.filter(\.isFinite)
        guard let low = values.min(), let high = values.max() else { return nil }
        return (low, high)
    }

    /// Opacity of the cell colour: 0.06 for the smallest value to 1 for the largest.
    private func intensity(_ value: Double) -> Double {
        guard let range, range.high > range.low else { return 0.5 }
        return 0.06 + 0.94 * (value - range.low) / (range.high - range.low)
    }

    func draw(into svg: inout MarkupWriter) {
        svg.svgText("Q →", x: left, y: 14, className: "legend")
        svg.svgText("P ↓", x: left - 12, y: 14, anchor: "end", className: "legend")
        for (column, domain) in domains.enumerated() {
            svg.svgText(
                ChartFont.truncated(domain, toWidth: cellWidth - 6), x: left + (Double(column) + 0.5) * cellWidth,
                y: top - 10, anchor: "middle", className: "label")
        }
        for (row, rowDomain) in domains.enumerated() {
            let y = top + Double(row) * cellHeight
            svg.svgText(
                ChartFont.truncated(rowDomain, toWidth: labelWidth), x: left - 10, y: y + cellHeight / 2 + 4,
                anchor: "end", className: "label")
            for column in domains.indices {
                drawCell(row: row, column: column, y: y, into: &svg)
            }
        }
        drawScale(into: &svg)
    }

    private func drawCell(row: Int, column: Int, y: Double, into svg: inout MarkupWriter) {
        let x = left + Double(column) * cellWidth
        let value = measure.value(row, column)
        svg.element("g", ["class": "row"]) { svg in
            svg.element("title", text: "\(domains[row]) vs \(domains[column]): \(cellText(row, column))")
            svg.empty(
                "rect",
                [
                    "x": svgNumber(x + 1), "y": svgNumber(y + 1), "width": svgNumber(cellWidth - 2),
                    "height": svgNumber(cellHeight - 2), "class": value?.isFinite == true ? "heat" : "heat-missing",
                    "fill-opacity": value.flatMap { $0.isFinite ? svgOpacity(intensity($0)) : nil },
                ])
            let strong = value.map { $0.isFinite && intensity($0) > 0.55 } ?? false
            let valueClass = strong ? "cell-value strong" : "cell-value"
            let pValue = measure.pValue(row, column)
            svg.svgText(
                value.map { format.significant($0) } ?? "—", x: x + cellWidth / 2,
                y: y + cellHeight / 2 + (pValue == nil ? 4 : -1), anchor: "middle", className: valueClass)
            if let pValue {
                svg.svgText(
                    format.pStatement(pValue), x: x + cellWidth / 2, y: y + cellHeight / 2 + 14, anchor: "middle",
                    className: strong ? "cell-note strong" : "cell-note")
            }
        }
    }

    /// Five swatches from the smallest to the largest value: the key to the shading.
    private func drawScale(into svg: inout MarkupWriter) {
        guard let range else { return }
        let y = top + Double(domains.count) * cellHeight + 12
        svg.svgText(format.significant(range.low), x: left - 6, y: y + 11, anchor: "end", className: "tick")
        for step in 0..<5 {
            let value = range.low + (range.high - range.low) * Double(step) / 4
            svg.empty(
                "rect",
                [
                    "x": svgNumber(left + Double(step) * 22), "y": svgNumber(y), "width": "20", "height": "14",
                    "class": "heat", "fill-opacity": svgOpacity(intensity(value)),
                ])
        }
        svg.svgText(format.significant(range.high), x: left + 114, y: y + 11, className: "tick")
    }

    private func svgOpacity(_ value: Double) -> String { String(format: "%.2f", value) }

    private func cellText(_ row: Int, _ column: Int) -> String {
        guard let value = measure.value(row, column) else { return "—" }
        guard let pValue = measure.pValue(row, column) else { return format.significant(value) }
        return "\(format.significant(value)) (\(format.pStatement(pValue)))"
    }

    var table: DataTable {
        DataTable(
            caption: "Rows: P; columns: Q",
            columns: [.init("P \\ Q")] + domains.map { .init($0, numeric: true) },
            rows: domains.indices.map { row in
                [.text(domains[row])] + domains.indices.map { .number(cellText(row, $0)) }
            })
    }
}
