/// What the text itself says a name is: "Aisby is a village in Lincolnshire", "Northwind, a
/// ferry operator, said". The head noun of such a description ("village", "operator") types the
/// name far better than the name's own letters when the name is new to the model, and an article
/// usually describes its subject once and then repeats the bare name.
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

    private static func hashes(_ words: String) -> Set<UInt64> {
        Set(words.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { FeatureHash.hash($0) })
    }
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
                if let head = self.descriptionHead(after: end, in: sentence, features) {
                    for token in index..<end where capitalised(token) { result[token] = Int32(head) }
                }
                index = end
            }
        }
        return result
    }

    /// The head noun of "is a/an/the …" or ", a/an/the …" starting at `start`: the last lower-case
    /// word of up to six words before a stop word or punctuation.
    private func descriptionHead(after start: Int, in sentence: Range<Int>, _ features: DocumentFeatures) -> Int? {
        guard start + 1 < sentence.upperBound else { return nil }
        var cursor = start
        let word = features.lower[cursor]
        if DescriptionWords.copulas.contains(word) {
            cursor += 1
        } else if word == DescriptionWords.comma {
            cursor += 1
        } else {
            return nil
        }
        guard cursor < sentence.upperBound else { return nil }
        if features.lower[cursor] == DescriptionWords.one && cursor + 2 < sentence.upperBound {
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
