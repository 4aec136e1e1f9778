import CMinHash

/// How article text is turned into hashes.
public struct FingerprintOptions: Sendable, Hashable {
    /// Shingle lengths in words (each 1–3); the shingle set is the union of all of them.
    ///
    /// Two-word shingles make unrelated texts share almost nothing; adding single words
    /// keeps texts with 10 % of their words replaced well above the threshold.
    public var shingleSizes: [Int] = [1, 2]
    /// Bytes of the MinHash signature: one 8-bit ("b-bit") minimum per hash function.
    public var signatureBytes: Int = 24
    /// Whether common function words are left out of the shingles (not of the exact hash).
    ///
    /// Shingles of function words ("of the", "in a") are shared by every text in a language and
    /// only raise the similarity of unrelated articles.
    public var ignoresStopwords: Bool = true
    /// Texts with fewer distinct shingles get no signature: too short to compare reliably.
    public var minimumShingles: Int = 12

    public init() {}
}

/// The hashes of one article text.
public struct TextFingerprint: Sendable, Hashable {
    /// A hash of the normalised word sequence (case, punctuation and spacing ignored):
    /// equal for exact duplicates.
    public var contentHash: UInt64
    /// The b-bit MinHash signature of the shingle set, empty when the text is too short.
    public var signature: [UInt8]
    /// Words in the normalised text.
    public var wordCount: Int
    /// Distinct shingles the signature was computed from (an upper estimate).
    public var shingleCount: Int
    /// Whether the text was all ASCII: its words are then the record's words (runs of
    /// letters and digits), so ``wordCount`` is the record's word count.
    public var isASCII: Bool

    /// The signature as lower-case hex (the record's `fingerprint`), `nil` without one.
    public var hex: String? { self.signature.isEmpty ? nil : StableHash.hex(self.signature) }
}

/// Computes ``TextFingerprint``s: the exact-duplicate hash and the MinHash signature.
///
/// Text is split into words (runs of letters and digits, lower-cased; every CJK ideograph
/// or kana is a word of its own), function words are dropped for the shingles, and each
/// hash function `h_j(s) = a_j·s + b_j mod 2^64` keeps its minimum over the shingle hashes
/// `s`; the low byte of each mixed minimum is the signature byte. Two signatures agree in a
/// byte with probability `J + (1 − J)/256` for Jaccard similarity `J` (Li and König, b-bit
/// minwise hashing, 2010), see ``similarity(_:_:)``. Stateless and thread-safe.
public struct TextFingerprinter: Sendable {
    /// The options the fingerprinter was created with.
    public let options: FingerprintOptions
    private let multipliers: [UInt64]
    private let addends: [UInt64]
    private let stopwords: StopwordTable

    public init(options: FingerprintOptions = FingerprintOptions()) {
        precondition(
            !options.shingleSizes.isEmpty && options.shingleSizes.allSatisfy { (1...3).contains($0) },
            "shingle sizes must be 1 to 3"
        )
        precondition(options.signatureBytes > 0, "signature needs at least one byte")
        self.options = options
        // Fixed seeds: signatures are stored in the state file and must not change between runs.
        var seed: UInt64 = 0x6e65_7773_7769_7265
        var multipliers: [UInt64] = []
        var addends: [UInt64] = []
        for _ in 0..<options.signatureBytes {
            seed = StableHash.mix(seed)
            multipliers.append(seed | 1)
            seed = StableHash.mix(seed)
            addends.append(seed)
        }
        self.multipliers = multipliers
        self.addends = addends
        self.stopwords = StopwordTable(options.ignoresStopwords ? stopwordList.map { Self.hashWord($0) } : [])
    }

    /// The fingerprint of `text`.
    public func fingerprint(_ text: String) -> TextFingerprint {
        var words: [UInt64] = []
        words.reserveCapacity(text.utf8.count / 5 + 1)
        var contentHash: UInt64 = StableHash.fnvOffset
        var wordCount = 0
        let isASCII = Self.forEachWord(in: text) { word in
            wordCount += 1
            contentHash = (contentHash ^ word) &* StableHash.fnvPrime
            if !self.stopwords.contains(word) { words.append(word) }
        }
        var shingles: [UInt64] = []
        shingles.reserveCapacity(words.count * self.options.shingleSizes.count)
        for size in self.options.shingleSizes where words.count >= size {
            switch size {
            case 1:
                shingles.append(contentsOf: words)
            case 2:
                for start in 0..<(words.count - 1) {
                    shingles.append(StableHash.combine(words[start], words[start + 1]))
                }
            default:
                for start in 0...(words.count - size) {
                    var hash = words[start]
                    for offset in 1..<size { hash = StableHash.combine(hash, words[start + offset]) }
                    shingles.append(StableHash.mix(hash ^ UInt64(size)))
                }
            }
        }
        var signature: [UInt8] = []
        if shingles.count >= self.options.minimumShingles {
            signature = self.minHash(shingles)
        }
        return TextFingerprint(
            contentHash: StableHash.mix(contentHash),
            signature: signature,
            wordCount: wordCount,
            shingleCount: shingles.count,
            isASCII: isASCII
        )
    }

    /// The estimated Jaccard similarity of the shingle sets behind two signatures (0 when
    /// either is empty or their lengths differ).
    public static func similarity(_ first: [UInt8], _ second: [UInt8]) -> Double {
        guard !first.isEmpty, first.count == second.count else { return 0 }
        let equal = first.withUnsafeBufferPointer { a in
            second.withUnsafeBufferPointer { b in Self.equalBytes(a, b) }
        }
        return Self.similarity(equalBytes: equal, of: first.count)
    }

    /// The b-bit estimate of Jaccard similarity from the count of equal signature bytes.
    @inline(__always)
    static func similarity(equalBytes: Int, of total: Int) -> Double {
        let fraction = Double(equalBytes) / Double(total)
        return max(0, (fraction - 1.0 / 256) / (1 - 1.0 / 256))
    }

    @inline(__always)
    static func equalBytes(_ first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>) -> Int {
        let count = min(first.count, second.count)
        guard count > 0, let a = first.baseAddress, let b = second.baseAddress else { return 0 }
        var equal = 0
        var index = 0
        // Eight bytes at a time: the zero bytes of a XOR b are the equal ones; the high bit of
        // each byte of `zero` is set exactly when that byte of `x` is 0 (no carry crosses bytes).
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        while index + 8 <= count {
            let x =
                UnsafeRawPointer(a + index).loadUnaligned(as: UInt64.self)
                ^ UnsafeRawPointer(b + index).loadUnaligned(as: UInt64.self)
            let zero = ~(((x & low) &+ low) | x | low)
            equal += zero.nonzeroBitCount
            index += 8
        }
        while index < count {
            if a[index] == b[index] { equal += 1 }
            index += 1
        }
        return equal
    }

    private func minHash(_ shingles: [UInt64]) -> [UInt8] {
        Self.minimums(of: shingles, multipliers: self.multipliers, addends: self.addends, vectorized: Self.hasAVX512)
            .map { UInt8(truncatingIfNeeded: StableHash.mix($0)) }
    }

    /// Whether this processor runs the AVX-512 loop of `CMinHash` (asked once).
    static let hasAVX512 = cminhash_has_avx512() != 0

    /// For each hash function `j`, the minimum of `s · multipliers[j] + addends[j]` (mod 2^64)
    /// over the shingles `s`: with AVX-512 eight functions per instruction (`vectorized`), else
    /// four at a time in scalar registers. Both give the same minimums.
    static func minimums(
        of shingles: [UInt64],
        multipliers: [UInt64],
        addends: [UInt64],
        vectorized: Bool
    ) -> [UInt64] {
        let count = multipliers.count
        var minimums = [UInt64](repeating: .max, count: count)
        minimums.withUnsafeMutableBufferPointer { minimums in
            multipliers.withUnsafeBufferPointer { multipliers in
                addends.withUnsafeBufferPointer { addends in
                    shingles.withUnsafeBufferPointer { shingles in
                        var index = 0
                        if vectorized, count >= 8, let base = shingles.baseAddress {
                            index = count / 8 * 8
                            cminhash_minimums_avx512(
                                base,
                                shingles.count,
                                multipliers.baseAddress,
                                addends.baseAddress,
                                index,
                                minimums.baseAddress
                            )
                        }
                        // Four hash functions at a time over all shingles: their minimums stay in
                        // registers, and the four chains of multiplications run side by side.
                        while index + 4 <= count {
                            let (a0, a1, a2, a3) = (
                                multipliers[index], multipliers[index + 1], multipliers[index + 2],
                                multipliers[index + 3]
                            )
                            let (b0, b1, b2, b3) = (
                                addends[index], addends[index + 1], addends[index + 2], addends[index + 3]
                            )
                            var (m0, m1, m2, m3) = (UInt64.max, UInt64.max, UInt64.max, UInt64.max)
                            for shingle in shingles {
                                m0 = min(m0, shingle &* a0 &+ b0)
                                m1 = min(m1, shingle &* a1 &+ b1)
                                m2 = min(m2, shingle &* a2 &+ b2)
                                m3 = min(m3, shingle &* a3 &+ b3)
                            }
                            (minimums[index], minimums[index + 1], minimums[index + 2], minimums[index + 3]) =
                                (m0, m1, m2, m3)
                            index += 4
                        }
                        while index < count {
                            let (multiplier, addend) = (multipliers[index], addends[index])
                            var minimum = UInt64.max
                            for shingle in shingles { minimum = min(minimum, shingle &* multiplier &+ addend) }
                            minimums[index] = minimum
                            index += 1
                        }
                    }
                }
            }
        }
        return minimums
    }

    /// The hash of one word as ``forEachWord(in:_:)`` computes it.
    static func hashWord(_ word: String) -> UInt64 {
        var result: UInt64 = 0
        Self.forEachWord(in: word) { result = $0 }
        return result
    }

    /// Calls `body` with the hash of each normalised word of `text`, in order.
    ///
    /// Reads UTF-8 bytes directly: ASCII (most news text) never leaves the fast path.
    /// - Returns: Whether the text is all ASCII (its words are then runs of ASCII letters and digits).
    @discardableResult
    static func forEachWord(in text: String, _ body: (UInt64) -> Void) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard Self.isASCII(bytes) else {
                Self.forEachWord(inUTF8: bytes, body)
                return false
            }
            Self.forEachASCIIWord(in: bytes, body)
            return true
        }
    }

    /// Whether every byte is below 0x80, eight at a time.
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// ASCII letters lower-cased, digits as they are, 0 for every other byte.
    private static let asciiWordBytes: [UInt8] = (0..<256).map { byte in
        switch byte {
        case 0x41...0x5a: UInt8(byte + 0x20)
        case 0x61...0x7a, 0x30...0x39: UInt8(byte)
        default: 0
        }
    }

    /// ``forEachWord(in:_:)`` for ASCII text, with the same hashes. The byte loop has no
    /// branch that depends on the text: a word's end stores its hash (every byte stores one;
    /// the count moves on only at an end), so word lengths cost no mispredicted branches and
    /// the words' hash chains overlap. The hashes are then mixed and handed out in order.
    static func forEachASCIIWord(in bytes: UnsafeBufferPointer<UInt8>, _ body: (UInt64) -> Void) {
        let count = bytes.count
        // At most one word per two bytes (a word and the byte that ends it), plus the last.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count / 2 + 2) { ends in
            var words = 0
            Self.asciiWordBytes.withUnsafeBufferPointer { table in
                var hash = StableHash.fnvOffset
                var inWord = 0
                for byte in bytes {
                    let value = table[Int(byte)]
                    let isWord = value != 0 ? 1 : 0
                    ends[words] = hash
                    words += inWord & (isWord ^ 1)
                    hash = value != 0 ? (hash ^ UInt64(value)) &* StableHash.fnvPrime : StableHash.fnvOffset
                    inWord = isWord
                }
                ends[words] = hash
                words += inWord
            }
            for index in 0..<words { body(StableHash.mix(ends[index])) }
        }
    }

    /// ``forEachWord(in:_:)`` for any UTF-8.
    static func forEachWord(inUTF8 bytes: UnsafeBufferPointer<UInt8>, _ body: (UInt64) -> Void) {
        var hash = StableHash.fnvOffset
        var inWord = false
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                index += 1
                var value = UInt32(byte)
                switch byte {
                case 0x41...0x5a: value += 0x20
                case 0x61...0x7a, 0x30...0x39: break
                default:
                    if inWord { body(StableHash.mix(hash)) }
                    hash = StableHash.fnvOffset
                    inWord = false
                    continue
                }
                hash = (hash ^ UInt64(value)) &* StableHash.fnvPrime
                inWord = true
                continue
            }
            // Decode one multi-byte scalar (the String is valid UTF-8).
            var value: UInt32
            var length: Int
            if byte >= 0xf0 {
                (value, length) = (UInt32(byte & 0x07), 4)
            } else if byte >= 0xe0 {
                (value, length) = (UInt32(byte & 0x0f), 3)
            } else {
                (value, length) = (UInt32(byte & 0x1f), 2)
            }
            for offset in 1..<length where index + offset < count {
                value = value << 6 | UInt32(bytes[index + offset] & 0x3f)
            }
            index += length
            let kind = classify(value)
            switch kind {
            case .ignored:
                continue
            case .separator, .ideograph:
                if inWord { body(StableHash.mix(hash)) }
                hash = StableHash.fnvOffset
                inWord = false
                if kind == .ideograph { body(StableHash.mix((hash ^ UInt64(value)) &* StableHash.fnvPrime)) }
            case .letter:
                if let scalar = Unicode.Scalar(value), scalar.properties.changesWhenLowercased {
                    for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                        hash = (hash ^ UInt64(lower.value)) &* StableHash.fnvPrime
                    }
                } else {
                    hash = (hash ^ UInt64(value)) &* StableHash.fnvPrime
                }
                inWord = true
            }
        }
        if inWord { body(StableHash.mix(hash)) }
    }
}

/// How the tokenizer treats a non-ASCII scalar.
private enum ScalarKind {
    /// Part of a word.
    case letter
    /// A word of its own (CJK ideographs and kana: those scripts do not separate words).
    case ideograph
    /// Ends a word.
    case separator
    /// Skipped: combining marks ("café" decomposed or not hashes the same), the typographic
    /// apostrophe and the soft hyphen.
    case ignored
}

private func classify(_ value: UInt32) -> ScalarKind {
    if isIdeographOrKana(value) { return .ideograph }
    if value == 0x2019 || value == 0xad { return .ignored }
    guard let scalar = Unicode.Scalar(value) else { return .separator }
    let properties = scalar.properties
    if properties.generalCategory == .nonspacingMark { return .ignored }
    if properties.isAlphabetic || properties.numericType != nil { return .letter }
    return .separator
}

/// A fixed set of word hashes with open addressing: cheaper than `Set` (no per-lookup SipHash).
private struct StopwordTable: Sendable {
    private let slots: [UInt64]
    private let mask: Int

    init(_ hashes: [UInt64]) {
        var capacity = 16
        while capacity < hashes.count * 4 { capacity *= 2 }
        var slots = [UInt64](repeating: 0, count: capacity)
        for hash in Set(hashes) where hash != 0 {
            var slot = Int(truncatingIfNeeded: hash) & (capacity - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            slots[slot] = hash
        }
        self.slots = slots
        self.mask = capacity - 1
    }

    @inline(__always)
    func contains(_ hash: UInt64) -> Bool {
        self.slots.withUnsafeBufferPointer { slots in
            var slot = Int(truncatingIfNeeded: hash) & self.mask
            while true {
                let value = slots[slot]
                if value == hash { return true }
                if value == 0 { return false }
                slot = (slot + 1) & self.mask
            }
        }
    }
}

@inline(__always)
private func isIdeographOrKana(_ value: UInt32) -> Bool {
    (0x3040...0x30ff).contains(value) || (0x3400...0x4dbf).contains(value) || (0x4e00...0x9fff).contains(value)
        || (0xf900...0xfaff).contains(value) || (0x20000...0x2fa1f).contains(value)
}

/// Frequent function words of English and the main western European languages. They carry
/// no topic, so leaving them out of shingles keeps unrelated articles' similarity near 0.
private let stopwordList: [String] = [
    // English
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "before", "but",
    "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "his", "how",
    "i", "if", "in", "into", "is", "it", "its", "more", "most", "no", "not", "of", "on", "one", "or", "other",
    "our", "out", "over", "said", "says", "she", "so", "some", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "to", "up", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "will", "with", "would", "you", "s", "t",
    // German
    "der", "die", "das", "und", "den", "dem", "des", "ein", "eine", "einen", "ist", "nicht", "mit", "von",
    "zu", "auf", "im", "sich", "auch", "es", "sie", "er", "wie", "bei", "nach", "für", "aus", "am", "wird",
    // French
    "le", "la", "les", "un", "une", "et", "du", "de", "en", "est", "que", "qui", "dans", "pour", "pas", "sur",
    "au", "aux", "par", "il", "elle", "ce", "son", "sa", "ses", "d", "l",
    // Spanish, Italian, Portuguese, Dutch
    "el", "los", "las", "y", "que", "por", "con", "para", "una", "del", "al", "se", "lo", "su", "il", "di",
    "che", "e", "per", "non", "gli", "da", "o", "os", "as", "em", "um", "uma", "het", "een", "van", "en",
    "op", "te", "dat", "voor", "met", "zijn",
]
