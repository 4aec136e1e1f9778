public import struct Foundation.Date

/// A named entity found in an article (DESIGN.md, `entities`).
public struct Entity: Sendable, Hashable {
    /// `PER`, `ORG`, `LOC` or `MISC`.
    public var type: String
    /// The canonical (longest) form.
    public var text: String
    /// Mentions in `text` and `title` together.
    public var count: Int
    /// Other forms that refer to the same entity.
    public var aliases: [String]
    /// Half-open `[start, end)` offsets in Unicode scalars into the article text.
    public var spans: [[Int]]
    /// Half-open offsets into the title.
    public var titleSpans: [[Int]]

    public init(
        type: String,
        text: String,
        count: Int,
        aliases: [String] = [],
        spans: [[Int]] = [],
        titleSpans: [[Int]] = []
    ) {
        self.type = type
        self.text = text
        self.count = count
        self.aliases = aliases
        self.spans = spans
        self.titleSpans = titleSpans
    }
}

/// One article of the output stream: an extracted page with its feed context.
///
/// The fields are those of DESIGN.md's article record; enrichment stages fill
/// `entities`, `id`, `fingerprint`, `duplicateOf` and `revision`.
public struct Article: Sendable, Hashable {
    public var sequence: SequenceNumber
    public var id: String?
    /// The canonical URL.
    public var url: String
    public var fetchedURL: String?
    public var feed: String?
    public var feedTitle: String?
    /// The labels the pipeline gave the feed (`feed_tags`).
    public var feedTags: [String] = []
    public var title: String?
    public var authors: [String] = []
    public var published: Date?
    public var updated: Date?
    public var language: String?
    public var siteName: String?
    public var description: String?
    public var image: String?
    public var categories: [String] = []
    public var summary: String?
    public var text: String = ""
    public var pageStatus: PageStatus = .article
    public var entities: [Entity]?
    public var fingerprint: String?
    public var duplicateOf: String?
    public var revision: Int?
    public var fetchedAt: Date?

    public init(sequence: SequenceNumber, url: String) {
        self.sequence = sequence
        self.url = url
    }

    /// ``wordCount`` taken where the text was made (on a concurrent queue), if it was.
    public var countedWords: Int?

    /// Words in `text`: runs of letters or digits.
    public var wordCount: Int {
        if let counted = self.countedWords { return counted }
        return self.countWords()
    }

    /// Counts the words of `text` now.
    public func countWords() -> Int {
        var count = 0
        var inWord = false
        var text = self.text
        // ASCII bytes are read as bytes, without the Unicode property tables: most text is
        // mostly ASCII. Other scalars are decoded (a String's bytes are valid UTF-8) and looked up.
        text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                let isWordCharacter: Bool
                if byte < 0x80 {
                    // Letters and digits: bit 5 cleared folds a–z onto A–Z.
                    let upper = byte & 0xDF
                    isWordCharacter = (upper >= 0x41 && upper <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                    index += 1
                } else {
                    let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                    var value = UInt32(byte) & (0x7F >> length)
                    for next in (index + 1)..<min(index + length, bytes.count) {
                        value = value << 6 | UInt32(bytes[next] & 0x3F)
                    }
                    index += length
                    let scalar = Unicode.Scalar(value)
                    isWordCharacter =
                        scalar.map { $0.properties.isAlphabetic || $0.properties.numericType != nil } ?? false
                }
                if isWordCharacter && !inWord { count += 1 }
                inWord = isWordCharacter
            }
        }
        return count
    }
}
