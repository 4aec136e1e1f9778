internal import CLibXML2

#if canImport(Glibc)
import Glibc
#endif

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
        // Bytes all the way: text nodes are appended as UTF-8 and collapsed per block, element
        // names compared as lower-case ASCII, so a feed of 50,000 items does not spend its time
        // in String indexing.
        var blocks: [[UInt8]] = []
        var current: [UInt8] = []
        func endBlock() {
            let text = self.collapse(bytes: current)
            if !text.isEmpty { blocks.append(text) }
            current.removeAll(keepingCapacity: true)
        }
        func visit(_ node: xmlNodePtr?) {
            var next = node
            while let child = next {
                switch child.pointee.type {
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let content = child.pointee.content {
                        current.append(contentsOf: UnsafeBufferPointer(start: content, count: strlen(content)))
                    }
                case XML_ELEMENT_NODE:
                    let name = Self.nameKey(child.pointee.name)
                    if Self.skippedElements.contains(name) { break }
                    if name == Self.lineBreak {
                        current.append(0x0A)
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
        var joined: [UInt8] = []
        for (index, block) in blocks.enumerated() {
            if index > 0 { joined.append(contentsOf: [0x0A, 0x0A]) }
            joined.append(contentsOf: block)
        }
        return String(decoding: joined, as: UTF8.self)
    }

    /// FNV-1a of an element name in lower case, so the per-element checks allocate nothing.
    private static func nameKey(_ name: UnsafePointer<xmlChar>?) -> UInt64 {
        guard let name else { return 0 }
        var key: UInt64 = 0xcbf2_9ce4_8422_2325
        var index = 0
        while name[index] != 0 {
            let byte = name[index]
            key = (key ^ UInt64(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)) &* 0x0000_0100_0000_01b3
            index += 1
        }
        return key
    }

    private static func key(_ name: String) -> UInt64 {
        name.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    private static let lineBreak = key("br")
    private static let skippedElements: Set<UInt64> = Set(["script", "style", "noscript", "template"].map(key))

    private static let blockElements: Set<UInt64> = Set(
        [
            "p", "div", "section", "article", "header", "footer", "aside", "blockquote", "pre", "ul", "ol", "li",
            "dl", "dt", "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "hr",
            "main", "nav", "form", "address",
        ].map(key)
    )

    /// ``collapse(_:)`` on UTF-8 bytes: runs of spaces, tabs, carriage returns, form feeds
    /// and no-break spaces become one space, lines are trimmed, empty lines dropped.
    static func collapse(bytes text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var pendingSpace = false
        var lineHasText = false
        var pendingNewline = false
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == 0x0A {
                if lineHasText { pendingNewline = true }
                lineHasText = false
                pendingSpace = false
                index += 1
                continue
            }
            let isNoBreakSpace = byte == 0xC2 && index + 1 < text.count && text[index + 1] == 0xA0
            if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0C || isNoBreakSpace {
                if lineHasText { pendingSpace = true }
                index += isNoBreakSpace ? 2 : 1
                continue
            }
            if pendingNewline && !output.isEmpty {
                output.append(0x0A)
                pendingSpace = false
            }
            pendingNewline = false
            if pendingSpace { output.append(0x20) }
            pendingSpace = false
            output.append(byte)
            lineHasText = true
            index += 1
        }
        return output
    }

    /// Collapses runs of white space to one space per line, keeps single line breaks, trims.
    static func collapse(_ text: String) -> String {
        String(decoding: self.collapse(bytes: Array(text.utf8)), as: UTF8.self)
    }
}
