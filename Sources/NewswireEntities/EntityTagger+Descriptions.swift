extension EntityTagger {
    /// Gives each name its description's type when the text says what it is: "Aisby is a
    /// village" makes every "Aisby" of the document a place, whatever its letters suggested.
    ///
    /// - Parameter tags: BILOU tags of every token, updated in place.
    package static func typeDescribedNames(_ features: DocumentFeatures, tags: inout [Int]) {
        let mentions = Self.mentions(tags: tags)
        func phrase(_ tokens: Range<Int>) -> UInt64 {
            tokens.reduce(FeatureHash.seed) { FeatureHash.combine($0, features.lower[$1]) }
        }
        var described: [UInt64: Int] = [:]
        for mention in mentions {
            let head = Int(features.descriptors[mention.tokens.upperBound - 1])
            guard head >= 0 else { continue }
            guard let type = describedType(head: head, features) else { continue }
            let name = phrase(mention.tokens)
            if described[name] == nil { described[name] = type }
        }
        guard !described.isEmpty else { return }
        for mention in mentions {
            guard let type = described[phrase(mention.tokens)], type != mention.type else { continue }
            for index in mention.tokens {
                tags[index] = TagSet.tag(type: type, position: TagSet.position(of: tags[index]))
            }
        }
    }
}
