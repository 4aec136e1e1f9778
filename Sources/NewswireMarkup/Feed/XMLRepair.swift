internal import CLibXML2

/// Byte-level repairs that let libxml2 read the XML that feeds really contain.
///
/// libxml2's recover mode drops what it cannot read: an undeclared `&eacute;` vanishes, a bare
/// `&` ends a text node, a control character stops the parse. One pass over the UTF-8 bytes
/// fixes these the way feed readers do before libxml2 sees them:
///
/// * undeclared HTML named entities become their characters (libxml2's HTML 4 table);
/// * a bare `&` (not starting a reference) becomes `&amp;`; an unknown `&name;` stays as text;
/// * `&#X41;` becomes `&#x41;`; references to characters XML forbids are dropped;
/// * C0 control characters other than tab, LF and CR are dropped;
/// * the DOCTYPE is removed: external entities are never loaded, and an internal entity is
///   expanded only when its value is plain text (no references, no markup), so an
///   entity-expansion bomb stays unexpanded text; and all expansions together add at most
///   ``expansionBudget`` bytes (the input's size, at least 1 MiB): past it the references
///   stay literal text, so a 4 KB entity referenced 100,000 times costs no more than that;
/// * leading white space before the XML declaration is dropped.
///
/// CDATA sections and comments are kept as they are (apart from control characters). When
/// nothing needs changing the input array is returned without a copy.
struct XMLRepair {
    /// The repaired bytes (UTF-8).
    var bytes: [UInt8] = []
    /// `true` when the input was not well-formed XML and something had to be changed.
    var repaired = false
    /// `true` when the DOCTYPE declared an entity that was refused (not plain text).
    var refusedEntity = false
    /// References left unexpanded because the expansion budget was spent.
    var unexpandedReferences = 0
    /// Bytes that internal entity expansion may add in all.
    let expansionBudget: Int
    private var expandedBytes = 0

    private var out: [UInt8] = []
    private var changed = false
    private var copyStart = 0
    private var declared: [String: [UInt8]] = [:]

    /// `true` when libxml2 may read `bytes` as they are: no leading white space and no
    /// DOCTYPE in the prolog (whose entities must never reach libxml2).
    static func mayReadDirectly(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first, !Self.isSpace(first) else { return false }
        return bytes.withUnsafeBufferPointer { input in
            var index = 0
            while index < input.count {
                guard input[index] == UInt8(ascii: "<"), index + 1 < input.count else {
                    index += 1
                    continue
                }
                let next = input[index + 1]
                if next == UInt8(ascii: "?") || next == UInt8(ascii: "!") {
                    if Self.hasPrefix(input, at: index, "<!DOCTYPE") || Self.hasPrefix(input, at: index, "<!doctype") {
                        return false
                    }
                    index += 2
                    continue
                }
                // The root element: the prolog is over.
                return true
            }
            return true
        }
    }

    init(_ input: [UInt8]) {
        self.expansionBudget = max(1 << 20, input.count)
        let result: [UInt8]? = input.withUnsafeBufferPointer { self.run($0) }
        self.bytes = result ?? input
        self.out = []
    }

    /// Returns the repaired bytes, or `nil` when the input needs no change.
    private mutating func run(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = input.count
        var index = 0
        while index < count, Self.isSpace(input[index]) { index += 1 }
        if index > 0 { self.change(input, at: 0, skipping: index - 0, with: []) }
        while index < count {
            let byte = input[index]
            if byte >= 0x20 && byte != UInt8(ascii: "&") && byte != UInt8(ascii: "<") {
                index += 1
                continue
            }
            switch byte {
            case 0x09, 0x0A, 0x0D:
                index += 1
            case UInt8(ascii: "<"):
                index = self.markup(input, at: index)
            case UInt8(ascii: "&"):
                index = self.reference(input, at: index)
            default:
                // An illegal control character (XML 1.0 §2.2).
                self.repaired = true
                self.change(input, at: index, skipping: 1, with: [])
                index += 1
            }
        }
        guard self.changed else { return nil }
        self.out.append(contentsOf: UnsafeBufferPointer(rebasing: input[self.copyStart..<count]))
        return self.out
    }

    /// Replaces `length` input bytes at `index` by `replacement` in the output.
    private mutating func change(
        _ input: UnsafeBufferPointer<UInt8>,
        at index: Int,
        skipping length: Int,
        with replacement: [UInt8]
    ) {
        if !self.changed {
            self.changed = true
            self.out.reserveCapacity(input.count + input.count / 64 + 16)
        }
        self.out.append(contentsOf: UnsafeBufferPointer(rebasing: input[self.copyStart..<index]))
        self.out.append(contentsOf: replacement)
        self.copyStart = index + length
    }

    /// Handles `<` at `start`: CDATA, comments and the DOCTYPE; returns the index to go on from.
    private mutating func markup(_ input: UnsafeBufferPointer<UInt8>, at start: Int) -> Int {
        guard start + 1 < input.count, input[start + 1] == UInt8(ascii: "!") else { return start + 1 }
        if Self.hasPrefix(input, at: start, "<![CDATA[") {
            let end = Self.find(input, "]]>", from: start + 9).map { $0 + 3 } ?? input.count
            self.dropControls(input, start..<end)
            return end
        }
        if Self.hasPrefix(input, at: start, "<!--") {
            let end = Self.find(input, "-->", from: start + 4).map { $0 + 3 } ?? input.count
            self.dropControls(input, start..<end)
            return end
        }
        if Self.hasPrefix(input, at: start, "<!DOCTYPE") || Self.hasPrefix(input, at: start, "<!doctype") {
            let end = self.doctype(input, at: start)
            self.change(input, at: start, skipping: end - start, with: [])
            return end
        }
        return start + 1
    }

    private mutating func dropControls(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        for index in range {
            let byte = input[index]
            if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D {
                self.repaired = true
                self.change(input, at: index, skipping: 1, with: [])
            }
        }
    }

    /// Skips the DOCTYPE, collecting the internal subset's plain-text entities.
    private mutating func doctype(_ input: UnsafeBufferPointer<UInt8>, at start: Int) -> Int {
        var index = start + 9
        var bracket = false
        var quote: UInt8 = 0
        while index < input.count {
            let byte = input[index]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: "[") {
                bracket = true
            } else if byte == UInt8(ascii: "]") {
                bracket = false
            } else if bracket && Self.hasPrefix(input, at: index, "<!ENTITY") {
                index = self.entityDeclaration(input, at: index)
                continue
            } else if bracket && Self.hasPrefix(input, at: index, "<!--") {
                index = Self.find(input, "-->", from: index + 4).map { $0 + 3 } ?? input.count
                continue
            } else if !bracket && byte == UInt8(ascii: ">") {
                return index + 1
            }
            index += 1
        }
        return index
    }

    /// Reads `<!ENTITY name "value">`; keeps it only when the value is plain text.
    private mutating func entityDeclaration(_ input: UnsafeBufferPointer<UInt8>, at start: Int) -> Int {
        var index = start + 8
        while index < input.count, Self.isSpace(input[index]) { index += 1 }
        let parameter = index < input.count && input[index] == UInt8(ascii: "%")
        if parameter { index += 1 }
        while index < input.count, Self.isSpace(input[index]) { index += 1 }
        let nameStart = index
        while index < input.count, !Self.isSpace(input[index]), input[index] != UInt8(ascii: ">") { index += 1 }
        let name = String(decoding: UnsafeBufferPointer(rebasing: input[nameStart..<index]), as: UTF8.self)
        while index < input.count, Self.isSpace(input[index]) { index += 1 }
        var value: [UInt8]?
        if index < input.count, input[index] == UInt8(ascii: "\"") || input[index] == UInt8(ascii: "'") {
            let quote = input[index]
            let valueStart = index + 1
            index = valueStart
            while index < input.count, input[index] != quote { index += 1 }
            value = Array(UnsafeBufferPointer(rebasing: input[valueStart..<min(index, input.count)]))
            // Past the closing quote, unless the document ended inside the value (a cut feed:
            // stepping past the end once trapped in `run`; found by scripts/fuzz feed).
            if index < input.count { index += 1 }
        }
        // Skip to the closing `>` (quoted strings may hold one).
        var quote: UInt8 = 0
        while index < input.count {
            let byte = input[index]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                index += 1
                break
            }
            index += 1
        }
        guard !parameter, !name.isEmpty else { return index }
        if let value, !value.contains(UInt8(ascii: "&")), !value.contains(UInt8(ascii: "<")),
            !value.contains(UInt8(ascii: "%")), value.count <= 4096
        {
            self.declared[name] = value
        } else {
            // An external entity, or one whose value refers to others (the shape of an
            // expansion bomb): never expanded.
            self.refusedEntity = true
        }
        return index
    }

    /// Handles `&` at `start`; returns the index to go on from.
    private mutating func reference(_ input: UnsafeBufferPointer<UInt8>, at start: Int) -> Int {
        var index = start + 1
        let count = input.count
        if index < count, input[index] == UInt8(ascii: "#") {
            index += 1
            var hex = false
            if index < count, input[index] == UInt8(ascii: "x") || input[index] == UInt8(ascii: "X") {
                hex = true
                index += 1
            }
            let digitsStart = index
            var value: UInt32 = 0
            while index < count, index - digitsStart < 8, let digit = Self.digitValue(input[index], hex: hex) {
                value = value &* (hex ? 16 : 10) &+ UInt32(digit)
                index += 1
            }
            guard index > digitsStart, index < count, input[index] == UInt8(ascii: ";") else {
                self.bareAmpersand(input, at: start)
                return start + 1
            }
            index += 1
            if !Self.isXMLChar(value) {
                self.repaired = true
                self.change(input, at: start, skipping: index - start, with: [])
            } else if hex && input[start + 2] == UInt8(ascii: "X") {
                // `&#X41;` is HTML, not XML: write the lower-case form libxml2 accepts.
                self.repaired = true
                self.change(input, at: start + 2, skipping: 1, with: [UInt8(ascii: "x")])
            }
            return index
        }
        let nameStart = index
        while index < count, index - nameStart < 40, Self.isNameByte(input[index]) { index += 1 }
        guard index > nameStart, index < count, input[index] == UInt8(ascii: ";") else {
            self.bareAmpersand(input, at: start)
            return start + 1
        }
        let name = UnsafeBufferPointer(rebasing: input[nameStart..<index])
        index += 1
        if Self.isPredefined(name) { return index }
        if !self.declared.isEmpty, let value = self.declared[String(decoding: name, as: UTF8.self)] {
            if self.expandedBytes + value.count <= self.expansionBudget {
                self.expandedBytes += value.count
                self.change(input, at: start, skipping: index - start, with: value)
            } else {
                self.unexpandedReferences += 1
                self.repaired = true
                self.change(input, at: start, skipping: 1, with: Self.ampersand)
            }
            return index
        }
        self.repaired = true
        if let scalar = Self.htmlEntity(name) {
            var replacement: [UInt8] = []
            Self.appendUTF8(scalar, to: &replacement)
            self.change(input, at: start, skipping: index - start, with: replacement)
        } else {
            // An unknown entity is kept as the literal text it was.
            self.change(input, at: start, skipping: 1, with: Self.ampersand)
        }
        return index
    }

    private mutating func bareAmpersand(_ input: UnsafeBufferPointer<UInt8>, at start: Int) {
        self.repaired = true
        self.change(input, at: start, skipping: 1, with: Self.ampersand)
    }

    // MARK: Tables and helpers

    private static let ampersand: [UInt8] = Array("&amp;".utf8)

    /// The code point of an HTML named entity, from libxml2's HTML 4 table.
    static func htmlEntity(_ name: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard name.count < 32 else { return nil }
        var buffer = [UInt8](name)
        buffer.append(0)
        guard let entity = htmlEntityLookup(buffer) else { return nil }
        return UInt32(entity.pointee.value)
    }

    private static func isPredefined(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        switch name.count {
        case 2:
            return (name[0] == UInt8(ascii: "l") || name[0] == UInt8(ascii: "g")) && name[1] == UInt8(ascii: "t")
        case 3: return name[0] == UInt8(ascii: "a") && name[1] == UInt8(ascii: "m") && name[2] == UInt8(ascii: "p")
        case 4:
            return
                (name[0] == UInt8(ascii: "q") && name[1] == UInt8(ascii: "u") && name[2] == UInt8(ascii: "o")
                && name[3] == UInt8(ascii: "t"))
                || (name[0] == UInt8(ascii: "a") && name[1] == UInt8(ascii: "p") && name[2] == UInt8(ascii: "o")
                    && name[3] == UInt8(ascii: "s"))
        default: return false
        }
    }

    static func isXMLChar(_ value: UInt32) -> Bool {
        value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
            || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: ":")
    }

    private static func digitValue(_ byte: UInt8, hex: Bool) -> UInt8? {
        if byte >= 0x30 && byte <= 0x39 { return byte - 0x30 }
        guard hex else { return nil }
        if byte >= 0x61 && byte <= 0x66 { return byte - 0x61 + 10 }
        if byte >= 0x41 && byte <= 0x46 { return byte - 0x41 + 10 }
        return nil
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private static func hasPrefix(_ input: UnsafeBufferPointer<UInt8>, at index: Int, _ prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard index + length <= input.count else { return false }
        let bytes = prefix.utf8Start
        for offset in 0..<length where input[index + offset] != bytes[offset] { return false }
        return true
    }

    private static func find(_ input: UnsafeBufferPointer<UInt8>, _ needle: StaticString, from start: Int) -> Int? {
        let length = needle.utf8CodeUnitCount
        let first = needle.utf8Start[0]
        var index = start
        while index + length <= input.count {
            if input[index] == first && self.hasPrefix(input, at: index, needle) { return index }
            index += 1
        }
        return nil
    }

    static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        if scalar < 0x80 {
            output.append(UInt8(scalar))
        } else if scalar < 0x800 {
            output.append(UInt8(0xC0 | (scalar >> 6)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        } else if scalar < 0x10000 {
            output.append(UInt8(0xE0 | (scalar >> 12)))
            output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        } else {
            output.append(UInt8(0xF0 | (scalar >> 18)))
            output.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}
