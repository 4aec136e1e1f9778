import NewswireCore
import NewswireMarkup
import Testing

@Suite struct FeedDiscoveryTests {
    private let page = """
        <!DOCTYPE html>
        <html><head><title>Lakeside Ledger</title>
        <link rel="stylesheet" href="/style.css">
        <link rel="alternate" type="application/rss+xml" title="All stories" href="/rss.xml">
        <link rel="alternate" type="application/atom+xml" href="https://ledger.example/atom.xml">
        <LINK REL="alternate" TYPE="application/feed+json" HREF="feed.json">
        <link rel="alternate" type="application/rss+xml" href="/rss.xml">
        <link rel="alternate" hreflang="fr" href="/fr/">
        </head><body><a href="/rss.xml">RSS</a></body></html>
        """

    @Test func findsAnnouncedFeeds() {
        LibXML2.initialize()
        let links = FeedDiscovery.feedLinks(inHTML: Array(self.page.utf8), baseURL: "https://ledger.example/news/")
        #expect(
            links.map(\.href) == [
                "https://ledger.example/rss.xml", "https://ledger.example/atom.xml",
                "https://ledger.example/news/feed.json",
            ]
        )
        #expect(links.first?.title == "All stories")
        #expect(links.map(\.type) == ["application/rss+xml", "application/atom+xml", "application/feed+json"])
    }

    @Test func feedParserHandsOnTheFeedsOfAPage() {
        let feed = parseFeed(self.page, url: "https://ledger.example/")
        #expect(feed.entries.isEmpty)
        #expect(feed.error != nil)
        #expect(feed.metadata.links.count == 3)
    }

    @Test func pageWithoutFeedsFindsNone() {
        LibXML2.initialize()
        #expect(FeedDiscovery.feedLinks(inHTML: Array("<html><body>hi</body></html>".utf8), baseURL: nil).isEmpty)
    }
}

@Suite struct OPMLTests {
    @Test func readsNestedOutlines() {
        LibXML2.initialize()
        let opml = """
            <?xml version="1.0"?>
            <opml version="1.1"><head><title>Reading</title></head><body>
              <outline text="Local">
                <outline text="Lakeside Ledger" type="rss" xmlUrl="https://ledger.example/rss.xml" htmlUrl="https://ledger.example/"/>
                <outline title="Quarry &amp; Co" xmlURL="https://quarry.example/atom.xml"/>
              </outline>
              <outline text="No feed here"/>
            </body></opml>
            """
        let subscriptions = OPML.subscriptions(in: Array(opml.utf8))
        #expect(
            subscriptions == [
                OPML.Subscription(
                    feedURL: "https://ledger.example/rss.xml",
                    title: "Lakeside Ledger",
                    siteURL: "https://ledger.example/",
                    categories: ["Local"]
                ),
                OPML.Subscription(
                    feedURL: "https://quarry.example/atom.xml",
                    title: "Quarry & Co",
                    categories: ["Local"]
                ),
            ]
        )
    }

    @Test func writesWhatItReads() {
        LibXML2.initialize()
        let subscriptions = [
            OPML.Subscription(feedURL: "https://a.example/rss?x=1&y=2", title: "A <1>", siteURL: "https://a.example/"),
            OPML.Subscription(feedURL: "https://b.example/feed.json"),
        ]
        let written = OPML.document(title: "Export", subscriptions: subscriptions)
        #expect(written.contains("<opml version=\"2.0\">"))
        let read = OPML.subscriptions(in: Array(written.utf8))
        #expect(read.map(\.feedURL) == subscriptions.map(\.feedURL))
        #expect(read.first?.title == "A <1>")
        #expect(read.last?.title == "https://b.example/feed.json")
    }
}

@Suite struct OPMLCategoryTests {
    @Test func foldersAndCategoryAttributesBecomeCategories() {
        let opml = """
            <?xml version="1.0"?><opml version="2.0"><head><title>Subs</title></head><body>
            <outline text="Local">
              <outline text="Harbour" xmlUrl="https://harbour.test/rss" category="/Velmora/Port,/Business/"/>
              <outline text="Weather desk">
                <outline text="Storms" xmlUrl="https://storms.test/feed"/>
              </outline>
            </outline>
            <outline text="Loose" xmlUrl="https://loose.test/atom"/>
            </body></opml>
            """
        let subscriptions = OPML.subscriptions(in: Array(opml.utf8))
        #expect(
            subscriptions.map(\.feedURL) == [
                "https://harbour.test/rss", "https://storms.test/feed", "https://loose.test/atom",
            ]
        )
        #expect(
            subscriptions.map(\.categories) == [["Local", "Velmora/Port", "Business"], ["Local", "Weather desk"], []]
        )
    }
}
