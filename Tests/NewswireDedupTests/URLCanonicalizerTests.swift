import NewswireDedup
import Testing

@Suite struct URLCanonicalizerTests {
    @Test(arguments: [
        ("HTTP://Example.ORG:80/a?utm_source=x&b=2&a=1#top", "http://example.org/a?a=1&b=2"),
        ("https://example.org:443", "https://example.org/"),
        ("https://example.org/story?fbclid=abc", "https://example.org/story"),
    ])
    func canonicalizes(input: String, expected: String) {
        #expect(URLCanonicalizer().canonicalize(input) == expected)
    }
}
