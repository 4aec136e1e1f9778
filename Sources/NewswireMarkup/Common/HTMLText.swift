internal import CLibXML2
import NewswireCore

#if canImport(Glibc)
import Glibc
#endif

/// Plain text from a fragment of HTML, as feeds carry in descriptions and titles.
public enum HTMLText {
    /// The text of `html` with tags removed, entities decoded, `script`/`style` dropped, and
    /// white space collapsed; block elements and `<br>` become line breaks, paragraphs are
    /// separated by a blank line. Text without `<` or `&` is returned trimmed and collapsed.
    public static func plainText(fromFragment html: String) -> String {
        var html = html
        let hasMarkup = html.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, 0x3C, bytes.count) != nil || memchr(base, 0x26, bytes.count) != nil
        }
        if !hasMarkup { return self.collapse(html) }
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
        let builder = FragmentText(capacity: html.utf8.count + 16)
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
        /// The current block's white space, collapsed as its text arrives.
        private var block = WhitespaceCollapser()
        /// Elements open inside a skipped one (`script`, `style`…), itself included.
        var skipped = 0

        /// A builder whose output has room for `capacity` bytes before it grows: the markup's
        /// length, which its text (tags dropped, white space collapsed) rarely exceeds.
        init(capacity: Int = 0) {
            self.output.reserveCapacity(capacity)
        }

        static func from(_ context: UnsafeMutableRawPointer?) -> FragmentText {
            let parser = context!.assumingMemoryBound(to: xmlParserCtxt.self)
            return Unmanaged<FragmentText>.fromOpaque(parser.pointee._private).takeUnretainedValue()
        }

        func start(_ name: UInt64) {
            if self.skipped > 0 || HTMLText.skippedElements.contains(name) {
                self.skipped += 1
            } else if name == HTMLText.lineBreak {
                self.lineBreak()
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
            self.write(room: bytes.count) { self.block.append(bytes, to: $0) }
        }

        /// A line break (`<br>`), as if the text had one.
        private func lineBreak() {
            Self.newline.withUnsafeBufferPointer { self.text($0) }
        }

        private static let newline: [UInt8] = [0x0A]

        /// Ends the current block: what follows starts a new paragraph.
        func endBlock() {
            self.write(room: 0) { self.block.finish(to: $0) }
            // Paragraphs are separated by a blank line (before the first byte of the next).
            self.block = WhitespaceCollapser(separator: !self.output.isEmpty)
        }

        /// Runs `body` with room for a piece of `count` bytes at the end of `output`,
        /// keeping what it wrote.
        private func write(room count: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Int) {
            let start = self.output.count
            let room = WhitespaceCollapser.room(for: count)
            self.output.append(contentsOf: repeatElement(0, count: room))
            let written = self.output.withUnsafeMutableBufferPointer {
                body(UnsafeMutableBufferPointer(rebasing: $0[start...]))
            }
            self.output.removeLast(room - written)
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

    /// Writes the collapsed `text` into `output` (at least as long); returns the bytes written.
    private static func collapse(
        _ text: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        // Collapsing a whole text never lengthens it.
        var collapser = WhitespaceCollapser()
        let written = collapser.append(text, to: output)
        return written + collapser.finish(to: UnsafeMutableBufferPointer(rebasing: output[written...]))
    }

    /// Collapses runs of white space to one space per line, keeps single line breaks, trims.
    static func collapse(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { Self.collapse(bytes, into: $0) }
        }
    }
}

/// ``HTMLText/collapse(_:)`` over text that arrives in pieces (the text runs of one block):
/// runs of spaces, tabs, carriage returns, form feeds and no-break spaces become one space,
/// lines are trimmed, empty lines dropped. The result is what collapsing the pieces joined
/// would give.
struct WhitespaceCollapser {
    private var pendingSpace = false
    private var pendingNewline = false
    private var lineHasText = false
    private var wroteText = false
    /// A piece ended in 0xC2, which with a next piece starting 0xA0 is a no-break space.
    private var heldLeadByte = false
    /// Whether a blank line goes before the first byte written.
    private let separator: Bool

    init(separator: Bool = false) {
        self.separator = separator
    }

    /// The most bytes ``append(_:to:)`` writes for a piece of `count` bytes (and
    /// ``finish(to:)`` for 0): a held byte, a pending space and a blank line besides the piece.
    static func room(for count: Int) -> Int { count + 4 }

    /// Collapses the next piece into `output` (``room(for:)`` bytes); returns the bytes written.
    mutating func append(_ text: UnsafeBufferPointer<UInt8>, to output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let count = text.count
        guard count > 0 else { return 0 }
        var written = 0
        var index = 0
        if self.heldLeadByte {
            self.heldLeadByte = false
            if text[0] == 0xA0 {
                if self.lineHasText { self.pendingSpace = true }
                index = 1
            } else {
                self.emit(0xC2, to: output, at: &written)
            }
        }
        while index < count {
            let byte = text[index]
            // Most bytes are letters: one comparison sends them on to be written.
            if byte <= 0x20 || byte == 0xC2 {
                if byte == 0x0A {
                    if self.lineHasText { self.pendingNewline = true }
                    self.lineHasText = false
                    self.pendingSpace = false
                    index += 1
                    continue
                }
                if byte == 0xC2 && index + 1 == count {
                    self.heldLeadByte = true
                    index += 1
                    continue
                }
                let isNoBreakSpace = byte == 0xC2 && text[index + 1] == 0xA0
                if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0C || isNoBreakSpace {
                    if self.lineHasText { self.pendingSpace = true }
                    index += isNoBreakSpace ? 2 : 1
                    continue
                }
            }
            self.emit(byte, to: output, at: &written)
            index += 1
            // The rest of the word: nothing is pending, so bytes are copied eight at a time up
            // to the next that is white space, a control character or 0xC2. The copy may write
            // past that byte, within ``room(for:)``: `written` is at most 3 ahead of `index`.
            while index + 8 <= count {
                let source = text.baseAddress! + index
                UnsafeMutableRawPointer(output.baseAddress! + written).copyMemory(from: source, byteCount: 8)
                let word = ByteScan.load(source)
                let plain = ByteScan.leadingUnflagged(ByteScan.below(0x21, in: word) | ByteScan.equal(0xC2, in: word))
                index += plain
                written += plain
                if plain < 8 { break }
            }
        }
        return written
    }

    /// Writes a byte held back at the end of the last piece; returns the bytes written.
    mutating func finish(to output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard self.heldLeadByte else { return 0 }
        self.heldLeadByte = false
        var written = 0
        self.emit(0xC2, to: output, at: &written)
        return written
    }

    @inline(__always)
    private mutating func emit(_ byte: UInt8, to output: UnsafeMutableBufferPointer<UInt8>, at written: inout Int) {
        if self.pendingNewline {
            if self.wroteText {
                output[written] = 0x0A
                written += 1
            }
            self.pendingNewline = false
        } else if self.pendingSpace {
            output[written] = 0x20
            written += 1
        } else if !self.wroteText && self.separator {
            output[written] = 0x0A
            output[written + 1] = 0x0A
            written += 2
        }
        self.pendingSpace = false
        output[written] = byte
        written += 1
        self.lineHasText = true
        self.wroteText = true
    }
}
