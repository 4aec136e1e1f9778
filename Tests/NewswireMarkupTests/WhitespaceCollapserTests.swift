import NewswireCore
import Testing

@testable import NewswireMarkup

/// The collapser gets a block's text in the pieces the HTML reader finds between tags; its
/// output must be that of the whole text, wherever the pieces are cut.
@Suite struct WhitespaceCollapserTests {
    /// Short texts of letters, every kind of white space, a no-break space (C2 A0), another
    /// character with the same first byte (C2 A2) and a control character.
    private static let tokens = ["a", "é", " ", "\t", "\r", "\n", "\u{C}", "\u{A0}", "¢", "\u{1}"]

    @Test func piecesGiveWhatTheWholeTextGives() {
        var texts: [[UInt8]] = [[]]
        var last: [[UInt8]] = [[]]
        for _ in 0..<4 {
            last = last.flatMap { prefix in Self.tokens.map { prefix + Array($0.utf8) } }
            texts += last
        }
        var checked = 0
        for text in texts {
            for separator in [false, true] {
                let whole = Self.reference(text, separator: separator)
                // Every cut into two pieces and, for short texts, every cut into three, at any
                // byte (a no-break space's two bytes may arrive apart).
                for first in 0...text.count {
                    #expect(
                        Self.collapse([Array(text[..<first]), Array(text[first...])], separator: separator) == whole
                    )
                    checked += 1
                    guard text.count <= 6 else { continue }
                    for second in first...text.count {
                        let pieces = [Array(text[..<first]), Array(text[first..<second]), Array(text[second...])]
                        #expect(Self.collapse(pieces, separator: separator) == whole)
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 100_000)
    }

    /// Long words are copied eight bytes at a time: texts of words of every length, cut
    /// anywhere into up to five pieces.
    @Test func longTextsInRandomPieces() {
        var random = SeededGenerator(seed: 0xC011_A95E)
        let spaces = [" ", "  ", "\t", "\r", "\n", "\n\n", " \n ", "\u{C}", "\u{A0}", " \u{A0} "]
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789.,;é¢\u{1}€")
        for _ in 0..<3_000 {
            var text = ""
            for _ in 0..<Int.random(in: 1...14, using: &random) {
                text += String(
                    (0..<Int.random(in: 1...19, using: &random)).map { _ in letters.randomElement(using: &random)! }
                )
                text += spaces.randomElement(using: &random)!
            }
            if Bool.random(using: &random) { text = spaces.randomElement(using: &random)! + text }
            let bytes = Array(text.utf8)
            let cuts = (0..<Int.random(in: 0...4, using: &random)).map { _ in
                Int.random(in: 0...bytes.count, using: &random)
            }
            .sorted()
            var pieces: [[UInt8]] = []
            var start = 0
            for cut in cuts + [bytes.count] {
                pieces.append(Array(bytes[start..<cut]))
                start = cut
            }
            let separator = Bool.random(using: &random)
            #expect(
                Self.collapse(pieces, separator: separator) == Self.reference(bytes, separator: separator),
                "\(text.debugDescription) cut at \(cuts)"
            )
        }
    }

    @Test func aWholeTextCollapsesAsDocumented() {
        #expect(HTMLText.plainText(fromFragment: "  one \u{A0} two\t\n\n  three  \r\n") == "one two\nthree")
        #expect(HTMLText.plainText(fromFragment: "<p> a </p><p> </p><p>b<br> <br>c</p>") == "a\n\nb\nc")
    }

    private static func collapse(_ pieces: [[UInt8]], separator: Bool) -> [UInt8] {
        var collapser = WhitespaceCollapser(separator: separator)
        var output: [UInt8] = []
        for piece in pieces {
            var room = [UInt8](repeating: 0, count: WhitespaceCollapser.room(for: piece.count))
            let written = piece.withUnsafeBufferPointer { text in
                room.withUnsafeMutableBufferPointer { collapser.append(text, to: $0) }
            }
            output += room[..<written]
        }
        var room = [UInt8](repeating: 0, count: WhitespaceCollapser.room(for: 0))
        let written = room.withUnsafeMutableBufferPointer { collapser.finish(to: $0) }
        return output + room[..<written]
    }

    /// The rule, line by line: runs of white space become one space, lines are trimmed, empty
    /// lines dropped; a separated block starts with a blank line when it has any text.
    private static func reference(_ text: [UInt8], separator: Bool) -> [UInt8] {
        let scalars = String(decoding: text, as: UTF8.self).unicodeScalars
        let space: Set<Unicode.Scalar> = [" ", "\t", "\r", "\u{C}", "\u{A0}"]
        let lines = scalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.split(whereSeparator: space.contains).map { word in
                var scalars = String.UnicodeScalarView()
                scalars.append(contentsOf: word)
                return String(scalars)
            }.joined(separator: " ")
        }
        let joined = lines.filter { !$0.isEmpty }.joined(separator: "\n")
        return joined.isEmpty ? [] : Array(((separator ? "\n\n" : "") + joined).utf8)
    }
}
