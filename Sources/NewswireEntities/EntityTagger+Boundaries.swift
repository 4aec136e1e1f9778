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

/// Days and months, which CoNLL-2003 and the sets scored here never tag alone ("Mondays",
/// "October"); "May" and "August" are also names.
private let calendarWords: Set<UInt64> = Set(
    FeatureHash.hashes(
        ofWords: """
            monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays thursdays fridays \
            saturdays sundays january february march april june july september october november december
            """
    )
)

extension EntityTagger {
    /// Untags a day or month tagged as a name of its own; inside a longer name ("Sunday Times",
    /// "Bloody Sunday") it stays.
    ///
    /// - Parameter tags: BILOU tags of every token, updated in place.
    package static func dropCalendarWords(_ features: DocumentFeatures, tags: inout [Int]) {
        for index in tags.indices
        where TagSet.position(of: tags[index]) == TagSet.unit
            && calendarWords.contains(features.lower[index])
        {
            tags[index] = 0
        }
    }
}

/// Words that make a name a place when they end it ("Hay Street", "Bian Canal") or, for the
/// second list, open it ("River Sallow", "Lake Orla").
private let placeEnds: Set<UInt64> = Set(
    FeatureHash.hashes(
        ofWords: """
            river lake mountains island islands bay sea ocean street road avenue square valley creek canal strait gulf \
            peninsula desert forest hills falls
            """
    )
)
private let placeStarts: Set<UInt64> = Set(FeatureHash.hashes(ofWords: "river lake mount isle"))
private let ofHash = FeatureHash.hash("of")

extension EntityTagger {
    /// Types as places the names tagged MISC that a place word ends or opens ("River Sallow",
    /// "Hay Street"), as CoNLL-2003 types rivers, streets and islands. A name with "of" after a
    /// first word that is no place word is an event or title ("Battle of Sayler's Creek").
    ///
    /// - Parameter tags: BILOU tags of every token, updated in place.
    package static func typePlaceNames(_ features: DocumentFeatures, tags: inout [Int]) {
        let misc = 3
        let place = 2
        for mention in Self.mentions(tags: tags) where mention.type == misc && mention.tokens.count > 1 {
            let first = features.lower[mention.tokens.lowerBound]
            let last = features.lower[mention.tokens.upperBound - 1]
            let opens = placeStarts.contains(first)
            guard opens || placeEnds.contains(last) else { continue }
            if !opens && !placeEnds.contains(first) && mention.tokens.contains(where: { features.lower[$0] == ofHash })
            {
                continue
            }
            for index in mention.tokens {
                tags[index] = TagSet.tag(type: place, position: TagSet.position(of: tags[index]))
            }
        }
    }
}
