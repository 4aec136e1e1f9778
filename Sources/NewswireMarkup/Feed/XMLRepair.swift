internal import CLibXML2

/// Byte-level repairs that let libxml2 read the XML that feeds really contain.
///
/// libxml2's recover mode drops what it cannot read: an undeclared `&eacute;` vanishes, a bare
/// `&` ends a text node, a control character stops the parse. One pass over the UTF-8 bytes
/// fixes these the way feed readers do before libxml2 sees them:
///
/// * undeclared HTML named entities become their characters (libxml2's HTML 4 table);
/// * a bare `&` (not starting a reference) becomes `&amp;`;
/// * numeric references to C1 controls (`&#150;`) become the windows-1252 character they mean;
/// * C0 control characters other than tab, LF and CR are dropped;
/// * the DOCTYPE is removed: external entities are never loaded, and an internal entity is
///   expanded only when its value is plain text (no references, no markup), so an
///   entity-expansion bomb stays unexpanded text;
/// * leading white space before the XML declaration is dropped.
///
/// CDATA sections and comments are copied as they are (apart from control characters).
struct XMLRepair {
    /// The repaired bytes (UTF-8).
    var bytes: [UInt8] = []
    /// `true` when the input was not well-formed XML and something had to be changed.
    var repaired = false
    /// `true` when the DOCTYPE declared an entity that was refused (not plain text).
    var refusedEntity = false

    init(_ input: [UInt8]) {
        input.withUnsafeBufferPointer { self.run($0) }
    }

    private mutating func run(_ input: UnsafeBufferPointer<UInt8>) {
        let count = input.count
        var out: [UInt8] = []
        out.reserveCapacity(count + count / 64 + 16)
        var declared: [String: [UInt8]] = [:]
        var index = 0
        while index < count, Self.isSpace(input[index]) { index += 1 }
        var copyStart = index
        while index < count {
            let byte = input[index]
            if byte >= 0x20 && byte != UInt8(ascii: "&") && byte != UInt8(ascii: "<") {
                index += 1
                continue
            }
            if byte == 0x09 || byte == 0x0A || byte == 0x0D {
                index += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: input[copyStart..<index]))
            if byte < 0x20 {
                // An illegal control character (XML 1.0 §2.2).
                self.repaired = true
                index += 1
                copyStart = index
                continue
            }
            if byte == UInt8(ascii: "<") {
                index = self.markup(input, at: index, into: &out, declared: &declared)
                copyStart = index
                continue
            }
            index = self.reference(input, at: index, into: &out, declared: declared)
            copyStart = index
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: input[copyStart..<count]))
        self.bytes = out
    }

    /// Handles `<` at `start`: CDATA, comments and the DOCTYPE; returns the index after what
    /// was consumed.
    private mutating func markup(
        _ input: UnsafeBufferPointer<UInt8>,
        at start: Int,
        into out: inout [UInt8],
        declared: inout [String: [UInt8]]
    ) -> Int {
        if Self.hasPrefix(input, at: start, "<![CDATA[") {
            let end = Self.find(input, "]]>", from: start + 9).map { $0 + 3 } ?? input.count
            self.copyDroppingControls(input, start..<end, into: &out)
            return end
        }
        if Self.hasPrefix(input, at: start, "<!--") {
            let end = Self.find(input, "-->", from: start + 4).map { $0 + 3 } ?? input.count
            self.copyDroppingControls(input, start..<end, into: &out)
            return end
        }
        if Self.hasPrefix(input, at: start, "<!DOCTYPE") || Self.hasPrefix(input, at: start, "<!doctype") {
            return self.doctype(input, at: start, declared: &declared)
        }
        out.append(UInt8(ascii: "<"))
        return start + 1
    }

    /// Skips the DOCTYPE, collecting the internal subset's plain-text entities.
    private mutating func doctype(
        _ input: UnsafeBufferPointer<UInt8>,
        at start: Int,
        declared: inout [String: [UInt8]]
    ) -> Int {
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
                index = self.entityDeclaration(input, at: index, declared: &declared)
                continue
            } else if !bracket && byte == UInt8(ascii: ">") {
                return index + 1
            }
            index += 1
        }
        return index
    }

    /// Reads `<!ENTITY name "value">`; keeps it only when the value is plain text.
    private mutating func entityDeclaration(
        _ input: UnsafeBufferPointer<UInt8>,
        at start: Int,
        declared: inout [String: [UInt8]]
    ) -> Int {
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
            declared[name] = value
        } else {
            // An external entity, or one whose value refers to others (the shape of an
            // expansion bomb): never expanded.
            self.refusedEntity = true
        }
        return index
    }

    /// Handles `&` at `start`; returns the index after what was consumed.
    private mutating func reference(
        _ input: UnsafeBufferPointer<UInt8>,
        at start: Int,
        into out: inout [UInt8],
        declared: [String: [UInt8]]
    ) -> Int {
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
            if index > digitsStart, index < count, input[index] == UInt8(ascii: ";") {
                index += 1
                if (0x80...0x9F).contains(value) {
                    // Numeric references to C1 controls mean windows-1252 in practice.
                    self.repaired = true
                    Self.appendUTF8(Self.windows1252C1[Int(value - 0x80)], to: &out)
                } else if Self.isXMLChar(value) {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<index]))
                } else {
                    self.repaired = true
                }
                return index
            }
            self.repaired = true
            out.append(contentsOf: Self.ampersand)
            return start + 1
        }
        let nameStart = index
        while index < count, index - nameStart < 40, Self.isNameByte(input[index]) { index += 1 }
        guard index > nameStart, index < count, input[index] == UInt8(ascii: ";") else {
            self.repaired = true
            out.append(contentsOf: Self.ampersand)
            return start + 1
        }
        let name = UnsafeBufferPointer(rebasing: input[nameStart..<index])
        index += 1
        if Self.isPredefined(name) {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<index]))
            return index
        }
        let key = String(decoding: name, as: UTF8.self)
        if let value = declared[key] {
            out.append(contentsOf: value)
            return index
        }
        self.repaired = true
        if let scalar = Self.htmlEntity(name) {
            Self.appendUTF8(scalar, to: &out)
        } else {
            // An unknown entity is kept as the literal text it was.
            out.append(contentsOf: Self.ampersand)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: input[nameStart..<index]))
        }
        return index
    }

    private mutating func copyDroppingControls(
        _ input: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>,
        into out: inout [UInt8]
    ) {
        for index in range {
            let byte = input[index]
            if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D {
                self.repaired = true
                continue
            }
            out.append(byte)
        }
    }

    // MARK: Tables and helpers

    private static let ampersand: [UInt8] = Array("&amp;".utf8)

    private static let windows1252C1: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152,
        0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122,
        0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    /// The code point of an HTML named entity, from libxml2's HTML 4 table plus `&apos;`.
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
