import Testing

@testable import NewswireEntities

/// A title before a person's name stays outside the name, as the test sets annotate it.
@Suite struct LeadingTitleTests {
    private func tags(_ words: [String], _ names: [String]) -> [String] {
        let text = TokenizedText(sentences: [words])
        var tags = TagSet.bilou(fromConll: names)
        EntityTagger.dropLeadingTitles(text, tags: &tags)
        return tags.map { TagSet.name($0) }
    }

    @Test func leavesTheTitleOutOfAPersonsName() {
        #expect(
            self.tags(["Ms", "Orlova", "said"], ["B-PER", "I-PER", "O"]) == ["O", "U-PER", "O"]
        )
        #expect(
            self.tags(["Colonel", "Meredith", "H.", "Vance", "rode"], ["B-PER", "I-PER", "I-PER", "I-PER", "O"])
                == ["O", "B-PER", "I-PER", "L-PER", "O"]
        )
        #expect(self.tags(["Emperor", "Tassik", "ruled"], ["B-PER", "I-PER", "O"]) == ["O", "U-PER", "O"])
    }

    @Test func keepsOtherNamesAndLoneWords() {
        // Not a person, or the title alone: nothing to cut.
        #expect(self.tags(["King", "Ferries", "sailed"], ["B-ORG", "I-ORG", "O"]) == ["B-ORG", "L-ORG", "O"])
        #expect(self.tags(["the", "Pope", "spoke"], ["O", "B-PER", "O"]) == ["O", "U-PER", "O"])
        #expect(self.tags(["Anna", "King", "spoke"], ["B-PER", "I-PER", "O"]) == ["B-PER", "L-PER", "O"])
    }
}
