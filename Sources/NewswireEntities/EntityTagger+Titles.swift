/// Lower-case words that stand before a person's name without being part of it, as CoNLL-2003,
/// wikigold and Universal NER annotate them ("Ms Pugh", "Emperor Meiji", "Colonel Shade").
/// `scripts/train-entities prepare` moves the same words out of names in the training sets.
private let leadingTitles: Set<[UInt32]> = Set(
    """
    mr mr. mrs mrs. ms ms. miss dr dr. prof prof. professor sir dame lord lady pope king queen emperor empress \
    prince princess duke duchess count countess baron baroness st. saint general gen. colonel col. captain capt. \
    lieutenant lt. sergeant sgt. president senator sen. governor gov. judge reverend rev. chancellor mayor sheikh \
    ayatollah imam rabbi bishop archbishop cardinal tsar czar sultan
    """.split(separator: " ").map { $0.unicodeScalars.map(\.value) }
)

extension EntityTagger {
    /// Moves a leading title out of each person's name of two or more words: "Ms Pugh" becomes
    /// `O` and `U-PER`.
    ///
    /// - Parameter tags: BILOU tags of every token of `text`, updated in place.
    package static func dropLeadingTitles(_ text: TokenizedText, tags: inout [Int]) {
        let person = 0
        var index = 0
        while index + 1 < tags.count {
            defer { index += 1 }
            guard tags[index] == TagSet.tag(type: person, position: TagSet.begin) else { continue }
            let token = text.tokens[index]
            guard leadingTitles.contains(text.scalars[token.start..<token.end].map(lowercased)) else { continue }
            tags[index] = 0
            let next = tags[index + 1]
            tags[index + 1] =
                TagSet.position(of: next) == TagSet.last
                ? TagSet.tag(type: person, position: TagSet.unit) : TagSet.tag(type: person, position: TagSet.begin)
        }
    }
}

/// Titles that are no surname: alone, they name nobody ("the Brigadier", "the Emperor said").
/// Titles that are also surnames ("Major", "King", "Baron", "Prince", "Judge") are left out.
private let loneTitles: Set<[UInt32]> = Set(
    """
    mr mr. mrs mrs. ms ms. dr dr. prof prof. professor pope emperor empress duchess countess baroness colonel \
    col. brigadier captain capt. lieutenant lt. sergeant sgt. admiral commander president senator sen. governor \
    gov. mayor chancellor bishop archbishop cardinal reverend rev. sheikh ayatollah imam rabbi sultan tsar czar
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { $0.unicodeScalars.map(\.value) }
)

extension EntityTagger {
    /// Untags a title tagged as a person on its own.
    ///
    /// - Parameter tags: BILOU tags of every token of `text`, updated in place.
    package static func dropLoneTitles(_ text: TokenizedText, tags: inout [Int]) {
        let person = 0
        let lone = TagSet.tag(type: person, position: TagSet.unit)
        for index in tags.indices where tags[index] == lone {
            let token = text.tokens[index]
            if loneTitles.contains(text.scalars[token.start..<token.end].map(lowercased)) { tags[index] = 0 }
        }
    }
}
