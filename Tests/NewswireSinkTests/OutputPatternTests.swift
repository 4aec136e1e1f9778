import Foundation
import NewswireCore
import NewswireSink
import Testing

@Suite struct OutputPatternTests {
    /// 2026-12-03T09:05:07Z.
    private let morning = Date(timeIntervalSince1970: 1_796_288_707)

    @Test func expandsEveryFieldInUTC() throws {
        let pattern = try OutputPattern("/data/out/articles-%Y%m%dT%H%M%S.ndjson")
        #expect(pattern.folder == "/data/out")
        #expect(pattern.fileName(at: self.morning) == "articles-20261203T090507.ndjson")
        #expect(try OutputPattern("/o/%Y-%m-%d_%H%%.ndjson").fileName(at: self.morning) == "2026-12-03_09%.ndjson")
    }

    @Test func aRelativeFolderIsMadeAbsolute() throws {
        let pattern = try OutputPattern("out/../feeds/a-%Y.ndjson")
        #expect(pattern.folder.hasPrefix("/"))
        #expect(pattern.folder.hasSuffix("/feeds"))
        #expect(pattern.text == pattern.folder + "/a-%Y.ndjson")
    }

    @Test func theCounterSortsAfterTheNameWithoutOne() throws {
        let pattern = try OutputPattern("/o/articles-%Y%m%dT%H%M%S.part.ndjson")
        let names = [0, 1, 2, 10, 123].map { pattern.fileName(at: self.morning, counter: $0) }
        #expect(names[0] == "articles-20261203T090507.part.ndjson")
        #expect(names[1] == "articles-20261203T090507_0001.part.ndjson")
        #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        // A second later still sorts after every counter of the second before.
        let later = pattern.fileName(at: self.morning.addingTimeInterval(1))
        #expect(names.allSatisfy { $0.utf8.lexicographicallyPrecedes(later.utf8) })
        for (counter, name) in zip([0, 1, 2, 10, 123], names) {
            #expect(pattern.parse(name)?.counter == counter)
            #expect(pattern.parse(name)?.stem == "articles-20261203T090507")
        }
    }

    @Test(arguments: [
        "articles-20261203T090507.errors.ndjson", "articles-2026120T090507.ndjson",
        "articles-20261203T090507_01.ndjson",
        ".articles-20261203T090507.ndjson.open", "articles-2026x203T090507.ndjson",
    ])
    func otherNamesAreNotThePatterns(name: String) throws {
        #expect(try OutputPattern("/o/articles-%Y%m%dT%H%M%S.ndjson").parse(name) == nil)
    }

    @Test(arguments: [
        ("/o/articles.ndjson", "no time field"), ("/o/%Y/articles-%m.ndjson", "folder"),
        ("/o/a-%Q.ndjson", "unknown field '%Q'"), ("/o/.hidden-%Y", "hidden"), ("/o/", "no file name"),
    ])
    func refusesUnusablePatterns(pattern: String, reason: String) {
        #expect {
            _ = try OutputPattern(pattern)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func errorRecordsGetTheirOwnPattern() throws {
        #expect(try OutputPattern("/o/a-%H.ndjson").errorsPattern().text == "/o/a-%H.errors.ndjson")
        #expect(try OutputPattern("/o/a-%H.jsonl").errorsPattern().text == "/o/a-%H.jsonl.errors.ndjson")
    }
}

@Suite struct RotationPolicyTests {
    @Test func readsTheMappingsValues() throws {
        #expect(try RotationPolicy(values: ["bytes": "1000"]) == RotationPolicy(bytes: 1000, hours: nil))
        #expect(try RotationPolicy(values: ["bytes": "64MB", "hours": "0.5"]).bytes == 64_000_000)
        #expect(try RotationPolicy(values: ["bytes": "2 GiB"]).bytes == 2 << 30)
        #expect(try RotationPolicy(values: ["hours": "24"]).hours == 24)
    }

    @Test(arguments: [
        (["bytes": "0"], "bytes"), (["bytes": "-5"], "bytes"), (["bytes": "12 parsecs"], "bytes"),
        (["hours": "0"], "hours"), (["hours": "soon"], "hours"), (["hours": "nan"], "hours"),
        (["size": "10"], "size"),
    ])
    func refusesBadValuesNamingTheKey(values: [String: String], key: String) {
        #expect {
            _ = try RotationPolicy(values: values)
        } throws: { error in
            (error as? RotationPolicy.Error)?.key == key
        }
    }

    @Test func needsALimit() {
        #expect(throws: RotationPolicy.Error.self) { _ = try RotationPolicy(values: [:]) }
    }
}
