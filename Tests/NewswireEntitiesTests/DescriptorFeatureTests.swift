import Testing

@testable import NewswireEntities

/// The description of a name in its own sentence: "X is a village", "X, a ferry operator,".
@Suite struct DescriptorFeatureTests {
    private func heads(_ sentences: [[String]]) -> [String: String] {
        let text = TokenizedText(sentences: sentences)
        let extractor = FeatureExtractor(bucketBits: 16, gazetteer: Gazetteer())
        let features = extractor.analyze(text)
        var result: [String: String] = [:]
        for (index, head) in features.descriptors.enumerated() where head >= 0 {
            result[text.string(index)] = text.string(Int(head))
        }
        return result
    }

    @Test func findsTheHeadNounOfACopulaAndAnApposition() {
        let heads = self.heads([
            ["Aisby", "is", "a", "small", "village", "in", "North", "Kesteven", "."],
            ["The", "Harlow", "Tigers", ",", "a", "rugby", "league", "club", ",", "lost", "to", "Velmont", "."],
            ["Bram", "Okonte", "was", "one", "of", "the", "founders", "of", "Quillmark", "Records", "."],
        ])
        #expect(heads["Aisby"] == "village")
        #expect(heads["Harlow"] == "club")
        #expect(heads["Tigers"] == "club")
        #expect(heads["Okonte"] == "founders")
        #expect(heads["Kesteven"] == nil)
        #expect(heads["Velmont"] == nil)
        #expect(heads["Quillmark"] == nil)
    }

    @Test func looksPastParentheses() {
        let heads = self.heads([
            ["Ana", "Lorne", "(", "born", "1971", ")", "is", "a", "folk", "singer", "."],
            ["Quellmark", "(", "see", "(", "map", ")", ")", "was", "a", "port", "."],
            ["Harl", "(", "unclosed", "is", "a", "town", "."],
        ])
        #expect(heads["Lorne"] == "singer")
        #expect(heads["Quellmark"] == "port")
        #expect(heads["Harl"] == nil)
    }

    @Test func findsANounBeforeTheName() {
        let heads = self.heads([
            ["They", "toured", "with", "the", "band", "Velvet", "Harbour", "in", "May", "."],
            ["Houses", "in", "the", "village", "of", "Aisby", "burned", "."],
            ["Drummer", "Ana", "Lorne", "left", "the", "king", "of", "Quellmark", "."],
        ])
        #expect(heads["Velvet"] == "band")
        #expect(heads["Harbour"] == "band")
        #expect(heads["Aisby"] == "village")
        #expect(heads["Quellmark"] == nil)
        #expect(heads["May"] == nil)
    }

    /// A noun that ends one phrase before a name that is another says nothing of it; nor does
    /// one before two names joined by "and".
    @Test func ignoresNounsThatDescribeSomethingElse() {
        let heads = self.heads([
            ["He", "told", "the", "news", "agency", "Marlo", "Venn", "was", "ill", "."],
            ["The", "duo", "Ben", "Wolff", "and", "Andy", "Dean", "sang", "."],
        ])
        #expect(heads["Marlo"] == nil)
        #expect(heads["Wolff"] == nil)
        #expect(heads["Dean"] == nil)
    }

    /// The description belongs to its own sentence; later mentions take its type through the
    /// rule below, by their whole name.
    @Test func describesOnlyInItsOwnSentence() {
        let text = TokenizedText(sentences: [
            ["Carrowmere", "is", "a", "fishing", "port", "on", "the", "coast", "."],
            ["In", "1850", "Carrowmere", "had", "a", "harbour", "."],
        ])
        let features = FeatureExtractor(bucketBits: 16, gazetteer: Gazetteer()).analyze(text)
        #expect(features.descriptors[0] == 4)
        #expect(features.descriptors[11] == -1)
    }

    @Test func needsADeterminer() {
        let heads = self.heads([["Lidda", "Penhale", "was", "born", "in", "Carrowmere", "."]])
        #expect(heads.isEmpty)
    }
}

/// Names typed by their description, after tagging.
@Suite struct DescribedNameTypeTests {
    /// Tags every listed phrase with `type` (BILOU), the rest `O`, and applies the rule.
    private func retag(_ sentences: [[String]], _ names: [(words: [String], type: Int)]) -> [String] {
        let text = TokenizedText(sentences: sentences)
        let features = FeatureExtractor(bucketBits: 16, gazetteer: Gazetteer()).analyze(text)
        let words = sentences.flatMap { $0 }
        var tags = [Int](repeating: 0, count: words.count)
        var index = 0
        while index < words.count {
            if let name = names.first(where: {
                Array(words[index..<min(index + $0.words.count, words.count)]) == $0.words
            }) {
                let count = name.words.count
                for offset in 0..<count {
                    let position =
                        count == 1
                        ? TagSet.unit : offset == 0 ? TagSet.begin : offset == count - 1 ? TagSet.last : TagSet.inside
                    tags[index + offset] = TagSet.tag(type: name.type, position: position)
                }
                index += count
            } else {
                index += 1
            }
        }
        EntityTagger.typeDescribedNames(features, tags: &tags)
        return tags.map(TagSet.name)
    }

    private let person = 0
    private let organisation = 1
    private let place = 2

    @Test func aDescribedPlaceIsAPlaceEverywhere() {
        let tags = self.retag(
            [
                ["Quellmoor", "is", "a", "small", "village", "in", "Harlshire", "."],
                ["In", "1850", "Quellmoor", "had", "a", "mill", "."],
            ],
            [(["Quellmoor"], self.person), (["Harlshire"], self.place)]
        )
        #expect(tags == ["U-LOC", "O", "O", "O", "O", "O", "U-LOC", "O", "O", "O", "U-LOC", "O", "O", "O", "O"])
    }

    @Test func anAppositionTypesAMultiWordName() {
        let tags = self.retag(
            [["Shares", "of", "Brisk", "Ferries", ",", "a", "ferry", "operator", ",", "fell", "."]],
            [(["Brisk", "Ferries"], self.person)]
        )
        #expect(tags[2] == "B-ORG" && tags[3] == "L-ORG")
    }

    /// Only the same name takes the type: the founder's surname stays a person.
    @Test func otherNamesSharingAWordKeepTheirType() {
        let tags = self.retag(
            [
                ["Bruno", "Valdi", "founded", "Valdi", ",", "a", "bicycle", "manufacturer", "."],
                ["Bruno", "Valdi", "died", "in", "1960", "."],
            ],
            [(["Bruno", "Valdi"], self.person), (["Valdi"], self.person)]
        )
        #expect(Array(tags[0...1]) == ["B-PER", "L-PER"])
        #expect(tags[3] == "U-ORG")
        #expect(Array(tags[9...10]) == ["B-PER", "L-PER"])
    }

    /// Ambiguous heads type nothing; "radio station" and "railway station" do.
    @Test func ambiguousHeadsAreLeftAlone() {
        let network = self.retag(
            [["Use", "of", "the", "Internet", ",", "the", "global", "computer", "network", ",", "grew", "."]],
            [(["Internet"], 3)]
        )
        #expect(network[3] == "U-MISC")
        let stations = self.retag(
            [
                ["Kestrel", "FM", "is", "a", "radio", "station", "."],
                ["Harl", "Halt", "is", "a", "railway", "station", "."],
            ],
            [(["Kestrel", "FM"], self.place), (["Harl", "Halt"], self.organisation)]
        )
        #expect(Array(stations[0...1]) == ["B-ORG", "L-ORG"])
        #expect(Array(stations[7...8]) == ["B-LOC", "L-LOC"])
    }
}
