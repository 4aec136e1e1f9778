#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A growable byte buffer reused from record to record (no zeroing, no per-record allocation).
final class ScratchBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
        self.base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { self.base.deallocate() }

    func reserve(_ total: Int) {
        guard total > self.capacity else { return }
        var newCapacity = self.capacity
        while newCapacity < total { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if self.count > 0 { memcpy(grown, self.base, self.count) }
        self.base.deallocate()
        self.base = grown
        self.capacity = newCapacity
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        self.reserve(self.count + bytes.count)
        memcpy(self.base + self.count, source, bytes.count)
        self.count += bytes.count
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: self.base, count: self.count) }

    /// Shrinks a buffer that one huge record grew.
    func trim(to limit: Int) {
        guard self.capacity > limit else { return }
        self.base.deallocate()
        self.capacity = limit
        self.base = UnsafeMutableRawPointer.allocate(byteCount: limit, alignment: 16)
        self.count = 0
    }
}

@available(*, unavailable)
extension ScratchBuffer: Sendable {}

/// Undoes `Transfer-Encoding: chunked` and `Content-Encoding: gzip/deflate` of stored bodies.
///
/// Owned by one reader; keeps its zlib streams and buffers from record to record.
final class PayloadDecoder {
    enum Failure: Error {
        case malformed(String)
        case tooLarge
    }

    private var gzip: Inflater?
    private var zlib: Inflater?
    private var raw: Inflater?
    private let wholeMembers: MemberDecompressor?
    let dechunked = ScratchBuffer()
    let inflated = ScratchBuffer()

    /// - Parameter fastMembers: inflate whole gzip bodies with libdeflate first.
    init(fastMembers: Bool) {
        self.wholeMembers = fastMembers ? MemberDecompressor() : nil
    }

    /// De-chunks `body` into `dechunked` (RFC 9112 §7.1).
    ///
    /// - Returns: false when `body` does not start with a chunk-size line, as when a writer
    ///   stored the de-chunked body but kept the `Transfer-Encoding` header: the caller then
    ///   uses the body as it is. A body cut short after whole chunks keeps what it has, as
    ///   truncated captures do.
    func dechunk(_ body: UnsafeRawBufferPointer, limit: Int) throws(Failure) -> Bool {
        self.dechunked.count = 0
        var index = 0
        var first = true
        while index < body.count {
            // chunk-size [ chunk-ext ] CRLF
            guard let newline = ByteScanning.find(UInt8(ascii: "\n"), in: body, from: index, to: body.count) else {
                if first { return false }
                throw .malformed("chunk-size line not terminated at body byte \(index)")
            }
            var size = 0
            var digits = 0
            var cursor = index
            while cursor < newline, let value = hexValue(body[cursor]) {
                guard size <= (Int.max >> 4) else { throw .malformed("chunk size overflows") }
                size = size << 4 | value
                digits += 1
                cursor += 1
            }
            let restIsExtension =
                cursor == newline || body[cursor] == UInt8(ascii: ";") || body[cursor] == UInt8(ascii: "\r")
                || body[cursor] == UInt8(ascii: " ") || body[cursor] == UInt8(ascii: "\t")
            guard digits > 0, restIsExtension else {
                if first { return false }
                throw .malformed("bad chunk-size line at body byte \(index)")
            }
            first = false
            index = newline + 1
            if size == 0 { return true }  // the last chunk; trailers are ignored
            let take = min(size, body.count - index)
            guard self.dechunked.count + take <= limit else { throw .tooLarge }
            self.dechunked.append(UnsafeRawBufferPointer(rebasing: body[index..<(index + take)]))
            index += take
            // CRLF after the chunk data (a bare LF is tolerated).
            if index < body.count && body[index] == UInt8(ascii: "\r") { index += 1 }
            if index < body.count && body[index] == UInt8(ascii: "\n") {
                index += 1
            } else if index < body.count {
                throw .malformed("chunk data not followed by CRLF at body byte \(index)")
            }
        }
        return true
    }

    /// Inflates a `Content-Encoding: gzip` or `deflate` body into `inflated`.
    ///
    /// `deflate` is a zlib stream per RFC 9110 §8.4.1.2, but some servers send bare deflate
    /// data; both are accepted. A body cut short keeps what inflated before the cut.
    func inflate(_ body: UnsafeRawBufferPointer, gzipFormat: Bool, limit: Int) throws(Failure) {
        self.inflated.count = 0
        if gzipFormat {
            if self.inflateWhole(body, limit: limit) { return }
            try self.run(self.inflater(.gzip), body, limit: limit)
            return
        }
        do {
            try self.run(self.inflater(.zlib), body, limit: limit)
        } catch .malformed where self.inflated.count == 0 {
            try self.run(self.inflater(.raw), body, limit: limit)
        }
    }

    /// libdeflate on a body of one whole gzip member; false when zlib must do it (a cut or
    /// corrupt body, several members, or more than `limit` bytes).
    private func inflateWhole(_ body: UnsafeRawBufferPointer, limit: Int) -> Bool {
        guard let wholeMembers = self.wholeMembers else { return false }
        var room = Swift.min(Swift.max(body.count * 6, 1 << 16), limit)
        while true {
            self.inflated.count = 0
            self.inflated.reserve(room)
            let output = UnsafeMutableRawBufferPointer(start: self.inflated.base, count: room)
            switch wholeMembers.decompressMember(body, into: output) {
            case .done(let consumed, let produced):
                guard consumed == body.count else { return false }
                self.inflated.count = produced
                return true
            case .needsRoom:
                guard room < limit else { return false }
                room = Swift.min(room * 4, limit)
            case .failed:
                return false
            }
        }
    }

    private func inflater(_ format: Inflater.Format) throws(Failure) -> Inflater {
        let existing: Inflater?
        switch format {
        case .gzip: existing = self.gzip
        case .zlib: existing = self.zlib
        case .raw: existing = self.raw
        }
        if let existing {
            existing.reset()
            return existing
        }
        guard let made = Inflater(format: format) else { throw .malformed("zlib inflateInit2 failed") }
        switch format {
        case .gzip: self.gzip = made
        case .zlib: self.zlib = made
        case .raw: self.raw = made
        }
        return made
    }

    private func run(_ inflater: Inflater, _ body: UnsafeRawBufferPointer, limit: Int) throws(Failure) {
        self.inflated.count = 0
        var index = 0
        self.inflated.reserve(max(body.count * 4, 1 << 16))
        while true {
            if self.inflated.capacity - self.inflated.count < 1 << 15 {
                self.inflated.reserve(self.inflated.capacity * 2)
            }
            let input = UnsafeRawBufferPointer(rebasing: body[index...])
            let output = UnsafeMutableRawBufferPointer(
                start: self.inflated.base + self.inflated.count,
                count: self.inflated.capacity - self.inflated.count
            )
            let (consumed, produced, status) = inflater.inflate(input, into: output)
            index += consumed
            self.inflated.count += produced
            guard self.inflated.count <= limit else { throw .tooLarge }
            switch status {
            case .ok:
                continue
            case .streamEnd:
                // Another gzip member may follow (RFC 1952 allows several); read it too.
                if inflater.format == .gzip && index + 2 <= body.count && body[index] == 0x1f && body[index + 1] == 0x8b
                {
                    inflater.reset()
                    continue
                }
                return
            case .needMore:
                if index >= body.count { return }  // cut short: keep what there is
                if consumed == 0 && produced == 0 { return }
            case .dataError(let message):
                if self.inflated.count > 0 { return }  // corrupt tail: keep the good head
                throw .malformed(message)
            }
        }
    }
}

@available(*, unavailable)
extension PayloadDecoder: Sendable {}

@inline(__always)
private func hexValue(_ byte: UInt8) -> Int? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
    default: nil
    }
}
