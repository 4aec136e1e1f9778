/// Tests on eight bytes at once (SWAR), for loops over text that look for a few byte values.
///
/// Each test sets the high bit of the bytes it matches. The subtraction can carry a false
/// match into bytes after a true one, never before, so the first flagged byte (in memory
/// order: ``load(_:)`` reads little-endian) is always a true match, and a mask of 0 means none.
/// Inlinable: these are the inner loops of other modules.
public enum ByteScan {
    /// The eight bytes at `pointer`, the first in the lowest bits.
    @inlinable @inline(__always)
    public static func load(_ pointer: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self))
    }

    /// Flags the bytes of `word` below `limit` (at most 128).
    @inlinable @inline(__always)
    public static func below(_ limit: UInt8, in word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101 &* UInt64(limit)) & ~word & 0x8080_8080_8080_8080
    }

    /// Flags the bytes of `word` equal to `byte`.
    @inlinable @inline(__always)
    public static func equal(_ byte: UInt8, in word: UInt64) -> UInt64 {
        let difference = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return (difference &- 0x0101_0101_0101_0101) & ~difference & 0x8080_8080_8080_8080
    }

    /// The bytes before the first flagged one: 8 when none is.
    @inlinable @inline(__always)
    public static func leadingUnflagged(_ mask: UInt64) -> Int {
        mask == 0 ? 8 : mask.trailingZeroBitCount >> 3
    }
}
