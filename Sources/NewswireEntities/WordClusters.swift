/// Word classes learnt from unlabelled text: each known word's cluster at three granularities.
///
/// A word the labelled training data never saw still gets features from the words it was
/// clustered with (Ratinov and Roth 2009 use Brown clusters the same way). The file has one
/// word a line, tab-separated from its cluster numbers (coarse, medium and fine, each below
/// 1024), most frequent words first. Immutable after loading; safe to share between threads.
package struct WordClusters: Sendable {
    /// The file name among the model's resources.
    package static let fileName = "word-clusters.txt"

    /// Exact-case word hash to packed clusters (10 bits each, plus one so that 0 means none).
    private var exact = HashedKeyMap<UInt32>()
    /// Lower-case word hash to the packed clusters of its most frequent spelling.
    private var lower = HashedKeyMap<UInt32>()

    package init() {}

    /// Reads clusters from the file's text; malformed lines are skipped.
    package init(lines text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            let columns = line.split(separator: "\t")
            guard columns.count == 4 else { continue }
            var packed: UInt32 = 0
            var valid = true
            for column in columns[1...] {
                guard let value = UInt32(column), value < 1023 else {
                    valid = false
                    break
                }
                packed = packed << 10 | (value + 1)
            }
            guard valid else { continue }
            let word = columns[0]
            self.exact[FeatureHash.hash(word)] = packed
            let lowerHash = FeatureHash.hash(word, lowercase: true)
            if self.lower[lowerHash] == nil { self.lower[lowerHash] = packed }
        }
    }

    /// Whether any clusters are loaded.
    package var isEmpty: Bool { self.exact.isEmpty }

    /// The packed clusters of a word by its exact-case and lower-case hashes (0 when unknown).
    ///
    /// In headlines, where case says little, the lower-case form is looked up first.
    @inline(__always)
    package func clusters(exact: UInt64, lower: UInt64, headline: Bool) -> UInt32 {
        if headline { return self.lower[lower] ?? self.exact[exact] ?? 0 }
        return self.exact[exact] ?? self.lower[lower] ?? 0
    }

    /// One granularity of packed clusters: 0 coarse, 1 medium, 2 fine; 0 means unknown.
    @inline(__always)
    package static func level(_ packed: UInt32, _ level: Int) -> UInt64 {
        UInt64(packed >> (10 * (2 - UInt32(level))) & 0x3FF)
    }
}
