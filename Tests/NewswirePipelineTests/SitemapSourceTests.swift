import Foundation
import Logging
import NewswireCore
import NewswirePipeline
import NewswireState
import Testing

/// The sitemap source on the engine with in-memory parts (``EngineTests``' fetcher, sink,
/// parsers) and a manual clock.
@Suite struct SitemapSourceTests {
    typealias TableFetcher = EngineTests.TableFetcher

    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    private func engine(_ fetcher: TableFetcher, clock: ManualClock) -> Engine {
        var options = EngineOptions()
        options.pagesInFlight = 3
        options.feedsInFlight = 2
        options.commitInterval = 2
        var logger = Logger(label: "sitemap.test")
        logger.logLevel = .critical
        return Engine(
            parts: EngineParts(
                fetcher: fetcher,
                stages: PipelineStages(
                    feedParser: EngineTests.LineFeedParser(),
                    extractor: EngineTests.TextPageExtractor(),
                    entities: nil
                ),
                clock: clock
            ),
            options: options,
            logger: logger
        )
    }

    private static func date(hoursAgo hours: Double) -> String {
        RFC3339.string(from: Self.start.addingTimeInterval(-hours * 3600))
    }

    private static func urlset(_ entries: [(path: String, hoursAgo: Double?)], news: Bool = false) -> String {
        var text = """
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
              xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
            """
        for entry in entries {
            text += "<url><loc>https://quay.test\(entry.path)</loc>"
            if let hours = entry.hoursAgo {
                if news {
                    text += "<news:news><news:publication><news:name>Quay Post</news:name>"
                    text += "<news:language>fr</news:language></news:publication>"
                    text += "<news:publication_date>\(Self.date(hoursAgo: hours))</news:publication_date>"
                    text += "<news:title>Listed \(entry.path)</news:title></news:news>"
                } else {
                    text += "<lastmod>\(Self.date(hoursAgo: hours))</lastmod>"
                }
            }
            text += "</url>"
        }
        return text + "</urlset>"
    }

    private func serveSite(_ fetcher: TableFetcher) {
        fetcher.serve(
            "https://quay.test/sitemap_index.xml",
            headers: ["ETag": "\"index-1\""],
            body: """
                <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                <sitemap><loc>https://quay.test/news.xml</loc><lastmod>\(Self.date(hoursAgo: 1))</lastmod></sitemap>
                <sitemap><loc>https://quay.test/archive.xml</loc><lastmod>\(Self.date(hoursAgo: 500))</lastmod></sitemap>
                <sitemap><loc>https://quay.test/sitemap_index.xml</loc></sitemap>
                <sitemap><loc>https://elsewhere.test/news.xml</loc></sitemap>
                </sitemapindex>
                """
        )
        fetcher.serve(
            "https://quay.test/news.xml",
            headers: ["ETag": "\"news-1\""],
            body: Self.urlset([("/older", 30), ("/newest", 2), ("/middle", 10)], news: true)
        )
        fetcher.serve(
            "https://quay.test/archive.xml",
            body: Self.urlset([("/archived", 400), ("/middle", 10), ("/undated", nil)])
                .replacingOccurrences(
                    of: "</urlset>",
                    with: "<url><loc>https://elsewhere.test/stray</loc></url></urlset>"
                )
        )
        for path in ["/older", "/newest", "/middle", "/archived", "/undated"] {
            fetcher.serve("https://quay.test\(path)", body: "Page \(path)\nThe story of \(path) on the quay.")
        }
    }

    private func source(
        _ fetcher: TableFetcher,
        clock: ManualClock,
        store: InMemoryStateStore?,
        options: SitemapSource.Options = SitemapSource.Options()
    ) throws -> SitemapSource {
        var states: [String: FeedState] = [:]
        for state in try store?.allFeedStates() ?? [] { states[state.url] = state }
        return SitemapSource(
            sitemaps: ["https://quay.test/sitemap_index.xml"],
            fetcher: fetcher,
            states: states,
            clock: clock,
            options: options
        )
    }

    @Test func indexChildrenNewestFirstOnceEachWithEvidence() throws {
        let clock = ManualClock(Self.start)
        let fetcher = TableFetcher(clock: clock)
        self.serveSite(fetcher)
        let sink = EngineTests.MemorySink()
        let store = InMemoryStateStore()
        let source = try self.source(fetcher, clock: clock, store: store)
        let summary = try self.engine(fetcher, clock: clock).run(source, sink: sink, store: store)

        // Each sitemap's entries newest first; /middle, listed twice, is read once.
        #expect(
            sink.articles.map(\.title) == [
                "Page /newest", "Page /middle", "Page /older", "Page /archived", "Page /undated",
            ]
        )
        let newest = try #require(sink.articles.first)
        #expect(newest.feed == "https://quay.test/news.xml")
        #expect(newest.language == "fr")
        #expect(newest.published.map(RFC3339.string(from:)) == Self.date(hoursAgo: 2))
        // The index listing itself is a loop; the other site's child and page are dropped.
        #expect(
            sink.errors.map(\.message) == [
                "sitemap index loop: https://quay.test/sitemap_index.xml is already being read"
            ]
        )
        #expect(!fetcher.requests.contains { $0.url.hasPrefix("https://elsewhere.test") })
        #expect(source.dropped == 2)
        #expect(summary.feedsTotal == 4)
        #expect(summary.feedsFailed == 1)
        #expect(try store.feedState(for: "https://quay.test/news.xml")?.etag == "\"news-1\"")
    }

    @Test func secondRunSendsValidatorsAndSkipsWhatItHasSeen() throws {
        let clock = ManualClock(Self.start)
        let fetcher = TableFetcher(clock: clock)
        self.serveSite(fetcher)
        let store = InMemoryStateStore()
        _ = try self.engine(fetcher, clock: clock)
            .run(try self.source(fetcher, clock: clock, store: store), sink: EngineTests.MemorySink(), store: store)
        let firstRequests = fetcher.requests.count

        // The index changed (new ETag); one child changed since its last read, one did not.
        clock.set(Self.start.addingTimeInterval(600))
        fetcher.serve(
            "https://quay.test/sitemap_index.xml",
            headers: ["ETag": "\"index-2\""],
            body: """
                <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                <sitemap><loc>https://quay.test/news.xml</loc><lastmod>\(RFC3339.string(from: clock.now()))</lastmod></sitemap>
                <sitemap><loc>https://quay.test/archive.xml</loc><lastmod>\(Self.date(hoursAgo: 500))</lastmod></sitemap>
                </sitemapindex>
                """
        )
        let sink = EngineTests.MemorySink()
        let summary = try self.engine(fetcher, clock: clock)
            .run(try self.source(fetcher, clock: clock, store: store), sink: sink, store: store)
        let second = fetcher.requests.dropFirst(firstRequests)
        #expect(second.first { $0.url == "https://quay.test/sitemap_index.xml" }?.etag == "\"index-1\"")
        #expect(second.first { $0.url == "https://quay.test/news.xml" }?.etag == "\"news-1\"")
        #expect(!second.contains { $0.url == "https://quay.test/archive.xml" })
        // news.xml answered 304; no page is fetched again.
        #expect(second.map(\.url).sorted() == ["https://quay.test/news.xml", "https://quay.test/sitemap_index.xml"])
        #expect(sink.articles.isEmpty)
        #expect(summary.feedsUnchanged == 2)
    }

    @Test func recentWindowAndCap() throws {
        let clock = ManualClock(Self.start)
        let fetcher = TableFetcher(clock: clock)
        self.serveSite(fetcher)
        var options = SitemapSource.Options()
        options.recentSeconds = 24 * 3600
        let sink = EngineTests.MemorySink()
        _ = try self.engine(fetcher, clock: clock)
            .run(try self.source(fetcher, clock: clock, store: nil, options: options), sink: sink, store: nil)
        #expect(sink.articles.map(\.title) == ["Page /newest", "Page /middle"])

        options = SitemapSource.Options()
        options.maxEntries = 2
        options.order = .document
        let capped = EngineTests.MemorySink()
        let store = InMemoryStateStore()
        _ = try self.engine(fetcher, clock: clock)
            .run(try self.source(fetcher, clock: clock, store: store, options: options), sink: capped, store: store)
        #expect(capped.articles.map(\.title) == ["Page /older", "Page /newest"])
        // Entries past the cap wait for the next run: no validator says the sitemap is read.
        #expect(try store.feedState(for: "https://quay.test/news.xml")?.etag == nil)
    }

    @Test func feedsThenSitemaps() throws {
        let clock = ManualClock(Self.start)
        let fetcher = TableFetcher(clock: clock)
        fetcher.serve(
            "https://quay.test/sitemap_index.xml",
            body: Self.urlset([("/newest", 2)])
        )
        fetcher.serve("https://quay.test/newest", body: "Page /newest\nText.")
        fetcher.serve("https://quay.test/feed", body: "https://quay.test/fed|Fed|")
        fetcher.serve("https://quay.test/fed", body: "Page /fed\nText.")
        let source = ChainedSource([
            FeedListSource([FeedTask(url: "https://quay.test/feed")]),
            try self.source(fetcher, clock: clock, store: nil),
        ])
        let sink = EngineTests.MemorySink()
        _ = try self.engine(fetcher, clock: clock).run(source, sink: sink, store: nil)
        #expect(sink.articles.map(\.title) == ["Page /fed", "Page /newest"])
    }

    @Test func pagesAnEarlierRunDecidedAreNotFetchedAgain() throws {
        let clock = ManualClock(Self.start)
        let fetcher = TableFetcher(clock: clock)
        // No validators: the sitemap is read again in full.
        fetcher.serve("https://quay.test/sitemap_index.xml", body: Self.urlset([("/newest", 2), ("/older", 30)]))
        fetcher.serve("https://quay.test/newest", body: "Page /newest\nText.")
        fetcher.serve("https://quay.test/older", body: "Page /older\nText.")
        let store = InMemoryStateStore()
        let first = EngineTests.MemorySink()
        _ = try self.engine(fetcher, clock: clock)
            .run(try self.source(fetcher, clock: clock, store: store), sink: first, store: store)
        #expect(first.articles.count == 2)
        let before = fetcher.requests.count
        let second = EngineTests.MemorySink()
        let summary = try self.engine(fetcher, clock: clock)
            .run(try self.source(fetcher, clock: clock, store: store), sink: second, store: store)
        #expect(second.articles.isEmpty)
        #expect(summary.seen == 2)
        #expect(fetcher.requests.dropFirst(before).map(\.url) == ["https://quay.test/sitemap_index.xml"])
    }

    @Test func pipelineFileWithSitemapsAndNoFeeds() throws {
        let yaml = """
            sitemaps:
              - https://quay.test/sitemap_index.xml
            sitemap:
              order: document
              recent_hours: 48
              max_entries: 200
              any_site: true
            """
        let configuration = try PipelineFile.parse(yaml, file: "s.yaml", folder: "/srv", environment: [:])
        #expect(configuration.feeds.isEmpty)
        #expect(configuration.sitemaps == ["https://quay.test/sitemap_index.xml"])
        #expect(configuration.sitemapOptions.order == .document)
        #expect(configuration.sitemapOptions.recentSeconds.map { $0 - 172_800 } == 0)
        #expect(configuration.sitemapOptions.maxEntries == 200)
        #expect(configuration.sitemapOptions.sitemap.anySite)
        for (bad, line, message) in [
            ("sitemaps: [https://quay.test/s.xml]\nsitemap:\n  order: oldest\n", 3, "'order' must be"),
            ("sitemaps:\n  - ftp://quay.test/s.xml\n", 2, "is not an http or https URL"),
            ("sitemaps: [https://quay.test/s.xml]\nsitemap:\n  recent: 4\n", 3, "unknown key 'recent'"),
        ] {
            #expect {
                _ = try PipelineFile.parse(bad, file: "s.yaml", folder: "/srv", environment: [:])
            } throws: { error in
                guard let error = error as? PipelineFileError else { return false }
                return error.line == line && error.description.contains(message)
            }
        }
    }
}
