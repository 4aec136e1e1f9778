import Foundation
import NewswireCore
import NewswireMarkup
import Testing

@Suite struct FeedRecoveryTests {
    private func rss(_ items: String, declaration: String = "<?xml version=\"1.0\" encoding=\"utf-8\"?>") -> String {
        "\(declaration)\n<rss version=\"2.0\"><channel><title>Fenwick Times</title>\(items)</channel></rss>"
    }

    @Test func wellFormedFeedIsMarkedSo() {
        #expect(parseFeed(self.rss("<item><title>Plain</title></item>")).wellFormed)
    }

    @Test func decodesUndeclaredHTMLEntities() {
        let feed = parseFeed(self.rss("<item><title>Caf&eacute; &mdash; open&nbsp;late</title></item>"))
        #expect(feed.entries.first?.title == "Café — open\u{A0}late")
        #expect(!feed.wellFormed)
    }

    @Test func keepsBareAmpersands() {
        let feed = parseFeed(
            self.rss("<item><title>Smith & Sons win</title><link>https://fenwick.example/a?x=1&y=2</link></item>")
        )
        #expect(feed.entries.first?.title == "Smith & Sons win")
        #expect(feed.entries.first?.link == "https://fenwick.example/a?x=1&y=2")
        #expect(!feed.wellFormed)
    }

    @Test func dropsControlCharacters() {
        let feed = parseFeed(self.rss("<item><title>Bell\u{07} rings\u{0B}</title></item>"))
        #expect(feed.entries.first?.title == "Bell rings")
        #expect(!feed.wellFormed)
    }

    @Test func readsTruncatedDocument() {
        let feed = parseFeed(
            self.rss(
                "<item><title>One</title></item><item><title>Two</title><link>https://fenwick.example/2</link></item>"
            )
            .replacingOccurrences(of: "</channel></rss>", with: "<item><title>Thr")
        )
        #expect(feed.entries.map(\.title).prefix(2) == ["One", "Two"])
        #expect(feed.entries[1].link == "https://fenwick.example/2")
        #expect(!feed.wellFormed)
    }

    @Test func readsUnclosedItems() {
        let feed = parseFeed(
            self.rss("<item><title>First</title><item><title>Second</title></item><item><title>Third</title></item>")
        )
        #expect(feed.entries.map(\.title) == ["First", "Second", "Third"])
        #expect(!feed.wellFormed)
    }

    @Test func recoversFromMismatchedTags() {
        let feed = parseFeed(self.rss("<item><title>Loose <b>bold</title></item>"))
        #expect(feed.entries.first?.title?.hasPrefix("Loose") == true)
        #expect(feed.metadata.title == "Fenwick Times")
        #expect(!feed.wellFormed)
    }

    @Test func reportsAnHTMLPage() {
        let feed = parseFeed("<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hi</p></body></html>")
        #expect(feed.entries.isEmpty)
        #expect(!feed.wellFormed)
        #expect(feed.error != nil)
    }

    @Test func reportsEmptyAndNonFeedInput() {
        #expect(parseFeed("").error != nil)
        #expect(parseFeed("just some words").error != nil)
        #expect(parseFeed("{not json").error != nil)
    }

    @Test func refusesEntityExpansionBomb() {
        var declarations = "<!ENTITY a \"aaaaaaaaaa\">"
        for (name, previous) in zip(
            ["b", "c", "d", "e", "f", "g", "h", "i"],
            ["a", "b", "c", "d", "e", "f", "g", "h"]
        ) {
            declarations += "<!ENTITY \(name) \"" + String(repeating: "&\(previous);", count: 10) + "\">"
        }
        let start = Date()
        let feed = parseFeed(
            "<?xml version=\"1.0\"?><!DOCTYPE rss [\(declarations)]>"
                + "<rss version=\"2.0\"><channel><title>Laughter</title><item><title>x&i;</title></item></channel></rss>"
        )
        #expect(Date().timeIntervalSince(start) < 1)
        #expect(feed.metadata.title == "Laughter")
        #expect((feed.entries.first?.title?.count ?? 0) < 100)
    }

    @Test func expandsPlainInternalEntities() {
        let feed = parseFeed(
            "<!DOCTYPE rss [<!ENTITY town \"Fenwick\">]><rss version=\"2.0\"><channel><title>&town; Times</title></channel></rss>"
        )
        #expect(feed.metadata.title == "Fenwick Times")
    }

    @Test func neverLoadsExternalEntities() {
        let feed = parseFeed(
            "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY secret SYSTEM \"file:///etc/passwd\">]>"
                + "<rss version=\"2.0\"><channel><title>Safe</title><item><title>&secret;</title></item></channel></rss>"
        )
        #expect(feed.metadata.title == "Safe")
        let title = feed.entries.first?.title ?? ""
        #expect(title.contains("root:") == false)
    }

    @Test func decodesDeclaredLatin1() {
        var bytes = Array(
            "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>Caf".utf8
        )
        bytes += [0xE9]
        bytes += Array(" cr".utf8) + [0xE8] + Array("me</title></channel></rss>".utf8)
        let feed = parseFeed(bytes: bytes)
        #expect(feed.metadata.title == "Café crème")
    }

    @Test func readsUTF8MislabelledAsLatin1() {
        let feed = parseFeed(
            "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>Пристань</title></channel></rss>"
        )
        #expect(feed.metadata.title == "Пристань")
        #expect(feed.encoding == "utf-8")
    }

    @Test func readsLatin1MislabelledAsUTF8() {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Ni".utf8)
        bytes += [0xF1] + Array("o</title></channel></rss>".utf8)
        #expect(parseFeed(bytes: bytes).metadata.title == "Niño")
    }

    @Test func oneBadByteDoesNotRuinUTF8() {
        var bytes = Array("<rss version=\"2.0\"><channel><title>Résumé ".utf8)
        bytes += [0xFF] + Array(" daily</title><item><title>Ünïcode</title></item></channel></rss>".utf8)
        let feed = parseFeed(bytes: bytes)
        #expect(feed.metadata.title?.hasPrefix("Résumé") == true)
        #expect(feed.entries.first?.title == "Ünïcode")
    }

    @Test func readsUTF16WithBOM() {
        let text =
            "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\"><channel><title>Ἀθῆναι</title></channel></rss>"
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let feed = parseFeed(bytes: bytes)
        #expect(feed.metadata.title == "Ἀθῆναι")
        #expect(feed.encoding == "utf-16le")
    }

    @Test func httpCharsetWinsOverDeclaration() {
        let bytes: [UInt8] =
            Array("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>".utf8)
            + [0xCC, 0xEE, 0xF1, 0xEA, 0xE2, 0xE0] + Array("</title></channel></rss>".utf8)
        let feed = parseFeed(bytes: bytes, headers: ["Content-Type": "application/rss+xml; charset=windows-1251"])
        #expect(feed.metadata.title == "Москва")
    }

    @Test func repairsDoubleEncodedUTF8AndC1Punctuation() {
        let feed = parseFeed(
            self.rss("<item><title>Wait&#226;&#128;&#166;</title><description>don&#146;t</description></item>")
        )
        #expect(feed.entries.first?.title == "Wait…")
        #expect(feed.entries.first?.summary == "don’t")
    }

    @Test func ignoresFutureDates() {
        let feed = parseFeed(
            self.rss("<item><title>Soon</title><pubDate>Sat, 01 Jan 2999 00:00:00 GMT</pubDate></item>")
        )
        #expect(feed.entries.first?.published == nil)
    }
}

@Suite struct FeedURLTests {
    @Test func resolvesAgainstXMLBase() {
        let feed = parseFeed(
            """
            <feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://quarry.example/news/">
              <entry xml:base="2024/"><link href="stone.html"/>
                <content type="html">&lt;a href="../other.html"&gt;other&lt;/a&gt;&lt;img src="/i.png"&gt;</content>
              </entry>
            </feed>
            """
        )
        #expect(feed.entries.first?.link == "https://quarry.example/news/2024/stone.html")
        #expect(
            feed.entries.first?.content
                == "<a href=\"https://quarry.example/news/other.html\">other</a><img src=\"https://quarry.example/i.png\">"
        )
    }

    @Test func resolvesAgainstDocumentURL() {
        let feed = parseFeed(
            "<rss version=\"2.0\"><channel><link>/</link><item><link>story.html</link></item></channel></rss>",
            url: "https://slate.example/feeds/rss.xml"
        )
        #expect(feed.metadata.link == "https://slate.example/")
        #expect(feed.entries.first?.link == "https://slate.example/feeds/story.html")
    }

    @Test func contentLocationWinsOverDocumentURL() {
        let feed = parseFeed(
            "<rss version=\"2.0\"><channel><item><link>story.html</link></item></channel></rss>",
            url: "https://slate.example/feeds/rss.xml",
            headers: ["Content-Location": "https://mirror.example/x/feed.xml"]
        )
        #expect(feed.entries.first?.link == "https://mirror.example/x/story.html")
    }

    @Test func guidPermalinkStandsInForTheLink() {
        let feed = parseFeed(
            "<rss version=\"2.0\"><channel><item><guid>https://slate.example/g/1</guid></item>"
                + "<item><guid isPermaLink=\"false\">https://slate.example/g/2</guid></item></channel></rss>"
        )
        #expect(feed.entries[0].link == "https://slate.example/g/1")
        #expect(feed.entries[1].link == nil)
    }
}

@Suite struct NeutralJSONTests {
    @Test func writesTheCorpusShape() throws {
        let feed = parseFeed(
            "<rss version=\"2.0\"><channel><title>Quill</title><item><title>Ink</title>"
                + "<pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item></channel></rss>"
        )
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(feed.neutralJSON().utf8)) as? [String: Any]
        )
        #expect(json["format"] as? String == "rss2.0")
        #expect(json["encoding"] as? String == "utf-8")
        #expect(json["well_formed"] as? Bool == true)
        #expect((json["feed"] as? [String: Any])?["title"] as? String == "Quill")
        let entries = try #require(json["entries"] as? [[String: Any]])
        #expect(entries.first?["published"] as? String == "2003-06-10T04:00:00Z")
        #expect(entries.first?["summary"] == nil)
    }

    @Test func notAFeedStillGivesADocument() throws {
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(parseFeed("<html><body>x</body></html>").neutralJSON().utf8))
                as? [String: Any]
        )
        #expect(json["well_formed"] as? Bool == false)
        #expect((json["entries"] as? [Any])?.isEmpty == true)
        #expect(json["error"] is String)
    }
}
