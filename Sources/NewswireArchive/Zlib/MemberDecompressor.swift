internal import CDeflate

/// Decompresses one whole gzip member at a time with libdeflate.
///
/// libdeflate works on complete buffers only, which is what a WARC of one gzip member per
/// record gives: members of tens of kilobytes, each held whole in the reader's input
/// buffer. It inflates them about 2.5 times faster than zlib's streaming inflate (measured
/// in docs/archive.md). Anything it cannot take in one go (a member cut by the end of the
/// buffer, a whole-file gzip, output larger than the room given, corrupt data) is left to
/// zlib, which streams and reports faults precisely. One per reader, used from its thread.
final class MemberDecompressor {
    private let decompressor: OpaquePointer

    init?() {
        guard let made = libdeflate_alloc_decompressor() else { return nil }
        self.decompressor = made
    }

    deinit {
        libdeflate_free_decompressor(self.decompressor)
    }

    /// Inflates the gzip member at the start of `input` into `output`.
    ///
    /// - Returns: the input bytes the member took and the bytes produced, or nil when the
    ///   member is not whole in `input`, does not fit in `output`, or is corrupt.
    func decompressMember(
        _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> (consumed: Int, produced: Int)? {
        guard let inBase = input.baseAddress, let outBase = output.baseAddress else { return nil }
        var consumed = 0
        var produced = 0
        let result = libdeflate_gzip_decompress_ex(
            self.decompressor,
            inBase,
            input.count,
            outBase,
            output.count,
            &consumed,
            &produced
        )
        guard result == LIBDEFLATE_SUCCESS else { return nil }
        return (consumed, produced)
    }
}

@available(*, unavailable)
extension MemberDecompressor: Sendable {}
