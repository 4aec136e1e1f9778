import Testing

@testable import NewswireEntities

@Suite struct WordClustersTests {
    private let clusters = WordClusters(
        lines: """
            Harwick\t3\t17\t400
            harwick\t5\t60\t900
            HARWICK\t6\t61\t901
            Tallowbridge\t3\t17\t401
            broken line
            Overflow\t1\t2\t5000
            """
    )

    private func lookUp(_ word: String, headline: Bool = false) -> [UInt64] {
        let packed = self.clusters.clusters(
            exact: FeatureHash.hash(word),
            lower: FeatureHash.hash(word, lowercase: true),
            headline: headline
        )
        return (0..<3).map { WordClusters.level(packed, $0) }
    }

    @Test func looksUpTheExactSpellingFirst() {
        // Cluster numbers are stored plus one, so that 0 means an unknown word.
        #expect(self.lookUp("Harwick") == [4, 18, 401])
        #expect(self.lookUp("harwick") == [6, 61, 901])
        #expect(self.lookUp("Tallowbridge") == [4, 18, 402])
    }

    @Test func fallsBackToTheMostFrequentSpellingOfTheLowerCaseForm() {
        // "TALLOWBRIDGE" is not listed; its lower-case form's first (most frequent) spelling is.
        #expect(self.lookUp("TALLOWBRIDGE") == [4, 18, 402])
        #expect(self.lookUp("hARWICK") == [4, 18, 401])
    }

    @Test func headlinesLookUpTheLowerCaseFormFirst() {
        // In an all-capitals headline "HARWICK" is read like the usual spelling, "Harwick".
        #expect(self.lookUp("HARWICK", headline: true) == [4, 18, 401])
        #expect(self.lookUp("HARWICK") == [7, 62, 902])
    }

    @Test func skipsMalformedLinesAndUnknownWords() {
        #expect(self.lookUp("broken") == [0, 0, 0])
        #expect(self.lookUp("Overflow") == [0, 0, 0])
        #expect(self.lookUp("Velmora") == [0, 0, 0])
        #expect(!self.clusters.isEmpty)
        #expect(WordClusters().isEmpty)
    }

    @Test func theShippedClustersAreLoaded() throws {
        let tagger = try EntityTagger.loadDefault()
        #expect(!tagger.extractor.clusters.isEmpty)
    }
}
