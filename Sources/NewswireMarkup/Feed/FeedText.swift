internal import CLibXML2
import NewswireCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Text and URL helpers shared by the feed readers. Stateless and thread-safe.
enum FeedText {
    /// Resolves `reference` against `base` (RFC 3986 §5, by libxml2's `xmlBuildURI`).
    ///
    /// A reference that cannot be resolved is returned as it is.
    static func resolve(_ reference: String, against base: String) -> String {
        if reference.isEmpty { return base }
        if Self.hasScheme(reference) { return reference }
        if let built = xmlBuildURI(reference, base) {
            defer { clibxml2_free(built) }
            return String(cString: built)
        }
        // libxml2 refuses non-ASCII (IRIs): resolve the percent-encoded form, then decode it back.
        let encodedReference = Self.percentEncodingNonASCII(reference)
        let encodedBase = Self.percentEncodingNonASCII(base)
        guard encodedReference != reference || encodedBase != base,
            let built = xmlBuildURI(encodedReference, encodedBase)
        else { return reference }
        defer { clibxml2_free(built) }
        return Self.percentDecodingNonASCII(String(cString: built))
    }

    private static func percentEncodingNonASCII(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return text }
        var out = ""
        for byte in text.utf8 {
            if byte >= 0x80 {
                out += "%" + String(byte, radix: 16, uppercase: true)
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    private static func percentDecodingNonASCII(_ text: String) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
                let value = UInt8(String(decoding: utf8[(index + 1)...(index + 2)], as: UTF8.self), radix: 16),
                value >= 0x80
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes captured UTF-8 text, repairing two kinds of damage feed readers repair:
    /// UTF-8 that was read as Latin-1 and encoded again (`â€¦` for `…`), and C1 control
    /// characters that stand for windows-1252 punctuation (`\u{92}` for `’`).
    static func repairingMojibake(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Mojibake needs U+0080...U+00FF, written C2 xx or C3 xx: memchr finds them fast.
        guard let base = bytes.baseAddress,
            memchr(base, 0xC2, bytes.count) != nil || memchr(base, 0xC3, bytes.count) != nil
        else { return String(decoding: bytes, as: UTF8.self) }
        var sawLatin1 = false
        for byte in bytes where byte >= 0xC2 {
            if byte > 0xC3 { return String(decoding: bytes, as: UTF8.self) }
            sawLatin1 = true
        }
        guard sawLatin1 else { return String(decoding: bytes, as: UTF8.self) }
        // Every non-ASCII character is U+0080...U+00FF: try reading them as bytes.
        var latin1: [UInt8] = []
        latin1.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0xC2, index + 1 < bytes.count {
                latin1.append(((byte & 0x03) << 6) | (bytes[index + 1] & 0x3F))
                index += 2
            } else {
                latin1.append(byte)
                index += 1
            }
        }
        let validity = Charset.utf8Validity(latin1)
        if validity.invalid == 0, validity.multiByte > 0 { return String(decoding: latin1, as: UTF8.self) }
        guard (0..<max(0, bytes.count - 1)).contains(where: { bytes[$0] == 0xC2 && bytes[$0 + 1] < 0xA0 }) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var scalars = String.UnicodeScalarView()
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            if (0x80...0x9F).contains(scalar.value) {
                scalars.append(Unicode.Scalar(Self.windows1252C1[Int(scalar.value - 0x80)]) ?? scalar)
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// Whether every byte is ASCII, eight bytes at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        var index = 0
        while index + 8 <= raw.count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < raw.count {
            if raw[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    private static let windows1252C1: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152,
        0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122,
        0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    /// `true` when `text` starts with a URI scheme (`http:`, `mailto:`…).
    static func hasScheme(_ text: String) -> Bool {
        var sawLetter = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                sawLetter = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
                if !sawLetter { return false }
            case UInt8(ascii: ":"):
                return sawLetter
            default:
                return false
            }
        }
        return false
    }

    /// `true` for an absolute http(s) URL, the kind a guid must be to double as the link.
    static func looksLikeURL(_ text: String) -> Bool {
        let lowered = text.prefix(8).lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
    }

    /// Splits an RSS author string (`jane@example.org (Jane Roe)`, `Jane Roe <jane@example.org>`)
    /// into name and e-mail, as feed readers do.
    static func person(from text: String) -> FeedPerson {
        // Most author strings are a plain name: no e-mail to split off.
        guard text.utf8.contains(UInt8(ascii: "@")) else { return FeedPerson(name: text.isEmpty ? nil : text) }
        var name = text
        var email: String?
        if let range = Self.emailRange(in: text) {
            email = String(text[range])
            name.removeSubrange(range)
            name = name.replacingOccurrences("()", with: "").replacingOccurrences("<>", with: "")
                .replacingOccurrences("mailto:", with: "")
                .trimmingASCIIWhitespace()
            if name.hasPrefix("(") { name.removeFirst() }
            if name.hasSuffix(")") { name.removeLast() }
            name = name.trimmingASCIIWhitespace()
        }
        return FeedPerson(name: name.isEmpty ? nil : name, email: email)
    }

    /// The display string of a person: `Name (email)`, or whichever part there is.
    static func display(_ person: FeedPerson) -> String? {
        switch (person.name, person.email) {
        case (let name?, let email?): return "\(name) (\(email))"
        case (let name?, nil): return name
        case (nil, let email?): return email
        default: return person.uri
        }
    }

    private static func emailRange(in text: String) -> Range<String.Index>? {
        guard let at = text.firstIndex(of: "@") else { return nil }
        func isLocal(_ c: Character) -> Bool { c.isLetter || c.isNumber || "._-+".contains(c) }
        func isDomain(_ c: Character) -> Bool { c.isLetter || c.isNumber || ".-[]".contains(c) }
        var start = at
        while start > text.startIndex, isLocal(text[text.index(before: start)]) { start = text.index(before: start) }
        var end = text.index(after: at)
        while end < text.endIndex, isDomain(text[end]) { end = text.index(after: end) }
        guard start < at, text.index(after: at) < end else { return nil }
        var trimmedEnd = end
        while trimmedEnd > at, text[text.index(before: trimmedEnd)] == "." {
            trimmedEnd = text.index(before: trimmedEnd)
        }
        let domain = text[text.index(after: at)..<trimmedEnd]
        guard domain.contains(".") || domain.hasPrefix("[") else { return nil }
        return start..<trimmedEnd
    }

    /// Rewrites relative `href` and `src` attribute values in an HTML fragment to absolute URLs.
    ///
    /// One pass over the bytes; a fragment without relative URLs is returned as it is.
    static func resolvingURLs(inHTML html: String, base: String) -> String {
        var html = html
        let rewritten: [UInt8]? = html.withUTF8 { bytes in
            Self.rewriteRelativeURLs(bytes, base: base)
        }
        guard let rewritten else { return html }
        return String(decoding: rewritten, as: UTF8.self)
    }

    private static func rewriteRelativeURLs(_ bytes: UnsafeBufferPointer<UInt8>, base: String) -> [UInt8]? {
        var out: [UInt8]?
        var copyStart = 0
        var index = 0
        let count = bytes.count
        guard let baseAddress = bytes.baseAddress else { return nil }
        while index < count {
            // Jump from one `=` to the next: only attribute values can hold URLs.
            guard let found = memchr(baseAddress + index, Int32(UInt8(ascii: "=")), count - index) else { break }
            let equals = baseAddress.distance(to: found.assumingMemoryBound(to: UInt8.self))
            guard let (valueStart, valueEnd) = Self.urlAttributeValue(bytes, equalsAt: equals) else {
                index = equals + 1
                continue
            }
            index = max(valueEnd, equals + 1)
            let valueBytes = UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd])
            guard !Self.isAbsoluteOrFragment(valueBytes) else { continue }
            let value = String(decoding: valueBytes, as: UTF8.self).trimmingASCIIWhitespace()
            guard !value.isEmpty, !Self.hasScheme(value), !value.hasPrefix("#") else { continue }
            let resolved = Self.resolve(Self.decodeAmpersands(value), against: base)
            if out == nil {
                out = []
                out?.reserveCapacity(count + 64)
            }
            out?.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copyStart..<valueStart]))
            for byte in resolved.utf8 {
                switch byte {
                case UInt8(ascii: "&"): out?.append(contentsOf: [38, 97, 109, 112, 59])
                case UInt8(ascii: "\""): out?.append(contentsOf: [37, 50, 50])
                default: out?.append(byte)
                }
            }
            copyStart = valueEnd
        }
        guard var result = out else { return nil }
        result.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copyStart..<count]))
        return result
    }

    /// `true` for `http:`…, `//host`, `#fragment`: values that need no resolving.
    private static func isAbsoluteOrFragment(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = value.first else { return true }
        if first == UInt8(ascii: "#") { return true }
        for (offset, byte) in value.enumerated() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
                if offset == 0 { return false }
            case UInt8(ascii: ":"):
                return offset > 0
            default:
                return false
            }
        }
        return false
    }

    private static func decodeAmpersands(_ text: String) -> String {
        text.contains("&amp;") ? text.replacingOccurrences("&amp;", with: "&") : text
    }

    /// For the `=` at `equals`: when the attribute before it is `href` or `src`, the byte range
    /// of its value.
    private static func urlAttributeValue(_ bytes: UnsafeBufferPointer<UInt8>, equalsAt equals: Int) -> (Int, Int)? {
        var cursor = equals
        while cursor > 0, XMLRepair.isSpace(bytes[cursor - 1]) { cursor -= 1 }
        let nameEnd = cursor
        while cursor > 0, (bytes[cursor - 1] | 0x20) >= UInt8(ascii: "a"),
            (bytes[cursor - 1] | 0x20) <= UInt8(ascii: "z")
        {
            cursor -= 1
        }
        let length = nameEnd - cursor
        guard length == 3 || length == 4, cursor > 0, XMLRepair.isSpace(bytes[cursor - 1]) else { return nil }
        let isHref =
            length == 4 && bytes[cursor] | 0x20 == UInt8(ascii: "h") && bytes[cursor + 1] | 0x20 == UInt8(ascii: "r")
            && bytes[cursor + 2] | 0x20 == UInt8(ascii: "e") && bytes[cursor + 3] | 0x20 == UInt8(ascii: "f")
        let isSrc =
            length == 3 && bytes[cursor] | 0x20 == UInt8(ascii: "s") && bytes[cursor + 1] | 0x20 == UInt8(ascii: "r")
            && bytes[cursor + 2] | 0x20 == UInt8(ascii: "c")
        guard isHref || isSrc else { return nil }
        var start = equals + 1
        while start < bytes.count, XMLRepair.isSpace(bytes[start]) { start += 1 }
        guard start < bytes.count else { return nil }
        let quote = bytes[start]
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            var end = start + 1
            while end < bytes.count, bytes[end] != quote { end += 1 }
            return (start + 1, end)
        }
        var end = start
        while end < bytes.count, !XMLRepair.isSpace(bytes[end]), bytes[end] != UInt8(ascii: ">") { end += 1 }
        return (start, end)
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement` (no Foundation needed).
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, self.contains(target) else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
