import Testing

@testable import NewswireEntities

/// A small deterministic generator, so that a failure can be replayed.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var x = self.state
        x = (x ^ x >> 30) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ x >> 27) &* 0x94D0_49BB_1331_11EB
        return x ^ x >> 31
    }
}

@Suite struct HashedKeyMapTests {
    @Test func answersLikeADictionary() {
        var random = SplitMix(state: 7)
        var map = HashedKeyMap<UInt32>()
        var reference: [UInt64: UInt32] = [:]
        // Random keys, key 0, small keys (whose mixed top bits collide often), and rewrites.
        var keys = (0..<5000).map { _ in random.next() }
        keys += [0, 1, 2, 3, 1 << 32, 1 << 33, UInt64.max]
        keys += keys.prefix(300)
        for key in keys {
            let value = UInt32.random(in: 0...UInt32.max, using: &random)
            map[key] = value
            reference[key] = value
        }
        #expect(map.count == reference.count)
        for (key, value) in reference { #expect(map[key] == value) }
        for _ in 0..<5000 {
            let absent = random.next()
            #expect(map[absent] == reference[absent])
        }
        #expect(HashedKeyMap<UInt8>()[0] == nil)
        #expect(HashedKeyMap<UInt8>().isEmpty)
    }

    @Test func decodingSumsTheSameRowsAsScoring() {
        var random = SplitMix(state: 11)
        let bits = 12
        let tags = TagSet.count
        // Half the buckets have a row, so look-ups both hit and miss.
        let buckets = (0..<UInt32(1 << bits)).filter { _ in random.next() & 1 == 0 }
        let rows = (0..<(buckets.count * tags)).map { _ in Float.random(in: -2...2, using: &random) }
        let weights = TaggerWeights(
            bucketBits: bits,
            buckets: buckets,
            rows: rows,
            transitions: (0..<(tags * tags)).map { _ in Float.random(in: -1...1, using: &random) },
            start: (0..<tags).map { _ in Float.random(in: -1...1, using: &random) },
            end: (0..<tags).map { _ in Float.random(in: -1...1, using: &random) }
        )
        // Sentences from one token to several hundred (many blocks of look-ups), with tokens
        // of no features among them.
        for tokens in [1, 2, 7, 40, 300] {
            var features: [UInt32] = []
            var ends: [Int] = []
            for _ in 0..<tokens {
                for _ in 0..<Int(random.next() % 40) { features.append(UInt32(random.next() % (1 << UInt64(bits)))) }
                ends.append(features.count)
            }
            var emissions = [Float](repeating: 0, count: tokens * tags)
            emissions.withUnsafeMutableBufferPointer { emissions in
                var begin = 0
                for token in 0..<tokens {
                    weights.score(features[begin..<ends[token]], into: emissions.baseAddress! + token * tags)
                    begin = ends[token]
                }
            }
            let expected = viterbi(
                emissions: emissions,
                count: tokens,
                transitions: weights.transitions,
                start: weights.start,
                end: weights.end
            )
            #expect(weights.decode(buckets: features, ends: ends) == expected)
        }
    }
}
