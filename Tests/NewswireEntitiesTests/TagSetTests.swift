import Testing

@testable import NewswireEntities

@Suite struct TagSetTests {
    private func names(_ tags: [String]) -> [String] { TagSet.bilou(fromConll: tags).map(TagSet.name) }

    @Test func readsIOB1() {
        #expect(
            self.names(["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"])
                == ["B-PER", "L-PER", "O", "U-LOC", "U-LOC", "U-ORG"]
        )
    }

    @Test func readsIOB2AndBILOU() {
        #expect(self.names(["B-ORG", "I-ORG", "I-ORG", "B-MISC"]) == ["B-ORG", "I-ORG", "L-ORG", "U-MISC"])
        #expect(self.names(["U-PER", "B-LOC", "L-LOC", "O"]) == ["U-PER", "B-LOC", "L-LOC", "O"])
    }

    @Test func allowsOnlyValidTransitions() {
        let begin = TagSet.tag(type: 0, position: TagSet.begin)
        let last = TagSet.tag(type: 0, position: TagSet.last)
        let otherLast = TagSet.tag(type: 1, position: TagSet.last)
        #expect(TagSet.allows(begin, last))
        #expect(!TagSet.allows(begin, otherLast))
        #expect(!TagSet.allows(begin, 0))
        #expect(!TagSet.allows(0, last))
        #expect(!TagSet.allowsEnd(begin))
    }

    @Test func viterbiRespectsConstraints() {
        // Emissions favour B-PER then O, which is invalid: the decoder must pick a valid path.
        var emissions = [Float](repeating: 0, count: 2 * TagSet.count)
        emissions[TagSet.tag(type: 0, position: TagSet.begin)] = 5
        emissions[TagSet.count + 0] = 5
        let zeros = [Float](repeating: 0, count: TagSet.count)
        let path = viterbi(
            emissions: emissions,
            count: 2,
            transitions: [Float](repeating: 0, count: TagSet.count * TagSet.count),
            start: zeros,
            end: zeros
        )
        #expect(path.count == 2)
        for (previous, next) in zip(path, path.dropFirst()) { #expect(TagSet.allows(previous, next)) }
        #expect(TagSet.allowsEnd(path[1]))
    }

    @Test func readsPartialLabels() {
        #expect(TagSet.allowedTags(fromConll: ["B-PER", "I-PER", "O"]) == nil)
        let allowed = TagSet.allowedTags(fromConll: ["B-PER", "O|MISC", "B-LOC", "I-LOC", "O|PER|ORG|LOC|MISC"])!
        func names(_ bits: UInt32) -> [String] {
            (0..<TagSet.count).filter { bits & (1 << UInt32($0)) != 0 }.map(TagSet.name)
        }
        // A labelled name next to a partial token ends before it.
        #expect(names(allowed[0]) == ["U-PER"])
        #expect(names(allowed[1]) == ["O", "B-MISC", "I-MISC", "L-MISC", "U-MISC"])
        #expect(names(allowed[2]) == ["B-LOC"])
        #expect(names(allowed[3]) == ["L-LOC"])
        #expect(names(allowed[4]).count == TagSet.count)
    }
}
