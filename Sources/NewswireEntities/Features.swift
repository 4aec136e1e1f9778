/// Per-token flags used as features (bit positions in ``DocumentFeatures/flags``).
package enum TokenFlag {
    package static let initialCapital: UInt32 = 1 << 0
    package static let allCapitals: UInt32 = 1 << 1
    package static let hasDigit: UInt32 = 1 << 2
    package static let allDigits: UInt32 = 1 << 3
    package static let hasHyphen: UInt32 = 1 << 4
    package static let hasPeriod: UInt32 = 1 << 5
    package static let noAlphanumeric: UInt32 = 1 << 6
    package static let innerCapital: UInt32 = 1 << 7
    package static let hasApostrophe: UInt32 = 1 << 8
    package static let singleLetter: UInt32 = 1 << 9
    /// The first word of its sentence (after opening punctuation).
    package static let sentenceInitial: UInt32 = 1 << 10
    /// In an all-capitals or title-case line (a headline or dateline).
    package static let headline: UInt32 = 1 << 11
    /// The same word appears in lower case elsewhere in the document.
    package static let lowerElsewhere: UInt32 = 1 << 12
    /// The same word appears capitalised, not sentence-initially, elsewhere in the document.
    package static let capitalizedElsewhere: UInt32 = 1 << 13
    /// The previous word is a title or honorific ("Mr.", "President", "Sen."): evidence for a
    /// following person.
    package static let afterTitle: UInt32 = 1 << 14
}

/// Lower-case hashes of titles and honorifics that come before people's names.
private let titleHashes: Set<UInt64> = Set(
    [
        "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "prof", "prof.", "professor", "sir", "dame",
        "president", "gov", "gov.", "governor", "sen", "sen.", "senator", "rep", "rep.", "congressman",
        "congresswoman", "minister", "chancellor", "premier", "judge", "justice", "mayor", "secretary", "chairman",
        "chairwoman", "ceo", "coach", "captain", "capt.", "gen.", "general", "col.", "lt.", "sgt.", "cmdr.",
        "pope", "king", "queen", "prince", "princess", "rev.", "reverend", "rabbi", "imam", "sheikh", "ayatollah",
        "spokesman", "spokeswoman", "spokesperson", "candidate", "actor", "actress", "singer", "striker",
        "midfielder", "defender", "goalkeeper", "quarterback", "pitcher", "economist", "analyst", "officer",
        "lawmaker", "leader", "founder", "director", "manager", "author", "columnist", "correspondent",
    ].map { FeatureHash.hash($0) }
)

/// Everything the tagger computes once per document before tagging its sentences.
///
/// Arrays are indexed by token; prefixes and suffixes hold four hashes per token (lengths 1–4).
package struct DocumentFeatures: Sendable {
    package var exact: [UInt64] = []
    package var lower: [UInt64] = []
    package var shape: [UInt64] = []
    package var shortShape: [UInt64] = []
    package var prefixes: [UInt64] = []
    package var suffixes: [UInt64] = []
    package var flags: [UInt32] = []
    package var length: [Int] = []
    /// Gazetteer matches: bit `4 * list + position` with position 0 B, 1 I, 2 L, 3 U.
    package var gazetteer: [UInt32] = []
    /// Packed word clusters (``WordClusters``), 0 for unknown words.
    package var clusters: [UInt32] = []
    /// The head noun describing each token's name ("village" for "Aisby is a village"), or -1.
    package var descriptors: [Int32] = []
}

/// The classes a document's earlier predictions give a word: index 0 is O, 1–4 the types.
package struct DocumentHistory: Sendable {
    private var counts: [UInt64: SIMD8<Int32>] = [:]
    /// Names of several words tagged earlier: phrase hash to `type + 1`, with bit 7 set on
    /// proper prefixes of such names.
    private var phrases: [UInt64: UInt8] = [:]

    package init() {}

    /// The type of an earlier name of several words with this phrase hash (or -1), and whether
    /// a longer one continues it.
    @inline(__always)
    package func phrase(_ hash: UInt64) -> (type: Int, continues: Bool)? {
        guard let bits = self.phrases[hash] else { return nil }
        return (Int(bits & 0x7F) - 1, bits & 0x80 != 0)
    }

    /// The most frequent earlier class of the word with lower-case hash `lower`, or -1.
    @inline(__always)
    package func dominantClass(of lower: UInt64) -> Int {
        guard let counts = self.counts[lower] else { return -1 }
        var best = -1
        var bestCount: Int32 = 0
        for index in 0..<5 where counts[index] > bestCount {
            best = index
            bestCount = counts[index]
        }
        return best
    }

    /// Records the tags predicted for one sentence.
    package mutating func record(
        sentence: Range<Int>,
        tags: [Int],
        features: DocumentFeatures
    ) {
        for (offset, index) in sentence.enumerated() {
            let type = TagSet.type(of: tags[offset])
            guard type >= 0 || features.flags[index] & TokenFlag.initialCapital != 0 else { continue }
            guard features.flags[index] & TokenFlag.noAlphanumeric == 0 else { continue }
            self.counts[features.lower[index], default: .zero][type + 1] += 1
        }
        var start = -1
        for (offset, tag) in tags.enumerated() {
            let position = TagSet.position(of: tag)
            if position == TagSet.begin { start = offset }
            guard position == TagSet.last, start >= 0, offset - start < Gazetteer.maximumLength else { continue }
            var hash = FeatureHash.seed
            for inner in start...offset {
                hash = FeatureHash.combine(hash, features.lower[sentence.lowerBound + inner])
                if inner < offset {
                    self.phrases[hash, default: 0] |= 0x80
                } else {
                    self.phrases[hash] = (self.phrases[hash] ?? 0) & 0x80 | UInt8(TagSet.type(of: tag) + 1)
                }
            }
            start = -1
        }
    }
}

/// Turns tokenised text into hashed feature buckets, the same way for training and tagging.
///
/// Immutable; safe to share between threads.
package struct FeatureExtractor: Sendable {
    /// Feature buckets are the top `bucketBits` bits of a feature's hash.
    package var bucketBits: Int
    package var gazetteer: Gazetteer
    package var clusters: WordClusters

    package init(bucketBits: Int, gazetteer: Gazetteer, clusters: WordClusters = WordClusters()) {
        self.bucketBits = bucketBits
        self.gazetteer = gazetteer
        self.clusters = clusters
    }

    /// Computes the per-token and document-level features of a whole document.
    package func analyze(_ text: TokenizedText) -> DocumentFeatures {
        let count = text.tokens.count
        var features = DocumentFeatures()
        features.exact = Array(repeating: 0, count: count)
        features.lower = Array(repeating: 0, count: count)
        features.shape = Array(repeating: 0, count: count)
        features.shortShape = Array(repeating: 0, count: count)
        features.prefixes = Array(repeating: 0, count: 4 * count)
        features.suffixes = Array(repeating: 0, count: 4 * count)
        features.flags = Array(repeating: 0, count: count)
        features.length = Array(repeating: 0, count: count)
        features.gazetteer = Array(repeating: 0, count: count)
        features.clusters = Array(repeating: 0, count: count)
        let scalars = text.scalars

        for sentence in text.sentences {
            let headline = isHeadline(text, sentence)
            var initialPending = true
            for index in sentence {
                let token = text.tokens[index]
                var exact = FeatureHash.seed
                var cased = FeatureHash.seed
                var lower = FeatureHash.seed
                var shape = FeatureHash.seed
                var shortShape = FeatureHash.seed
                var lastClass: UInt32 = 0
                var letters = 0
                var uppers = 0
                var digits = 0
                var alnum = 0
                var flags: UInt32 = 0
                var position = 0
                for offset in token.start..<token.end {
                    let raw = scalars[offset]
                    let low = lowercased(raw)
                    let c = headline ? low : raw
                    exact = FeatureHash.add(exact, c)
                    cased = FeatureHash.add(cased, raw)
                    lower = FeatureHash.add(lower, low)
                    if position < 4 { features.prefixes[4 * index + position] = exact }
                    let shapeClass: UInt32
                    if isDigit(raw) {
                        digits += 1
                        alnum += 1
                        shapeClass = 0x64
                    } else if isLetter(raw) {
                        letters += 1
                        alnum += 1
                        if isUpper(c) {
                            uppers += 1
                            if position > 0 { flags |= TokenFlag.innerCapital }
                            shapeClass = 0x58
                        } else {
                            shapeClass = 0x78
                        }
                    } else {
                        if raw == 0x2D { flags |= TokenFlag.hasHyphen }
                        if raw == 0x2E { flags |= TokenFlag.hasPeriod }
                        if raw == 0x27 || raw == 0x2019 { flags |= TokenFlag.hasApostrophe }
                        shapeClass = raw
                    }
                    if position < 12 { shape = FeatureHash.add(shape, shapeClass) }
                    if shapeClass != lastClass { shortShape = FeatureHash.add(shortShape, shapeClass) }
                    lastClass = shapeClass
                    position += 1
                }
                var suffix = FeatureHash.seed
                var offset = token.end - 1
                var length = 0
                while offset >= token.start && length < 4 {
                    suffix = FeatureHash.add(suffix, headline ? lowercased(scalars[offset]) : scalars[offset])
                    features.suffixes[4 * index + length] = suffix
                    length += 1
                    offset -= 1
                }
                if letters > 0 && isUpper(headline ? lowercased(scalars[token.start]) : scalars[token.start]) {
                    flags |= TokenFlag.initialCapital
                }
                if letters > 0 && uppers == letters { flags |= TokenFlag.allCapitals }
                if digits > 0 { flags |= TokenFlag.hasDigit }
                if digits > 0 && digits == position { flags |= TokenFlag.allDigits }
                if alnum == 0 { flags |= TokenFlag.noAlphanumeric }
                if letters == 1 && position == 1 { flags |= TokenFlag.singleLetter }
                if initialPending && alnum > 0 {
                    flags |= TokenFlag.sentenceInitial
                    initialPending = false
                }
                if headline { flags |= TokenFlag.headline }
                features.exact[index] = exact
                features.lower[index] = lower
                features.shape[index] = shape
                features.shortShape[index] = shortShape
                features.flags[index] = flags
                features.length[index] = position
                if !self.clusters.isEmpty {
                    features.clusters[index] = self.clusters.clusters(exact: cased, lower: lower, headline: headline)
                }
            }
        }

        // A title or honorific before a capitalised word.
        for sentence in text.sentences where sentence.count > 1 {
            for index in (sentence.lowerBound + 1)..<sentence.upperBound
            where titleHashes.contains(features.lower[index - 1]) {
                features.flags[index] |= TokenFlag.afterTitle
            }
        }

        // Document-level evidence about each word's case.
        var seenLower = Set<UInt64>()
        var seenCapitalizedMidSentence = Set<UInt64>()
        for index in 0..<count {
            let flags = features.flags[index]
            guard flags & (TokenFlag.noAlphanumeric | TokenFlag.headline) == 0 else { continue }
            if flags & TokenFlag.initialCapital == 0 {
                seenLower.insert(features.lower[index])
            } else if flags & TokenFlag.sentenceInitial == 0 {
                seenCapitalizedMidSentence.insert(features.lower[index])
            }
        }
        for index in 0..<count {
            let lower = features.lower[index]
            let flags = features.flags[index]
            if flags & TokenFlag.initialCapital != 0 && seenLower.contains(lower) {
                features.flags[index] |= TokenFlag.lowerElsewhere
            }
            if flags & TokenFlag.sentenceInitial != 0 && seenCapitalizedMidSentence.contains(lower) {
                features.flags[index] |= TokenFlag.capitalizedElsewhere
            }
        }

        // Gazetteer matches inside each sentence.
        if self.gazetteer.listCount > 0 {
            for sentence in text.sentences {
                for start in sentence where features.flags[start] & TokenFlag.noAlphanumeric == 0 {
                    var hash = FeatureHash.seed
                    var end = start
                    while end < sentence.upperBound && end - start < Gazetteer.maximumLength {
                        hash = FeatureHash.combine(hash, features.lower[end])
                        end += 1
                        guard let match = self.gazetteer.lookUp(hash) else { break }
                        var lists = match.lists
                        while lists != 0 {
                            let list = UInt32(lists.trailingZeroBitCount)
                            lists &= lists - 1
                            if end - start == 1 {
                                features.gazetteer[start] |= 1 << (4 * list + 3)
                            } else {
                                features.gazetteer[start] |= 1 << (4 * list)
                                for inner in (start + 1)..<(end - 1) {
                                    features.gazetteer[inner] |= 1 << (4 * list + 1)
                                }
                                features.gazetteer[end - 1] |= 1 << (4 * list + 2)
                            }
                        }
                        if !match.continues { break }
                    }
                }
            }
        }
        features.descriptors = self.descriptors(text, features)
        return features
    }

    /// Appends the feature buckets of each token of `sentence` to `buckets`, and the end offset
    /// of each token's features to `ends`.
    package func sentenceFeatures(
        _ features: DocumentFeatures,
        sentence: Range<Int>,
        history: DocumentHistory,
        buckets: inout [UInt32],
        ends: inout [Int]
    ) {
        let shift = UInt64(64 - self.bucketBits)
        let lower = sentence.lowerBound
        let upper = sentence.upperBound
        let boundary: UInt64 = 0x5EED
        // Earlier names of several words found again in this sentence: `type << 2 | position`
        // plus one, per token.
        var repeated = [UInt8](repeating: 0, count: sentence.count)
        for first in sentence where features.flags[first] & TokenFlag.noAlphanumeric == 0 {
            var hash = FeatureHash.seed
            var end = first
            while end < upper && end - first < Gazetteer.maximumLength {
                hash = FeatureHash.combine(hash, features.lower[end])
                end += 1
                guard let match = history.phrase(hash) else { break }
                if match.type >= 0 {
                    let type = UInt8(match.type) << 2
                    repeated[first - lower] = type | 1
                    for inner in (first + 1)..<end { repeated[inner - lower] = type | 2 }
                    repeated[end - 1 - lower] = type | 3
                }
                if !match.continues { break }
            }
        }
        for index in sentence {
            let flags = features.flags[index]
            // Case-sensitive templates get their own space in headlines, where case says little.
            let cased: UInt64 = flags & TokenFlag.headline != 0 ? 0x100 : 0
            let capital: UInt64 = flags & TokenFlag.initialCapital != 0 ? 1 : 0

            @inline(__always) func add(_ template: UInt64, _ value: UInt64) {
                buckets.append(
                    UInt32(truncatingIfNeeded: FeatureHash.finalize(FeatureHash.combine(template, value)) >> shift)
                )
            }
            @inline(__always) func at(_ array: [UInt64], _ position: Int) -> UInt64 {
                position >= lower && position < upper ? array[position] : boundary &+ UInt64(position - index + 8)
            }

            let word = features.lower[index]
            let short = features.shortShape[index]
            add(1, 0)
            add(2 + cased, features.exact[index])
            add(3, word)
            add(4 + cased, features.shape[index])
            add(5 + cased, short)
            for k in 0..<min(4, features.length[index]) {
                add(6 + UInt64(k) + cased, features.prefixes[4 * index + k])
                add(10 + UInt64(k) + cased, features.suffixes[4 * index + k])
            }
            let previousWord = at(features.lower, index - 1)
            let nextWord = at(features.lower, index + 1)
            let previousShape = at(features.shortShape, index - 1)
            let nextShape = at(features.shortShape, index + 1)
            add(14, at(features.lower, index - 2))
            add(15, previousWord)
            add(16, nextWord)
            add(17, at(features.lower, index + 2))
            add(18 + cased, at(features.shortShape, index - 2))
            add(19 + cased, previousShape)
            add(20 + cased, nextShape)
            add(21 + cased, at(features.shortShape, index + 2))
            add(22, FeatureHash.combine(previousWord, word))
            add(23, FeatureHash.combine(word, nextWord))
            add(24 + cased, FeatureHash.combine(FeatureHash.combine(previousShape, short), nextShape))
            add(25 + cased, FeatureHash.combine(previousWord, short))
            add(26 + cased, FeatureHash.combine(short, nextWord))
            add(27 + cased, at(features.exact, index - 1))
            add(28 + cased, at(features.exact, index + 1))
            add(29 + cased, UInt64(flags & 0x3FF))
            add(30 + cased, UInt64(flags & 0x3FFF))
            if flags & TokenFlag.sentenceInitial != 0 { add(31 + cased, word) }
            add(32 + cased, UInt64(min(features.length[index], 12)) << 1 | capital)
            var gazetteer = features.gazetteer[index]
            while gazetteer != 0 {
                let bit = UInt64(gazetteer.trailingZeroBitCount)
                gazetteer &= gazetteer - 1
                add(33 + cased, bit << 1 | capital)
                add(34, FeatureHash.combine(bit, short))
            }
            if repeated[index - lower] != 0 {
                add(43, UInt64(repeated[index - lower]))
                add(44, UInt64(repeated[index - lower]) << 8 | UInt64(flags & 0x3))
            }
            if flags & TokenFlag.afterTitle != 0 { add(49, capital) }
            if features.clusters[index] != 0 {
                let packed = features.clusters[index]
                add(45, WordClusters.level(packed, 0))
                add(46, WordClusters.level(packed, 1))
                add(47 + cased, WordClusters.level(packed, 2) << 1 | capital)
                add(48, WordClusters.level(packed, 2))
            }
            let past = history.dominantClass(of: word)
            if past >= 0 {
                add(35, UInt64(past))
                add(36 + cased, UInt64(past) << 4 | UInt64(flags & 0x3))
            }
            ends.append(buckets.count)
        }
    }
}

/// Whether a sentence is a headline or dateline: all capitals, or title case.
private func isHeadline(_ text: TokenizedText, _ sentence: Range<Int>) -> Bool {
    var wordsWithLetters = 0
    var allCapitalWords = 0
    var longWords = 0
    var capitalizedLongWords = 0
    for index in sentence {
        let token = text.tokens[index]
        var letters = 0
        var uppers = 0
        for offset in token.start..<token.end {
            let c = text.scalars[offset]
            if isLetter(c) {
                letters += 1
                if isUpper(c) { uppers += 1 }
            }
        }
        guard letters > 0 else { continue }
        if letters >= 2 {
            wordsWithLetters += 1
            if uppers == letters { allCapitalWords += 1 }
        }
        if letters >= 4 && index != sentence.lowerBound {
            longWords += 1
            if isUpper(text.scalars[token.start]) { capitalizedLongWords += 1 }
        }
    }
    if wordsWithLetters >= 1 && allCapitalWords == wordsWithLetters { return true }
    return longWords >= 3 && capitalizedLongWords * 10 >= longWords * 9
}
