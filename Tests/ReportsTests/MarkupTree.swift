import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A document parsed with Foundation's `XMLParser` into a tree, so tests can ask what
/// elements, attributes and text it holds. Parsing also proves the markup well-formed.
final class MarkupTree {
    let name: String
    let attributes: [String: String]
    private(set) var children: [MarkupTree] = []
    private(set) var text = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses `markup`; throws with the parser's line and message when it is not well-formed.
    static func parse(_ markup: String) throws -> MarkupTree {
        let builder = Builder()
        let parser = XMLParser(data: Data(markup.utf8))
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw ParseError(
                description: "not well-formed at line \(parser.lineNumber): \(parser.parserError.map { "\($0)" } ?? "no root")")
        }
        return root
    }

    /// Every element in document order, this one first.
    var descendants: [MarkupTree] { [self] + children.flatMap(\.descendants) }

    /// Elements named `name`, in document order.
    func all(_ name: String) -> [MarkupTree] { descendants.filter { $0.name == name } }

    /// All text inside, in document order.
    var allText: String { text + children.map(\.allText).joined() }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: MarkupTree?
        var stack: [MarkupTree] = []

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let node = MarkupTree(name: elementName, attributes: attributes)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            // Text goes to the innermost open element (enough for the checks the tests make).
            stack.last?.text += string
        }
    }
}
