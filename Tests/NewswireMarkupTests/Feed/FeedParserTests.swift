import Foundation
import NewswireCore
import NewswireMarkup
import Testing

/// Parses `text` (or `bytes`) as a fetched feed.
func parseFeed(
    _ text: String,
    url: String = "",
    headers: HTTPHeaders = HTTPHeaders()
) -> ParsedFeed {
    parseFeed(bytes: Array(text.utf8), url: url, headers: headers)
}

func parseFeed(bytes: [UInt8], url: String = "", headers: HTTPHeaders = HTTPHeaders()) -> ParsedFeed {
    LibXML2.initialize()
    return FeedParser().parseFeed(FetchedDocument(requestedURL: url, headers: headers, body: bytes))
}

@Suite struct FeedFormatTests {
    @Test func readsRSS2() throws {
        let feed = parseFeed(
            """
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
                 xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel>
              <title>Harbourtown Herald</title>
              <link>https://herald.example/</link>
              <description>News from the quay</description>
              <language>en-gb</language>
              <lastBuildDate>Tue, 10 Jun 2003 09:41:01 GMT</lastBuildDate>
              <item>
                <title>Ferry timetable changes</title>
                <link>https://herald.example/ferry</link>
                <guid isPermaLink="false">ferry-2003</guid>
                <pubDate>Tue, 10 Jun 2003 04:00:00 -0400</pubDate>
                <author>desk@herald.example (Mina Sorrel)</author>
                <dc:creator>Olaf Brint</dc:creator>
                <category domain="https://herald.example/s">transport</category>
                <description>The &lt;b&gt;summer&lt;/b&gt; timetable starts Monday.</description>
                <content:encoded><![CDATA[<p>Full story about the <em>ferry</em>.</p>]]></content:encoded>
                <enclosure url="https://cdn.herald.example/ferry.mp3" length="12345" type="audio/mpeg"/>
                <comments>https://herald.example/ferry#comments</comments>
              </item>
            </channel>
            </rss>
            """
        )
        #expect(feed.format == "rss2.0")
        #expect(feed.wellFormed)
        #expect(feed.metadata.title == "Harbourtown Herald")
        #expect(feed.metadata.link == "https://herald.example/")
        #expect(feed.metadata.subtitle == "News from the quay")
        #expect(feed.metadata.language == "en-gb")
        #expect(feed.metadata.updated.map(RFC3339.string(from:)) == "2003-06-10T09:41:01Z")
        let entry = try #require(feed.entries.first)
        #expect(entry.title == "Ferry timetable changes")
        #expect(entry.link == "https://herald.example/ferry")
        #expect(entry.id == "ferry-2003")
        #expect(entry.published.map(RFC3339.string(from:)) == "2003-06-10T08:00:00Z")
        #expect(entry.author == "desk@herald.example (Mina Sorrel)")
        #expect(entry.authors.first == FeedPerson(name: "Mina Sorrel", email: "desk@herald.example"))
        #expect(entry.authors.count == 2)
        #expect(entry.categories == [FeedCategory(term: "transport", scheme: "https://herald.example/s")])
        #expect(entry.summary == "The <b>summer</b> timetable starts Monday.")
        #expect(entry.content == "<p>Full story about the <em>ferry</em>.</p>")
        #expect(
            entry.enclosures == [
                FeedEnclosure(url: "https://cdn.herald.example/ferry.mp3", type: "audio/mpeg", length: 12345)
            ]
        )
        #expect(entry.comments == "https://herald.example/ferry#comments")
    }

    @Test(arguments: [
        ("0.91", "rss0.91"), ("0.92", "rss0.92"), ("0.93", "rss0.93"), ("0.94", "rss0.94"), ("2.0", "rss2.0"),
    ])
    func detectsRSSVersions(version: String, format: String) {
        let feed = parseFeed(
            "<rss version=\"\(version)\"><channel><title>Old Mill</title><item><title>Grain</title></item></channel></rss>"
        )
        #expect(feed.format == format)
        #expect(feed.entries.first?.title == "Grain")
    }

    @Test func readsRSS1RDF() {
        let feed = parseFeed(
            """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
                     xmlns:dc="http://purl.org/dc/elements/1.1/">
              <channel rdf:about="https://valley.example/"><title>Valley Notes</title><link>https://valley.example/</link></channel>
              <item rdf:about="https://valley.example/1">
                <title>Orchard opens</title><link>https://valley.example/1</link>
                <dc:date>2003-06-10T04:00:00-05:00</dc:date>
              </item>
            </rdf:RDF>
            """
        )
        #expect(feed.format == "rss1.0")
        #expect(feed.metadata.title == "Valley Notes")
        #expect(feed.entries.first?.id == "https://valley.example/1")
        #expect(feed.entries.first?.updated.map(RFC3339.string(from:)) == "2003-06-10T09:00:00Z")
    }

    @Test func readsRSS090() {
        let feed = parseFeed(
            """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
              <channel><title>Early Web</title></channel><item><title>First post</title></item>
            </rdf:RDF>
            """
        )
        #expect(feed.format == "rss0.90")
        #expect(feed.entries.first?.title == "First post")
    }

    @Test func readsAtom1() throws {
        let feed = parseFeed(
            """
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="nl">
              <title type="text">Polder Post</title>
              <subtitle type="html">Dikes &amp;amp; dunes</subtitle>
              <link rel="self" href="https://polder.example/atom.xml"/>
              <link rel="alternate" type="text/html" href="https://polder.example/"/>
              <id>tag:polder.example,2024:feed</id>
              <updated>2024-02-01T10:00:00+01:00</updated>
              <author><name>Joke Veldman</name><email>joke@polder.example</email></author>
              <entry>
                <title type="html">Storm &lt;i&gt;barrier&lt;/i&gt; closes</title>
                <link rel="enclosure" href="https://polder.example/a.mp3" length="99" type="audio/mpeg"/>
                <link rel="alternate" href="https://polder.example/storm"/>
                <id>tag:polder.example,2024:1</id>
                <published>2024-02-01T08:00:00Z</published>
                <updated>2024-02-01T09:30:15.250Z</updated>
                <author><name>Piet Claes</name><uri>https://polder.example/piet</uri></author>
                <category term="weather" scheme="https://polder.example/c" label="Weather"/>
                <summary>Water 1 &lt; 2 metres</summary>
                <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>The <b>barrier</b> closed.</p></div></content>
              </entry>
            </feed>
            """
        )
        #expect(feed.format == "atom1.0")
        #expect(feed.metadata.language == "nl")
        #expect(feed.metadata.title == "Polder Post")
        #expect(feed.metadata.subtitle == "Dikes &amp; dunes")
        #expect(feed.metadata.link == "https://polder.example/")
        #expect(feed.metadata.author == "Joke Veldman (joke@polder.example)")
        let entry = try #require(feed.entries.first)
        #expect(entry.title == "Storm <i>barrier</i> closes")
        #expect(entry.link == "https://polder.example/storm")
        #expect(
            entry.enclosures == [FeedEnclosure(url: "https://polder.example/a.mp3", type: "audio/mpeg", length: 99)]
        )
        #expect(entry.updated.map(RFC3339.string(from:)) == "2024-02-01T09:30:15Z")
        #expect(entry.authors == [FeedPerson(name: "Piet Claes", uri: "https://polder.example/piet")])
        #expect(
            entry.categories == [FeedCategory(term: "weather", scheme: "https://polder.example/c", label: "Weather")]
        )
        #expect(entry.summary == "Water 1 < 2 metres")
        #expect(entry.content == "<p>The <b>barrier</b> closed.</p>")
    }

    @Test func readsAtom03WithBase64Content() {
        let encoded = Data("<p>Encoded <b>body</b></p>".utf8).base64EncodedString()
        let feed = parseFeed(
            """
            <feed version="0.3" xmlns="http://purl.org/atom/ns#">
              <title>Signal Hill</title><tagline>Beacons</tagline>
              <entry>
                <title>Lamp lit</title>
                <issued>2003-12-13T18:30:02Z</issued><modified>2003-12-14T18:30:02Z</modified>
                <content type="text/html" mode="base64">\(encoded)</content>
              </entry>
            </feed>
            """
        )
        #expect(feed.format == "atom0.3")
        #expect(feed.metadata.subtitle == "Beacons")
        #expect(feed.entries.first?.content == "<p>Encoded <b>body</b></p>")
        #expect(feed.entries.first?.published.map(RFC3339.string(from:)) == "2003-12-13T18:30:02Z")
        #expect(feed.entries.first?.updated.map(RFC3339.string(from:)) == "2003-12-14T18:30:02Z")
    }

    @Test func readsJSONFeed11() throws {
        let feed = parseFeed(
            """
            {"version": "https://jsonfeed.org/version/1.1", "title": "Tidewater Daily",
             "home_page_url": "https://tide.example/", "language": "en-AU",
             "authors": [{"name": "Rosa Quint"}],
             "items": [{"id": 42, "url": "https://tide.example/42", "title": "Low tide record",
                        "content_html": "<p>Lowest since 1990.</p>", "summary": "Lowest tide",
                        "date_published": "2024-03-01T06:00:00+10:00", "tags": ["coast"],
                        "attachments": [{"url": "https://tide.example/42.jpg", "mime_type": "image/jpeg", "size_in_bytes": 2048}]}]}
            """
        )
        #expect(feed.format == "json1.1")
        #expect(feed.metadata.title == "Tidewater Daily")
        #expect(feed.metadata.language == "en-AU")
        let entry = try #require(feed.entries.first)
        #expect(entry.id == "42")
        #expect(entry.link == "https://tide.example/42")
        #expect(entry.published.map(RFC3339.string(from:)) == "2024-02-29T20:00:00Z")
        #expect(entry.authors == [FeedPerson(name: "Rosa Quint")])
        #expect(entry.categories.map(\.term) == ["coast"])
        #expect(
            entry.enclosures == [FeedEnclosure(url: "https://tide.example/42.jpg", type: "image/jpeg", length: 2048)]
        )
    }

    @Test func readsJSONFeed10Author() {
        let feed = parseFeed(
            """
            {"version": "https://jsonfeed.org/version/1", "title": "Moor Log",
             "items": [{"id": "a", "content_text": "Heather in bloom", "author": {"name": "Emrys Vale"}}]}
            """
        )
        #expect(feed.format == "json1.0")
        #expect(feed.entries.first?.authors == [FeedPerson(name: "Emrys Vale")])
        #expect(feed.entries.first?.content == "Heather in bloom")
    }

    @Test func readsCDF() {
        let feed = parseFeed(
            """
            <CHANNEL HREF="https://kiosk.example/" LASTMOD="2004-04-07T04:05:43Z">
              <TITLE>Kiosk</TITLE><ABSTRACT>Channel of old</ABSTRACT>
              <ITEM HREF="https://kiosk.example/1"><TITLE>Push news</TITLE></ITEM>
            </CHANNEL>
            """
        )
        #expect(feed.format == "cdf")
        #expect(feed.metadata.title == "Kiosk")
        #expect(feed.metadata.subtitle == "Channel of old")
        #expect(feed.entries.first?.link == "https://kiosk.example/1")
    }

    @Test func readsExtensions() throws {
        let feed = parseFeed(
            """
            <rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
                 xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
            <channel><title>Ridge Radio</title><itunes:image href="https://ridge.example/logo.png"/>
              <itunes:category text="News"><itunes:category text="Local"/></itunes:category>
              <item><media:title>Clip of the day</media:title>
                <media:content url="https://ridge.example/clip.mp4" type="video/mp4"/>
                <media:category scheme="https://ridge.example/m">video</media:category>
                <itunes:author>Hal Birch</itunes:author>
              </item>
            </channel></rss>
            """
        )
        #expect(feed.metadata.image == "https://ridge.example/logo.png")
        #expect(feed.metadata.categories.map(\.term) == ["News", "Local"])
        let entry = try #require(feed.entries.first)
        #expect(entry.title == "Clip of the day")
        #expect(entry.enclosures.first?.url == "https://ridge.example/clip.mp4")
        #expect(entry.categories.first?.scheme == "https://ridge.example/m")
        #expect(entry.author == "Hal Birch")
    }
}
