extension EntityTagger {
    /// Fixes the boundaries of names defined with an acronym: in "Inter-Services Public
    /// Relations (ISPR)", the capitalised words before the parenthesis whose initials spell the
    /// acronym become one mention, of the acronym's type (ORG when neither was tagged).
    ///
    /// - Parameter tags: BILOU tags of every token of `text`, updated in place.
    package static func repairAcronymDefinitions(_ text: TokenizedText, tags: inout [Int]) {
        let scalars = text.scalars
        for sentence in text.sentences where sentence.count >= 4 {
            var index = sentence.lowerBound + 1
            while index + 2 < sentence.upperBound {
                defer { index += 1 }
                let open = text.tokens[index]
                let close = text.tokens[index + 2]
                guard open.end - open.start == 1, scalars[open.start] == 0x28,
                    close.end - close.start == 1, scalars[close.start] == 0x29
                else { continue }
                let acronym = Array(scalars[text.tokens[index + 1].start..<text.tokens[index + 1].end])
                guard acronym.count >= 2 && acronym.count <= 8, acronym.allSatisfy({ isUpper($0) || isDigit($0) }),
                    isUpper(acronym[0])
                else { continue }
                guard let start = nameStart(text, before: index, spelling: acronym, from: sentence.lowerBound) else {
                    continue
                }
                let name = start..<index
                let acronymType = TagSet.type(of: tags[index + 1])
                let nameTypes = name.map { TagSet.type(of: tags[$0]) }.filter { $0 >= 0 }
                let type = acronymType >= 0 ? acronymType : nameTypes.first ?? 1
                // Only replace mentions wholly inside the name: never cut one that reaches out.
                if start > sentence.lowerBound, TagSet.type(of: tags[start]) >= 0,
                    [TagSet.inside, TagSet.last].contains(TagSet.position(of: tags[start]))
                {
                    continue
                }
                if TagSet.position(of: tags[index - 1]) == TagSet.begin
                    || TagSet.position(of: tags[index - 1]) == TagSet.inside
                {
                    continue
                }
                for position in name {
                    let place =
                        name.count == 1
                        ? TagSet.unit
                        : position == start ? TagSet.begin : position == index - 1 ? TagSet.last : TagSet.inside
                    tags[position] = TagSet.tag(type: type, position: place)
                }
                tags[index + 1] = TagSet.tag(type: type, position: TagSet.unit)
            }
        }
    }
}

private let connectors: Set<[UInt32]> = Set(
    ["of", "and", "for", "the", "&", "on", "in", "de"].map { $0.unicodeScalars.map(\.value) }
)

/// The first token of the capitalised words right before `end` whose initials spell `acronym`.
private func nameStart(_ text: TokenizedText, before end: Int, spelling acronym: [UInt32], from first: Int) -> Int? {
    // Walk back over words, collecting the initials of each hyphen-separated part.
    var initials: [UInt32] = []
    var index = end - 1
    while index >= first && end - index <= 10 {
        let token = text.tokens[index]
        let word = Array(text.scalars[token.start..<token.end])
        if connectors.contains(word.map(lowercased)) && index < end - 1 {
            index -= 1
            continue
        }
        guard let initial = word.first, isUpper(initial) else { return nil }
        var parts: [UInt32] = [initial]
        for offset in 1..<max(word.count, 1) where word[offset - 1] == 0x2D && isLetter(word[offset]) {
            parts.append(word[offset])
        }
        initials.insert(contentsOf: parts.map(lowercased), at: 0)
        let target = acronym.filter(isLetter).map(lowercased)
        if initials == target { return index }
        if initials.count >= target.count { return nil }
        index -= 1
    }
    return nil
}
