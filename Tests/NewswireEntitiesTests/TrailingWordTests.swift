import Testing

@testable import NewswireEntities

/// Names end in a capitalised word, as the annotated sets end them.
@Suite struct TrailingWordTests {
    private func trimmed(_ words: [String], _ tags: [String]) -> [String] {
        let text = TokenizedText(sentences: [words])
        let features = FeatureExtractor(bucketBits: 16, gazetteer: Gazetteer()).analyze(text)
        var bilou = TagSet.bilou(fromConll: tags)
        EntityTagger.dropTrailingLowerCaseWords(text, features, tags: &bilou)
        return bilou.map(TagSet.name)
    }

    @Test func dropsTrailingCommonWords() {
        #expect(
            self.trimmed(["the", "Union", "army", "marched"], ["O", "B-ORG", "I-ORG", "O"])
                == ["O", "U-ORG", "O", "O"]
        )
        #expect(
            self.trimmed(["the", "Harl", "Valley", "flood", "plains"], ["O", "B-LOC", "I-LOC", "I-LOC", "I-LOC"])
                == ["O", "B-LOC", "L-LOC", "O", "O"]
        )
    }

    @Test func dropsParticlesLeftAtTheEnd() {
        #expect(
            self.trimmed(["Crème", "de", "café", "is"], ["B-MISC", "I-MISC", "I-MISC", "O"])
                == ["U-MISC", "O", "O", "O"]
        )
    }

    @Test func dropsALeadingLowerCaseThe() {
        #expect(
            self.trimmed(["in", "the", "League", "table"], ["O", "B-ORG", "I-ORG", "O"]) == ["O", "O", "U-ORG", "O"]
        )
        #expect(
            self.trimmed(["The", "Harl", "Times", "said"], ["B-ORG", "I-ORG", "I-ORG", "O"])
                == ["B-ORG", "I-ORG", "L-ORG", "O"]
        )
    }

    @Test func keepsParticlesAndLowerCaseNames() {
        #expect(self.trimmed(["Ivan", "de", "left"], ["B-PER", "I-PER", "O"]) == ["B-PER", "L-PER", "O"])
        #expect(self.trimmed(["burger", "king", "opened"], ["B-ORG", "I-ORG", "O"]) == ["B-ORG", "L-ORG", "O"])
        #expect(self.trimmed(["Quell", "Rivers", "won"], ["B-ORG", "I-ORG", "O"]) == ["B-ORG", "L-ORG", "O"])
    }
}
