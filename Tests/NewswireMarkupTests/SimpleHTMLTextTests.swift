import Foundation
import NewswireCore
import NewswireMarkup
import Testing

/// The direct reader of plain fragments must give exactly what libxml2 gives, or step aside.
@Suite struct SimpleHTMLTextTests {
    @Test(arguments: [
        "<p>One <b>bold</b> move.</p><p>Second &amp; last &#8217;n &#x263A; &rsquo;.</p>",
        "<ul><li>first <a href=\"/x?a=1&amp;b=2\" title='it > is'>link</a></li><li><p>second</p></li></ul>",
        "<div class=intro><h2>Head</h2>\n  <p>Body<br/>line<br>two <img src=x.png alt=\"\"> end</p></div>",
        "Text   with <em>inline</em> only &nbsp; and &lt;tags&gt; &quot;quoted&quot;",
        "<blockquote><p>Quote</p></blockquote><figure><img src=a.jpg><figcaption>Cap</figcaption></figure>",
    ])
    func plainMarkupIsReadDirectly(html: String) {
        LibXML2.initialize()
        let direct = HTMLText.simplePlainText(html)
        #expect(direct != nil)
        #expect(direct == HTMLText.parsedPlainText(html))
    }

    @Test(arguments: [
        "<p>one<p>two",  // implied end tag
        "<p>a<div>b</div>c</p>",  // a block inside a paragraph
        "a</p>b",  // an end tag with no start
        "<b>bold <i>both</b> italic</i>",  // misnested
        "<li>alone</li>",  // a list item outside a list
        "<script>x()</script>text",  // an element it does not know
        "<!-- note -->text",
        "a &unknown; b",
        "a & b",
        "&amp without semicolon",
        "line\rbreak",
        "<a href=x><a href=y>nested</a></a>",
        "<p>open",
        "< p>spaced</p>",
        "<p class=\"unterminated>text</p>",
        "<h2 id=\"a\u{0}b\">NUL in a quoted value</h2>",  // the parser stops at a NUL
        "<h2 id=a\u{1}b>control in a bare value</h2>",
    ])
    func unusualMarkupGoesToLibXML2(html: String) {
        #expect(HTMLText.simplePlainText(html) == nil)
    }

    /// Inputs found by `scripts/fuzz fragment` (kept in Fuzz/regressions/fragment): the
    /// direct reader steps aside or agrees.
    @Test func fuzzRegressionsAgreeWithLibXML2() throws {
        LibXML2.initialize()
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/fragment")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!files.isEmpty)
        for file in files {
            let bytes = try Data(contentsOf: folder.appendingPathComponent(file))
            let html = String(decoding: bytes, as: UTF8.self)
            if let direct = HTMLText.simplePlainText(html) {
                #expect(direct == HTMLText.parsedPlainText(html), "\(file)")
            }
        }
    }

    /// Random fragments from a small grammar of known and unknown elements, attributes,
    /// entities, white space and stray characters: whenever the direct reader answers, it
    /// answers as libxml2 does, and it answers often enough to matter.
    @Test func randomFragmentsAgreeWithLibXML2() {
        LibXML2.initialize()
        var generator = FragmentGenerator(seed: 2026)
        var direct = 0
        for _ in 0..<10_000 {
            let html = generator.fragment()
            guard let text = HTMLText.simplePlainText(html) else { continue }
            direct += 1
            let parsed = HTMLText.parsedPlainText(html)
            #expect(text == parsed, "\(html.debugDescription)")
            if text != parsed { return }
        }
        #expect(direct > 1_000)
    }

    /// Every description, content and title of the shared feed corpus (opt-in: set
    /// NEWSWIRE_SHARED_DATA): the direct reader agrees with libxml2 wherever it answers.
    @Test func sharedFeedsAgreeWithLibXML2() throws {
        guard let data = ProcessInfo.processInfo.environment["NEWSWIRE_SHARED_DATA"] else { return }
        LibXML2.initialize()
        let root = data + "/feeds-conformance/feeds"
        let manager = FileManager.default
        var (direct, total) = (0, 0)
        for file in manager.enumerator(atPath: root)?.compactMap({ $0 as? String }).sorted() ?? [] {
            guard let bytes = manager.contents(atPath: root + "/" + file) else { continue }
            let parsed = FeedParser().parseFeed(
                FetchedDocument(requestedURL: "http://127.0.0.1/feed", body: [UInt8](bytes))
            )
            for entry in parsed.entries {
                for html in [entry.content, entry.summary, entry.title].compactMap({ $0 }) {
                    total += 1
                    guard let text = HTMLText.simplePlainText(html) else { continue }
                    direct += 1
                    #expect(text == HTMLText.parsedPlainText(html), "\(file): \(html.debugDescription)")
                }
            }
        }
        #expect(direct > total / 4)
    }
}

/// Seeded random HTML fragments, mostly well formed, sometimes not.
private struct FragmentGenerator {
    var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next(_ bound: Int) -> Int {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }

    mutating func pick(_ options: [String]) -> String { options[self.next(options.count)] }

    mutating func fragment() -> String {
        var html = ""
        for _ in 0..<(1 + self.next(4)) { html += self.node(depth: 0) }
        return html
    }

    mutating func node(depth: Int) -> String {
        switch self.next(depth > 3 ? 3 : 10) {
        case 0, 1: return self.text()
        case 2:
            return self.pick([
                "&amp;", "&lt;", "&nbsp;", "&rsquo;", "&#233;", "&#x2014;", "&copy;", "&apos;", "&", "&#0;",
            ])
        case 3:
            return self.pick(["<br>", "<br/>", "<img src=\"a.png\" alt='x'>", "<hr>", "<wbr>", "</p>", "</b>", "<"])
        default:
            let name = self.pick([
                "p", "p", "b", "i", "em", "a", "span", "div", "ul", "li", "ol", "h2", "blockquote", "strong",
                "section", "font", "table", "td", "script", "style", "pre", "figure", "P", "A", "noscript",
            ])
            let attributes = self.pick([
                "", "", " class=\"x\"", " href='/a?b=1&amp;c=2'", " id=y data-n=3", " title=\"a > b\"", " x=it's",
                " checked", "  lang = en ",
            ])
            var inner = ""
            for _ in 0..<self.next(4) { inner += self.node(depth: depth + 1) }
            let close = self.next(12) == 0 ? "" : "</\(self.next(8) == 0 ? "p" : name)>"
            return "<\(name)\(attributes)>\(inner)\(close)"
        }
    }

    mutating func text() -> String {
        var words: [String] = []
        for _ in 0..<(1 + self.next(5)) {
            words.append(
                self.pick([
                    "Velmora", "river", "flood", "ça", "naïve", "東京", "—", "  ", "\n", "\t", "x > y", "\r\n", "é",
                ])
            )
        }
        return words.joined(separator: self.pick([" ", "", "\n"]))
    }
}
