/// Lists of known names (places, first names, surnames, nationalities) matched against token runs.
///
/// Entries are tokenised like text and stored as hashes of their lower-cased tokens, with every
/// proper prefix marked so that matching stops as soon as no entry can continue. Immutable after
/// construction and safe to share between threads.
package struct Gazetteer: Sendable {
    /// The longest entry, in tokens, that is matched.
    package static let maximumLength = 6

    /// Phrase hash to a bit set: bits 0–6 say which lists hold the phrase, bit 7 that it is a
    /// proper prefix of some entry.
    private var phrases = HashedKeyMap<UInt8>()
    /// The number of lists.
    package private(set) var listCount = 0

    package init() {}

    /// Adds one list; its index (0-based, in order of adding) names it in features.
    ///
    /// - Parameter entries: one name per element.
    package mutating func addList(_ entries: some Sequence<Substring>) {
        precondition(self.listCount < 7, "at most 7 gazetteer lists")
        let bit = UInt8(1) << UInt8(self.listCount)
        self.listCount += 1
        for entry in entries {
            let tokenized = Tokenizer.tokenize(String(entry))
            let count = tokenized.tokens.count
            guard count > 0 && count <= Self.maximumLength else { continue }
            var hash = FeatureHash.seed
            for (index, token) in tokenized.tokens.enumerated() {
                var word = FeatureHash.seed
                for c in tokenized.scalars[token.start..<token.end] { word = FeatureHash.add(word, lowercased(c)) }
                hash = FeatureHash.combine(hash, word)
                if index + 1 < count {
                    self.phrases[hash] = (self.phrases[hash] ?? 0) | 0x80
                } else {
                    self.phrases[hash] = (self.phrases[hash] ?? 0) | bit
                }
            }
        }
    }

    /// Adds one list from text with one name a line.
    package mutating func addList(lines text: String) {
        self.addList(text.split(whereSeparator: \.isNewline).lazy.filter { !$0.isEmpty })
    }

    /// The lists holding the phrase with this hash, and whether longer entries continue it.
    @inline(__always)
    package func lookUp(_ hash: UInt64) -> (lists: UInt8, continues: Bool)? {
        guard let bits = self.phrases[hash] else { return nil }
        return (bits & 0x7F, bits & 0x80 != 0)
    }
}
