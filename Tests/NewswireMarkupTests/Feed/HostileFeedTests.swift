import Foundation
import NewswireCore
import NewswireMarkup
import Testing

/// Feeds built to exhaust a parser: expansion bombs, many items, broken bytes.
@Suite struct HostileFeedTests {
    private func parse(_ text: [UInt8], contentType: String? = "application/rss+xml") -> ParsedFeed {
        var headers = HTTPHeaders()
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        let document = FetchedDocument(requestedURL: "https://feeds.example/f.xml", headers: headers, body: text)
        return FeedParser().parseFeed(document)
    }

    /// One internal entity of 4 KB referenced 100,000 times: 300 KB on the wire, 410 MB once
    /// expanded. The repair path's budget leaves the references past 1 MiB unexpanded.
    @Test func quadraticBlowUpStaysWithinTheBudget() {
        var text = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \"" + String(repeating: "x", count: 4096)
        text += "\">]>\n<rss version=\"2.0\"><channel><title>Blow-up</title><item><title>Quadratic</title>"
        text += "<link>https://news.example/q</link><description>" + String(repeating: "&a;", count: 100_000)
        text += "</description></item></channel></rss>\n"
        let started = ContinuousClock.now
        let feed = self.parse(Array(text.utf8))
        let elapsed = ContinuousClock.now - started
        #expect(feed.entries.count == 1)
        #expect(feed.entries.first?.link == "https://news.example/q")
        #expect(feed.error?.hasPrefix("limit:") == true, "\(feed.error ?? "no error")")
        #expect((feed.entries.first?.summary?.utf8.count ?? 0) < 2_000_000)
        // A debug build; a release build parses it in a fraction of this.
        #expect(elapsed < .seconds(5), "\(elapsed)")
    }

    @Test func aSmallExpansionIsStillMade() {
        let text =
            "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY town \"Velmora\">]><rss version=\"2.0\"><channel>"
            + "<title>T</title><item><title>News from &town;</title><link>https://news.example/a</link></item>"
            + "</channel></rss>"
        let feed = self.parse(Array(text.utf8))
        #expect(feed.entries.first?.title == "News from Velmora")
        #expect(feed.error == nil)
    }

    @Test func billionLaughsIsNotExpanded() {
        var doctype = "<!DOCTYPE rss [<!ENTITY lol \"lol\">"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            doctype += "<!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">"
        }
        let text =
            doctype + "]><rss version=\"2.0\"><channel><title>Laughs</title><item><title>Lol</title>"
            + "<link>https://news.example/l</link><description>&lol9;</description></item></channel></rss>"
        let feed = self.parse(Array(text.utf8))
        #expect(feed.entries.count == 1)
        #expect((feed.entries.first?.summary?.utf8.count ?? 0) < 1000)
    }

    @Test func aFeedOfAHundredThousandItemsIsReadWhole() {
        var text = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Many</title>\n"
        for index in 0..<100_000 {
            text += "<item><title>Item \(index)</title><link>https://news.example/\(index)</link></item>\n"
        }
        text += "</channel></rss>"
        let feed = self.parse(Array(text.utf8))
        #expect(feed.entries.count == 100_000)
        #expect(feed.entries.last?.link == "https://news.example/99999")
    }

    @Test func aFewInvalidBytesDoNotTurnAUTF8FeedIntoWindows1252() {
        let bytes =
            Array("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Café Ñandú “fresh”</title>".utf8)
            + Array("<item><title>Crème brûlée</title><link>https://news.example/c</link><description>Broken ".utf8)
            + [0xFF, 0xC3, 0x28] + Array(" bytes</description></item></channel></rss>".utf8)
        let feed = self.parse(bytes, contentType: "application/rss+xml")
        #expect(feed.encoding == "utf-8")
        #expect(feed.metadata.title == "Café Ñandú “fresh”")
        #expect(feed.entries.first?.title == "Crème brûlée")
    }

    /// A DOCTYPE cut off inside an entity value once stepped past the end of the input and
    /// trapped (found by scripts/fuzz feed; the input is in Fuzz/regressions/feed).
    @Test func aFeedCutInsideAnEntityValueParses() throws {
        let text = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"aaa\"><!ENTITY g \"&a;&a;&nnel></rss>"
        let feed = self.parse(Array(text.utf8))
        #expect(feed.entries.isEmpty)
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/feed")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!files.isEmpty)
        for file in files {
            for type in [nil, "application/rss+xml", "text/xml; charset=iso-8859-1"] {
                _ = self.parse(Array(try Data(contentsOf: folder.appendingPathComponent(file))), contentType: type)
            }
        }
    }
}
