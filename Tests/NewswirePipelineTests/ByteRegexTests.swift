import Foundation
import NewswireCore
import Testing

@testable import NewswirePipeline

/// ``ByteRegex`` must answer as `NSRegularExpression` with `.caseInsensitive` does, on every
/// expression it accepts and every text it does not hand back to ICU.
@Suite struct ByteRegexTests {
    /// The answer of ICU, as `ItemFilter` asked it before ``ByteRegex``.
    private static func icu(_ expression: NSRegularExpression, _ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    private static func answer(_ regex: ByteRegex, _ text: String) -> Bool? {
        var text = text
        return text.withUTF8 { regex.matches($0) }
    }

    /// Texts with the cases that trip byte matchers: line terminators before the end, `\r\n`,
    /// letters in both cases, multi-byte code points, and characters that ICU folds to ASCII.
    private static let pieces = [
        "a", "b", "k", "K", "s", "S", "z", "Z", "A", "0", "9", "_", "/", ".", "-", " ", ":", "\n", "\r", "\r\n",
        "\t", "\u{0B}", "\u{0C}", "é", "É", "ß", "\u{212A}", "\u{017F}", "\u{2028}", "\u{85}", "😀", "ﬁ", "ab",
        "ba", "ks", "watch", "html",
    ]

    @Test func agreesWithNSRegularExpressionOnGeneratedExpressions() throws {
        var random = SeededGenerator(seed: 0x5EED_2026)
        var accepted = 0
        var answered = 0
        var mismatches: [String] = []
        for _ in 0..<500 {
            let source = Self.expression(&random, depth: 0)
            guard let reference = try? NSRegularExpression(pattern: source, options: [.caseInsensitive]) else {
                continue
            }
            guard let regex = ByteRegex(source) else { continue }
            accepted += 1
            for _ in 0..<24 {
                let text = (0..<random.below(8)).map { _ in Self.pieces[random.below(Self.pieces.count)] }.joined()
                guard let mine = Self.answer(regex, text) else { continue }
                answered += 1
                let expected = Self.icu(reference, text)
                if mine != expected && mismatches.count < 20 {
                    mismatches.append("/\(source)/ on \(text.debugDescription): ICU \(expected), bytes \(mine)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        // The comparison means something only if most generated expressions and texts took
        // the byte path.
        #expect(accepted > 350, "accepted \(accepted)")
        #expect(answered > 6_000, "answered \(answered)")
    }

    /// The expressions of `scripts/bench-crawl` and the issue's examples, on texts of their kind.
    @Test(arguments: [
        "[a-z]", ".", "^http", "story", "html$", "^Watch:", "^Video:", "\\/ads\\/", "utm_campaign", "\\/promo\\/", "^$",
        "^(Watch|Video|Listen):", "\\.html?$", "sponsor(ed|ship)", "^live[ :]", "gr[ae]y", "colou?r",
        "[0-9]{4}-[0-9]{2}",
        "a.*b", "(?:paid|promoted) posts?", "[^a-z0-9]", "x*", "^.{0,5}$",
    ])
    func agreesOnCommonRules(_ source: String) throws {
        let regex = try #require(ByteRegex(source), "\(source) should compile to bytes")
        let reference = try NSRegularExpression(pattern: source, options: [.caseInsensitive])
        let texts = [
            "", "Watch: the launch", "before watch: it", "https://paper.test/ads/1.html", "page.HTML", "page.htm\n",
            "page.html\r\n", "a story here", "x?utm_campaign=1", "/promo/", "VIDEO: harbour", "LIVE: vote", "grey",
            "GRAY", "color", "2026-09", "A then B", "Paid Posts", "Straße", "\u{2028}", "tab\there", "12345",
            "123456", "naïve café", "ends with line\u{2028}", "\n",
        ]
        for text in texts {
            let mine = Self.answer(regex, text)
            #expect(mine == nil || mine == Self.icu(reference, text), "/\(source)/ on \(text.debugDescription)")
        }
    }

    @Test(arguments: [
        "\\d+", "\\bword\\b", "\\w", "(?i)x", "a++", "[[:alpha:]]", "[a-z&&[^aeiou]]", "café", "(a)\\1", "(?=a)",
        "\\p{L}", "[ab-]", "a{2,100}",
    ])
    func leavesOtherFormsToICU(_ source: String) {
        #expect(ByteRegex(source) == nil)
    }

    /// An expression whose DFA would pass the state budget is left to ICU, not built.
    @Test func exponentialExpressionsAreLeftToICU() {
        #expect(ByteRegex("(a|b)*a(a|b){12}") == nil)
        #expect(ByteRegex("(a|b)*a(a|b){3}") != nil)
    }

    /// Texts ICU can fold onto ASCII letters (ß, ſ, the Kelvin sign, ligatures) are handed back.
    @Test func foldingCharactersAreHandedBack() throws {
        let regex = try #require(ByteRegex("ss"))
        #expect(Self.answer(regex, "Strasse") == true)
        #expect(Self.answer(regex, "Straße") == nil)
        #expect(Self.answer(regex, "\u{212A}elvin") == nil)
        #expect(Self.answer(regex, "café") == false)
    }

    // MARK: - Generated expressions

    private static let literals = Array("abkszAKS09_/:#,'\"@=%<>!~")
    private static let escaped = ["\\.", "\\/", "\\-", "\\n", "\\r", "\\t", "\\(", "\\[", "\\*", "\\?", "\\$", "\\^"]
    private static let classMembers = [
        "a", "b", "k", "s", "z", "0", "9", "_", ".", "/", "A", "K", "(", "*", "?", "|", "#", " ",
    ]
    private static let classRanges = ["a-c", "a-z", "A-Z", "0-9", "j-l", "r-t", "Z-a", "\\--/", "\\.-9"]

    private static func expression(_ random: inout SeededGenerator, depth: Int) -> String {
        let branches = depth < 2 && random.below(5) == 0 ? 2 + random.below(2) : 1
        return (0..<branches).map { _ in self.sequence(&random, depth: depth) }.joined(separator: "|")
    }

    private static func sequence(_ random: inout SeededGenerator, depth: Int) -> String {
        var text = ""
        if random.below(6) == 0 { text += "^" }
        for _ in 0..<(random.below(4) + (depth == 0 ? 1 : 0)) {
            text += self.atom(&random, depth: depth)
            switch random.below(10) {
            case 0: text += "*"
            case 1: text += "+"
            case 2: text += "?"
            case 3: text += ["{2}", "{0,2}", "{1,}", "{0,1}", "{3}"][random.below(5)]
            case 4: text += ["*?", "+?", "??"][random.below(3)]
            default: break
            }
        }
        if random.below(6) == 0 { text += "$" }
        return text
    }

    private static func atom(_ random: inout SeededGenerator, depth: Int) -> String {
        switch random.below(12) {
        case 0, 1: return "."
        case 2, 3: return self.characterClass(&random)
        case 4: return self.escaped[random.below(self.escaped.count)]
        case 5 where depth < 2:
            return (random.below(2) == 0 ? "(" : "(?:") + self.expression(&random, depth: depth + 1) + ")"
        default: return String(self.literals[random.below(self.literals.count)])
        }
    }

    private static func characterClass(_ random: inout SeededGenerator) -> String {
        var text = random.below(3) == 0 ? "[^" : "["
        for _ in 0..<(1 + random.below(3)) {
            text +=
                random.below(3) == 0
                ? self.classRanges[random.below(self.classRanges.count)]
                : self.classMembers[random.below(self.classMembers.count)]
        }
        return text + "]"
    }
}
