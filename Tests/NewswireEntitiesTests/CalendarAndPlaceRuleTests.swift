import Testing

@testable import NewswireEntities

/// Days and months alone are no names; MISC names that a place word opens or ends are places.
@Suite struct CalendarAndPlaceRuleTests {
    private func apply(_ words: [String], _ tags: [String]) -> [String] {
        let text = TokenizedText(sentences: [words])
        let features = FeatureExtractor(bucketBits: 16, gazetteer: Gazetteer()).analyze(text)
        var bilou = TagSet.bilou(fromConll: tags)
        EntityTagger.dropCalendarWords(features, tags: &bilou)
        EntityTagger.typePlaceNames(features, tags: &bilou)
        return bilou.map(TagSet.name)
    }

    @Test func untagsADayOrMonthAlone() {
        #expect(self.apply(["Open", "Mondays", "only"], ["O", "B-MISC", "O"]) == ["O", "O", "O"])
        #expect(self.apply(["in", "October", "."], ["O", "B-MISC", "O"]) == ["O", "O", "O"])
        // "May" is also a name; a day inside a name stays.
        #expect(self.apply(["Ada", "May", "said"], ["O", "B-PER", "O"]) == ["O", "U-PER", "O"])
        #expect(
            self.apply(["the", "Sunday", "Courier", "said"], ["O", "B-ORG", "I-ORG", "O"])
                == ["O", "B-ORG", "L-ORG", "O"]
        )
    }

    @Test func typesRiversStreetsAndIslandsAsPlaces() {
        #expect(self.apply(["the", "River", "Sallow"], ["O", "B-MISC", "I-MISC"]) == ["O", "B-LOC", "L-LOC"])
        #expect(self.apply(["on", "Harl", "Street"], ["O", "B-MISC", "I-MISC"]) == ["O", "B-LOC", "L-LOC"])
        // Other types stay: a club named after a river is still a club.
        #expect(
            self.apply(["Sallow", "River", "Rovers"], ["B-ORG", "I-ORG", "I-ORG"]) == ["B-ORG", "I-ORG", "L-ORG"]
        )
    }

    @Test func leavesEventsOfAPlaceAlone() {
        #expect(
            self.apply(["Battle", "of", "Harl", "Creek"], ["B-MISC", "I-MISC", "I-MISC", "I-MISC"])
                == ["B-MISC", "I-MISC", "I-MISC", "L-MISC"]
        )
    }
}

/// A title alone names nobody, unless it is also a surname.
@Suite struct LoneTitleTests {
    private func apply(_ words: [String], _ tags: [String]) -> [String] {
        let text = TokenizedText(sentences: [words])
        var bilou = TagSet.bilou(fromConll: tags)
        EntityTagger.dropLoneTitles(text, tags: &bilou)
        return bilou.map(TagSet.name)
    }

    @Test func untagsATitleAlone() {
        #expect(self.apply(["the", "Brigadier", "left"], ["O", "B-PER", "O"]) == ["O", "O", "O"])
        #expect(self.apply(["the", "Emperor", "said"], ["O", "B-PER", "O"]) == ["O", "O", "O"])
    }

    @Test func keepsSurnamesAndNames() {
        #expect(self.apply(["Major", "said"], ["B-PER", "O"]) == ["U-PER", "O"])
        #expect(self.apply(["Colonel", "Shade"], ["B-PER", "I-PER"]) == ["B-PER", "L-PER"])
    }
}
