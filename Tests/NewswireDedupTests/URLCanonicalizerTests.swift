import NewswireDedup
import Testing

@Suite struct URLCanonicalizerTests {
    @Test(arguments: [
        // Scheme, host, default port and fragment.
        ("HTTP://Example.ORG:80/a?utm_source=x&b=2&a=1#top", "http://example.org/a?a=1&b=2"),
        ("https://example.org:443", "https://example.org/"),
        ("https://example.org:8443/x", "https://example.org:8443/x"),
        ("https://Example.org./story", "https://example.org/story"),
        // Tracking parameters, from the list and by prefix, in any case.
        ("https://example.org/story?fbclid=abc", "https://example.org/story"),
        ("https://example.org/story?UTM_Campaign=spring&gclid=1&mc_cid=2&mc_eid=3", "https://example.org/story"),
        ("https://example.org/story?id=7&pk_source=feed&_ga=1.2", "https://example.org/story?id=7"),
        // Query sorting, empty parts, blank values, plus as space.
        ("https://example.org/s?q=b&q=a&&p=1", "https://example.org/s?p=1&q=a&q=b"),
        ("https://example.org/s?", "https://example.org/s"),
        ("https://example.org/s?flag&x=", "https://example.org/s?flag&x="),
        ("https://example.org/s?q=red+fox", "https://example.org/s?q=red%20fox"),
        // Percent-encoding: unreserved decoded, others upper-case; raw spaces and non-ASCII escaped.
        ("https://example.org/%7Euser/%61rticle", "https://example.org/~user/article"),
        ("https://example.org/a%2fb%3f", "https://example.org/a%2Fb%3F"),
        ("https://example.org/caf\u{e9} au lait", "https://example.org/caf%C3%A9%20au%20lait"),
        // Trailing slashes and dot segments.
        ("https://example.org/news/story/", "https://example.org/news/story"),
        ("https://example.org/news/./old/../story", "https://example.org/news/story"),
        ("https://example.org//", "https://example.org/"),
        // Not http(s): unchanged.
        ("mailto:desk@example.org", "mailto:desk@example.org"),
        ("/relative/path", "/relative/path"),
    ])
    func canonicalizes(input: String, expected: String) {
        #expect(URLCanonicalizer().canonicalize(input) == expected)
    }

    @Test func isIdempotent() {
        let canonicalizer = URLCanonicalizer()
        for url in [
            "HTTP://Example.ORG:80/a/./b/?utm_source=x&b=2&a=%7e#f", "https://example.org/a%2fb?q=x+y",
        ] {
            let once = canonicalizer.canonicalize(url)
            #expect(canonicalizer.canonicalize(once) == once)
        }
    }

    @Test func prefersDeclaredURLOnTheSameSite() {
        let canonicalizer = URLCanonicalizer()
        let amp = "https://m.example.org/amp/story-1?utm_medium=social"
        #expect(
            canonicalizer.preferredURL(fetchedURL: amp, declaredURLs: ["https://www.example.org/news/story-1/"])
                == "https://www.example.org/news/story-1"
        )
        #expect(
            canonicalizer.preferredURL(fetchedURL: amp, declaredURLs: [nil, "https://example.org/og-url"])
                == "https://example.org/og-url"
        )
    }

    @Test func ignoresDeclaredURLOnAnotherSite() {
        let canonicalizer = URLCanonicalizer()
        let fetched = "https://example.org/story?fbclid=1"
        #expect(
            canonicalizer.preferredURL(fetchedURL: fetched, declaredURLs: ["https://other.example.net/story"])
                == "https://example.org/story"
        )
        #expect(
            canonicalizer.preferredURL(fetchedURL: fetched, declaredURLs: ["/story"]) == "https://example.org/story"
        )
    }

    @Test func articleIDIsStable() {
        // FNV-1a 64 of "a" is af63dc4c8601ec8c (the published test vector).
        #expect(ArticleIdentity.id(forCanonicalURL: "a") == "af63dc4c8601ec8c")
        #expect(ArticleIdentity.id(forCanonicalURL: "") == "cbf29ce484222325")
    }
}
