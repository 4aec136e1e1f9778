import Dispatch
import Foundation
import Logging
import NewswireCore
import NewswireDedup
import NewswirePipeline
import NewswireSink
import NewswireState
import Synchronization
import Testing

/// The engine with in-memory parts: a fetcher that answers from a table in a shuffled order,
/// a sink that keeps its lines, the in-memory state store and a manual clock.
@Suite struct EngineTests {
    /// Answers from a table, each completion after a seeded pseudo-random pause, so
    /// completions arrive out of order; records every request.
    final class TableFetcher: DocumentFetching {
        struct State {
            var responses: [String: FetchedDocument] = [:]
            var requests: [FetchRequest] = []
            var random: UInt64 = 42
        }
        let state = Mutex(State())
        let clock: ManualClock

        init(clock: ManualClock) { self.clock = clock }

        func serve(_ url: String, status: Int = 200, headers: [String: String] = [:], body: String) {
            var fields = HTTPHeaders()
            for (name, value) in headers { fields.add(name: name, value: value) }
            self.state.withLock {
                $0.responses[url] = FetchedDocument(
                    requestedURL: url,
                    status: status,
                    headers: fields,
                    body: Array(body.utf8)
                )
            }
        }

        var requests: [FetchRequest] { self.state.withLock { $0.requests } }

        func submit(
            _ request: FetchRequest,
            completion: @escaping @Sendable (Result<FetchedDocument, FetchError>) -> Void
        ) {
            let (response, pause) = self.state.withLock { state -> (FetchedDocument?, Int) in
                state.requests.append(request)
                state.random = state.random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                var response = state.responses[request.url]
                if var document = response, let etag = document.headers["ETag"], etag == request.etag {
                    document.status = 304
                    document.body = []
                    response = document
                }
                return (response, Int(state.random >> 60))
            }
            let now = self.clock.now()
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(pause)) {
                guard var document = response else {
                    completion(.failure(FetchError(code: .transport, url: request.url, message: "Connection refused")))
                    return
                }
                document.fetchedAt = now
                completion(.success(document))
            }
        }

        func shutdown() {}
    }

    /// Keeps every line; its checkpoint is the number of lines committed.
    final class MemorySink: RecordSink {
        var articles: [Article] = []
        var errors: [ErrorRecord] = []
        var commits = 0
        var recoveredFrom: [String: String]?

        var checkpointNames: [String] { ["memory"] }
        func recover(from checkpoint: [String: String]) throws { self.recoveredFrom = checkpoint }
        func write(_ article: Article) throws { self.articles.append(article) }
        func write(_ error: ErrorRecord) throws { self.errors.append(error) }
        func commit() throws -> [String: String] {
            self.commits += 1
            return ["memory": "\(self.articles.count + self.errors.count)"]
        }
    }

    /// Feeds are lines `link|title|content`; pages are `title` then the text.
    struct LineFeedParser: FeedParsing {
        func parseFeed(_ document: FetchedDocument) -> ParsedFeed {
            var feed = ParsedFeed(wellFormed: true, metadata: FeedMetadata(), entries: [])
            feed.metadata.title = "Line feed"
            for line in String(decoding: document.body, as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                var entry = FeedEntry()
                entry.link = fields[0].isEmpty ? nil : fields[0]
                entry.id = fields[0].isEmpty ? fields[1] : nil
                entry.title = fields[1]
                entry.content = fields.count > 2 && !fields[2].isEmpty ? fields[2] : nil
                feed.entries.append(entry)
            }
            return feed
        }
    }

    struct TextPageExtractor: ArticleExtracting {
        func extractArticle(from document: FetchedDocument) throws -> ExtractedPage {
            let text = String(decoding: document.body, as: UTF8.self)
            var page = ExtractedPage()
            let lines = text.split(separator: "\n", maxSplits: 1).map(String.init)
            page.title = lines.first
            page.text = lines.count > 1 ? lines[1] : ""
            return page
        }
    }

    private func engine(_ fetcher: TableFetcher, clock: ManualClock, pagesInFlight: Int = 3) -> Engine {
        var options = EngineOptions()
        options.pagesInFlight = pagesInFlight
        options.feedsInFlight = 2
        options.commitInterval = 2
        options.commitSpacing = .zero
        return self.engine(fetcher, clock: clock, options: options)
    }

    private func engine(_ fetcher: TableFetcher, clock: ManualClock, options: EngineOptions) -> Engine {
        var logger = Logger(label: "engine.test")
        logger.logLevel = .critical
        return Engine(
            parts: EngineParts(
                fetcher: fetcher,
                stages: PipelineStages(feedParser: LineFeedParser(), extractor: TextPageExtractor(), entities: nil),
                clock: clock
            ),
            options: options,
            logger: logger
        )
    }

    private static func text(_ seed: Int) -> String {
        (0..<40).map { "word\(seed * 41 + $0 * 7 % 13)x\($0)" }.joined(separator: " ")
    }

    private func site(_ fetcher: TableFetcher, feeds: Int, items: Int) -> [FeedTask] {
        (0..<feeds).map { feed in
            var lines: [String] = []
            for item in 0..<items {
                let link = "https://news.test/\(feed)/\(item)"
                fetcher.serve(link, body: "Story \(feed).\(item)\n" + Self.text(feed * 100 + item))
                lines.append("\(link)|Item \(feed).\(item)|")
            }
            fetcher.serve(
                "https://news.test/feed\(feed)",
                headers: ["ETag": "\"v\(feed)\""],
                body: lines.joined(separator: "\n")
            )
            return FeedTask(url: "https://news.test/feed\(feed)")
        }
    }

    @Test func keepsSourceOrderAndStampsTheClock() throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let fetcher = TableFetcher(clock: clock)
        let feeds = self.site(fetcher, feeds: 4, items: 5)
        fetcher.serve("https://news.test/broken", status: 500, body: "")
        let sink = MemorySink()
        let summary = try self.engine(fetcher, clock: clock).run(
            FeedListSource(feeds + [FeedTask(url: "https://news.test/broken")]),
            sink: sink,
            store: nil
        )
        #expect(sink.articles.map(\.title) == (0..<4).flatMap { feed in (0..<5).map { "Story \(feed).\($0)" } })
        #expect(sink.articles.allSatisfy { $0.fetchedAt == clock.now() && $0.feedTitle == "Line feed" })
        #expect(sink.errors.map(\.status) == [500])
        #expect(sink.errors.first?.at == clock.now())
        #expect(summary.feedsOK == 4 && summary.feedsFailed == 1 && summary.articles == 20)
        #expect(sink.commits > 5)
    }

    /// When `run` returns, nothing of the run (the idle-commit timer, the scheduler thread,
    /// a queue block) still holds its sink or its state store: the caller's references are
    /// the last ones, so the files and the database close when the caller lets go. Several
    /// runs, since what held them was a race with libdispatch.
    @Test func aFinishedRunHoldsNeitherItsSinkNorItsStore() throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let fetcher = TableFetcher(clock: clock)
        let feeds = self.site(fetcher, feeds: 3, items: 4)
        for round in 0..<10 {
            weak var heldSink: MemorySink?
            weak var heldStore: StateStore?
            do {
                let sink = MemorySink()
                let store = try StateStore.inMemory()
                heldSink = sink
                heldStore = store
                let engine = self.engine(fetcher, clock: clock)
                let summary = try engine.run(FeedListSource(feeds), sink: sink, store: store)
                #expect(summary.articles == 12)
                #expect(sink.articles.count == 12)
            }
            #expect(heldSink == nil, "round \(round): the sink outlived the run")
            #expect(heldStore == nil, "round \(round): the state store outlived the run")
        }
    }

    /// Yields its feeds one at a time, running `before[i]` first (which may wait).
    final class PacedSource: WorkSource {
        private var feeds: [FeedTask]
        private var before: [Int: () -> Void]
        private var position = 0

        init(_ feeds: [FeedTask], before: [Int: () -> Void]) {
            self.feeds = feeds
            self.before = before
        }

        func next() -> WorkItem? {
            guard self.position < self.feeds.count else { return nil }
            self.before[self.position]?()
            defer { self.position += 1 }
            return .feed(self.feeds[self.position])
        }
    }

    /// A memory sink that tells other threads how many articles its commits made durable.
    final class CountingSink: RecordSink {
        let base = MemorySink()
        let committed = Mutex(0)

        var checkpointNames: [String] { self.base.checkpointNames }
        func recover(from checkpoint: [String: String]) throws { try self.base.recover(from: checkpoint) }
        func write(_ article: Article) throws { try self.base.write(article) }
        func write(_ error: ErrorRecord) throws { try self.base.write(error) }
        func commit() throws -> [String: String] {
            let checkpoint = try self.base.commit()
            let count = self.base.articles.count
            self.committed.withLock { $0 = count }
            return checkpoint
        }

        /// Waits (up to ten seconds) until `count` articles are committed.
        func wait(for count: Int) {
            let deadline = Date().addingTimeInterval(10)
            while self.committed.withLock({ $0 }) < count && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        }
    }

    @Test func aLongRunForgetsWhatLeftTheDedupWindow() throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let fetcher = TableFetcher(clock: clock)
        let story = "https://news.test/story"
        fetcher.serve(story, body: "Lighthouse keeper retires\n" + Self.text(7))
        fetcher.serve("https://news.test/filler", body: "Quay repaired\n" + Self.text(8))
        fetcher.serve("https://news.test/a", body: "\(story)|Keeper|")
        fetcher.serve("https://news.test/b", body: "https://news.test/filler|Quay|")
        fetcher.serve("https://news.test/c", body: "\(story)|Keeper again|")
        var options = EngineOptions()
        options.commitInterval = 1
        options.commitSpacing = .zero
        options.dedup.windowDays = 1
        options.reloadIndexEvery = 3600
        let engine = self.engine(fetcher, clock: clock, options: options)
        let feeds = ["a", "b", "c"].map { FeedTask(url: "https://news.test/\($0)") }
        let counting = CountingSink()
        // Two days pass after the story is written: the next commit reloads the index,
        // the story leaves it, and the feed that lists it again has it fetched anew.
        let summary = try engine.run(
            PacedSource(
                feeds,
                before: [
                    1: {
                        counting.wait(for: 1)
                        clock.advance(by: 2 * 86_400)
                    },
                    2: { counting.wait(for: 2) },
                ]
            ),
            sink: counting,
            store: InMemoryStateStore()
        )
        let sink = counting.base
        #expect(
            sink.articles.map(\.title) == ["Lighthouse keeper retires", "Quay repaired", "Lighthouse keeper retires"]
        )
        #expect(summary.seen == 0)
        #expect(fetcher.requests.filter { $0.url == story }.count == 2)
    }

    @Test func unorderedAdmissionWritesEveryRecordOnce() throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let fetcher = TableFetcher(clock: clock)
        let feeds = self.site(fetcher, feeds: 12, items: 6)
        fetcher.serve("https://news.test/broken", status: 500, body: "")
        var options = EngineOptions()
        options.pagesInFlight = 4
        options.feedsInFlight = 3
        options.commitInterval = 2
        options.commitSpacing = .zero
        options.ordered = false
        let engine = self.engine(fetcher, clock: clock, options: options)
        let sink = MemorySink()
        let store = InMemoryStateStore()
        let summary = try engine.run(
            FeedListSource(feeds + [FeedTask(url: "https://news.test/broken")]),
            sink: sink,
            store: store
        )
        let expected = (0..<12).flatMap { feed in (0..<6).map { "Story \(feed).\($0)" } }
        #expect(sink.articles.compactMap(\.title).sorted() == expected.sorted())
        #expect(sink.errors.map(\.status) == [500])
        #expect(summary.feedsOK == 12 && summary.feedsFailed == 1 && summary.articles == 72)
        #expect(store.articles.count == 72)
        #expect(try store.allFeedStates().count == 13)
    }

    @Test func aSecondRunIsConditionalAndFetchesNoPage() throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let fetcher = TableFetcher(clock: clock)
        let feeds = self.site(fetcher, feeds: 3, items: 4)
        let store = InMemoryStateStore()
        let first = try self.engine(fetcher, clock: clock).run(FeedListSource(feeds), sink: MemorySink(), store: store)
        #expect(first.articles == 12)
        #expect(try store.feedState(for: "https://news.test/feed1")?.etag == "\"v1\"")
        #expect(store.articles.count == 12)

        clock.advance(by: 3600)
        let before = fetcher.requests.count
        let sink = MemorySink()
        let second = try self.engine(fetcher, clock: clock).run(FeedListSource(feeds), sink: sink, store: store)
        let requests = fetcher.requests.dropFirst(before)
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.etag != nil && $0.allHeaders.contains { $0.hasPrefix("If-None-Match:") } })
        #expect(second.feedsUnchanged == 3 && second.articles == 0)
        #expect(sink.recoveredFrom == ["memory": "12"])

        // A changed feed: its items are parsed again, and only the new one is fetched.
        fetcher.serve("https://news.test/new", body: "Brand new\n" + Self.text(999))
        fetcher.serve(
            "https://news.test/feed0",
            headers: ["ETag": "\"v0b\""],
            body: "https://news.test/new|New|\n"
                + (0..<4).map { "https://news.test/0/\($0)|Item|" }.joined(separator: "\n")
        )
        let third = try self.engine(fetcher, clock: clock).run(FeedListSource(feeds), sink: MemorySink(), store: store)
        #expect(fetcher.requests.suffix(4).map(\.url).contains("https://news.test/new"))
        #expect(third.articles == 1 && third.seen == 4 && third.feedsUnchanged == 2)
    }

    @Test func feedsOnlyAndLinklessItemsBuildArticlesFromTheFeed() throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let fetcher = TableFetcher(clock: clock)
        let long = Self.text(7) + " " + Self.text(8) + " " + Self.text(9)
        fetcher.serve(
            "https://news.test/mixed",
            body: [
                "|Bulletin|\(long)", "https://news.test/teaser|Teaser|short text",
                "https://news.test/full|Full|\(long.replacingOccurrences(of: "x", with: "y"))",
            ].joined(separator: "\n")
        )
        fetcher.serve("https://news.test/teaser", body: "Teaser page\n" + Self.text(3))
        fetcher.serve("https://news.test/full", body: "Full page\n" + Self.text(4))
        let sink = MemorySink()
        _ = try self.engine(fetcher, clock: clock).run(
            FeedListSource([FeedTask(url: "https://news.test/mixed", pages: .missing)]),
            sink: sink,
            store: nil
        )
        #expect(sink.articles.map(\.title) == ["Bulletin", "Teaser page", "Full"])
        #expect(sink.articles[0].url == "https://news.test/mixed#newswire-item=Bulletin")
        #expect(!fetcher.requests.contains { $0.url == "https://news.test/full" })
    }

    @Test func pageTasksAreArticlesOfTheirOwn() throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let fetcher = TableFetcher(clock: clock)
        fetcher.serve("https://news.test/a", body: "Page A\n" + Self.text(1))
        fetcher.serve("https://news.test/b", body: "Page B\n" + Self.text(2))

        final class Pages: WorkSource {
            var urls = ["https://news.test/a", "https://news.test/missing", "https://news.test/b"]
            func next() -> WorkItem? {
                guard !self.urls.isEmpty else { return nil }
                return .page(PageTask(url: self.urls.removeFirst(), source: "https://news.test/sitemap.xml"))
            }
        }
        let sink = MemorySink()
        let summary = try self.engine(fetcher, clock: clock, pagesInFlight: 1).run(Pages(), sink: sink, store: nil)
        #expect(sink.articles.map(\.title) == ["Page A", "Page B"])
        #expect(sink.articles.allSatisfy { $0.feed == "https://news.test/sitemap.xml" })
        #expect(sink.errors.map(\.url) == ["https://news.test/missing"])
        #expect(summary.pagesDone == 3)
    }

    /// With a SQLite state and an NDJSON file, the state's commits run on a thread of their
    /// own: the run still ends with every record in the file and in the state, and the daemon's
    /// source hears of every poll's state once it is stored (a host handed over waits for it).
    @Test func storedCommitsReachTheStateAndTheSource() throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let fetcher = TableFetcher(clock: clock)
        let feeds = self.site(fetcher, feeds: 6, items: 8)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("articles.ndjson").path
        let store = try StateStore(path: folder.appendingPathComponent("state.sqlite").path)
        let sink = NDJSONSink(
            articles: try LineWriter(.file(output), journal: folder.appendingPathComponent("journal").path),
            errors: nil
        )
        let source = WatchSource(
            feeds: feeds,
            states: [:],
            policy: PollPolicy(),
            clock: clock,
            once: true,
            seed: 3,
            leased: true
        )
        let leases = Set(feeds.map { WatchSource.leaseName(for: $0.url) })
        source.hold(leases, states: [:])
        var options = EngineOptions()
        options.pagesInFlight = 4
        options.feedsInFlight = 2
        options.commitInterval = 3
        options.commitSpacing = .zero
        var logger = Logger(label: "engine.test")
        logger.logLevel = .critical
        let engine = Engine(
            parts: EngineParts(
                fetcher: fetcher,
                stages: PipelineStages(feedParser: LineFeedParser(), extractor: TextPageExtractor(), entities: nil),
                clock: clock,
                pollObserver: source
            ),
            options: options,
            logger: logger
        )
        let summary = try engine.run(source, sink: sink, store: store)
        #expect(summary.articles == 48)
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 48)
        #expect(try store.seenArticleCount() == 48)
        #expect(try store.allFeedStates().count == 6)
        #expect(leases.allSatisfy { source.isSettled($0) })
    }
}
