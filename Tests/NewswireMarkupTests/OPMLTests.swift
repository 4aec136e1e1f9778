import NewswireCore
import NewswireMarkup
import Testing

@Suite struct OPMLTests {
    @Test func readsNestedOutlinesInOrder() throws {
        let opml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <opml version="1.0"><head><title>Mine</title></head><body>
              <outline text="Local"><outline text="Gazette" type="rss" xmlUrl="https://gazette.example/rss"/></outline>
              <outline title="Valley &amp; Coast" xmlUrl="https://valley.example/feed.atom" htmlUrl="https://valley.example/"/>
              <outline text="No feed here" htmlUrl="https://nofeed.example/"/>
            </body></opml>
            """
        let subscriptions = try OPML.subscriptions(in: Array(opml.utf8))
        #expect(
            subscriptions == [
                .init(url: "https://gazette.example/rss", title: "Gazette"),
                .init(url: "https://valley.example/feed.atom", title: "Valley & Coast"),
            ]
        )
    }

    @Test func nothingReadableIsAParseError() {
        #expect(throws: StageError.self) { try OPML.subscriptions(in: []) }
    }
}
