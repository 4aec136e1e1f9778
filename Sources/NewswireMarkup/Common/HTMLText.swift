internal import CLibXML2

/// Plain text from a fragment of HTML, as feeds carry in descriptions and titles.
public enum HTMLText {
    /// The text of `html` with tags removed, entities decoded, `script`/`style` dropped, and
    /// white space collapsed; block elements and `<br>` become line breaks, paragraphs are
    /// separated by a blank line. Text without `<` or `&` is returned trimmed and collapsed.
    public static func plainText(fromFragment html: String) -> String {
        if !html.contains("<") && !html.contains("&") {
            return self.collapse(html)
        }
        let wrapped = Array("<html><body>\(html)</body></html>".utf8)
        guard wrapped.count < Int(Int32.max) else { return "" }
        let options =
            Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue)
            | Int32(HTML_PARSE_NOWARNING.rawValue)
        let document = wrapped.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                htmlReadMemory($0, Int32(buffer.count), nil, "UTF-8", options)
            }
        }
        guard let document else { return self.collapse(html) }
        defer { xmlFreeDoc(document) }
        var blocks: [String] = []
        var current = ""
        func endBlock() {
            let text = self.collapse(current)
            if !text.isEmpty { blocks.append(text) }
            current = ""
        }
        func visit(_ node: xmlNodePtr?) {
            var next = node
            while let child = next {
                switch child.pointee.type {
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let content = child.pointee.content { current += String(cString: content) }
                case XML_ELEMENT_NODE:
                    let name = String(cString: child.pointee.name).lowercased()
                    if name == "script" || name == "style" || name == "noscript" || name == "template" { break }
                    if name == "br" {
                        current += "\n"
                    } else if self.blockElements.contains(name) {
                        endBlock()
                        visit(child.pointee.children)
                        endBlock()
                    } else {
                        visit(child.pointee.children)
                    }
                default:
                    break
                }
                next = child.pointee.next
            }
        }
        visit(xmlDocGetRootElement(document))
        endBlock()
        return blocks.joined(separator: "\n\n")
    }

    private static let blockElements: Set<String> = [
        "p", "div", "section", "article", "header", "footer", "aside", "blockquote", "pre", "ul", "ol", "li",
        "dl", "dt", "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "hr",
        "main", "nav", "form", "address",
    ]

    /// Collapses runs of white space to one space per line, keeps single line breaks, trims.
    static func collapse(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let words = line.split { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{A0}" || $0 == "\u{C}" }
            if !words.isEmpty { lines.append(words.joined(separator: " ")) }
        }
        return lines.joined(separator: "\n")
    }
}
