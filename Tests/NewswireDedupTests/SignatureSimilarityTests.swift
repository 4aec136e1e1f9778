import NewswireCore
import NewswireDedup
import Testing

@Suite struct SignatureSimilarityTests {
    /// The word-at-a-time count of equal bytes against a byte-by-byte one, on signatures of
    /// every length from 1 to 40 with 0 to all bytes equal.
    @Test func equalBytesMatchOneByOne() {
        var generator = SplitMix(seed: 42)
        for length in 1...40 {
            for _ in 0..<50 {
                let first = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let keep = Double.random(in: 0...1, using: &generator)
                let second = first.map { byte in
                    Double.random(in: 0...1, using: &generator) < keep
                        ? byte : UInt8.random(in: 0...255, using: &generator)
                }
                let equal = zip(first, second).filter { $0 == $1 }.count
                let expected = max(0, (Double(equal) / Double(length) - 1.0 / 256) / (1 - 1.0 / 256))
                #expect(TextFingerprinter.similarity(first, second) == expected)
            }
        }
    }
}

private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The engine takes an ASCII text's word count from its fingerprint: the two must agree.
@Suite struct FingerprintWordCountTests {
    @Test(arguments: [
        "", "One two  three.", "x-y, 3.14, 2nd; a_b c'd", "tabs\tand\nnew lines -- and ... dots",
        "UPPER lower MiXeD 42 7up", "  leading and trailing  ",
    ])
    func asciiWordsAreTheRecordsWords(text: String) {
        var article = Article(sequence: SequenceNumber(round: 0, feed: 0, item: 0), url: "http://127.0.0.1/a")
        article.text = text
        #expect(TextFingerprinter().fingerprint(text).wordCount == article.countWords())
    }
}
