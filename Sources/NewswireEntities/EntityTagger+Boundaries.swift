extension EntityTagger {
    /// Ends each capitalised name before trailing lower-case words ("Union army" → "Union",
    /// "Qing dynasty" → "Qing"), and starts it after a lower-case "the" ("the League" →
    /// "League"): CoNLL-2003 and the sets scored here begin and end names in a capitalised word
    /// (45 of eng.train's 23,447 names end otherwise). Particles of three letters or fewer ("de",
    /// "al-", "s") stay.
    ///
    /// - Parameter tags: BILOU tags of every token of `text`, updated in place.
    package static func dropTrailingLowerCaseWords(
        _ text: TokenizedText,
        _ features: DocumentFeatures,
        tags: inout [Int]
    ) {
        for mention in Self.mentions(tags: tags) where mention.tokens.count > 1 {
            var first = mention.tokens.lowerBound
            // A leading lower-case "the" stays outside too ("the League" → "League").
            if features.exact[first] == theHash && features.flags[first] & TokenFlag.headline == 0 {
                tags[first] = 0
                first += 1
                let next = tags[first]
                tags[first] =
                    TagSet.position(of: next) == TagSet.last
                    ? TagSet.tag(type: mention.type, position: TagSet.unit)
                    : TagSet.tag(type: mention.type, position: TagSet.begin)
                if first == mention.tokens.upperBound - 1 { continue }
            }
            guard features.flags[first] & TokenFlag.initialCapital != 0 else { continue }
            var end = mention.tokens.upperBound
            // Once a word has gone, particles before it go too ("Crème de café" → "Crème").
            while end - 1 > first {
                let flags = features.flags[end - 1]
                let plainWord =
                    flags
                    & (TokenFlag.initialCapital | TokenFlag.hasDigit | TokenFlag.noAlphanumeric
                        | TokenFlag.hasApostrophe | TokenFlag.hasHyphen | TokenFlag.hasPeriod) == 0
                guard plainWord && (features.length[end - 1] > 3 || end < mention.tokens.upperBound) else { break }
                end -= 1
            }
            guard end < mention.tokens.upperBound else { continue }
            let type = mention.type
            for index in end..<mention.tokens.upperBound { tags[index] = 0 }
            if end - first == 1 {
                tags[first] = TagSet.tag(type: type, position: TagSet.unit)
            } else {
                tags[end - 1] = TagSet.tag(type: type, position: TagSet.last)
            }
        }
    }
}

private let theHash = FeatureHash.hash("the")
