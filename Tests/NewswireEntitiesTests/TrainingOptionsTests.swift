import Testing

@testable import NewswireEntities

/// The trainer's seed and feature dropout, used to measure how much two models of one recipe
/// differ and to regularise the weights (docs/entities.md).
@Suite struct TrainingOptionsTests {
    /// Invented sentences: people, a place and a thing, in different orders.
    private func corpus() -> [ConllDocument] {
        let people = [("Tarin", "Vell"), ("Osk", "Marrow"), ("Lidda", "Penhale"), ("Bram", "Okonte")]
        var documents: [ConllDocument] = []
        for (index, (first, last)) in people.enumerated() {
            var document = ConllDocument()
            document.sentences = [
                [first, last, "visited", "Carrowmere", "on", "Monday", "."],
                ["The", "Quellish", "delegation", "met", first, last, "in", "Carrowmere", "."],
                ["Officials", "said", last, "would", "return", "in", "\(index + 2)", "weeks", "."],
            ]
            document.tags = [
                ["B-PER", "I-PER", "O", "B-LOC", "O", "O", "O"],
                ["O", "B-MISC", "O", "O", "B-PER", "I-PER", "O", "B-LOC", "O"],
                ["O", "O", "B-PER", "O", "O", "O", "O", "O", "O"],
            ]
            documents.append(document)
        }
        return documents
    }

    private func train(seed: UInt64 = 0x5EED_1234, dropout: Double = 0) -> TaggerWeights {
        var trainer = EntityTrainer(extractor: FeatureExtractor(bucketBits: 16, gazetteer: Gazetteer()), epochs: 4)
        trainer.seed = seed
        trainer.featureDropout = dropout
        return trainer.train(self.corpus(), runs: 2) { _ in }
    }

    @Test func theSameSeedGivesTheSameModel() {
        let first = self.train(seed: 7, dropout: 0.3)
        let second = self.train(seed: 7, dropout: 0.3)
        #expect(first.buckets == second.buckets)
        #expect(first.rows == second.rows)
        #expect(first.transitions == second.transitions)
    }

    @Test func anotherSeedGivesAnotherModel() {
        #expect(self.train(seed: 7, dropout: 0.3).rows != self.train(seed: 8, dropout: 0.3).rows)
    }

    /// With every feature left out, the emissions learn nothing; with some, the model still
    /// learns the sentences.
    @Test func dropoutLeavesOutFeatures() {
        #expect(self.train(dropout: 0.999_999).rowCount == 0)
        #expect(self.train().rowCount > 0)
        let tagger = EntityTagger(weights: self.train(dropout: 0.3), gazetteer: Gazetteer())
        let tags = tagger.tag(TokenizedText(sentences: [["Lidda", "Penhale", "visited", "Carrowmere", "."]]))
        #expect(tags.map(TagSet.name) == ["B-PER", "L-PER", "O", "U-LOC", "O"])
    }
}
