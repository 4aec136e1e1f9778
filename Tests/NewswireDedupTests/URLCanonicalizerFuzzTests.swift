import Foundation
import NewswireDedup
import Testing

/// Inputs found by `scripts/fuzz url` (kept in Fuzz/regressions/url) and their shapes:
/// canonicalising a canonical URL must give it back.
@Suite struct URLCanonicalizerFuzzTests {
    private static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/url")

    @Test(arguments: [
        "HTTP://Host..:80/a", "https://host.:443./b", "http://host:.:80/c", "http://..:80/", "http://:80/",
        "https://news.example.:443/story?b=1&a=2",
        // A combining mark glued to `&`, `=`, `?` or `#` must not hide the delimiter.
        "https://news.example/s?cc=1&\u{0656}=a&b=2", "https://news.example/s?x=\u{0301}1&a",
        "https://news.example/s?\u{0656}q=1#\u{0656}frag", "https://news.example/p#\u{0656}x?y=1",
    ])
    func canonicalURLsAreAFixedPoint(url: String) {
        let canonicalizer = URLCanonicalizer()
        let once = canonicalizer.canonicalize(url)
        #expect(canonicalizer.canonicalize(once) == once, "\(url) → \(once)")
    }

    @Test func everyKeptFuzzInputIsAFixedPoint() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.regressions.path)
        #expect(!files.isEmpty)
        let canonicalizer = URLCanonicalizer()
        for file in files {
            let data = try Data(contentsOf: Self.regressions.appendingPathComponent(file))
            let once = canonicalizer.canonicalize(String(decoding: data, as: UTF8.self))
            #expect(canonicalizer.canonicalize(once) == once, "\(file)")
        }
    }
}
