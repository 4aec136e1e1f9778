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
        if !html.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "&") }) {
            return self.collapse(html)
        }
        return self.simplePlainText(html) ?? self.parsedPlainText(html)
    }

    /// ``plainText(fromFragment:)`` through libxml2's HTML parser, for any markup.
    package static func parsedPlainText(_ html: String) -> String {
        var wrapped: [UInt8] = []
        wrapped.reserveCapacity(html.utf8.count + 32)
        wrapped.append(contentsOf: "<html><body>".utf8)
        wrapped.append(contentsOf: html.utf8)
        wrapped.append(contentsOf: "</body></html>".utf8)
        guard wrapped.count < Int(Int32.max) else { return "" }
        // libxml2's HTML parser as a stream of events (SAX): the same tokeniser, implied end
        // tags and entity decoding as a parsed document, without building and freeing a tree
        // for each of a feed's 50,000 items.
        let parser = wrapped.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                htmlCreateMemoryParserCtxt($0, Int32(buffer.count))
            }
        }
        guard let parser else { return self.collapse(html) }
        defer { htmlFreeParserCtxt(parser) }
        guard let events = parser.pointee.sax, let input = parser.pointee.input else { return self.collapse(html) }
        events.pointee = Self.textEvents
        if let utf8 = xmlFindCharEncodingHandler("UTF-8") {
            // Declared, as `htmlReadMemory` does, so a `<meta charset>` inside cannot switch it.
            xmlSwitchToEncoding(parser, utf8)
            if input.pointee.encoding == nil { input.pointee.encoding = UnsafePointer(xmlStrdup("UTF-8")) }
        }
        let options =
            Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue)
            | Int32(HTML_PARSE_NOWARNING.rawValue)
        htmlCtxtUseOptions(parser, options)
        let builder = FragmentText()
        parser.pointee._private = Unmanaged.passUnretained(builder).toOpaque()
        htmlParseDocument(parser)
        withExtendedLifetime(builder) {}
        builder.endBlock()
        return String(decoding: builder.output, as: UTF8.self)
    }

    /// The parser events that build a fragment's text: everything else (comments,
    /// processing instructions, the document itself) is ignored. Never mutated: each parser
    /// gets a copy.
    nonisolated(unsafe) private static let textEvents: htmlSAXHandler = {
        var events = htmlSAXHandler()
        events.startElement = { context, name, _ in
            FragmentText.from(context).start(HTMLText.nameKey(name))
        }
        events.endElement = { context, name in
            FragmentText.from(context).end(HTMLText.nameKey(name))
        }
        events.characters = { context, bytes, count in
            FragmentText.from(context).text(bytes, count)
        }
        events.cdataBlock = events.characters
        return events
    }()

    /// The text of one fragment as the parser reports it: text runs collapsed per block,
    /// blocks joined by a blank line.
    final class FragmentText {
        var output: [UInt8] = []
        var current: [UInt8] = []
        /// Elements open inside a skipped one (`script`, `style`…), itself included.
        var skipped = 0

        static func from(_ context: UnsafeMutableRawPointer?) -> FragmentText {
            let parser = context!.assumingMemoryBound(to: xmlParserCtxt.self)
            return Unmanaged<FragmentText>.fromOpaque(parser.pointee._private).takeUnretainedValue()
        }

        func start(_ name: UInt64) {
            if self.skipped > 0 || HTMLText.skippedElements.contains(name) {
                self.skipped += 1
            } else if name == HTMLText.lineBreak {
                self.current.append(0x0A)
            } else if HTMLText.blockElements.contains(name) {
                self.endBlock()
            }
        }

        func end(_ name: UInt64) {
            if self.skipped > 0 {
                self.skipped -= 1
            } else if HTMLText.blockElements.contains(name) {
                self.endBlock()
            }
        }

        func text(_ bytes: UnsafePointer<xmlChar>?, _ count: Int32) {
            guard let bytes, count > 0 else { return }
            self.text(UnsafeBufferPointer(start: bytes, count: Int(count)))
        }

        func text(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard self.skipped == 0 else { return }
            self.current.append(contentsOf: bytes)
        }

        func endBlock() {
            guard !self.current.isEmpty else { return }
            let mark = self.output.count
            if mark > 0 { self.output.append(contentsOf: [0x0A, 0x0A]) }
            if !HTMLText.appendCollapsed(self.current, to: &self.output) {
                self.output.removeSubrange(mark...)
            }
            self.current.removeAll(keepingCapacity: true)
        }
    }

    /// FNV-1a of an element name in lower case, so the per-element checks allocate nothing.
    static func nameKey(_ name: UnsafePointer<xmlChar>?) -> UInt64 {
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

    static func key(_ name: String) -> UInt64 {
        name.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    static let lineBreak = key("br")
    static let skippedElements: Set<UInt64> = Set(["script", "style", "noscript", "template"].map(key))

    static let blockElements: Set<UInt64> = Set(
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
        _ = self.appendCollapsed(text, to: &output)
        return output
    }

    /// Appends ``collapse(bytes:)`` of `text` to `output`; whether it appended anything.
    static func appendCollapsed(_ text: [UInt8], to output: inout [UInt8]) -> Bool {
        // Collapsing never lengthens: the result is written into a buffer of the input's size.
        let collapsed = [UInt8](unsafeUninitializedCapacity: text.count) { buffer, written in
            written = text.withUnsafeBufferPointer { Self.collapse($0, into: buffer) }
        }
        output.append(contentsOf: collapsed)
        return !collapsed.isEmpty
    }

    /// Writes the collapsed `text` into `output` (at least as long); returns the bytes written.
    private static func collapse(
        _ text: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        var written = 0
        var pendingSpace = false
        var lineHasText = false
        var pendingNewline = false
        var index = 0
        let count = text.count
        while index < count {
            let byte = text[index]
            // Most bytes are letters: one comparison sends them on to be written.
            if byte <= 0x20 || byte == 0xC2 {
                if byte == 0x0A {
                    if lineHasText { pendingNewline = true }
                    lineHasText = false
                    pendingSpace = false
                    index += 1
                    continue
                }
                let isNoBreakSpace = byte == 0xC2 && index + 1 < count && text[index + 1] == 0xA0
                if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0C || isNoBreakSpace {
                    if lineHasText { pendingSpace = true }
                    index += isNoBreakSpace ? 2 : 1
                    continue
                }
            }
            if pendingNewline {
                if written > 0 {
                    output[written] = 0x0A
                    written += 1
                }
                pendingNewline = false
            } else if pendingSpace {
                output[written] = 0x20
                written += 1
            }
            pendingSpace = false
            output[written] = byte
            written += 1
            lineHasText = true
            index += 1
        }
        return written
    }

    /// Collapses runs of white space to one space per line, keeps single line breaks, trims.
    static func collapse(_ text: String) -> String {
        String(decoding: self.collapse(bytes: Array(text.utf8)), as: UTF8.self)
    }
}
