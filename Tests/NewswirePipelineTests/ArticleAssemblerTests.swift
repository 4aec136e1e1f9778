import Foundation
import NewswireCore
import NewswirePipeline
import Testing

@Suite struct ArticleAssemblerTests {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func item(_ entry: FeedEntry) -> FeedItem {
        FeedItem(
            sequence: SequenceNumber(feed: 0, item: 1),
            feedURL: "https://paper.example/rss",
            feedTitle: "Paper",
            entry: entry
        )
    }

    @Test func pageValuesWinAndTheFeedFillsGaps() {
        var entry = FeedEntry()
        entry.title = "Feed &amp; headline"
        entry.author = "Feed Author"
        entry.summary = "<p>A <b>short</b> summary.</p>"
        entry.published = self.now.addingTimeInterval(-7200)
        entry.categories = [FeedCategory(term: "Harbour"), FeedCategory(term: "Local")]
        var page = ExtractedPage()
        page.title = "Page headline"
        page.text = "First paragraph.\n\nSecond paragraph."
        page.categories = ["Local"]
        let document = FetchedDocument(
            requestedURL: "https://paper.example/s?utm_source=rss",
            finalURL: "https://www.paper.example/s?utm_source=rss&id=4",
            body: []
        )
        let (article, warnings) = ArticleAssembler().assemble(
            item: self.item(entry),
            document: document,
            page: page,
            now: self.now
        )
        #expect(warnings.isEmpty)
        #expect(article.url == "https://www.paper.example/s?id=4")
        #expect(article.fetchedURL == "https://www.paper.example/s?utm_source=rss&id=4")
        #expect(article.title == "Page headline")
        #expect(article.authors == ["Feed Author"])
        #expect(article.published == entry.published)
        #expect(article.categories == ["Local", "Harbour"])
        #expect(article.summary == "A short summary.")
        #expect(article.wordCount == 4)
    }

    @Test func canonicalLinkIsHonouredOnlyOnTheSameSite() {
        var page = ExtractedPage()
        page.canonicalURL = "https://paper.example/story"
        let document = FetchedDocument(requestedURL: "https://amp.paper.example/story/amp", body: [])
        let own = ArticleAssembler().assemble(
            item: self.item(FeedEntry()),
            document: document,
            page: page,
            now: self.now
        )
        #expect(own.article.url == "https://paper.example/story")
        page.canonicalURL = "https://elsewhere.example/story"
        let foreign = ArticleAssembler().assemble(
            item: self.item(FeedEntry()),
            document: document,
            page: page,
            now: self.now
        )
        #expect(foreign.article.url == "https://amp.paper.example/story/amp")
    }

    @Test func futureDatesAreLeftOutWithAWarning() {
        var page = ExtractedPage()
        page.published = self.now.addingTimeInterval(3 * 86400)
        page.updated = self.now.addingTimeInterval(3600)
        let document = FetchedDocument(requestedURL: "https://paper.example/s", body: [])
        let (article, warnings) = ArticleAssembler().assemble(
            item: self.item(FeedEntry()),
            document: document,
            page: page,
            now: self.now
        )
        #expect(article.published == nil)
        #expect(article.updated == page.updated)
        #expect(warnings.count == 1)
    }
}
