internal import CPrefetch

/// How the near-duplicate index splits signatures into LSH bands.
public struct LSHOptions: Sendable, Hashable {
    /// Bands; each is a separate hash table.
    public var bands: Int = 8
    /// Signature bytes per band (1–4); two articles become candidates when all bytes of one
    /// band agree, which for Jaccard similarity `J` happens with probability
    /// `1 − (1 − J^rows)^bands`.
    public var rowsPerBand: Int = 3

    public init() {}

    public init(bands: Int, rowsPerBand: Int) {
        self.bands = bands
        self.rowsPerBand = rowsPerBand
    }
}

/// The in-memory index of seen articles: canonical URL ids, content hashes and MinHash
/// signatures in flat arrays, found through ``OpenAddressingTable``s.
///
/// Every seen article has a position (in the order first seen): its id (8 bytes), the low 32
/// bits of its content hash, its signature and a flag byte, in flat arrays grown by 25 %.
/// The LSH band tables hold only originals (articles that are not duplicates), so a
/// duplicate always points to the first article of its story; an exact copy is found through
/// them too (all bands agree), so the content-hash table holds only texts too short for a
/// signature. A table entry costs 4 bytes at a load of 0.68–0.85 (the tables grow with the
/// arrays): 80 to 99 bytes per article in all; see ``memoryBytes``.
/// Not thread-safe: owned by a ``Deduplicator``.
package struct DedupIndex {
    package let signatureBytes: Int
    package let lsh: LSHOptions
    private(set) var ids: [UInt64] = []
    private(set) var contentHashes: [UInt32] = []
    private(set) var signatures: [UInt8] = []
    /// Bit 0: has a signature; bit 1: original (not a duplicate); bit 2: has text.
    private(set) var flags: [UInt8] = []
    /// Revisions above 1, by position (rare, so not an array).
    private(set) var revisions: [Int: Int] = [:]
    private var urlTable = OpenAddressingTable()
    private var contentTable = OpenAddressingTable()
    private var bandTables: [OpenAddressingTable]

    package init(signatureBytes: Int, lsh: LSHOptions) {
        precondition((1...4).contains(lsh.rowsPerBand), "a band has 1 to 4 bytes")
        precondition(lsh.bands * lsh.rowsPerBand <= signatureBytes, "bands exceed the signature")
        precondition(lsh.bands < 1 << 16, "too many bands")
        self.signatureBytes = signatureBytes
        self.lsh = lsh
        self.bandTables = Array(repeating: OpenAddressingTable(), count: lsh.bands)
    }

    /// Articles indexed.
    package var count: Int { self.ids.count }

    /// Bytes allocated by the index's arrays and tables (dictionary of revisions estimated).
    package var memoryBytes: Int {
        var total = self.ids.capacity * 8 + self.contentHashes.capacity * 4 + self.signatures.capacity
        total += self.flags.capacity + self.revisions.capacity * 24
        total += self.urlTable.memoryBytes + self.contentTable.memoryBytes
        for table in self.bandTables { total += table.memoryBytes }
        return total
    }

    /// Reserves room for `total` articles.
    package mutating func reserve(_ total: Int) {
        self.ids.reserveCapacity(total)
        self.contentHashes.reserveCapacity(total)
        self.signatures.reserveCapacity(total * self.signatureBytes)
        self.flags.reserveCapacity(total)
        let ids = self.ids
        self.urlTable.reserve(total) { StableHash.mix(ids[$0]) }
        let keys = BandKeys(
            signatures: self.signatures,
            signatureBytes: self.signatureBytes,
            rows: self.lsh.rowsPerBand
        )
        for band in 0..<self.bandTables.count {
            self.bandTables[band].reserve(total) { keys.hash(position: $0, band: band) }
        }
    }

    // MARK: Reading

    package func id(at position: Int) -> UInt64 { self.ids[position] }
    /// The low 32 bits of the content hash of the article at `position`.
    package func contentHash(at position: Int) -> UInt32 { self.contentHashes[position] }
    package func revision(at position: Int) -> Int { self.revisions[position] ?? 1 }
    package func isOriginal(_ position: Int) -> Bool { self.flags[position] & 2 != 0 }
    package func hasText(_ position: Int) -> Bool { self.flags[position] & 4 != 0 }

    package func signature(at position: Int) -> [UInt8] {
        guard self.flags[position] & 1 != 0 else { return [] }
        let start = position * self.signatureBytes
        return Array(self.signatures[start..<(start + self.signatureBytes)])
    }

    /// The position of the article with canonical-URL id `id`.
    package func position(ofID id: UInt64) -> Int? {
        var found: Int?
        self.urlTable.forEach(hash: StableHash.mix(id)) { position in
            if self.ids[position] == id {
                found = position
                return false
            }
            return true
        }
        return found
    }

    /// The first original without a signature whose current text has `contentHash`.
    package func original(withContentHash contentHash: UInt64) -> Int? {
        var found: Int?
        let low = UInt32(truncatingIfNeeded: contentHash)
        self.contentTable.forEach(hash: Self.contentKey(contentHash)) { position in
            if self.contentHashes[position] == low && self.hasText(position) {
                if found.map({ position < $0 }) ?? true { found = position }
            }
            return true
        }
        return found
    }

    /// The original most similar to `signature` with estimated Jaccard similarity of at
    /// least `threshold`: an exact copy (same content hash and signature) first, then the
    /// highest similarity; ties go to the earliest.
    package func nearestOriginal(
        to signature: [UInt8],
        contentHash: UInt64,
        threshold: Double
    ) -> (position: Int, similarity: Double, exact: Bool)? {
        guard signature.count == self.signatureBytes else { return nil }
        // The fewest equal bytes that reach `threshold`, so the loop below compares integers.
        var minimumEqual = 0
        while minimumEqual <= self.signatureBytes,
            TextFingerprinter.similarity(equalBytes: minimumEqual, of: self.signatureBytes) < threshold
        {
            minimumEqual += 1
        }
        guard minimumEqual <= self.signatureBytes else { return nil }
        // First the band hits, from the tables; then their signatures. An article found in
        // several bands is compared again (24 bytes), which costs less than remembering the
        // candidates, whose number grows with the index when many texts share vocabulary.
        var hits: [Int] = []
        hits.reserveCapacity(256)
        // Each band's first slot and each hit's signature are asked of memory (prefetched)
        // before they are read, so the cache misses of a lookup overlap instead of following
        // one another: with texts that share vocabulary, a lookup has hundreds of hits.
        var hashes: [UInt64] = []
        hashes.reserveCapacity(self.bandTables.count)
        for band in 0..<self.bandTables.count {
            let key = Self.bandKey(signature, offset: band * self.lsh.rowsPerBand, rows: self.lsh.rowsPerBand)
            hashes.append(Self.bandHash(key: key, band: band))
            self.bandTables[band].prefetch(hash: hashes[band])
        }
        self.signatures.withUnsafeBufferPointer { stored in
            for band in 0..<self.bandTables.count {
                self.bandTables[band].forEach(hash: hashes[band]) { position in
                    let start = stored.baseAddress! + position * self.signatureBytes
                    newswire_prefetch(start)
                    newswire_prefetch(start + self.signatureBytes - 1)
                    hits.append(position << 16 | band)
                    return true
                }
            }
        }
        var best: (position: Int, equal: Int, exact: Bool)?
        let low = UInt32(truncatingIfNeeded: contentHash)
        let rows = self.lsh.rowsPerBand
        signature.withUnsafeBufferPointer { query in
            self.signatures.withUnsafeBufferPointer { stored in
                self.flags.withUnsafeBufferPointer { flags in
                    for hit in hits {
                        let position = hit >> 16
                        guard flags[position] & 3 == 3 else { continue }
                        let start = position * self.signatureBytes
                        let other = UnsafeBufferPointer(rebasing: stored[start..<(start + self.signatureBytes)])
                        // The band's own bytes first: a different key is another story in the same slot chain.
                        let offset = (hit & 0xffff) * rows
                        var sameBand = true
                        for row in offset..<(offset + rows) where other[row] != query[row] { sameBand = false }
                        guard sameBand else { continue }
                        let equal = TextFingerprinter.equalBytes(query, other)
                        guard equal >= minimumEqual else { continue }
                        let exact = equal == self.signatureBytes && self.contentHashes[position] == low
                        if let current = best,
                            (current.exact ? 1 : 0, current.equal, -current.position)
                                >= (exact ? 1 : 0, equal, -position)
                        {
                            continue
                        }
                        best = (position, equal, exact)
                    }
                }
            }
        }
        return best.map {
            ($0.position, TextFingerprinter.similarity(equalBytes: $0.equal, of: self.signatureBytes), $0.exact)
        }
    }

    // MARK: Writing

    /// Appends an article and returns its position.
    @discardableResult
    package mutating func append(
        id: UInt64,
        contentHash: UInt64,
        signature: [UInt8],
        hasText: Bool,
        isOriginal: Bool,
        revision: Int = 1
    ) -> Int {
        let position = self.ids.count
        // Each growth rehashes every band table: double while the index is small (a cold
        // crawl fills it from nothing), then grow by a quarter to keep memory close.
        if position == self.ids.capacity {
            self.reserve(position + (position < 1 << 20 ? position : position / 4) + 64)
        }
        self.ids.append(id)
        self.contentHashes.append(UInt32(truncatingIfNeeded: contentHash))
        let hasSignature = signature.count == self.signatureBytes
        if hasSignature {
            self.signatures.append(contentsOf: signature)
        } else {
            self.signatures.append(contentsOf: repeatElement(0, count: self.signatureBytes))
        }
        self.flags.append((hasSignature ? 1 : 0) | (isOriginal ? 2 : 0) | (hasText ? 4 : 0))
        if revision > 1 { self.revisions[position] = revision }
        let ids = self.ids
        // Ids are FNV-1a hashes of URLs: mixed again so similar URLs spread over the table.
        self.urlTable.insert(position, hash: StableHash.mix(id)) { StableHash.mix(ids[$0]) }
        if isOriginal { self.indexContent(of: position, contentHash: contentHash) }
        return position
    }

    /// Replaces the text hashes of the article at `position` (an update of the same URL).
    ///
    /// Old band entries stay in the tables but no longer match the stored signature, so
    /// lookups skip them.
    package mutating func replaceText(
        at position: Int,
        contentHash: UInt64,
        signature: [UInt8],
        hasText: Bool,
        revision: Int
    ) {
        self.contentHashes[position] = UInt32(truncatingIfNeeded: contentHash)
        let hasSignature = signature.count == self.signatureBytes
        let start = position * self.signatureBytes
        for offset in 0..<self.signatureBytes {
            self.signatures[start + offset] = hasSignature ? signature[offset] : 0
        }
        self.flags[position] = (self.flags[position] & 2) | (hasSignature ? 1 : 0) | (hasText ? 4 : 0)
        self.revisions[position] = revision
        if self.isOriginal(position) { self.indexContent(of: position, contentHash: contentHash) }
    }

    private mutating func indexContent(of position: Int, contentHash: UInt64) {
        guard self.hasText(position) else { return }
        guard self.flags[position] & 1 != 0 else {
            // Too short for a signature: only exact copies can be found, by content hash. The
            // table's growth rehashes from the low 32 bits, which is all it compares.
            let contentHashes = self.contentHashes
            self.contentTable.insert(position, hash: Self.contentKey(contentHash)) {
                Self.contentKey(UInt64(contentHashes[$0]))
            }
            return
        }
        let keys = BandKeys(
            signatures: self.signatures,
            signatureBytes: self.signatureBytes,
            rows: self.lsh.rowsPerBand
        )
        for band in 0..<self.bandTables.count {
            let hash = keys.hash(position: position, band: band)
            self.bandTables[band].insert(position, hash: hash) { keys.hash(position: $0, band: band) }
        }
    }

    // MARK: Keys

    /// The content table hashes only the low 32 bits (all that is kept in memory).
    @inline(__always)
    private static func contentKey(_ contentHash: UInt64) -> UInt64 {
        StableHash.mix(contentHash & 0xffff_ffff)
    }

    @inline(__always)
    private func bandKey(position: Int, band: Int) -> UInt32 {
        BandKeys(signatures: self.signatures, signatureBytes: self.signatureBytes, rows: self.lsh.rowsPerBand)
            .key(position: position, band: band)
    }

    @inline(__always)
    private static func bandKey(_ signature: [UInt8], offset: Int, rows: Int) -> UInt32 {
        var key: UInt32 = 0
        for index in offset..<(offset + rows) { key = key << 8 | UInt32(signature[index]) }
        return key
    }

    @inline(__always)
    fileprivate static func bandHash(key: UInt32, band: Int) -> UInt64 {
        StableHash.mix(UInt64(key) | UInt64(band) << 40)
    }
}

/// Reads band keys out of the flat signature array (a value, so table growth can use it
/// while the index itself is being mutated).
private struct BandKeys {
    let signatures: [UInt8]
    let signatureBytes: Int
    let rows: Int

    @inline(__always)
    func key(position: Int, band: Int) -> UInt32 {
        self.signatures.withUnsafeBufferPointer { stored in
            var key: UInt32 = 0
            let start = position * self.signatureBytes + band * self.rows
            for offset in 0..<self.rows { key = key << 8 | UInt32(stored[start + offset]) }
            return key
        }
    }

    @inline(__always)
    func hash(position: Int, band: Int) -> UInt64 {
        DedupIndex.bandHash(key: self.key(position: position, band: band), band: band)
    }
}
