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
        for word in words.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            result[FeatureHash.hash(word)] = type
        }
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
            var type = describedTypes[features.lower[head]]
            if features.lower[head] == station && head > 0 { type = stationKinds[features.lower[head - 1]] }
            guard let type else { continue }
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
