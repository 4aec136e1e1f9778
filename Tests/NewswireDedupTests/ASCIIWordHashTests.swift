import NewswireCore
import Testing

@testable import NewswireDedup

/// ASCII text takes a branch-free word loop; its word hashes must be those of the general
/// UTF-8 loop, which the state's stored fingerprints were made with.
@Suite struct ASCIIWordHashTests {
    @Test func asciiLoopGivesTheGeneralLoopsHashes() {
        var random = SeededGenerator(seed: 0xA5C1_1000)
        let alphabet = Array("aZ9 \t\n\r.,'-_/()[]{}\"!?;:@#&*+=<>~`^|\\$%") + ["\u{0}", "\u{1}", "\u{7F}"]
        var texts = ["", " ", "a", "A", "Word", " lead", "trail ", "x y", "  two  spaces  ", "end."]
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...300, using: &random)
            let weighted = (0..<length).map { _ -> Character in
                // Mostly letters, as in text, so words of every length occur.
                Int.random(in: 0..<4, using: &random) == 0
                    ? alphabet.randomElement(using: &random)!
                    : Character(Unicode.Scalar(UInt8.random(in: 0x61...0x7a, using: &random)))
            }
            texts.append(String(weighted))
        }
        for text in texts {
            var utf8 = Array(text.utf8)
            var general: [UInt64] = []
            var ascii: [UInt64] = []
            utf8.withUnsafeMutableBufferPointer { bytes in
                let bytes = UnsafeBufferPointer(bytes)
                TextFingerprinter.forEachWord(inUTF8: bytes) { general.append($0) }
                TextFingerprinter.forEachASCIIWord(in: bytes) { ascii.append($0) }
            }
            #expect(ascii == general, "\(text.debugDescription)")
        }
    }

    @Test func knownWordsKeepTheirHashes() {
        // FNV-1a of the lower-cased bytes, then mixed: these values are in stored state.
        #expect(TextFingerprinter.hashWord("Harbour") == TextFingerprinter.hashWord("harbour"))
        var words: [UInt64] = []
        TextFingerprinter.forEachWord(in: "Harbour, harbour; HARBOUR café") { words.append($0) }
        #expect(words.count == 4)
        #expect(Set(words.prefix(3)).count == 1)
    }
}
