internal import CZlib

/// Compresses byte strings into whole gzip members (RFC 1952), one per call.
///
/// One per writer, used from the writer's thread only. The `z_stream` is reused across
/// members through `deflateReset`, so a record costs no allocation in zlib.
final class GzipMemberWriter {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output: UnsafeMutableRawPointer
    private var capacity: Int

    /// - Parameter level: zlib level 1 (fastest) to 9 (smallest); 6 is zlib's default.
    init?(level: Int32) {
        self.stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        self.capacity = 1 << 16
        self.output = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
        // windowBits 15 + 16 writes a gzip header and trailer (zlib.h, deflateInit2); memLevel 8
        // is zlib's default.
        guard czlib_deflate_init2(self.stream, level, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK else {
            self.stream.deallocate()
            self.output.deallocate()
            return nil
        }
    }

    deinit {
        deflateEnd(self.stream)
        self.stream.deallocate()
        self.output.deallocate()
    }

    /// Compresses the concatenation of `parts` into one gzip member.
    ///
    /// The returned bytes live in this writer's buffer and stay valid until the next call.
    func member(of parts: [UnsafeRawBufferPointer]) -> UnsafeRawBufferPointer {
        deflateReset(self.stream)
        let total = parts.reduce(0) { $0 + $1.count }
        // deflateBound is the worst case for the whole input in one member (zlib.h).
        let bound = Int(deflateBound(self.stream, UInt(total))) + 64
        if self.capacity < bound {
            self.output.deallocate()
            self.capacity = bound
            self.output = UnsafeMutableRawPointer.allocate(byteCount: bound, alignment: 16)
        }
        self.stream.pointee.next_out = self.output.assumingMemoryBound(to: UInt8.self)
        self.stream.pointee.avail_out = UInt32(self.capacity)
        let count = parts.count
        for index in 0...max(count - 1, 0) {
            let part = count == 0 ? UnsafeRawBufferPointer(start: nil, count: 0) : parts[index]
            self.stream.pointee.next_in = part.baseAddress.map {
                UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self))
            }
            self.stream.pointee.avail_in = UInt32(part.count)
            let finish = index >= count - 1
            let code = deflate(self.stream, finish ? Z_FINISH : Z_NO_FLUSH)
            // With room for deflateBound bytes, Z_FINISH completes in one call (zlib.h); an
            // empty middle part makes no progress, which zlib reports as Z_BUF_ERROR.
            precondition(
                finish ? code == Z_STREAM_END : (code == Z_OK || code == Z_BUF_ERROR),
                "deflate failed: \(code)"
            )
        }
        let produced = self.capacity - Int(self.stream.pointee.avail_out)
        return UnsafeRawBufferPointer(start: self.output, count: produced)
    }
}

@available(*, unavailable)
extension GzipMemberWriter: Sendable {}

/// One-shot gzip, for tests and benchmarks that build archives and encoded bodies.
package enum Gzip {
    /// `bytes` as one gzip member.
    package static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        guard let writer = GzipMemberWriter(level: level) else { return [] }
        return bytes.withUnsafeBytes { [UInt8](writer.member(of: [$0])) }
    }
}
