/// How article text is turned into hashes.
public struct FingerprintOptions: Sendable, Hashable {
    /// Words per shingle (1–3). Two-word shingles keep 5–10 % rewrites above a Jaccard
    /// similarity of 0.6 while unrelated texts share almost none.
    public var shingleSize: Int = 2
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
    public let options: FingerprintOptions
    private let multipliers: [UInt64]
    private let addends: [UInt64]
    private let stopwords: Set<UInt64>

    public init(options: FingerprintOptions = FingerprintOptions()) {
        precondition((1...3).contains(options.shingleSize), "shingle size must be 1 to 3")
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
        self.stopwords = options.ignoresStopwords ? Set(stopwordList.map { Self.hashWord($0) }) : []
    }

    /// The fingerprint of `text`.
    public func fingerprint(_ text: String) -> TextFingerprint {
        var words: [UInt64] = []
        words.reserveCapacity(text.utf8.count / 5)
        Self.forEachWord(in: text) { words.append($0) }
        var contentHash: UInt64 = StableHash.fnvOffset
        for word in words { contentHash = StableHash.combine(contentHash, word) }
        let content = self.stopwords.isEmpty ? words : words.filter { !self.stopwords.contains($0) }
        var shingles: [UInt64] = []
        let size = self.options.shingleSize
        if content.count >= size {
            shingles.reserveCapacity(content.count - size + 1)
            for start in 0...(content.count - size) {
                var hash = content[start]
                for offset in 1..<size { hash = StableHash.combine(hash, content[start + offset]) }
                shingles.append(hash)
            }
        }
        var signature: [UInt8] = []
        if shingles.count >= self.options.minimumShingles {
            signature = self.minHash(shingles)
        }
        return TextFingerprint(
            contentHash: contentHash,
            signature: signature,
            wordCount: words.count,
            shingleCount: shingles.count
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
        var equal = 0
        for index in 0..<min(first.count, second.count) where first[index] == second[index] { equal += 1 }
        return equal
    }

    private func minHash(_ shingles: [UInt64]) -> [UInt8] {
        let count = self.options.signatureBytes
        var minimums = [UInt64](repeating: .max, count: count)
        minimums.withUnsafeMutableBufferPointer { minimums in
            self.multipliers.withUnsafeBufferPointer { multipliers in
                self.addends.withUnsafeBufferPointer { addends in
                    for shingle in shingles {
                        for index in 0..<count {
                            let value = shingle &* multipliers[index] &+ addends[index]
                            if value < minimums[index] { minimums[index] = value }
                        }
                    }
                }
            }
        }
        return minimums.map { UInt8(truncatingIfNeeded: StableHash.mix($0)) }
    }

    /// The hash of one word as ``forEachWord(in:_:)`` computes it.
    static func hashWord(_ word: String) -> UInt64 {
        var result: UInt64 = 0
        Self.forEachWord(in: word) { result = $0 }
        return result
    }

    /// Calls `body` with the hash of each normalised word of `text`, in order.
    static func forEachWord(in text: String, _ body: (UInt64) -> Void) {
        var hash = StableHash.fnvOffset
        var inWord = false
        @inline(__always) func add(_ value: UInt32) {
            hash = (hash ^ UInt64(value)) &* StableHash.fnvPrime
            inWord = true
        }
        @inline(__always) func finish() {
            if inWord { body(StableHash.mix(hash)) }
            hash = StableHash.fnvOffset
            inWord = false
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                switch value {
                case 0x61...0x7a, 0x30...0x39: add(value)
                case 0x41...0x5a: add(value + 0x20)
                default: finish()
                }
                continue
            }
            if isIdeographOrKana(value) {
                finish()
                add(value)
                finish()
                continue
            }
            let properties = scalar.properties
            if properties.generalCategory == .nonspacingMark {
                continue  // combining accents: "café" decomposed or not hashes the same
            }
            if properties.isAlphabetic || properties.numericType != nil {
                if properties.changesWhenLowercased {
                    for lower in properties.lowercaseMapping.unicodeScalars { add(lower.value) }
                } else {
                    add(value)
                }
            } else if value == 0x2019 || value == 0xad {
                continue  // typographic apostrophe and soft hyphen do not split a word
            } else {
                finish()
            }
        }
        finish()
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
