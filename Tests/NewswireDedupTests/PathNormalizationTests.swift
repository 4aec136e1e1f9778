import NewswireCore
import Testing

@testable import NewswireDedup

/// The canonicalizer's shortcut for paths that are already normal gives what the full
/// rewrite gives, on random paths built from the characters that matter.
@Suite struct PathNormalizationTests {
    @Test func theShortcutAgreesWithTheRewrite() {
        var random = SeededGenerator(seed: 11)
        let pieces = [
            "/", "/", "/", "a", "news", "2026", "-", "_", "~", ".", "..", "%41", "%2f", "%7E", "%", " ", "+", "\"",
            "<", ">", "é", "?", ":", "@", "!", "$", "&", "'", "(", ")", "*", ",", ";", "=", "index.html",
        ]
        var shortcuts = 0
        for _ in 0..<20_000 {
            var path = random.below(4) == 0 ? "" : "/"
            for _ in 0..<random.below(8) { path += pieces[random.below(pieces.count)] }
            let expected = URLCanonicalizer.rewritePath(Substring(path))
            if URLCanonicalizer.isNormalPath(Substring(path)) {
                shortcuts += 1
                #expect(path == expected, "\(path) → \(expected)")
            }
            #expect(URLCanonicalizer.normalizePath(Substring(path)) == expected)
        }
        // Both kinds were met.
        #expect(shortcuts > 1_000 && shortcuts < 19_000)
    }

    @Test(arguments: ["/", "/news/2026/harbour-opens", "/a//b", "/story.html", "/v1.2/item"])
    func normalPathsTakeTheShortcut(path: String) {
        #expect(URLCanonicalizer.isNormalPath(Substring(path)))
    }

    @Test(arguments: ["", "news", "/a/", "/./a", "/a/../b", "/%41", "/a b", "/caf\u{e9}", "/a/."])
    func otherPathsAreRewritten(path: String) {
        #expect(!URLCanonicalizer.isNormalPath(Substring(path)))
    }
}
