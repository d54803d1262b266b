/// A table as the report prints it: the sections' tables and every chart's fallback.
///
/// The first cell of each row is the row's header (`<th scope="row">`); numeric columns are
/// right-aligned with tabular figures.
struct DataTable {
    struct Column {
        var title: String
        var isNumeric: Bool

        init(_ title: String, numeric: Bool = false) {
            self.title = title
            self.isNumeric = numeric
        }
    }

    /// How a badge reads; always paired with a word or a symbol, never colour alone.
    enum Tone {
        case good, bad, neutral, warning

        var className: String {
            switch self {
            case .good: "badge good"
            case .bad: "badge bad"
            case .neutral: "badge neutral"
            case .warning: "badge warning"
            }
        }
    }

    enum Cell {
        case text(String)
        /// A label with a second, quieter line (a strategy and its chain).
        case label(String, detail: String?)
        /// A number, with an optional quieter note under it ("3 seeds").
        case number(String, note: String? = nil)
        case badge(String, Tone)
        /// Monospaced, wrapping anywhere (hashes, command lines).
        case code(String)
    }

    var caption: String?
    var columns: [Column]
    var rows: [[Cell]]
}

extension MarkupWriter {
    /// Writes `table` inside a container that scrolls sideways on narrow screens.
    mutating func table(_ table: DataTable) {
        element("div", ["class": "table-scroll"]) { writer in
            writer.element("table") { writer in
                if let caption = table.caption, !caption.isEmpty { writer.element("caption", text: caption) }
                writer.element("thead") { writer in
                    writer.element("tr") { writer in
                        for column in table.columns {
                            writer.element("th", ["scope": "col", "class": column.isNumeric ? "num" : nil], text: column.title)
                        }
                    }
                }
                writer.element("tbody") { writer in
                    for row in table.rows {
                        writer.newline()
                        writer.element("tr") { writer in
                            for (index, cell) in row.enumerated() {
                                let isNumeric = table.columns.indices.contains(index) && table.columns[index].isNumeric
                                writer.cell(cell, isRowHeader: index == 0, isNumeric: isNumeric)
                            }
                        }
                    }
                }
            }
        }
        newline()
    }

    private mutating func cell(_ cell: DataTable.Cell, isRowHeader: Bool, isNumeric: Bool) {
        let write: (inout MarkupWriter) -> Void = { writer in
            switch cell {
            case .text(let text): writer.text(text)
            case .number(let text, let note):
                writer.text(text)
                if let note { writer.element("span", ["class": "note"], text: note) }
            case .label(let label, let detail):
                writer.element("span", ["class": "label"], text: label)
                if let detail, !detail.isEmpty { writer.element("span", ["class": "detail"], text: detail) }
            case .badge(let text, let tone): writer.element("span", ["class": tone.className], text: text)
            case .code(let text): writer.element("code", text: text)
            }
        }
        if isRowHeader {
            element("th", ["scope": "row", "class": isNumeric ? "num" : nil], write)
        } else {
            element("td", ["class": isNumeric ? "num" : nil], write)
        }
    }
}
