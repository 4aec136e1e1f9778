import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Turns document bytes into text by the usual precedence.
///
/// Order (as browsers and feed readers do): a byte-order mark; the HTTP `Content-Type`
/// charset; the XML declaration or HTML `<meta charset>` / `http-equiv`; then a UTF-8
/// validity check with windows-1252 as the fallback. A label that the bytes contradict
/// (ISO-8859-1 declared over valid multi-byte UTF-8, UTF-8 declared over Latin-1 bytes)
/// gives way to what the bytes are. Labels follow the WHATWG Encoding Standard, where
/// `iso-8859-1` and `us-ascii` mean windows-1252. Stateless and thread-safe.
public enum Charset {
    /// The result of decoding: UTF-8 bytes and the charset that produced them.
    public struct Decoded: Sendable, Hashable {
        /// The text as UTF-8, without a byte-order mark.
        public var utf8: [UInt8]
        /// The charset used, lower case (`utf-8`, `windows-1252`, `shift_jis`…).
        public var encoding: String
        /// `true` when a declared charset was overruled by the bytes.
        public var overruled: Bool

        public var string: String { String(decoding: self.utf8, as: UTF8.self) }
    }

    /// What kind of document the bytes are: decides which in-document declaration is read.
    public enum DocumentKind: Sendable {
        case html
        case xml
        case text
    }

    /// Decodes `bytes` of a document served with `contentType`.
    public static func decode(_ bytes: [UInt8], contentType: String?, kind: DocumentKind) -> Decoded {
        if let (label, skip) = self.byteOrderMark(bytes) {
            let body = Array(bytes[skip...])
            return Decoded(
                utf8: label == "utf-8" ? body : self.convert(body, from: label),
                encoding: label,
                overruled: false
            )
        }
        var declared = contentType.flatMap(self.label(fromContentType:))
        if declared == nil {
            switch kind {
            case .xml: declared = self.xmlDeclarationLabel(bytes)
            case .html: declared = self.htmlMetaLabel(bytes)
            case .text: break
            }
        }
        let validity = self.utf8Validity(bytes)
        if let label = declared.flatMap(self.canonicalLabel) {
            if label == "utf-8" {
                // Declared UTF-8 but with no valid multi-byte sequence and some invalid ones:
                // the bytes are Latin-1 in practice.
                if validity.invalid > 0 && validity.multiByte == 0 {
                    return Decoded(
                        utf8: self.convert(bytes, from: "windows-1252"),
                        encoding: "windows-1252",
                        overruled: true
                    )
                }
                return Decoded(
                    utf8: validity.invalid == 0 ? bytes : self.repairUTF8(bytes),
                    encoding: "utf-8",
                    overruled: false
                )
            }
            if self.isSingleByteLatin(label) && validity.invalid == 0 && validity.multiByte > 0 {
                return Decoded(utf8: bytes, encoding: "utf-8", overruled: true)
            }
            // A multi-byte label (gb2312, shift_jis, big5…) over bytes that are all valid UTF-8 with
            // many multi-byte sequences: real text in those encodings breaks UTF-8 almost at once.
            if validity.invalid == 0 && validity.multiByte >= 8 {
                return Decoded(utf8: bytes, encoding: "utf-8", overruled: true)
            }
            if self.isAvailable(label) {
                return Decoded(utf8: self.convert(bytes, from: label), encoding: label, overruled: false)
            }
        }
        if validity.invalid == 0 {
            return Decoded(utf8: bytes, encoding: "utf-8", overruled: false)
        }
        // Valid multi-byte sequences almost never occur by chance in Latin-1 text (an accented
        // letter is followed by ASCII there), so as many of them as invalid bytes means UTF-8
        // with a few broken sequences: decode it as UTF-8 with U+FFFD for those.
        if validity.multiByte > 0 && validity.multiByte >= validity.invalid {
            return Decoded(utf8: self.repairUTF8(bytes), encoding: "utf-8", overruled: false)
        }
        return Decoded(utf8: self.convert(bytes, from: "windows-1252"), encoding: "windows-1252", overruled: false)
    }

    // MARK: Declarations

    /// The charset parameter of a `Content-Type` value, if any.
    public static func label(fromContentType value: String) -> String? {
        for parameter in value.split(separator: ";").dropFirst() {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            guard parts.count == 2,
                parts[0].trimmingCharacters(in: " \t").lowercased() == "charset"
            else { continue }
            let label = parts[1].trimmingCharacters(in: " \t\"'")
            return label.isEmpty ? nil : label
        }
        return nil
    }

    /// A byte-order mark and its length.
    public static func byteOrderMark(_ bytes: [UInt8]) -> (String, Int)? {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { return ("utf-8", 3) }
        if bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xFE, bytes[2] == 0, bytes[3] == 0 { return ("utf-32le", 4) }
        if bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, bytes[2] == 0xFE, bytes[3] == 0xFF { return ("utf-32be", 4) }
        if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xFE { return ("utf-16le", 2) }
        if bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF { return ("utf-16be", 2) }
        return nil
    }

    /// The `encoding` of an `<?xml … ?>` declaration at the start of the bytes.
    public static func xmlDeclarationLabel(_ bytes: [UInt8]) -> String? {
        let head = self.asciiLowercasedPrefix(bytes, 512)[...]
        guard let start = self.firstIndex(of: "<?xml", in: head, from: 0),
            let end = self.firstIndex(of: "?>", in: head, from: start + 5)
        else { return nil }
        return self.attributeValue(named: "encoding", in: head[(start + 5)..<end])
    }

    /// The charset of an HTML `<meta charset>` or `<meta http-equiv="Content-Type">` in the
    /// first 4 KiB (the HTML standard's pre-scan reads 1 KiB; pages put it later often).
    ///
    /// Runs on every page, so it scans bytes: Foundation's `String.range(of:)` over the same
    /// 4 KiB cost as much as the rest of the charset step.
    public static func htmlMetaLabel(_ bytes: [UInt8]) -> String? {
        let head = self.asciiLowercasedPrefix(bytes, 4096)[...]
        var searchStart = 0
        while let meta = self.firstIndex(of: "<meta", in: head, from: searchStart) {
            let tagStart = meta + 5
            let tagEnd = self.firstIndex(of: ">", in: head, from: tagStart) ?? head.count
            let tag = head[tagStart..<tagEnd]
            if let label = self.attributeValue(named: "charset", in: tag) {
                return label
            }
            if let equiv = self.attributeValue(named: "http-equiv", in: tag), equiv == "content-type",
                let content = self.attributeValue(named: "content", in: tag),
                let label = self.label(fromContentType: content)
            {
                return label
            }
            searchStart = tagEnd
        }
        return nil
    }

    // MARK: Labels

    /// The canonical name of a charset label, or `nil` for a label we cannot decode.
    public static func canonicalLabel(_ label: String) -> String? {
        let key = label.trimmingCharacters(in: " \t\"'").lowercased()
        switch key {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8": return "utf-8"
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "ansi_x3.4-1968",
            "windows-1252", "cp1252", "x-cp1252", "cp819", "ibm819", "iso_8859-1", "iso-ir-100":
            return "windows-1252"
        case "utf-16", "utf16": return "utf-16le"
        case "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j", "cp932": return "shift_jis"
        case "gb2312", "gbk", "x-gbk", "cp936", "chinese": return "gbk"
        case "ks_c_5601-1987", "euc-kr", "cp949", "windows-949": return "euc-kr"
        case "x-mac-roman", "macintosh", "mac": return "macintosh"
        default:
            return key.isEmpty ? nil : key
        }
    }

    private static func isSingleByteLatin(_ label: String) -> Bool {
        label == "windows-1252" || label.hasPrefix("iso-8859-") || label.hasPrefix("windows-125")
    }

    private static func isAvailable(_ label: String) -> Bool {
        if label == "windows-1252" || label == "utf-8" { return true }
        let handle = iconv_open("UTF-8", label)
        guard handle != iconv_t(bitPattern: -1) else { return false }
        iconv_close(handle)
        return true
    }

    // MARK: Conversion

    /// Converts `bytes` in charset `label` to UTF-8. Bytes the charset cannot map become U+FFFD.
    public static func convert(_ bytes: [UInt8], from label: String) -> [UInt8] {
        if label == "windows-1252" { return self.decodeWindows1252(bytes) }
        if label == "utf-8" { return self.repairUTF8(bytes) }
        let handle = iconv_open("UTF-8", label)
        guard handle != iconv_t(bitPattern: -1) else { return self.repairUTF8(bytes) }
        defer { iconv_close(handle) }
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        var produced = 0
        var input = bytes
        input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer = UnsafeMutableRawPointer(inBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var inLeft = inBuffer.count
                var outPointer = UnsafeMutableRawPointer(outBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                while inLeft > 0 {
                    let result = iconv(handle, &inPointer, &inLeft, &outPointer, &outLeft)
                    if result != -1 { break }
                    // EILSEQ or EINVAL: skip one byte, write U+FFFD, go on.
                    guard outLeft >= 3 else { break }
                    inPointer = inPointer.map { $0 + 1 }
                    inLeft -= 1
                    for byte: UInt8 in [0xEF, 0xBF, 0xBD] {
                        outPointer?.pointee = CChar(bitPattern: byte)
                        outPointer = outPointer.map { $0 + 1 }
                        outLeft -= 1
                    }
                }
                produced = outBuffer.count - outLeft
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// Replaces invalid UTF-8 sequences by U+FFFD.
    public static func repairUTF8(_ bytes: [UInt8]) -> [UInt8] {
        Array(String(decoding: bytes, as: UTF8.self).utf8)
    }

    private static let windows1252High: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152,
        0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122,
        0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    static func decodeWindows1252(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 {
                output.append(byte)
                continue
            }
            let scalar = byte < 0xA0 ? self.windows1252High[Int(byte - 0x80)] : UInt32(byte)
            Self.appendUTF8(scalar, to: &output)
        }
        return output
    }

    private static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        if scalar < 0x800 {
            output.append(UInt8(0xC0 | (scalar >> 6)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        } else {
            output.append(UInt8(0xE0 | (scalar >> 12)))
            output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// Counts valid multi-byte sequences and invalid bytes.
    public static func utf8Validity(_ bytes: [UInt8]) -> (multiByte: Int, invalid: Int) {
        bytes.withUnsafeBufferPointer { self.utf8Validity(of: $0) }
    }

    private static func utf8Validity(of bytes: UnsafeBufferPointer<UInt8>) -> (multiByte: Int, invalid: Int) {
        var multiByte = 0
        var invalid = 0
        var index = 0
        let count = bytes.count
        let raw = UnsafeRawBufferPointer(bytes)
        while index < count {
            // ASCII runs, eight bytes at a time: most of an HTML page is markup.
            while index + 8 <= count,
                raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                index += 8
            }
            guard index < count else { break }
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var minimum: UInt32
            var value: UInt32
            switch lead {
            case 0xC2...0xDF:
                length = 2
                minimum = 0x80
                value = UInt32(lead & 0x1F)
            case 0xE0...0xEF:
                length = 3
                minimum = 0x800
                value = UInt32(lead & 0x0F)
            case 0xF0...0xF4:
                length = 4
                minimum = 0x10000
                value = UInt32(lead & 0x07)
            default:
                invalid += 1
                index += 1
                continue
            }
            var ok = index + length <= count
            if ok {
                for offset in 1..<length {
                    let next = bytes[index + offset]
                    if next & 0xC0 != 0x80 {
                        ok = false
                        break
                    }
                    value = (value << 6) | UInt32(next & 0x3F)
                }
            }
            if ok && value >= minimum && value <= 0x10FFFF && !(0xD800...0xDFFF).contains(value) {
                multiByte += 1
                index += length
            } else {
                invalid += 1
                index += 1
            }
        }
        return (multiByte, invalid)
    }

    // MARK: Helpers

    /// The first `limit` bytes, NULs dropped (so UTF-16 declarations still read as ASCII),
    /// ASCII letters lower-cased and other bytes above 0x7F replaced by `?`.
    private static func asciiLowercasedPrefix(_ bytes: [UInt8], _ limit: Int) -> [UInt8] {
        var ascii = [UInt8]()
        ascii.reserveCapacity(min(limit, bytes.count))
        for byte in bytes.prefix(limit) {
            if byte == 0 { continue }
            ascii.append(byte >= 65 && byte <= 90 ? byte + 32 : (byte < 0x80 ? byte : UInt8(ascii: "?")))
        }
        return ascii
    }

    /// Where `needle` (ASCII) first occurs in `bytes` at or after `start`, or `nil`.
    private static func firstIndex(of needle: StaticString, in bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        needle.withUTF8Buffer { pattern in
            guard let first = pattern.first, start <= bytes.endIndex - pattern.count else { return nil }
            var index = start
            while index <= bytes.endIndex - pattern.count {
                if bytes[index] == first {
                    var offset = 1
                    while offset < pattern.count && bytes[index + offset] == pattern[offset] { offset += 1 }
                    if offset == pattern.count { return index }
                }
                index += 1
            }
            return nil
        }
    }

    /// The value of attribute `name` in the lower-cased bytes of a tag (`charset="utf-8"`,
    /// `charset=utf-8`), or `nil`. The name must start a word: `data-charset` does not count.
    private static func attributeValue(named name: StaticString, in tag: ArraySlice<UInt8>) -> String? {
        let space = UInt8(ascii: " ")
        var searchStart = tag.startIndex
        while let found = self.firstIndex(of: name, in: tag, from: searchStart) {
            searchStart = found + name.utf8CodeUnitCount
            if found > tag.startIndex {
                let before = tag[found - 1]
                if (before >= UInt8(ascii: "a") && before <= UInt8(ascii: "z")) || before == UInt8(ascii: "-") {
                    continue
                }
            }
            var index = searchStart
            while index < tag.endIndex, tag[index] == space { index += 1 }
            guard index < tag.endIndex, tag[index] == UInt8(ascii: "=") else { continue }
            index += 1
            while index < tag.endIndex, tag[index] == space { index += 1 }
            guard index < tag.endIndex else { return nil }
            let quote = tag[index]
            var value: ArraySlice<UInt8>
            if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                let valueEnd = tag[(index + 1)...].firstIndex(of: quote) ?? tag.endIndex
                value = tag[(index + 1)..<valueEnd]
                while value.first == space { value.removeFirst() }
                while value.last == space { value.removeLast() }
            } else {
                let valueEnd =
                    tag[index...].firstIndex { byte in
                        byte == space || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ";")
                            || byte == UInt8(ascii: ">")
                    } ?? tag.endIndex
                value = tag[index..<valueEnd]
            }
            return String(decoding: value, as: UTF8.self)
        }
        return nil
    }
}

extension StringProtocol {
    /// The string without leading and trailing characters from `set`.
    package func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var start = self.startIndex
        var end = self.endIndex
        while start < end, characters.contains(self[start]) { start = self.index(after: start) }
        while end > start, characters.contains(self[self.index(before: end)]) { end = self.index(before: end) }
        return String(self[start..<end])
    }
}
