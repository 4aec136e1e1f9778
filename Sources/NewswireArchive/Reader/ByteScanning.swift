import NewswireCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Byte-level scans over raw buffers: memchr/memmem from libc, no per-byte Swift loops on
/// the long stretches.
enum ByteScanning {
    /// Index of the first `byte` in `bytes[from..<to]`, or nil.
    @inline(__always)
    static func find(_ byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard from < to, let base = bytes.baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// Index of the first occurrence of `needle` in `bytes[from..<to]`, or nil.
    static func find(_ needle: StaticString, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        // memchr on the first byte, memcmp on the rest (glibc's memmem needs _GNU_SOURCE,
        // which the Glibc module does not define).
        let count = needle.utf8CodeUnitCount
        guard count > 0, let base = bytes.baseAddress else { return nil }
        let first = needle.utf8Start.pointee
        var index = from
        while index + count <= to {
            guard let hit = memchr(base + index, Int32(first), to - count + 1 - index) else { return nil }
            let found = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(hit, needle.utf8Start, count) == 0 { return found }
            index = found + 1
        }
        return nil
    }

    /// Whether `bytes[at...]` starts with `prefix`.
    @inline(__always)
    static func hasPrefix(_ prefix: StaticString, in bytes: UnsafeRawBufferPointer, at: Int) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard at + count <= bytes.count, let base = bytes.baseAddress else { return false }
        return memcmp(base + at, prefix.utf8Start, count) == 0
    }

    /// Whether `bytes[at...]` starts with `prefix`, ignoring ASCII letter case.
    static func hasPrefixIgnoringCase(_ prefix: StaticString, in bytes: UnsafeRawBufferPointer, at: Int) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        let p = prefix.utf8Start
        for i in 0..<count where bytes[at + i] | 0x20 != p[i] | 0x20 { return false }
        return true
    }

    /// The end of the header block that starts at `from`: the index just past the first empty
    /// line (`CRLF CRLF`, or a bare `LF LF` as some old writers put), or nil if not within `to`.
    static func headerEnd(in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        var lineStart = from
        while let newline = Self.find(UInt8(ascii: "\n"), in: bytes, from: lineStart, to: to) {
            let length = newline - lineStart
            if length == 0 || (length == 1 && bytes[lineStart] == UInt8(ascii: "\r")) {
                return newline + 1
            }
            lineStart = newline + 1
        }
        return nil
    }

    /// The `Name: value` lines of a header block (after its first line), continuation lines
    /// folded into the field before them. Lines without a colon are skipped.
    static func fields(in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> [HTTPHeaders.Field] {
        var fields: [HTTPHeaders.Field] = []
        fields.reserveCapacity(16)
        var lineStart = from
        while lineStart < to {
            let newline = Self.find(UInt8(ascii: "\n"), in: bytes, from: lineStart, to: to) ?? to
            var lineEnd = newline
            if lineEnd > lineStart && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            defer { lineStart = newline + 1 }
            if lineEnd == lineStart { continue }
            let first = bytes[lineStart]
            if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                if var last = fields.popLast() {
                    let more = Self.trimmedString(bytes, lineStart, lineEnd)
                    last.value = last.value.isEmpty ? more : last.value + " " + more
                    fields.append(last)
                }
                continue
            }
            guard let colon = Self.find(UInt8(ascii: ":"), in: bytes, from: lineStart, to: lineEnd) else { continue }
            let name = Self.trimmedString(bytes, lineStart, colon)
            let value = Self.trimmedString(bytes, colon + 1, lineEnd)
            fields.append(HTTPHeaders.Field(name: name, value: value))
        }
        return fields
    }

    /// `bytes[from..<to]` without leading and trailing spaces and tabs, decoded as UTF-8
    /// (invalid bytes replaced).
    static func trimmedString(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> String {
        var from = from
        var to = to
        while from < to && (bytes[from] == 0x20 || bytes[from] == 0x09) { from += 1 }
        while to > from && (bytes[to - 1] == 0x20 || bytes[to - 1] == 0x09) { to -= 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
    }
}
