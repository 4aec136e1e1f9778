/// What the text itself says a name is: "Aisby is a village in Lincolnshire", "Northwind, a
/// ferry operator, said", "the band Velvet Harbour". The head noun of such a description
/// ("village", "operator", "band") types the name far better than the name's own letters when
/// the name is new to the model, and an article usually describes its subject once and then
/// repeats the bare name.
private enum DescriptionWords {
    static let copulas: Set<UInt64> = hashes("is was are were")
    static let determiners: Set<UInt64> = hashes("a an the")
    /// Words that join the parts of one name ("Bank of England", "Isle of the Dead").
    static let connectors: Set<UInt64> = hashes("of the and de du la le von van der &")
    /// Words after which the description's head noun is over: prepositions, relatives,
    /// conjunctions and participles that start what follows it.
    static let stops: Set<UInt64> = hashes(
        """
        in of on at from for with by to into near under over between within since until during about as \
        that which who whose whom where when while and or but than located based founded born known named \
        called situated consisting formed established
        """
    )
    static let one = FeatureHash.hash("one")
    static let comma = FeatureHash.hash(",")
    static let open = FeatureHash.hash("(")
    static let close = FeatureHash.hash(")")
    /// "the duo Ben Wolff and Andy Dean" describes two names, not one.
    static let conjunctions: Set<UInt64> = hashes("and &")
    static let of = FeatureHash.hash("of")
    /// Nouns other than people's that name the work or band right after them.
    static let premodifiers: Set<UInt64> = hashes(
        "band album single song film movie novel poem opera musical sitcom documentary"
    )

    private static func hashes(_ words: String) -> Set<UInt64> { Set(FeatureHash.hashes(ofWords: words)) }
}

extension FeatureExtractor {
    /// For each token, the index of the head noun of the description of the capitalised name
    /// it belongs to in its own sentence ("X is a Y", "X, a Y"), or -1.
    func descriptors(_ text: TokenizedText, _ features: DocumentFeatures) -> [Int32] {
        var result = [Int32](repeating: -1, count: text.tokens.count)
        @inline(__always) func capitalised(_ index: Int) -> Bool {
            let flags = features.flags[index]
            return flags & TokenFlag.initialCapital != 0 && flags & TokenFlag.noAlphanumeric == 0
        }
        for sentence in text.sentences {
            guard let first = sentence.first, features.flags[first] & TokenFlag.headline == 0 else { continue }
            var index = sentence.lowerBound
            while index < sentence.upperBound {
                guard capitalised(index) else {
                    index += 1
                    continue
                }
                var end = index + 1
                while end < sentence.upperBound {
                    if capitalised(end) {
                        end += 1
                    } else if end + 1 < sentence.upperBound && DescriptionWords.connectors.contains(features.lower[end])
                        && capitalised(end + 1)
                    {
                        end += 2
                    } else {
                        break
                    }
                }
                let joined = (index..<end).contains { DescriptionWords.conjunctions.contains(features.lower[$0]) }
                if let head = self.descriptionHead(after: end, in: sentence, features)
                    ?? (joined ? nil : self.descriptionHead(before: index, in: sentence, features))
                {
                    for token in index..<end where capitalised(token) { result[token] = Int32(head) }
                }
                index = end
            }
        }
        return result
    }

    /// A noun right before the name that says what it is ("the band Velvet Harbour", "singer Ana
    /// Lorne", "the album Quiet Rooms"), or a place noun before "of" ("the village of Aisby"; other
    /// nouns before "of" name something else: "the king of Spain").
    private func descriptionHead(before start: Int, in sentence: Range<Int>, _ features: DocumentFeatures) -> Int? {
        let person = 0
        let place = 2
        func noun(_ index: Int) -> Bool {
            index >= sentence.lowerBound
                && features.flags[index] & (TokenFlag.initialCapital | TokenFlag.noAlphanumeric | TokenFlag.hasDigit)
                    == 0
        }
        let before = start - 1
        guard noun(before) else { return nil }
        // Only nouns that stand before the very name they describe: "news agency Yeltsin",
        // "Tasmanian trio David Boon" end one phrase before a name that is another.
        if DescriptionWords.premodifiers.contains(features.lower[before])
            || describedType(head: before, features) == person
        {
            return before
        }
        if features.lower[before] == DescriptionWords.of && noun(before - 1)
            && describedType(head: before - 1, features) == place
        {
            return before - 1
        }
        return nil
    }

    /// The head noun of "is a/an/the …" or ", a/an/the …" starting at `start`: the last lower-case
    /// word of up to six words before a stop word or punctuation.
    private func descriptionHead(after start: Int, in sentence: Range<Int>, _ features: DocumentFeatures) -> Int? {
        guard start + 1 < sentence.upperBound else { return nil }
        var cursor = start
        // "Ana Lorne (born 1971) is a singer": the description follows the parentheses.
        if features.lower[cursor] == DescriptionWords.open {
            var depth = 0
            while cursor < sentence.upperBound && cursor - start < 40 {
                if features.lower[cursor] == DescriptionWords.open { depth += 1 }
                if features.lower[cursor] == DescriptionWords.close { depth -= 1 }
                cursor += 1
                if depth == 0 { break }
            }
            guard depth == 0, cursor + 1 < sentence.upperBound else { return nil }
        }
        let word = features.lower[cursor]
        if DescriptionWords.copulas.contains(word) {
            cursor += 1
        } else if word == DescriptionWords.comma {
            cursor += 1
        } else {
            return nil
        }
        guard cursor < sentence.upperBound else { return nil }
        if features.lower[cursor] == DescriptionWords.one && cursor + 2 < sentence.upperBound
            && features.lower[cursor + 1] == DescriptionWords.of
        {
            cursor += 2  // "one of the …"
        }
        guard cursor < sentence.upperBound, DescriptionWords.determiners.contains(features.lower[cursor]) else {
            return nil
        }
        cursor += 1
        var head: Int?
        var taken = 0
        while cursor < sentence.upperBound && taken < 6 {
            let flags = features.flags[cursor]
            if flags & TokenFlag.noAlphanumeric != 0 || DescriptionWords.stops.contains(features.lower[cursor]) {
                break
            }
            if flags & (TokenFlag.initialCapital | TokenFlag.hasDigit | TokenFlag.hasApostrophe) == 0 { head = cursor }
            cursor += 1
            taken += 1
        }
        return head
    }
}

/// Head nouns that say which type a described name has ("Aisby is a village", "Northwind, a
/// ferry operator,"). Only nouns whose type is clear in CoNLL-2003's scheme; ambiguous ones
/// ("station", "group", "network", "church", "museum", "hotel") are left out or read with the
/// word before them.
private let describedTypes: [UInt64: Int] = {
    // Type indices as in TagSet.types: 0 PER, 1 ORG, 2 LOC, 3 MISC.
    let lists: [(Int, String)] = [
        (
            0,  // PER
            """
            singer singers songwriter musician guitarist drummer bassist pianist violinist composer conductor rapper \
            actor actress writer author novelist poet playwright screenwriter journalist columnist broadcaster \
            presenter politician statesman footballer cricketer athlete boxer wrestler swimmer cyclist golfer \
            sprinter jockey painter sculptor architect photographer filmmaker scientist physicist chemist biologist \
            botanist zoologist mathematician astronomer engineer inventor philosopher historian economist \
            sociologist psychologist theologian lawyer attorney barrister priest bishop monk nun missionary saint \
            king queen prince princess emperor empress monarch pharaoh sultan general admiral soldier businessman \
            businesswoman entrepreneur industrialist banker diplomat explorer activist comedian dancer ballerina \
            chef astronaut aviator pilot nobleman noblewoman aristocrat heir son daughter wife husband brother \
            sister nephew niece grandson granddaughter
            """
        ),
        (
            2,  // LOC
            """
            village villages town towns city cities hamlet suburb parish municipality commune district county \
            province region country island islands isle river lake mountain mountains hill valley peninsula \
            capital neighbourhood neighborhood borough settlement locality township bay sea ocean desert forest \
            street road avenue square bridge canal creek tributary volcano glacier archipelago oblast prefecture \
            canton port harbour harbor airport stadium castle cathedral mosque synagogue palace fortress \
            lighthouse waterfall plateau strait estuary reservoir cape headland
            """
        ),
        (
            1,  // ORG
            """
            company companies corporation firm manufacturer retailer carmaker automaker airline bank band \
            supergroup duo trio quartet orchestra choir label party organisation organization association society \
            union federation confederation league club team franchise agency ministry department committee council \
            institute foundation charity university college school academy newspaper magazine tabloid publisher \
            broadcaster studio studios army navy regiment squadron brigade battalion militia \
            government parliament legislature tribunal operator subsidiary conglomerate cooperative supermarket \
            hypermarket insurer consultancy
            """
        ),
        (
            3,  // MISC
            """
            language languages dialect album single song film movie novel poem opera symphony musical sitcom \
            documentary festival convention tournament championship war battle treaty religion
            """
        ),
    ]
    var result: [UInt64: Int] = [:]
    for (type, words) in lists {
        for word in FeatureHash.hashes(ofWords: words) { result[word] = type }
    }
    return result
}()

/// "radio station" is an organisation, "railway station" a place.
private let stationKinds: [UInt64: Int] = {
    var result: [UInt64: Int] = [:]
    for word in ["radio", "television", "tv"] { result[FeatureHash.hash(word)] = 1 }
    for word in ["railway", "train", "rail", "metro", "subway", "underground", "bus", "tram"] {
        result[FeatureHash.hash(word)] = 2
    }
    return result
}()
private let station = FeatureHash.hash("station")

/// The type (an index of ``TagSet/types``) that the head noun at `head` gives the name it
/// describes, if it gives one.
func describedType(head: Int, _ features: DocumentFeatures) -> Int? {
    let word = features.lower[head]
    if word == station { return head > 0 ? stationKinds[features.lower[head - 1]] : nil }
    return describedTypes[word]
}
