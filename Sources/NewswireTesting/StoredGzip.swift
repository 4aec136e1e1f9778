/// Writes gzip data (RFC 1952) whose deflate stream holds only stored blocks: valid gzip that
/// any inflater reads, for test sites and tests that serve `.xml.gz` files, without a zlib
/// binding.
public enum StoredGzip {
    /// `bytes` as a gzip member of stored (uncompressed) deflate blocks.
    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var offset = 0
        repeat {
            let count = min(65_535, bytes.count - offset)
            let final: UInt8 = offset + count == bytes.count ? 1 : 0
            out.append(final)
            out.append(contentsOf: Self.littleEndian(UInt32(count), bytes: 2))
            out.append(contentsOf: Self.littleEndian(UInt32(~UInt16(count)), bytes: 2))
            out.append(contentsOf: bytes[offset..<(offset + count)])
            offset += count
        } while offset < bytes.count
        out.append(contentsOf: Self.littleEndian(Self.crc32(bytes), bytes: 4))
        out.append(contentsOf: Self.littleEndian(UInt32(truncatingIfNeeded: bytes.count), bytes: 4))
        return out
    }

    private static func littleEndian(_ value: UInt32, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    /// CRC-32 (ISO 3309), as gzip's trailer holds it.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = Self.table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }
}
