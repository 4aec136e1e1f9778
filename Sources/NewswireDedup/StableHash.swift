/// Hash functions whose values are part of the output and the state file.
///
/// Swift's `Hasher` is seeded per process, so everything that must give the same value on
/// every run and platform (signatures and hashes in the state file) is defined here: FNV-1a
/// and the SplitMix64 finaliser. Article ids are ``ArticleIdentity``'s.
package enum StableHash {
    /// The FNV-1a 64-bit offset basis (http://www.isthe.com/chongo/tech/comp/fnv/).
    package static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    /// The FNV-1a 64-bit prime.
    package static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    /// The SplitMix64 finaliser: a bijective mix whose output bits all depend on all input bits.
    @inline(__always)
    package static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Combines two hashes in order (`combine(a, b) != combine(b, a)`).
    @inline(__always)
    package static func combine(_ first: UInt64, _ second: UInt64) -> UInt64 {
        Self.mix(first &* 0x9e37_79b9_7f4a_7c15 ^ second)
    }

    /// FNV-1a over the UTF-8 bytes of `string`, finished with ``mix(_:)``.
    package static func fnv1a(_ string: String) -> UInt64 {
        var hash = Self.fnvOffset
        for byte in string.utf8 {
            hash = (hash ^ UInt64(byte)) &* Self.fnvPrime
        }
        return Self.mix(hash)
    }

    /// Lower-case hexadecimal digits of `bytes`.
    package static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var result = ""
        for byte in bytes {
            result.append(hexDigits[Int(byte >> 4)])
            result.append(hexDigits[Int(byte & 0x0f)])
        }
        return result
    }

    /// The 16 lower-case hexadecimal digits of `value`, most significant first.
    package static func hex(_ value: UInt64) -> String {
        var bytes: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
        return Self.hex(bytes)
    }

    /// Parses 16 hexadecimal digits back into the value ``hex(_:)-2m0q8`` wrote.
    package static func value(hex: String) -> UInt64? {
        guard hex.utf8.count == 16 else { return nil }
        return UInt64(hex, radix: 16)
    }
}

private let hexDigits: [Character] = Array("0123456789abcdef")
