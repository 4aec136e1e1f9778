import Testing

@testable import NewswireEntities

@Suite struct AcronymRepairTests {
    private func repaired(_ words: [String], tags: [String]) -> [String] {
        let text = TokenizedText(sentences: [words])
        var bilou = TagSet.bilou(fromConll: tags)
        EntityTagger.repairAcronymDefinitions(text, tags: &bilou)
        return bilou.map(TagSet.name)
    }

    @Test func widensAPartlyTaggedNameToItsAcronym() {
        let words = ["the", "Inter-Services", "Public", "Relations", "(", "ISPR", ")", "said"]
        let tags = ["O", "B-MISC", "I-MISC", "O", "O", "B-ORG", "O", "O"]
        #expect(
            self.repaired(words, tags: tags) == ["O", "B-ORG", "I-ORG", "L-ORG", "O", "U-ORG", "O", "O"]
        )
    }

    @Test func skipsConnectorsAndTagsUntaggedNamesAsOrganisations() {
        let words = ["a", "Bank", "of", "Lower", "Tarn", "(", "BLT", ")", "loan"]
        let tags = Array(repeating: "O", count: words.count)
        #expect(
            self.repaired(words, tags: tags) == ["O", "B-ORG", "I-ORG", "I-ORG", "L-ORG", "O", "U-ORG", "O", "O"]
        )
    }

    @Test func leavesMismatchedInitialsAlone() {
        let words = ["the", "Velmar", "Ports", "Authority", "(", "XYZ", ")", "said"]
        let tags = ["O", "B-ORG", "I-ORG", "I-ORG", "O", "B-ORG", "O", "O"]
        #expect(
            self.repaired(words, tags: tags) == ["O", "B-ORG", "I-ORG", "L-ORG", "O", "U-ORG", "O", "O"]
        )
    }

    @Test func neverCutsAMentionThatReachesIntoTheName() {
        let words = ["Amara", "Port", "Authority", "(", "PA", ")"]
        let tags = ["B-PER", "I-PER", "I-PER", "O", "O", "O"]
        #expect(self.repaired(words, tags: tags) == ["B-PER", "I-PER", "L-PER", "O", "O", "O"])
    }
}
