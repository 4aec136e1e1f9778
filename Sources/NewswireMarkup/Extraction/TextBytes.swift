import Foundation

/// Byte-level text helpers for the hot paths, where Foundation's `String` searches cost
/// more than the parse itself.
enum TextBytes {
    /// Words in `text`: runs of bytes that are not ASCII white space.
    static func wordCount(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for byte in text.utf8 {
            let space = byte == 32 || byte == 10 || byte == 9 || byte == 13 || byte == 12
            if !space && !inWord { count += 1 }
            inWord = !space
        }
        return count
    }

    /// `text` as bytes with ASCII letters lower-cased and white space runs collapsed to one space.
    static func foldedASCII(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            if byte == 32 || byte == 10 || byte == 9 || byte == 13 || byte == 12 {
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace {
                bytes.append(32)
                pendingSpace = false
            }
            bytes.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
        }
        return bytes
    }

    /// Whether `haystack` contains `needle` (bytes, exact).
    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, haystack.count >= pattern.count else { return pattern.isEmpty }
        return haystack.withUnsafeBufferPointer { hay in
            let first = pattern[0]
            let last = hay.count - pattern.count
            var index = 0
            while index <= last {
                if hay[index] == first {
                    var offset = 1
                    while offset < pattern.count && hay[index + offset] == pattern[offset] { offset += 1 }
                    if offset == pattern.count { return true }
                }
                index += 1
            }
            return false
        }
    }

    /// The offset of the last occurrence of `needle` in `haystack`, if any.
    static func lastIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var index = haystack.count - needle.count
        while index >= 0 {
            if haystack[index] == needle[0], haystack[index..<index + needle.count].elementsEqual(needle) {
                return index
            }
            index -= 1
        }
        return nil
    }

    /// Letters and digits only, ASCII lower-cased; other scripts kept as they are.
    static func alphanumericKey(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case 65...90: bytes.append(byte + 32)
            case 97...122, 48...57, 0x80...: bytes.append(byte)
            default: break
            }
        }
        return bytes
    }

    /// `text` without leading and trailing white space and newlines: the same characters as
    /// Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)`, without bridging the
    /// whole string to `NSString` (which copies it to UTF-16; JSON-LD blocks run to 100 KB).
    static func trimmingWhitespace(_ text: String) -> String {
        Self.trimmingWhitespace(Substring(text))
    }

    /// ``trimmingWhitespace(_:)-(String)`` of a slice.
    static func trimmingWhitespace(_ text: Substring) -> String {
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, Self.isWhitespaceOrNewline(scalars[start]) { start = scalars.index(after: start) }
        while end > start, Self.isWhitespaceOrNewline(scalars[scalars.index(before: end)]) {
            end = scalars.index(before: end)
        }
        return String(scalars[start..<end])
    }

    private static func isWhitespaceOrNewline(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20: return true
        case 0..<0x80: return false
        default: return CharacterSet.whitespacesAndNewlines.contains(scalar)
        }
    }
}
