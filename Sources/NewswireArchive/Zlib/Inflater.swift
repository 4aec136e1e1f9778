internal import CZlib

/// One zlib inflate stream (gzip, zlib or raw deflate), used from one thread at a time.
///
/// zlib keeps a pointer back to its `z_stream` (inflate.c `inflateStateCheck`), so the
/// stream lives in memory this class allocates once and never moves.
final class Inflater {
    /// What the compressed data is wrapped in (zlib.h, `inflateInit2` windowBits).
    enum Format {
        /// A gzip member (RFC 1952): windowBits 15 + 16.
        case gzip
        /// A zlib stream (RFC 1950): windowBits 15.
        case zlib
        /// Bare deflate data (RFC 1951): windowBits -15.
        case raw

        var windowBits: Int32 {
            switch self {
            case .gzip: 15 + 16
            case .zlib: 15
            case .raw: -15
            }
        }
    }

    enum Status: Equatable {
        /// Progress was made; the stream goes on.
        case ok
        /// The end of the compressed stream (the gzip trailer checked).
        case streamEnd
        /// No progress possible: more input or more output room is needed.
        case needMore
        /// The compressed data is corrupt; zlib's message.
        case dataError(String)
    }

    private let stream: UnsafeMutablePointer<z_stream>
    let format: Format

    init?(format: Format) {
        self.format = format
        self.stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        guard czlib_inflate_init2(self.stream, format.windowBits) == Z_OK else {
            self.stream.deallocate()
            return nil
        }
    }

    deinit {
        inflateEnd(self.stream)
        self.stream.deallocate()
    }

    /// Starts a new stream of the same format (the next gzip member).
    func reset() {
        inflateReset(self.stream)
    }

    /// Inflates as much of `input` into `output` as fits.
    ///
    /// - Returns: the bytes of `input` consumed, the bytes of `output` produced, and the state.
    func inflate(
        _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> (consumed: Int, produced: Int, status: Status) {
        guard let outBase = output.baseAddress, output.count > 0 else { return (0, 0, .needMore) }
        let inBase = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) }
        self.stream.pointee.next_in = inBase
        self.stream.pointee.avail_in = UInt32(clamping: input.count)
        self.stream.pointee.next_out = outBase.assumingMemoryBound(to: UInt8.self)
        self.stream.pointee.avail_out = UInt32(clamping: output.count)
        let availIn = Int(self.stream.pointee.avail_in)
        let availOut = Int(self.stream.pointee.avail_out)
        // Z_NO_FLUSH: inflate decides how much to produce; the large output buffer lets it
        // run its fast path (inflate_fast needs at least 258 bytes of output room).
        let code = CZlib.inflate(self.stream, Z_NO_FLUSH)
        let consumed = availIn - Int(self.stream.pointee.avail_in)
        let produced = availOut - Int(self.stream.pointee.avail_out)
        switch code {
        case Z_OK:
            return (consumed, produced, .ok)
        case Z_STREAM_END:
            return (consumed, produced, .streamEnd)
        case Z_BUF_ERROR:
            return (consumed, produced, .needMore)
        default:
            let message = self.stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(code)"
            return (consumed, produced, .dataError(message))
        }
    }
}

@available(*, unavailable)
extension Inflater: Sendable {}
