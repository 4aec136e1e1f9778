internal import CPrefetch

/// The weights of a trained tagger: one row of tag scores per hashed feature bucket, plus tag
/// transition scores.
///
/// Only buckets with a non-zero row are stored. A bucket's row is found with a presence bit
/// set and a rank table (a few hundred kilobytes, so it stays in cache), and rows are stored in
/// bucket order. Immutable once built; safe to share between threads.
package struct TaggerWeights: Sendable {
    /// Bumped whenever feature extraction changes, so an old model file is refused.
    package static let featureVersion: UInt32 = 2

    package let bucketBits: Int
    /// The buckets that have a row, ascending.
    package let buckets: [UInt32]
    /// `buckets.count × TagSet.count` scores.
    package let rows: [Float]
    /// `transitions[from * TagSet.count + to]`.
    package let transitions: [Float]
    package let start: [Float]
    package let end: [Float]
    /// Bit `b % 64` of word `b / 64` is set when bucket `b` has a row.
    private let present: [UInt64]
    /// The number of rows before each word of `present`.
    private let rankBefore: [UInt32]
    /// The rows as 16-bit integers times a per-row scale: half the memory of `rows`, so more of
    /// the model stays in cache while tagging, at no measurable cost in accuracy (the file
    /// holds half-precision floats already).
    private let quantized: [Int16]
    private let scales: [Float]

    /// - Parameter buckets: ascending; `rows` holds one row per bucket in the same order.
    package init(
        bucketBits: Int,
        buckets: [UInt32],
        rows: [Float],
        transitions: [Float],
        start: [Float],
        end: [Float]
    ) {
        precondition(rows.count == buckets.count * TagSet.count, "one row per bucket")
        self.bucketBits = bucketBits
        self.buckets = buckets
        self.rows = rows
        self.transitions = transitions
        self.start = start
        self.end = end
        let words = max(1, (1 << bucketBits) / 64)
        var present = [UInt64](repeating: 0, count: words)
        for bucket in buckets { present[Int(bucket) / 64] |= 1 << UInt64(bucket % 64) }
        var rankBefore = [UInt32](repeating: 0, count: words)
        var total: UInt32 = 0
        for word in 0..<words {
            rankBefore[word] = total
            total += UInt32(present[word].nonzeroBitCount)
        }
        self.present = present
        self.rankBefore = rankBefore
        let tags = TagSet.count
        var quantized = [Int16](repeating: 0, count: rows.count)
        var scales = [Float](repeating: 0, count: buckets.count)
        for row in 0..<buckets.count {
            let largest = rows[(row * tags)..<(row * tags + tags)].lazy.map(abs).max() ?? 0
            let scale = largest > 0 ? largest / 32767 : 1
            scales[row] = scale
            for tag in 0..<tags {
                quantized[row * tags + tag] = Int16((rows[row * tags + tag] / scale).rounded())
            }
        }
        self.quantized = quantized
        self.scales = scales
    }

    /// Builds sparse weights from a dense table, dropping rows whose largest score is not above
    /// `threshold` in magnitude.
    package init(
        bucketBits: Int,
        dense: [Float],
        transitions: [Float],
        start: [Float],
        end: [Float],
        threshold: Float = 0
    ) {
        let tags = TagSet.count
        var buckets: [UInt32] = []
        var rows: [Float] = []
        for bucket in 0..<(1 << bucketBits) {
            let row = dense[(bucket * tags)..<(bucket * tags + tags)]
            guard let largest = row.lazy.map(abs).max(), largest > threshold else { continue }
            buckets.append(UInt32(bucket))
            rows.append(contentsOf: row)
        }
        self.init(
            bucketBits: bucketBits,
            buckets: buckets,
            rows: rows,
            transitions: transitions,
            start: start,
            end: end
        )
    }

    /// These weights without the rows whose largest score is not above `threshold` in
    /// magnitude: features that barely move any tag cost a memory access each when tagging.
    package func pruned(threshold: Float) -> TaggerWeights {
        let tags = TagSet.count
        var buckets: [UInt32] = []
        var rows: [Float] = []
        for (index, bucket) in self.buckets.enumerated() {
            let row = self.rows[(index * tags)..<(index * tags + tags)]
            guard let largest = row.lazy.map(abs).max(), largest > threshold else { continue }
            buckets.append(bucket)
            rows.append(contentsOf: row)
        }
        return TaggerWeights(
            bucketBits: self.bucketBits,
            buckets: buckets,
            rows: rows,
            transitions: self.transitions,
            start: self.start,
            end: self.end
        )
    }

    /// The number of stored rows.
    package var rowCount: Int { self.buckets.count }

    /// Adds the rows of `buckets` into `scores` (one row of `TagSet.count`).
    @inline(__always)
    package func score(_ buckets: ArraySlice<UInt32>, into scores: UnsafeMutablePointer<Float>) {
        let tags = TagSet.count
        self.present.withUnsafeBufferPointer { present in
            self.rankBefore.withUnsafeBufferPointer { rankBefore in
                self.quantized.withUnsafeBufferPointer { rows in
                    self.scales.withUnsafeBufferPointer { scales in
                        for bucket in buckets {
                            let word = Int(bucket >> 6)
                            let bit = UInt64(1) << UInt64(bucket & 63)
                            let bits = present[word]
                            guard bits & bit != 0 else { continue }
                            let row = Int(rankBefore[word]) + (bits & (bit &- 1)).nonzeroBitCount
                            let base = row * tags
                            let scale = scales[row]
                            for tag in 0..<tags { scores[tag] += Float(rows[base + tag]) * scale }
                        }
                    }
                }
            }
        }
    }

    /// Scores and decodes one sentence.
    ///
    /// - Parameters:
    ///   - buckets: the sentence's feature buckets, token after token.
    ///   - ends: the end offset in `buckets` of each token's features.
    /// - Returns: the best valid BILOU tag sequence.
    package func decode(buckets: [UInt32], ends: [Int]) -> [Int] {
        let count = ends.count
        guard count > 0 else { return [] }
        let tags = TagSet.count
        var emissions = [Float](repeating: 0, count: count * tags)
        // The same sums as `score(_:into:)`, in the same order, but the lookups are mostly
        // cache misses (the rows are megabytes, visited at random), so they are taken in
        // three passes over blocks of buckets: prefetch the presence words and ranks of the
        // next block, find the rows of this one (prefetching them), then add the rows of the
        // block before. The misses overlap instead of stalling one after another.
        var rowOf = [Int32](repeating: -1, count: buckets.count)
        self.present.withUnsafeBufferPointer { present in
            self.rankBefore.withUnsafeBufferPointer { rankBefore in
                self.quantized.withUnsafeBufferPointer { rows in
                    self.scales.withUnsafeBufferPointer { scales in
                        buckets.withUnsafeBufferPointer { buckets in
                            rowOf.withUnsafeMutableBufferPointer { rowOf in
                                emissions.withUnsafeMutableBufferPointer { emissions in
                                    let total = buckets.count
                                    let block = Self.prefetchBlock
                                    func prefetchPresence(_ range: Range<Int>) {
                                        for index in range {
                                            let word = Int(buckets[index] >> 6)
                                            newswire_prefetch(present.baseAddress! + word)
                                            newswire_prefetch(rankBefore.baseAddress! + word)
                                        }
                                    }
                                    func findRows(_ range: Range<Int>) {
                                        for index in range {
                                            let bucket = buckets[index]
                                            let word = Int(bucket >> 6)
                                            let bit = UInt64(1) << UInt64(bucket & 63)
                                            let bits = present[word]
                                            guard bits & bit != 0 else { continue }
                                            let row = Int(rankBefore[word]) + (bits & (bit &- 1)).nonzeroBitCount
                                            rowOf[index] = Int32(row)
                                            newswire_prefetch(rows.baseAddress! + row * tags)
                                            newswire_prefetch(rows.baseAddress! + row * tags + tags - 1)
                                            newswire_prefetch(scales.baseAddress! + row)
                                        }
                                    }
                                    prefetchPresence(0..<min(block, total))
                                    prefetchPresence(min(block, total)..<min(2 * block, total))
                                    findRows(0..<min(block, total))
                                    var token = 0
                                    var done = 0
                                    while done < total || token < count {
                                        let limit = min(done + block, total)
                                        prefetchPresence(min(limit + block, total)..<min(limit + 2 * block, total))
                                        findRows(limit..<min(limit + block, total))
                                        // Adds the rows of the tokens whose features end in this block.
                                        while token < count && ends[token] <= limit {
                                            let scores = emissions.baseAddress! + token * tags
                                            for index in (token == 0 ? 0 : ends[token - 1])..<ends[token] {
                                                let row = Int(rowOf[index])
                                                guard row >= 0 else { continue }
                                                let base = row * tags
                                                let scale = scales[row]
                                                for tag in 0..<tags { scores[tag] += Float(rows[base + tag]) * scale }
                                            }
                                            token += 1
                                        }
                                        done = limit
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return viterbi(
            emissions: emissions,
            count: count,
            transitions: self.transitions,
            start: self.start,
            end: self.end
        )
    }

    /// Buckets per prefetch block in ``decode(buckets:ends:)``.
    private static let prefetchBlock = 64
}

/// For each tag, the tags that may precede it in a BILOU sequence (9 for O, B and U, 2 for I
/// and L), flattened: the predecessors of `to` are
/// `predecessors[predecessorStart[to]..<predecessorStart[to + 1]]`.
private let (predecessors, predecessorStart): ([Int], [Int]) = {
    var list: [Int] = []
    var start: [Int] = []
    for to in 0..<TagSet.count {
        start.append(list.count)
        list.append(contentsOf: (0..<TagSet.count).filter { TagSet.allows($0, to) })
    }
    start.append(list.count)
    return (list, start)
}()

/// The best tag sequence under first-order scores, restricted to valid BILOU sequences.
///
/// - Parameters:
///   - emissions: `count × TagSet.count` per-token tag scores.
///   - transitions: `TagSet.count × TagSet.count` scores, from row to column.
package func viterbi(
    emissions: [Float],
    count: Int,
    transitions: [Float],
    start: [Float],
    end: [Float]
) -> [Int] {
    let tags = TagSet.count
    var score = [Float](repeating: 0, count: tags)
    var next = [Float](repeating: 0, count: tags)
    var back = [UInt8](repeating: 0, count: count * tags)
    for tag in 0..<tags {
        score[tag] = emissions[tag] + start[tag] + (TagSet.allowsStart(tag) ? 0 : -1e30)
    }
    let list = predecessors
    let listStart = predecessorStart
    transitions.withUnsafeBufferPointer { moves in
        emissions.withUnsafeBufferPointer { emissions in
            for token in 1..<max(count, 1) {
                for to in 0..<tags {
                    var best = -Float.infinity
                    var bestFrom = 0
                    for from in list[listStart[to]..<listStart[to + 1]] {
                        let candidate = score[from] + moves[from * tags + to]
                        if candidate > best {
                            best = candidate
                            bestFrom = from
                        }
                    }
                    next[to] = best + emissions[token * tags + to]
                    back[token * tags + to] = UInt8(bestFrom)
                }
                swap(&score, &next)
            }
        }
    }
    var best = -Float.infinity
    var bestTag = 0
    for tag in 0..<tags {
        let candidate = score[tag] + end[tag] + (TagSet.allowsEnd(tag) ? 0 : -1e30)
        if candidate > best {
            best = candidate
            bestTag = tag
        }
    }
    var result = [Int](repeating: 0, count: count)
    result[count - 1] = bestTag
    var token = count - 1
    while token > 0 {
        result[token - 1] = Int(back[token * tags + result[token]])
        token -= 1
    }
    return result
}
