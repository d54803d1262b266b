/// Escaping for HTML, inline SVG and XML: the only way text from content reaches a document.
///
/// Escaping `&`, `<` and `>` makes text inert in element content (HTML's data and RCDATA
/// states, SVG text, XML character data); attribute values also escape both quote marks and
/// whitespace controls, since values are always double-quoted and XML would otherwise fold
/// tabs and newlines into spaces. Characters XML 1.0 forbids (C0 controls other than tab,
/// newline and carriage return, U+FFFE, U+FFFF) and those HTML treats as parse errors (DEL
/// and C1 controls) become U+FFFD, so one escaped string is valid in all three languages
/// (XML 1.0 §2.2, HTML Living Standard §13.2.5 "control-character-in-input-stream").
public enum MarkupEscaping {
    /// `text` made safe as element content.
    public static func text(_ text: String) -> String { escape(text, inAttribute: false) }

    /// `value` made safe inside a double-quoted attribute value.
    public static func attribute(_ value: String) -> String { escape(value, inAttribute: true) }

    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x00...0x1F, 0x7F...0x9F, 0xFFFE, 0xFFFF: return true
        default: return false
        }
    }

    private static func escape(_ string: String, inAttribute: Bool) -> String {
        var escaped = ""
        escaped.unicodeScalars.reserveCapacity(string.unicodeScalars.count)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"" where inAttribute: escaped += "&quot;"
            case "'" where inAttribute: escaped += "&#39;"
            case "\t" where inAttribute: escaped += "&#9;"
            case "\n" where inAttribute: escaped += "&#10;"
            case "\r" where inAttribute: escaped += "&#13;"
            case _ where isForbidden(scalar): escaped.unicodeScalars.append("\u{FFFD}")
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}

/// Builds HTML, SVG or XML in which tag and attribute names can only be string literals.
///
/// Names are `StaticString`s, so nothing computed, and nothing from a report's content, can
/// become a tag or an attribute (an event handler, a `style`, an `href`); every value and every
/// text goes through ``MarkupEscaping``. Only literal markup (the stylesheet, the doctype)
/// bypasses escaping, through ``literal(_:)``. The output is well-formed XML as well as HTML:
/// empty elements close themselves and only XML's predefined entities are used.
struct MarkupWriter {
    typealias Attributes = KeyValuePairs<StaticString, String?>

    private(set) var output = ""

    /// Appends markup written in the source code, unescaped.
    mutating func literal(_ markup: StaticString) { output += markup.description }

    /// Appends escaped text.
    mutating func text(_ text: String) { output += MarkupEscaping.text(text) }

    mutating func newline() { output += "\n" }

    /// `<tag name="value" …>`; attributes whose value is nil are left out.
    mutating func open(_ tag: StaticString, _ attributes: Attributes = [:]) {
        output += "<\(tag)"
        appendAttributes(attributes)
        output += ">"
    }

    mutating func close(_ tag: StaticString) { output += "</\(tag)>" }

    /// `<tag … />`: a void HTML element or an empty SVG/XML element.
    mutating func empty(_ tag: StaticString, _ attributes: Attributes = [:]) {
        output += "<\(tag)"
        appendAttributes(attributes)
        output += " />"
    }

    /// `<tag …>text</tag>`.
    mutating func element(_ tag: StaticString, _ attributes: Attributes = [:], text: String) {
        open(tag, attributes)
        self.text(text)
        close(tag)
    }

    /// `<tag …>`, whatever `content` writes, `</tag>`.
    mutating func element(
        _ tag: StaticString, _ attributes: Attributes = [:], _ content: (inout MarkupWriter) -> Void
    ) {
        open(tag, attributes)
        content(&self)
        close(tag)
    }

    private mutating func appendAttributes(_ attributes: Attributes) {
        for (name, value) in attributes {
            guard let value else { continue }
            output += " \(name)=\"\(MarkupEscaping.attribute(value))\""
        }
    }
}
