import Foundation
import NewswireArchive
import NewswireCore
import Testing

/// Damaged archives: random flips, cuts, insertions and deletions. Whatever the damage, the
/// reader ends, every error names an offset inside the file, and every record the damage did
/// not touch is read.
@Suite struct WARCReaderDamageTests {
    private struct Damage {
        var bytes: [UInt8]
        /// Indices (in the original) of the records the damage touched.
        var touched: Set<Int>
        /// A cut at a record boundary leaves a shorter but sound file, which no reader can tell.
        var isCut = false
    }

    private static let records: [[UInt8]] = (0..<24).map { index in
        ArchiveFixtures.response(
            uri: "https://courier.example/news/\(index)",
            headers: [("Content-Type", "text/html")],
            body: ArchiveFixtures.page("Story \(index) from the Velmora hills", paragraphs: 5 + index % 7),
            // Fixed record IDs: the same bytes, so the seeded damage is the same every run.
            id: "00000000-0000-4000-8000-\(String(format: "%012d", index))"
        )
    }

    private func damage(_ parts: [[UInt8]], random: inout SeededGenerator) -> Damage {
        var starts: [Int] = []
        var bytes: [UInt8] = []
        for part in parts {
            starts.append(bytes.count)
            bytes += part
        }
        func record(at offset: Int) -> Int { (starts.lastIndex { $0 <= offset }) ?? 0 }
        let at = random.below(bytes.count)
        switch random.below(4) {
        case 0:  // flip a few bytes within one record
            let end = Swift.min(bytes.count, at + 1 + random.below(8))
            for index in at..<end { bytes[index] ^= UInt8(1 + random.below(255)) }
            return Damage(bytes: bytes, touched: Set(record(at: at)...record(at: end - 1)))
        case 1:  // cut the file
            return Damage(bytes: Array(bytes[..<at]), touched: Set(record(at: at)..<parts.count), isCut: true)
        case 2:  // garbage between two records
            let boundary = starts[random.below(starts.count)]
            let junk = (0..<(1 + random.below(300))).map { _ in UInt8(random.below(256)) }
            bytes.insert(contentsOf: junk, at: boundary)
            return Damage(bytes: bytes, touched: [])
        default:  // a stretch lost
            let end = Swift.min(bytes.count, at + 1 + random.below(2000))
            bytes.removeSubrange(at..<end)
            return Damage(bytes: bytes, touched: Set(record(at: at)...record(at: end - 1)))
        }
    }

    @Test(arguments: [false, true])
    func damageLosesOnlyTheRecordsItTouches(gzipped: Bool) throws {
        let directory = ArchiveFixtures.temporaryDirectory()
        let parts = gzipped ? Self.records.map { Gzip.compress($0) } : Self.records
        var random = SeededGenerator(seed: gzipped ? 7 : 11)
        for trial in 0..<200 {
            let damaged = self.damage(parts, random: &random)
            let path = ArchiveFixtures.write(damaged.bytes, to: "damaged-\(trial).warc", in: directory)
            let (records, errors) = try ArchiveFixtures.readAll(path)
            for error in errors {
                #expect(error.offset >= 0 && error.offset <= Int64(damaged.bytes.count), "trial \(trial): \(error)")
            }
            let read = Set(records.compactMap(\.targetURI))
            let lost = (0..<parts.count).filter {
                !damaged.touched.contains($0) && !read.contains("https://courier.example/news/\($0)")
            }
            #expect(
                lost.isEmpty,
                "trial \(trial): records \(lost) lost, touched \(damaged.touched.sorted()); errors \(errors)"
            )
            // Damage that leaves a sound-looking record (a stretch cut from one header to the
            // next) cannot be noticed without digests; what matters is that nothing else is lost.
        }
    }
}
