internal import CLibXML2
import NewswireCore

/// Text and URL helpers shared by the feed readers. Stateless and thread-safe.
enum FeedText {
    /// Resolves `reference` against `base` (RFC 3986 §5, by libxml2's `xmlBuildURI`).
    ///
    /// A reference that cannot be resolved is returned as it is.
    static func resolve(_ reference: String, against base: String) -> String {
        if reference.isEmpty { return base }
        if Self.hasScheme(reference) { return reference }
        guard let built = xmlBuildURI(reference, base) else { return reference }
        defer { clibxml2_free(built) }
        return String(cString: built)
    }

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
    static func resolvingURLs(inHTML html: String, base: String) -> String {
        guard html.contains("href") || html.contains("src") || html.contains("HREF") || html.contains("SRC") else {
            return html
        }
        let bytes = Array(html.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        var index = 0
        var copyStart = 0
        var inTag = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "<") {
                inTag = true
                index += 1
                continue
            }
            if byte == UInt8(ascii: ">") {
                inTag = false
                index += 1
                continue
            }
            guard inTag, byte == UInt8(ascii: " ") || byte == 0x09 || byte == 0x0A || byte == 0x0D,
                let (nameEnd, valueStart, valueEnd) = Self.urlAttribute(bytes, after: index)
            else {
                index += 1
                continue
            }
            _ = nameEnd
            let value = String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self)
            let trimmed = value.trimmingASCIIWhitespace()
            if !trimmed.isEmpty, !Self.hasScheme(trimmed), !trimmed.hasPrefix("#") {
                let resolved = Self.resolve(Self.decodeAmpersands(trimmed), against: base)
                out.append(contentsOf: bytes[copyStart..<valueStart])
                for byte in resolved.utf8 {
                    if byte == UInt8(ascii: "&") {
                        out.append(contentsOf: Array("&amp;".utf8))
                    } else if byte == UInt8(ascii: "\"") {
                        out.append(contentsOf: Array("%22".utf8))
                    } else {
                        out.append(byte)
                    }
                }
                copyStart = valueEnd
            }
            index = valueEnd
        }
        out.append(contentsOf: bytes[copyStart...])
        return String(decoding: out, as: UTF8.self)
    }

    private static func decodeAmpersands(_ text: String) -> String {
        text.contains("&amp;") ? text.replacingOccurrences("&amp;", with: "&") : text
    }

    /// After white space at `index`: `href=` or `src=`, and the value's byte range.
    private static func urlAttribute(_ bytes: [UInt8], after index: Int) -> (Int, Int, Int)? {
        var cursor = index
        while cursor < bytes.count, XMLRepair.isSpace(bytes[cursor]) { cursor += 1 }
        let nameStart = cursor
        while cursor < bytes.count, (bytes[cursor] | 0x20) >= UInt8(ascii: "a"),
            (bytes[cursor] | 0x20) <= UInt8(ascii: "z")
        {
            cursor += 1
        }
        let name = bytes[nameStart..<cursor].map { $0 | 0x20 }
        guard name == Array("href".utf8) || name == Array("src".utf8) else { return nil }
        let nameEnd = cursor
        while cursor < bytes.count, XMLRepair.isSpace(bytes[cursor]) { cursor += 1 }
        guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "=") else { return nil }
        cursor += 1
        while cursor < bytes.count, XMLRepair.isSpace(bytes[cursor]) { cursor += 1 }
        guard cursor < bytes.count else { return nil }
        let quote = bytes[cursor]
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            let start = cursor + 1
            var end = start
            while end < bytes.count, bytes[end] != quote { end += 1 }
            return (nameEnd, start, end)
        }
        let start = cursor
        var end = start
        while end < bytes.count, !XMLRepair.isSpace(bytes[end]), bytes[end] != UInt8(ascii: ">") { end += 1 }
        return (nameEnd, start, end)
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
