import NewswireCore
import NewswireDedup
import Testing

@Suite struct SignatureSimilarityTests {
    /// The word-at-a-time count of equal bytes against a byte-by-byte one, on signatures of
    /// every length from 1 to 40 with 0 to all bytes equal.
    @Test func equalBytesMatchOneByOne() {
        var generator = SeededGenerator(seed: 42)
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
