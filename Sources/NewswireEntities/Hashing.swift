/// 64-bit hashing of scalars and feature templates (FNV-1a plus a murmur-style finaliser).
///
/// Stable across runs and platforms (unlike `Hasher`), because the model file stores weights
/// by hashed feature.
package enum FeatureHash {
    /// The FNV-1a offset basis.
    package static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    /// Folds one scalar into an FNV-1a hash.
    @inline(__always)
    package static func add(_ hash: UInt64, _ value: UInt32) -> UInt64 {
        (hash ^ UInt64(value)) &* 0x0000_0100_0000_01B3
    }

    /// Combines two hashes (order matters).
    @inline(__always)
    package static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var x = a &* 0x9E37_79B9_7F4A_7C15 ^ b
        x ^= x >> 31
        x &*= 0xBF58_476D_1CE4_E5B9
        x ^= x >> 29
        return x
    }

    /// The final mix before taking the top bits as a bucket.
    @inline(__always)
    package static func finalize(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }

    /// Hashes a string's scalars, lower-cased when `lowercase`.
    package static func hash(_ string: some StringProtocol, lowercase: Bool = false) -> UInt64 {
        var hash = self.seed
        for scalar in string.unicodeScalars {
            hash = self.add(hash, lowercase ? lowercased(scalar.value) : scalar.value)
        }
        return hash
    }

    /// The hashes of the words of a list written as text, separated by spaces or line breaks.
    package static func hashes(ofWords words: String) -> [UInt64] {
        words.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { self.hash($0) }
    }
}

/// The lower-case form of one scalar (the first scalar of its lower-case mapping).
@inline(__always)
package func lowercased(_ c: UInt32) -> UInt32 {
    if c < 0x80 { return (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }
    guard let scalar = Unicode.Scalar(c), scalar.properties.changesWhenLowercased else { return c }
    return scalar.properties.lowercaseMapping.unicodeScalars.first?.value ?? c
}
