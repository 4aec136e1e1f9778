import NewswireCore

extension HTMLText {
    /// ``plainText(fromFragment:)`` read directly, for the plain markup most feeds carry
    /// (paragraphs, headings, lists, links and emphasis, properly nested, with common
    /// entities); `nil` as soon as anything else appears, which then goes to libxml2.
    ///
    /// It gives what libxml2's HTML parser gives, by refusing every case where the parser
    /// would repair the markup: an end tag that does not close the innermost open element,
    /// a block inside a paragraph or inline element (which the parser closes), a list item
    /// outside a list, an element left open, an element or entity it does not know, a
    /// carriage return or control character (which the parser rewrites or drops).
    package static func simplePlainText(_ html: String) -> String? {
        var html = html
        return html.withUTF8 { bytes -> String? in
            var reader = SimpleFragmentReader(bytes: bytes)
            return reader.read()
        }
    }

    /// What a known element may hold, for ``simplePlainText(_:)``.
    enum SimpleKind {
        /// Text and inline elements (`b`, `a`, `span`…).
        case inline
        /// No content and no end tag (`br`, `img`).
        case void
        /// Inline content only (`p`, `h1`–`h6`): a block inside makes the parser close it.
        case leafBlock
        /// Blocks and inline content (`div`, `blockquote`, `section`…).
        case container
        case list
        case listItem
    }

    static let simpleKinds: [UInt64: SimpleKind] = {
        var kinds: [UInt64: SimpleKind] = [:]
        let groups: [(SimpleKind, [String])] = [
            (
                .inline,
                [
                    "a", "abbr", "b", "cite", "code", "em", "i", "mark", "q", "s", "small", "span", "strong", "sub",
                    "sup", "time", "u",
                ]
            ),
            (.void, ["br", "img", "wbr"]),
            (.leafBlock, ["p", "h1", "h2", "h3", "h4", "h5", "h6"]),
            (
                .container,
                [
                    "div", "section", "article", "blockquote", "figure", "figcaption", "header", "footer", "aside",
                    "main",
                ]
            ),
            (.list, ["ul", "ol"]),
            (.listItem, ["li"]),
        ]
        for (kind, names) in groups {
            for name in names { kinds[HTMLText.key(name)] = kind }
        }
        return kinds
    }()

    /// Entities read directly, with the code points libxml2's HTML 4 table gives them.
    static let simpleEntities: [UInt64: UInt32] = {
        let entities: [(String, UInt32)] = [
            ("amp", 38), ("lt", 60), ("gt", 62), ("quot", 34), ("nbsp", 160), ("copy", 169), ("reg", 174),
            ("mdash", 8212), ("ndash", 8211), ("lsquo", 8216), ("rsquo", 8217), ("ldquo", 8220), ("rdquo", 8221),
            ("hellip", 8230), ("bull", 8226), ("eacute", 233), ("euro", 8364), ("laquo", 171), ("raquo", 187),
        ]
        var table: [UInt64: UInt32] = [:]
        for (name, value) in entities { table[HTMLText.key(name)] = value }
        return table
    }()
}

/// The reader behind ``HTMLText/simplePlainText(_:)``: one pass over the bytes, feeding the
/// same ``HTMLText/FragmentText`` as the libxml2 path.
private struct SimpleFragmentReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var open: [(key: UInt64, kind: HTMLText.SimpleKind)] = []
    let builder: HTMLText.FragmentText

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.builder = HTMLText.FragmentText(capacity: bytes.count + 16)
    }

    mutating func read() -> String? {
        var textStart = 0
        let count = self.bytes.count
        while self.index < count {
            if self.index + 8 <= count {
                // Text runs eight bytes at a time, up to a control character, `<`, `&` or 0xEF.
                let word = ByteScan.load(self.bytes.baseAddress! + self.index)
                let mask =
                    ByteScan.below(0x20, in: word) | ByteScan.equal(0x3C, in: word)
                    | ByteScan.equal(0x26, in: word) | ByteScan.equal(0xEF, in: word)
                let plain = ByteScan.leadingUnflagged(mask)
                self.index += plain
                if plain == 8 { continue }
            }
            let byte = self.bytes[self.index]
            if byte >= 0x20 && byte != 0x3C && byte != 0x26 && byte != 0xEF {
                self.index += 1
                continue
            }
            switch byte {
            case 0x09, 0x0A:
                self.index += 1
            case 0xEF:
                // U+FFFE and U+FFFF are not characters to the parser: it drops them.
                if self.index + 2 < count, self.bytes[self.index + 1] == 0xBF, self.bytes[self.index + 2] >= 0xBE {
                    return nil
                }
                self.index += 1
            case 0x3C, 0x26:
                self.flushText(from: textStart)
                guard byte == 0x3C ? self.readTag() : self.readEntity() else { return nil }
                textStart = self.index
            default:
                return nil
            }
        }
        self.flushText(from: textStart)
        guard self.open.isEmpty else { return nil }
        self.builder.endBlock()
        return String(decoding: self.builder.output, as: UTF8.self)
    }

    private func flushText(from start: Int) {
        if self.index > start { self.builder.text(UnsafeBufferPointer(rebasing: self.bytes[start..<self.index])) }
    }

    /// Reads `<name attributes>`, `<name/>` or `</name>` at `index`; false when the tag is
    /// not one this reader can take as the parser would.
    private mutating func readTag() -> Bool {
        var position = self.index + 1
        let closing = position < self.bytes.count && self.bytes[position] == 0x2F
        if closing { position += 1 }
        let nameStart = position
        while position < self.bytes.count, Self.isNameByte(self.bytes[position], first: position == nameStart) {
            position += 1
        }
        guard position > nameStart, position < self.bytes.count else { return false }
        var key: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in self.bytes[nameStart..<position] {
            key = (key ^ UInt64(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)) &* 0x0000_0100_0000_01b3
        }
        guard let kind = HTMLText.simpleKinds[key] else { return false }
        if closing {
            while position < self.bytes.count, Self.isSpace(self.bytes[position]) { position += 1 }
            guard position < self.bytes.count, self.bytes[position] == 0x3E,
                let innermost = self.open.last, innermost.key == key
            else { return false }
            self.open.removeLast()
            self.builder.end(key)
            self.index = position + 1
            return true
        }
        guard let (end, selfClosing) = self.skipAttributes(from: position) else { return false }
        guard self.admits(kind, key: key) else { return false }
        if kind == .void {
            self.builder.start(key)
            self.builder.end(key)
        } else {
            guard !selfClosing else { return false }
            self.open.append((key, kind))
            self.builder.start(key)
        }
        self.index = end
        return true
    }

    /// Whether an element of `kind` may start here without the parser closing another.
    private func admits(_ kind: HTMLText.SimpleKind, key: UInt64) -> Bool {
        let holdsOnlyInline = self.open.contains { $0.kind == .inline || $0.kind == .leafBlock }
        switch kind {
        case .void:
            return true
        case .inline:
            // A link inside a link closes the first.
            return key != HTMLText.key("a") || !self.open.contains { $0.key == key }
        case .leafBlock, .container:
            return !holdsOnlyInline && self.open.last?.kind != .list
        case .list:
            return !holdsOnlyInline && self.open.last?.kind != .list
        case .listItem:
            return self.open.last?.kind == .list
        }
    }

    /// Skips the attributes after a tag name as the parser reads them (names of letters,
    /// digits, `:-_.`; values quoted, or unquoted up to a space or `>`); the index after `>`
    /// and whether the tag ended in `/>`, or nil for anything unusual.
    private func skipAttributes(from start: Int) -> (end: Int, selfClosing: Bool)? {
        var position = start
        let count = self.bytes.count
        while true {
            let spaceStart = position
            while position < count, Self.isSpace(self.bytes[position]) { position += 1 }
            guard position < count else { return nil }
            switch self.bytes[position] {
            case 0x3E:
                return (position + 1, false)
            case 0x2F:
                guard position + 1 < count, self.bytes[position + 1] == 0x3E else { return nil }
                return (position + 2, true)
            default:
                // Attributes are separated from the name and from each other by spaces.
                guard position > spaceStart else { return nil }
            }
            let nameStart = position
            while position < count, position - nameStart < 64, Self.isAttributeNameByte(self.bytes[position]) {
                position += 1
            }
            guard position > nameStart, self.bytes[nameStart] >= 0x41 else { return nil }
            while position < count, Self.isSpace(self.bytes[position]) { position += 1 }
            guard position < count else { return nil }
            guard self.bytes[position] == 0x3D else { continue }
            position += 1
            while position < count, Self.isSpace(self.bytes[position]) { position += 1 }
            guard position < count else { return nil }
            let quote = self.bytes[position]
            if quote == 0x22 || quote == 0x27 {
                position += 1
                while position < count, self.bytes[position] != quote {
                    guard self.isPlain(at: position) else { return nil }
                    position += 1
                }
                guard position < count else { return nil }
                position += 1
            } else {
                while position < count, !Self.isSpace(self.bytes[position]), self.bytes[position] != 0x3E {
                    let byte = self.bytes[position]
                    guard byte != 0x3C, byte != 0x22, byte != 0x27, byte != 0x3D, self.isPlain(at: position) else {
                        return nil
                    }
                    position += 1
                }
            }
        }
    }

    /// Whether the byte at `position` is one the parser reads as it is: not a control
    /// character other than tab and line feed (a NUL ends its input), not the start of
    /// U+FFFE or U+FFFF.
    private func isPlain(at position: Int) -> Bool {
        let byte = self.bytes[position]
        if byte < 0x20 { return byte == 0x09 || byte == 0x0A }
        if byte == 0xEF, position + 2 < self.bytes.count, self.bytes[position + 1] == 0xBF,
            self.bytes[position + 2] >= 0xBE
        {
            return false
        }
        return true
    }

    private static func isAttributeNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x3A || byte == 0x2D || byte == 0x5F || byte == 0x2E
    }

    /// Reads `&name;`, `&#digits;` or `&#xhex;` at `index`; false for anything the parser
    /// would treat otherwise.
    private mutating func readEntity() -> Bool {
        var position = self.index + 1
        let count = self.bytes.count
        var value: UInt32 = 0
        if position < count, self.bytes[position] == 0x23 {
            position += 1
            let hex = position < count && (self.bytes[position] | 0x20) == 0x78
            if hex { position += 1 }
            let digitsStart = position
            while position < count, position - digitsStart < 7, let digit = Self.digit(self.bytes[position], hex: hex) {
                value = value * (hex ? 16 : 10) + digit
                position += 1
            }
            guard position > digitsStart, position < count, self.bytes[position] == 0x3B else { return false }
        } else {
            let nameStart = position
            var key: UInt64 = 0xcbf2_9ce4_8422_2325
            while position < count, position - nameStart < 8, Self.isNameByte(self.bytes[position], first: false) {
                key = (key ^ UInt64(self.bytes[position])) &* 0x0000_0100_0000_01b3
                position += 1
            }
            guard position > nameStart, position < count, self.bytes[position] == 0x3B,
                let known = HTMLText.simpleEntities[key]
            else { return false }
            value = known
        }
        // Only characters the parser passes on unchanged.
        guard
            value == 0x09 || value == 0x0A || (value >= 0x20 && value < 0xD800) || (value >= 0xE000 && value < 0xFFFE)
                || (value >= 0x10000 && value <= 0x10FFFF),
            let scalar = Unicode.Scalar(value)
        else { return false }
        var encoded: [UInt8] = []
        UTF8.encode(scalar) { encoded.append($0) }
        encoded.withUnsafeBufferPointer { self.builder.text($0) }
        self.index = position + 1
        return true
    }

    private static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
        let letter = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A)
        return first ? letter : letter || (byte >= 0x30 && byte <= 0x39)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C
    }

    private static func digit(_ byte: UInt8, hex: Bool) -> UInt32? {
        if byte >= 0x30 && byte <= 0x39 { return UInt32(byte - 0x30) }
        guard hex else { return nil }
        let lower = byte | 0x20
        return lower >= 0x61 && lower <= 0x66 ? UInt32(lower - 0x61 + 10) : nil
    }
}
