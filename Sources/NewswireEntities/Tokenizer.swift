/// A token: a half-open range of Unicode scalar offsets into the text it came from.
package struct Token: Sendable, Hashable {
    /// Offset of the first scalar.
    package var start: Int
    /// Offset one past the last scalar.
    package var end: Int

    package init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// Text split into tokens and sentences, with offsets into the original scalars.
package struct TokenizedText: Sendable {
    /// The text as Unicode scalar values.
    package var scalars: [UInt32]
    /// Tokens in text order.
    package var tokens: [Token]
    /// Sentences as ranges of indices into `tokens`, in order, covering every token.
    package var sentences: [Range<Int>]

    package init(scalars: [UInt32], tokens: [Token], sentences: [Range<Int>]) {
        self.scalars = scalars
        self.tokens = tokens
        self.sentences = sentences
    }

    /// The text of token `index`.
    package func string(_ index: Int) -> String {
        self.string(from: self.tokens[index].start, to: self.tokens[index].end)
    }

    /// The text between two scalar offsets.
    package func string(from start: Int, to end: Int) -> String {
        var result = String.UnicodeScalarView()
        for value in self.scalars[start..<end] {
            result.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return String(result)
    }

    /// Builds a text from tokens given one by one (a CoNLL file's first column), joined by spaces,
    /// one sentence per element of `sentences`.
    package init(sentences words: [[String]]) {
        var scalars: [UInt32] = []
        var tokens: [Token] = []
        var sentences: [Range<Int>] = []
        for sentence in words {
            let first = tokens.count
            for word in sentence {
                if !scalars.isEmpty { scalars.append(0x20) }
                let start = scalars.count
                scalars.append(contentsOf: word.unicodeScalars.map(\.value))
                tokens.append(Token(start: start, end: scalars.count))
            }
            sentences.append(first..<tokens.count)
        }
        self.init(scalars: scalars, tokens: tokens, sentences: sentences)
    }
}

/// A tokeniser and sentence splitter for news English.
///
/// Splits on white space and punctuation, keeping together hyphenated words
/// ("Khyber-Pakhtunkhwa"), numbers ("1,250.75", "9/11"), abbreviations and initials ("U.S.",
/// "Mr.", "J."), inner apostrophes ("O'Neill") and ampersand names ("AT&T"); splits off
/// possessives ("Army" "'s") and negations ("do" "n't") as the CoNLL-2003 data does. Sentences
/// end at `.`, `!` or `?` before a capital, digit or quote (not after an abbreviation or initial),
/// and at every line break. Offsets are in Unicode scalars. A pure function: safe from any thread.
package enum Tokenizer {
    /// Tokenizes `text`.
    package static func tokenize(_ text: String) -> TokenizedText {
        self.tokenize(scalars: text.unicodeScalars.map(\.value))
    }

    /// Tokenizes text given as Unicode scalar values.
    package static func tokenize(scalars: [UInt32]) -> TokenizedText {
        var tokens: [Token] = []
        tokens.reserveCapacity(scalars.count / 5 + 1)
        // Token indices before which a sentence break is forced (line breaks).
        var lineBreakBefore: [Bool] = []
        lineBreakBefore.reserveCapacity(scalars.count / 5 + 1)
        var abbreviation: [Bool] = []
        abbreviation.reserveCapacity(scalars.count / 5 + 1)
        let count = scalars.count
        var index = 0
        var sawNewline = false

        func emit(_ start: Int, _ end: Int, isAbbreviation: Bool = false) {
            tokens.append(Token(start: start, end: end))
            lineBreakBefore.append(sawNewline)
            abbreviation.append(isAbbreviation)
            sawNewline = false
        }

        while index < count {
            let c = scalars[index]
            if isSpace(c) {
                if c == 0x0A || c == 0x0D || c == 0x2029 || c == 0x2028 { sawNewline = true }
                index += 1
                continue
            }
            if isWordScalar(c) {
                let start = index
                var end = index + 1
                var internalPeriod = false
                while end < count {
                    let d = scalars[end]
                    if isWordScalar(d) {
                        end += 1
                        continue
                    }
                    let hasNext = end + 1 < count
                    let next = hasNext ? scalars[end + 1] : 0
                    let previous = scalars[end - 1]
                    if isApostrophe(d) && hasNext && isLetter(next) {
                        // "'s" / "n't" split off; inner apostrophes ("O'Neill") stay.
                        if isPossessiveOrClitic(scalars, at: end, count: count) { break }
                        if previous == 0x6E || previous == 0x4E,
                            isNegation(scalars, apostrophe: end, count: count), end - 1 > start
                        {
                            end -= 1
                            break
                        }
                        end += 1
                        continue
                    }
                    if (d == 0x2D || d == 0x2010 || d == 0x2011) && hasNext && isWordScalar(next)
                        && isAlnum(previous)
                    {
                        end += 1
                        continue
                    }
                    if (d == 0x2C || d == 0x2F || d == 0x3A) && hasNext && isDigit(previous) && isDigit(next) {
                        end += 1
                        continue
                    }
                    if d == 0x26 && hasNext && isUpper(previous) && isUpper(next) {
                        end += 1
                        continue
                    }
                    if d == 0x2E && hasNext {
                        if isDigit(previous) && isDigit(next) {
                            end += 1
                            continue
                        }
                        // "U.S.", "e.g.": single letters separated by periods.
                        if isLetter(previous) && isLetter(next) && (end - 1 == start || scalars[end - 2] == 0x2E)
                            && (end + 2 >= count || !isWordScalar(scalars[end + 2]) || scalars[end + 2] == 0x2E)
                        {
                            internalPeriod = true
                            end += 1
                            continue
                        }
                    }
                    break
                }
                // A trailing period belongs to abbreviations and initials.
                if end < count && scalars[end] == 0x2E
                    && (internalPeriod || isKnownAbbreviation(scalars, start, end)
                        || (end - start == 1 && isUpper(scalars[start])))
                {
                    emit(start, end + 1, isAbbreviation: true)
                    index = end + 1
                } else {
                    emit(start, end)
                    index = end
                }
                continue
            }
            if isApostrophe(c) && index + 1 < count && isLetter(scalars[index + 1]) {
                // "'s", "'re", "'ll" clitics after a split.
                var end = index + 1
                while end < count && isLetter(scalars[end]) { end += 1 }
                if end - index <= 3 {
                    emit(index, end)
                    index = end
                    continue
                }
            }
            // Punctuation: runs of the same mark ("...", "--", "!!") make one token.
            var end = index + 1
            if c == 0x2E || c == 0x2D || c == 0x21 || c == 0x3F {
                while end < count && scalars[end] == c { end += 1 }
            }
            emit(index, end)
            index = end
        }

        var sentences: [Range<Int>] = []
        var first = 0
        var position = 0
        while position < tokens.count {
            if position > first && lineBreakBefore[position] {
                sentences.append(first..<position)
                first = position
            }
            let token = tokens[position]
            let last = scalars[token.end - 1]
            var ends = false
            if (last == 0x2E && !abbreviation[position]) || last == 0x21 || last == 0x3F
                || (last == 0x2E && abbreviation[position] && isSentenceEndingAbbreviation(scalars, token))
            {
                // Closing quotes and brackets (written right after the mark) stay with the sentence.
                var after = position + 1
                while after < tokens.count, !lineBreakBefore[after], tokens[after].start == tokens[after - 1].end,
                    isCloser(scalars[tokens[after].start])
                {
                    after += 1
                }
                if after >= tokens.count || lineBreakBefore[after] {
                    ends = true
                } else {
                    let next = scalars[tokens[after].start]
                    ends = isUpper(next) || isDigit(next) || isOpener(next)
                }
                if ends {
                    position = after
                    sentences.append(first..<position)
                    first = position
                    continue
                }
            }
            position += 1
        }
        if first < tokens.count { sentences.append(first..<tokens.count) }
        return TokenizedText(scalars: scalars, tokens: tokens, sentences: sentences)
    }
}

// MARK: - Character classes

@inline(__always)
package func isSpace(_ c: UInt32) -> Bool {
    if c < 0x80 { return c == 0x20 || (c >= 0x09 && c <= 0x0D) }
    return c == 0xA0 || c == 0x2028 || c == 0x2029 || (c >= 0x2000 && c <= 0x200B) || c == 0x3000 || c == 0x202F
        || c == 0xFEFF
}

@inline(__always)
package func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }

@inline(__always)
package func isLetter(_ c: UInt32) -> Bool {
    if c < 0x80 { return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    guard let scalar = Unicode.Scalar(c) else { return false }
    return scalar.properties.isAlphabetic
}

@inline(__always)
package func isUpper(_ c: UInt32) -> Bool {
    if c < 0x80 { return c >= 0x41 && c <= 0x5A }
    guard let scalar = Unicode.Scalar(c) else { return false }
    return scalar.properties.isUppercase
}

@inline(__always)
package func isAlnum(_ c: UInt32) -> Bool { isDigit(c) || isLetter(c) }

@inline(__always)
private func isWordScalar(_ c: UInt32) -> Bool {
    if c < 0x80 { return isDigit(c) || (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    guard let scalar = Unicode.Scalar(c) else { return false }
    let properties = scalar.properties
    if properties.isAlphabetic { return true }
    switch properties.generalCategory {
    case .decimalNumber, .nonspacingMark, .spacingMark, .enclosingMark: return true
    default: return false
    }
}

@inline(__always)
private func isApostrophe(_ c: UInt32) -> Bool { c == 0x27 || c == 0x2019 }

private func isCloser(_ c: UInt32) -> Bool {
    c == 0x22 || c == 0x27 || c == 0x29 || c == 0x5D || c == 0x201D || c == 0x2019 || c == 0xBB
}

private func isOpener(_ c: UInt32) -> Bool {
    c == 0x22 || c == 0x27 || c == 0x28 || c == 0x5B || c == 0x201C || c == 0x2018 || c == 0xAB
}

/// "'s", "'S", "'re", "'ve", "'ll", "'d", "'m" followed by a non-letter.
private func isPossessiveOrClitic(_ s: [UInt32], at apostrophe: Int, count: Int) -> Bool {
    var end = apostrophe + 1
    while end < count && isLetter(s[end]) { end += 1 }
    let length = end - apostrophe - 1
    guard length >= 1 && length <= 2 else { return false }
    let a = s[apostrophe + 1] | 0x20
    if length == 1 { return a == 0x73 || a == 0x64 || a == 0x6D }
    let b = s[apostrophe + 2] | 0x20
    return (a == 0x72 && b == 0x65) || (a == 0x76 && b == 0x65) || (a == 0x6C && b == 0x6C)
}

/// "n't" at the end of a word: the apostrophe is followed by "t" and a non-letter.
private func isNegation(_ s: [UInt32], apostrophe: Int, count: Int) -> Bool {
    guard apostrophe + 1 < count, s[apostrophe + 1] | 0x20 == 0x74 else { return false }
    return apostrophe + 2 >= count || !isLetter(s[apostrophe + 2])
}

private let abbreviations: Set<String> = [
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "inc", "corp", "ltd", "co", "bros", "gen", "col", "lt",
    "sgt", "capt", "cmdr", "adm", "maj", "gov", "sen", "rep", "rev", "hon", "pres", "supt", "insp", "det",
    "vs", "etc", "mt", "ft", "ave", "blvd", "rd", "dept", "univ", "assn", "est", "approx", "fig",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues",
    "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "e.g", "i.e", "a.m", "p.m", "u.s", "u.k", "u.n",
    "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "ky", "la", "md",
    "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore", "pa", "tenn", "tex", "va", "vt",
    "wash", "wis", "wyo",
]

/// Abbreviations that commonly end a sentence too ("… Acme Corp. The").
private let sentenceEndingAbbreviations: Set<String> = ["inc", "corp", "ltd", "co", "etc", "jr", "sr", "bros"]

private func lowercasedASCII(_ s: [UInt32], _ start: Int, _ end: Int) -> String? {
    guard end - start <= 8 else { return nil }
    var result = ""
    for c in s[start..<end] {
        guard c < 0x80 else { return nil }
        result.unicodeScalars.append(Unicode.Scalar(UInt8(c | (isUpper(c) ? 0x20 : 0))))
    }
    return result
}

private func isKnownAbbreviation(_ s: [UInt32], _ start: Int, _ end: Int) -> Bool {
    guard let word = lowercasedASCII(s, start, end) else { return false }
    return abbreviations.contains(word)
}

private func isSentenceEndingAbbreviation(_ s: [UInt32], _ token: Token) -> Bool {
    guard let word = lowercasedASCII(s, token.start, token.end - 1) else { return false }
    return sentenceEndingAbbreviations.contains(word)
}
