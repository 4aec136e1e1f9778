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

    enum Outcome {
        case done(consumed: Int, produced: Int)
        /// The output room was too small.
        case needsRoom
        /// Corrupt, or not whole in the input.
        case failed
    }

    /// Inflates the gzip member at the start of `input` into `output`.
    func decompressMember(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Outcome {
        guard let inBase = input.baseAddress, let outBase = output.baseAddress else { return .failed }
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
        switch result {
        case LIBDEFLATE_SUCCESS: return .done(consumed: consumed, produced: produced)
        case LIBDEFLATE_INSUFFICIENT_SPACE: return .needsRoom
        default: return .failed
        }
    }
}

@available(*, unavailable)
extension MemberDecompressor: Sendable {}
