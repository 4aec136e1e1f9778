import NewswireCore

/// Charset rules for XML feeds, on top of ``Charset``.
///
/// RFC 3023 gives the HTTP charset precedence over the XML declaration; a BOM wins over both.
/// A document with neither BOM nor declaration that starts with `<\0` or `\0<` is UTF-16
/// (XML 1.0 appendix F).
enum XMLCharset {
    struct Decoded {
        var utf8: [UInt8]
        var encoding: String
        /// The bytes were not what their label (or the lack of one) said: a guess, a repair.
        var overruled: Bool
    }

    /// `true` when the bytes may go to libxml2 as UTF-8 without decoding: no BOM, no UTF-16
    /// shape, and no charset label other than UTF-8 in the HTTP header or XML declaration.
    /// libxml2 checks the UTF-8 as it reads; a document it rejects is decoded by ``decode``.
    static func isDeclaredUTF8(_ bytes: [UInt8], contentType: String?) -> Bool {
        guard bytes.count >= 4, bytes[0] == UInt8(ascii: "<"), bytes[1] != 0 else { return false }
        if let contentType, let label = Charset.label(fromContentType: contentType) {
            return Charset.canonicalLabel(label) == "utf-8"
        }
        guard let label = Self.declaredEncoding(bytes) else { return true }
        return Charset.canonicalLabel(label) == "utf-8"
    }

    /// The `encoding` pseudo-attribute of an XML declaration at the very start, read as bytes.
    static func declaredEncoding(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { input in
            let prefix: [UInt8] = Array("<?xml".utf8)
            guard input.count > 6, input.prefix(5).elementsEqual(prefix) else { return nil }
            let limit = min(input.count, 256)
            var end = 5
            while end + 1 < limit, !(input[end] == UInt8(ascii: "?") && input[end + 1] == UInt8(ascii: ">")) {
                end += 1
            }
            let name: [UInt8] = Array("encoding".utf8)
            var index = 5
            while index + name.count < end {
                if input[index] == UInt8(ascii: "e"), input[index..<(index + name.count)].elementsEqual(name) {
                    var cursor = index + name.count
                    while cursor < end, XMLRepair.isSpace(input[cursor]) || input[cursor] == UInt8(ascii: "=") {
                        cursor += 1
                    }
                    guard cursor < end, input[cursor] == UInt8(ascii: "\"") || input[cursor] == UInt8(ascii: "'") else {
                        return nil
                    }
                    let quote = input[cursor]
                    let valueStart = cursor + 1
                    var valueEnd = valueStart
                    while valueEnd < end, input[valueEnd] != quote { valueEnd += 1 }
                    return String(decoding: input[valueStart..<valueEnd], as: UTF8.self)
                }
                index += 1
            }
            return nil
        }
    }

    static func decode(_ bytes: [UInt8], contentType: String?) -> Decoded {
        if Charset.byteOrderMark(bytes) == nil, bytes.count >= 4 {
            let label: String? =
                switch (bytes[0], bytes[1], bytes[2], bytes[3]) {
                case (0x3C, 0, 0, 0): "utf-32le"
                case (0, 0, 0, 0x3C): "utf-32be"
                case (0x3C, 0, _, _): "utf-16le"
                case (0, 0x3C, _, _): "utf-16be"
                default: nil
                }
            if let label {
                return Decoded(utf8: Charset.convert(bytes, from: label), encoding: label, overruled: false)
            }
        }
        // The common case, decided without a copy: no label but UTF-8 and valid UTF-8 bytes.
        let httpLabel = contentType.flatMap(Charset.label(fromContentType:))
        let label = httpLabel ?? Self.declaredEncoding(bytes) ?? Charset.xmlDeclarationLabel(bytes)
        if Charset.byteOrderMark(bytes) == nil, label.map({ Charset.canonicalLabel($0) == "utf-8" }) ?? true,
            Self.isValidUTF8(bytes)
        {
            return Decoded(utf8: bytes, encoding: "utf-8", overruled: false)
        }
        if Charset.byteOrderMark(bytes) == nil, label.map({ Charset.canonicalLabel($0) == "utf-8" }) ?? true {
            // UTF-8 with a few bad bytes stays UTF-8 (each bad byte becomes U+FFFD); Latin-1
            // text almost never forms a valid multi-byte sequence, so it has none.
            let validity = Charset.utf8Validity(bytes)
            if validity.multiByte > 0, validity.multiByte >= validity.invalid {
                return Decoded(utf8: Charset.repairUTF8(bytes), encoding: "utf-8", overruled: validity.invalid > 0)
            }
        }
        if label == nil, Charset.byteOrderMark(bytes) == nil {
            // No label anywhere and not UTF-8: guess from the bytes (chardet-style).
            let guess = XMLCharsetDetection.detect(bytes)
            if guess != "windows-1252" {
                return Decoded(utf8: Charset.convert(bytes, from: guess), encoding: guess, overruled: true)
            }
        }
        let decoded = Charset.decode(bytes, contentType: contentType, kind: .xml)
        var encoding = decoded.encoding
        if encoding == "windows-1252", !decoded.overruled,
            let label,
            ["us-ascii", "ascii", "iso-8859-1", "latin1", "iso8859-1"].contains(label.lowercased())
        {
            // Decoded as windows-1252 (the WHATWG reading of these labels), reported by its label.
            encoding =
                label.lowercased() == "ascii"
                ? "us-ascii" : (label.lowercased() == "us-ascii" ? "us-ascii" : "iso-8859-1")
        }
        return Decoded(utf8: decoded.utf8, encoding: encoding, overruled: decoded.overruled)
    }

    /// Whether `bytes` are valid UTF-8, skipping ASCII eight bytes at a time.
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            let count = raw.count
            var index = 0
            while index < count {
                if index + 8 <= count,
                    raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
                {
                    index += 8
                    continue
                }
                let lead = raw[index]
                if lead < 0x80 {
                    index += 1
                    continue
                }
                let length: Int
                switch lead {
                case 0xC2...0xDF: length = 2
                case 0xE0...0xEF: length = 3
                case 0xF0...0xF4: length = 4
                default: return false
                }
                guard index + length <= count else { return false }
                for offset in 1..<length where raw[index + offset] & 0xC0 != 0x80 { return false }
                let second = raw[index + 1]
                if lead == 0xE0 && second < 0xA0 { return false }
                if lead == 0xED && second > 0x9F { return false }
                if lead == 0xF0 && second < 0x90 { return false }
                if lead == 0xF4 && second > 0x8F { return false }
                index += length
            }
            return true
        }
    }
}
