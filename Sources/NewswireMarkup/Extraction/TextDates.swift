/// Dates written for people in a page's text: "October 17, 2018", "Oct. 17th, 2018",
/// "17 October 2018", "17. Oktober 2018", "12 de diciembre de 2025", "2023 Jan 7",
/// "2018-10-17", "2018/10/17" and "17.10.2018".
///
/// A day-month-year in figures is read only when it cannot be misread ("31/10/2018",
/// "10/31/2018", "17.10.2018"); "03/04/2018" and "09.10.2024" give nothing, since sites
/// write both orders with either separator and a wrong day is worse than none.
/// Stateless; every function is pure.
enum TextDates {
    struct Found: Equatable {
        var year: Int
        var month: Int
        var day: Int
        /// Byte offset of the date's first byte in the text searched.
        var start: Int
    }

    /// What a label before a date says it is.
    enum Label {
        case none, published, updated
    }

    /// The first date in `bytes` (UTF-8), if any.
    static func first(in bytes: [UInt8]) -> Found? {
        let tokens = Self.tokens(bytes)
        var index = 0
        while index < tokens.count {
            if let found = Self.match(tokens, at: index, bytes) { return found }
            index += 1
        }
        return nil
    }

    /// Whether the text before a date labels it as the publication or the last update.
    static func label(_ folded: [UInt8]) -> Label {
        // The nearest label wins: "Published May 2 · Updated May 4" labels the second date "updated".
        var best: (position: Int, label: Label) = (-1, .none)
        for (word, label) in Self.labelWords {
            if let position = TextBytes.lastIndex(of: word, in: folded), position > best.position {
                best = (position, label)
            }
        }
        return best.label
    }

    private static let labelWords: [([UInt8], Label)] = [
        ("updated", Label.updated), ("modified", .updated), ("revised", .updated), ("aktualisiert", .updated),
        ("mis à jour", .updated), ("actualizado", .updated), ("bijgewerkt", .updated), ("published", .published),
        ("posted", .published), ("veröffentlicht", .published), ("publié", .published),
        ("publicado", .published), ("gepubliceerd", .published), ("created", .published),
    ].map { (Array($0.0.utf8), $0.1) }

    // MARK: Tokens

    private enum Kind: Equatable {
        case number(Int, digits: Int)
        case word(Int?)  // a month number when the word names one
        case mark(UInt8)
    }

    private struct Token {
        var kind: Kind
        var start: Int
        /// Nothing but spaces between this token and the one before.
        var spaced: Bool
    }

    private static func tokens(_ bytes: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        var spaced = false
        while index < bytes.count, tokens.count < 400 {
            let byte = bytes[index]
            if byte == 32 || byte == 9 || byte == 10 || byte == 13 || byte == 0xA0 {
                spaced = true
                index += 1
                continue
            }
            // U+00A0 NO-BREAK SPACE as UTF-8.
            if byte == 0xC2, index + 1 < bytes.count, bytes[index + 1] == 0xA0 {
                spaced = true
                index += 2
                continue
            }
            let start = index
            if byte >= 48 && byte <= 57 {
                var value = 0
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57, index - start < 9 {
                    value = value * 10 + Int(bytes[index] - 48)
                    index += 1
                }
                let digits = index - start
                // Ordinal suffixes stay with their number: "17th", "1st", "2nd", "3rd".
                if index + 1 < bytes.count, Self.isOrdinalSuffix(bytes[index], bytes[index + 1]),
                    index + 2 >= bytes.count || !Self.isLetter(bytes[index + 2])
                {
                    index += 2
                }
                tokens.append(Token(kind: .number(value, digits: digits), start: start, spaced: spaced))
            } else if Self.isLetter(byte) {
                var word: [UInt8] = []
                while index < bytes.count, Self.isLetter(bytes[index]) {
                    let b = bytes[index]
                    word.append(b >= 65 && b <= 90 ? b + 32 : b)
                    index += 1
                }
                tokens.append(Token(kind: .word(Self.monthNumber(word)), start: start, spaced: spaced))
            } else {
                tokens.append(Token(kind: .mark(byte), start: start, spaced: spaced))
                index += 1
            }
            spaced = false
        }
        return tokens
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte >= 0x80
    }

    private static func isOrdinalSuffix(_ first: UInt8, _ second: UInt8) -> Bool {
        switch (first | 0x20, second | 0x20) {
        case (UInt8(ascii: "s"), UInt8(ascii: "t")), (UInt8(ascii: "n"), UInt8(ascii: "d")),
            (UInt8(ascii: "r"), UInt8(ascii: "d")), (UInt8(ascii: "t"), UInt8(ascii: "h")):
            return true
        default:
            return false
        }
    }

    // MARK: Patterns

    private static func match(_ tokens: [Token], at index: Int, _ bytes: [UInt8]) -> Found? {
        let token = tokens[index]
        switch token.kind {
        case .word(let month?):
            // Month D, YYYY / Mon. D YYYY
            var next = index + 1
            if next < tokens.count, tokens[next].kind == .mark(UInt8(ascii: ".")) { next += 1 }
            guard next < tokens.count, case .number(let day, let dayDigits) = tokens[next].kind, dayDigits <= 2
            else { return nil }
            next += 1
            if next < tokens.count, tokens[next].kind == .mark(UInt8(ascii: ",")) { next += 1 }
            guard next < tokens.count, case .number(let year, 4) = tokens[next].kind else { return nil }
            return Self.make(year, month, day, token.start)
        case .number(let first, let digits):
            if digits == 4 {
                // YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, or YYYY Mon D
                if index + 4 < tokens.count, case .mark(let separator) = tokens[index + 1].kind,
                    [UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: ".")].contains(separator),
                    case .number(let month, let monthDigits) = tokens[index + 2].kind, monthDigits <= 2,
                    tokens[index + 3].kind == .mark(separator),
                    case .number(let day, let dayDigits) = tokens[index + 4].kind, dayDigits <= 2,
                    !tokens[index + 1].spaced
                {
                    return Self.make(first, month, day, token.start)
                }
                if index + 2 < tokens.count, case .word(let month?) = tokens[index + 1].kind,
                    case .number(let day, let dayDigits) = tokens[index + 2].kind, dayDigits <= 2
                {
                    return Self.make(first, month, day, token.start)
                }
                return nil
            }
            guard digits <= 2 else { return nil }
            // D Month YYYY, D. Month YYYY, D de Month de YYYY, D of Month YYYY
            var next = index + 1
            if next < tokens.count, tokens[next].kind == .mark(UInt8(ascii: ".")),
                next + 1 < tokens.count, case .word = tokens[next + 1].kind
            {
                next += 1
            }
            if next < tokens.count, case .word(nil) = tokens[next].kind, Self.isJoiner(tokens[next], bytes) {
                next += 1
            }
            if next < tokens.count, case .word(let month?) = tokens[next].kind {
                next += 1
                if next < tokens.count, tokens[next].kind == .mark(UInt8(ascii: ".")) { next += 1 }
                if next < tokens.count, tokens[next].kind == .mark(UInt8(ascii: ",")) { next += 1 }
                if next < tokens.count, case .word(nil) = tokens[next].kind, Self.isJoiner(tokens[next], bytes) {
                    next += 1
                }
                guard next < tokens.count, case .number(let year, 4) = tokens[next].kind else { return nil }
                return Self.make(year, month, first, token.start)
            }
            // DD.MM.YYYY (day first), or DD/MM/YYYY and MM/DD/YYYY when only one reading is a date.
            guard index + 4 < tokens.count, case .mark(let separator) = tokens[index + 1].kind,
                [UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "-")].contains(separator),
                case .number(let second, let secondDigits) = tokens[index + 2].kind, secondDigits <= 2,
                tokens[index + 3].kind == .mark(separator),
                case .number(let year, 4) = tokens[index + 4].kind,
                !tokens[index + 1].spaced, !tokens[index + 2].spaced, !tokens[index + 3].spaced,
                !tokens[index + 4].spaced
            else { return nil }
            if first > 12 { return Self.make(year, second, first, token.start) }
            if second > 12 { return Self.make(year, first, second, token.start) }
            if first == second { return Self.make(year, first, second, token.start) }
            return nil
        default:
            return nil
        }
    }

    /// "de" (Spanish, Portuguese) and "of" between the parts of a date.
    private static func isJoiner(_ token: Token, _ bytes: [UInt8]) -> Bool {
        guard token.start + 2 <= bytes.count else { return false }
        let a = bytes[token.start] | 0x20
        let b = bytes[token.start + 1] | 0x20
        let ends = token.start + 2 == bytes.count || !Self.isLetter(bytes[token.start + 2])
        return ends
            && ((a == UInt8(ascii: "d") && b == UInt8(ascii: "e"))
                || (a == UInt8(ascii: "o") && b == UInt8(ascii: "f")))
    }

    private static func make(_ year: Int, _ month: Int, _ day: Int, _ start: Int) -> Found? {
        guard (1990...2100).contains(year), (1...12).contains(month), day >= 1, day <= Self.days(month, year)
        else { return nil }
        return Found(year: year, month: month, day: day, start: start)
    }

    private static func days(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The month a word names (English, German, French, Spanish, Dutch, Italian), or `nil`.
    private static func monthNumber(_ word: [UInt8]) -> Int? {
        guard word.count >= 3, word.count <= 10 else { return nil }
        return Self.months[word]
    }

    private static let months: [[UInt8]: Int] = {
        let names: [(String, Int)] = [
            ("january", 1), ("jan", 1), ("february", 2), ("feb", 2), ("march", 3), ("mar", 3), ("april", 4),
            ("apr", 4), ("may", 5), ("june", 6), ("jun", 6), ("july", 7), ("jul", 7), ("august", 8), ("aug", 8),
            ("september", 9), ("sep", 9), ("sept", 9), ("october", 10), ("oct", 10), ("november", 11), ("nov", 11),
            ("december", 12), ("dec", 12),
            ("januar", 1), ("februar", 2), ("märz", 3), ("mai", 5), ("juni", 6), ("juli", 7), ("oktober", 10),
            ("okt", 10), ("dezember", 12), ("dez", 12),
            ("janvier", 1), ("février", 2), ("fevrier", 2), ("mars", 3), ("avril", 4), ("juin", 6),
            ("juillet", 7), ("août", 8), ("aout", 8), ("septembre", 9), ("octobre", 10), ("novembre", 11),
            ("décembre", 12),
            ("enero", 1), ("febrero", 2), ("marzo", 3), ("abril", 4), ("mayo", 5), ("junio", 6), ("julio", 7),
            ("agosto", 8), ("septiembre", 9), ("setiembre", 9), ("octubre", 10), ("noviembre", 11),
            ("diciembre", 12),
            ("januari", 1), ("februari", 2), ("maart", 3), ("mei", 5), ("augustus", 8),
            ("gennaio", 1), ("febbraio", 2), ("aprile", 4), ("maggio", 5), ("giugno", 6), ("luglio", 7),
            ("settembre", 9), ("ottobre", 10), ("dicembre", 12),
        ]
        var table: [[UInt8]: Int] = [:]
        for (name, month) in names { table[Array(name.utf8)] = month }
        return table
    }()
}
