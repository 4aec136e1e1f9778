import NewswireCore
import Testing

@testable import NewswireDedup

/// The AVX-512 MinHash loop and the scalar one must give the same minimums: signatures are
/// stored in the state and compared across runs and machines.
@Suite struct MinHashKernelTests {
    @Test(.enabled(if: TextFingerprinter.hasAVX512, "without AVX-512 only the scalar loop runs"))
    func vectorAndScalarLoopsGiveTheSameMinimums() {
        var random = SeededGenerator(seed: 0x5EED_0024)
        for functions in [8, 12, 24, 31, 40, 64] {
            let multipliers = (0..<functions).map { _ in UInt64.random(in: .min ... .max, using: &random) | 1 }
            let addends = (0..<functions).map { _ in UInt64.random(in: .min ... .max, using: &random) }
            for count in [1, 2, 7, 100, 1_500] {
                let shingles = (0..<count).map { _ in UInt64.random(in: .min ... .max, using: &random) }
                let vector = TextFingerprinter.minimums(
                    of: shingles,
                    multipliers: multipliers,
                    addends: addends,
                    vectorized: true
                )
                let scalar = TextFingerprinter.minimums(
                    of: shingles,
                    multipliers: multipliers,
                    addends: addends,
                    vectorized: false
                )
                #expect(vector == scalar, "\(functions) functions, \(count) shingles")
            }
        }
    }

    @Test func aKnownTextKeepsItsSignature() {
        // The demo's first story and its fingerprint in the golden output, made with the
        // scalar loop before the vector loop existed: stored signatures must not change.
        let text = [
            "The Aldermoor City Council voted 9 to 4 on Thursday to approve a long-debated expansion of the Port of Velmora, clearing the way for two new deep-water berths and a rail spur to the Kestrel Valley freight line.",
            "Mayor Ines Carvalho called the decision \"the most important infrastructure vote this city has taken in a generation\" and said construction could begin next spring if the Regional Environment Agency signs off on the dredging plan.",
            "Opponents, led by the Harbourside Residents Association, argued that the project would bring heavy lorry traffic through the old town. Tobias Lindqvist, the association's chair, said the group would study the council's traffic commitments before deciding whether to appeal.",
            "The expansion is expected to cost 310 million euros, with Northwind Ferries and the shipping group Castellan Maritime contributing a third of the money under a 40-year concession.",
        ].joined(separator: "\n\n")
        #expect(TextFingerprinter().fingerprint(text).hex == "26c27ba6ce97f2b3f169e7b6eacc80734ea2bc021191ca46")
    }
}
