import Testing

@testable import NewswireEntities

/// Training on a set that does not label a type: its `O|MISC` tokens must not teach that the
/// type's names are `O`.
@Suite struct PartialLabelTrainingTests {
    /// One fully labelled sentence names "Velorian" as MISC; five sentences of a set without MISC
    /// have it unlabelled.
    private func corpus(unlabelled: String) -> [ConllDocument] {
        var labelled = ConllDocument()
        labelled.sentences = [["The", "Velorian", "envoy", "met", "Anna", "Brisk", "."]]
        labelled.tags = [["O", "B-MISC", "O", "O", "B-PER", "I-PER", "O"]]
        var partial = ConllDocument()
        for name in ["Cora", "Dell", "Esme", "Fay", "Gil"] {
            partial.sentences.append(["The", "Velorian", "ship", "carried", name, "Brisk", "."])
            partial.tags.append([unlabelled, unlabelled, unlabelled, unlabelled, "B-PER", "I-PER", unlabelled])
        }
        return [labelled, partial]
    }

    private func tagOfVelorian(unlabelled: String) -> String {
        let extractor = FeatureExtractor(bucketBits: 16, gazetteer: Gazetteer())
        let weights = EntityTrainer(extractor: extractor, epochs: 5)
            .train(self.corpus(unlabelled: unlabelled)) { _ in }
        let tagger = EntityTagger(weights: weights, gazetteer: Gazetteer())
        let tags = tagger.tag(TokenizedText(sentences: [["The", "Velorian", "ship", "sank", "."]]))
        return TagSet.name(tags[1])
    }

    @Test func partialLabelsKeepAnUnlabelledTypeOpen() {
        #expect(self.tagOfVelorian(unlabelled: "O|MISC") == "U-MISC")
    }

    /// The same sentences read as plain `O` outvote the labelled one: the test above is not
    /// passing by accident.
    @Test func plainOutsideTagsTeachTheOpposite() {
        #expect(self.tagOfVelorian(unlabelled: "O") == "O")
    }
}
