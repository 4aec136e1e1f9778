import Foundation
import Logging
import NewswireArchive
import NewswireCore
import NewswireMarkup
import NewswirePipeline
import NewswireTesting
import Testing

/// Runs `newswire replay`'s pipeline over `sources` with the real stages.
private func replay(
    _ configuration: PipelineConfiguration,
    _ sources: [String],
    engine: EngineOptions? = nil,
    from: Date? = nil,
    until: Date? = nil
) async throws -> CrawlSummary {
    _ = librariesInitialised
    let tagger = try #require(entityTagger, "the shipped entity model must load")
    let stages = PipelineStages(feedParser: FeedParser(), extractor: ArticleExtractor(), entities: tagger)
    var logger = Logger(label: "newswire.test")
    logger.logLevel = .critical
    let pipeline = ReplayPipeline(
        configuration: configuration,
        options: ReplayPipeline.Options(sources: sources, from: from, until: until, engine: engine),
        stages: stages,
        logger: logger
    )
    return try await runBlocking { try pipeline.run() }
}

/// A configuration writing to `folder/NAME.ndjson` and `folder/NAME.errors.ndjson`, no state.
private func outputs(_ configuration: PipelineConfiguration, in folder: URL, name: String) -> PipelineConfiguration {
    var configuration = configuration
    configuration.output = folder.appendingPathComponent("\(name).ndjson").path
    configuration.errors = folder.appendingPathComponent("\(name).errors.ndjson").path
    configuration.state = nil
    return configuration
}

/// The WARC files of an archive folder, in name (time) order.
private func warcFiles(in folder: URL) throws -> [URL] {
    try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        .filter { $0.lastPathComponent.hasSuffix(".warc.gz") }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
}

/// Writes response records (and nothing else) for `pages` into `file`, a minute apart from
/// `start`, or at `start` plus each of `seconds`.
private func writeResponses(
    _ pages: [(url: String, body: String, type: String)],
    to folder: URL,
    start: Date,
    seconds: [Double]? = nil
) throws
    -> URL
{
    let writer = try WARCWriter(configuration: WARCWriter.Configuration(directory: folder.path, prefix: "test"))
    for (index, page) in pages.enumerated() {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: \(page.type)\r\nContent-Length: \(page.body.utf8.count)\r\n\r\n"
        _ = try writer.archive(
            HTTPExchange(
                targetURI: page.url,
                date: start.addingTimeInterval(seconds?[index] ?? Double(index) * 60),
                response: Array((head + page.body).utf8)
            )
        )
    }
    try writer.close()
    return try #require(try warcFiles(in: folder).first)
}

/// PyPI warcio's command line (the package has no `__main__`).
private func warcio(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "from warcio.cli import main; main()"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A record field as JSON text with sorted keys, so two fields compare by value.
private func canonicalJSON(_ value: (any Sendable)?) throws -> String {
    guard let value else { return "absent" }
    let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    return String(decoding: data, as: UTF8.self)
}

private let warcioIsAvailable = (try? warcio(["--version"]).status) == 0

@Suite struct ReplayTests {
    /// Crawls the demo site into an archive (with `archive: {rotate_bytes:}` when given);
    /// returns the folder, the base URL and the configuration.
    private func crawlDemoWithArchive(
        rotateBytes: Int? = nil
    ) async throws -> (
        folder: URL, base: String, configuration: PipelineConfiguration
    ) {
        let site = try TestSite(root: Repository.demoSite)
        // A gzip-encoded page and a chunked-looking large page go through the raw capture too.
        let base = try await site.start()
        let folder = try Repository.temporaryFolder()
        var configuration = try PipelineFile.load(
            path: Repository.root.appendingPathComponent("pipelines/demo.yaml").path,
            environment: ["DEMO_BASE_URL": base]
        )
        configuration = outputs(configuration, in: folder, name: "crawl")
        configuration.archive = folder.appendingPathComponent("archive").path
        configuration.archiveRotateBytes = rotateBytes
        _ = try await crawl(configuration)
        await site.stop()
        return (folder, base, configuration)
    }

    @Test func aSmallRotationSizeGivesSeveralFilesThatAllRead() async throws {
        try #require(warcioIsAvailable, "PyPI warcio is not installed (scripts/setup installs it)")
        let (folder, _, configuration) = try await self.crawlDemoWithArchive(rotateBytes: 3000)
        defer { try? FileManager.default.removeItem(at: folder) }
        let archive = folder.appendingPathComponent("archive")
        let files = try warcFiles(in: archive)
        #expect(files.count >= 4, "\(files.count) files under a 3,000-byte rotation size")
        var responses = 0
        for file in files {
            var types: [WARCRecordType] = []
            for item in try WARCReader(path: file.path, options: .init(verifyDigests: true)) {
                switch item {
                case .success(let record): types.append(record.type)
                case .failure(let fault): Issue.record("\(file.lastPathComponent): \(fault)")
                }
            }
            // Each file begins with its own warcinfo and holds at least one exchange.
            #expect(types.first == .warcinfo, "\(file.lastPathComponent)")
            #expect(types.count >= 2, "\(file.lastPathComponent)")
            responses += types.filter { $0 == .response || $0 == .revisit }.count
            let check = try warcio(["check", "-v", file.path])
            #expect(check.status == 0, "warcio check \(file.lastPathComponent):\n\(check.output)")
        }
        #expect(responses >= 10)
        // Split over files, the archive replays to the crawl's articles all the same.
        var replayed = outputs(configuration, in: folder, name: "replay")
        replayed.archive = nil
        _ = try await replay(replayed, [archive.path])
        let crawled = try records(in: folder.appendingPathComponent("crawl.ndjson"))
        let again = try records(in: folder.appendingPathComponent("replay.ndjson"))
        #expect(crawled.count == 7)
        #expect(again.map { $0["id"] as? String } == crawled.map { $0["id"] as? String })
    }

    @Test func aCrawlsArchiveReplaysToTheSameArticles() async throws {
        let (folder, _, configuration) = try await self.crawlDemoWithArchive()
        defer { try? FileManager.default.removeItem(at: folder) }
        let archive = folder.appendingPathComponent("archive")
        let files = try warcFiles(in: archive)
        #expect(!files.isEmpty, "the crawl wrote no closed WARC file")

        var replayed = outputs(configuration, in: folder, name: "replay")
        replayed.archive = nil
        let summary = try await replay(replayed, [archive.path])
        let crawled = try records(in: folder.appendingPathComponent("crawl.ndjson"))
        let again = try records(in: folder.appendingPathComponent("replay.ndjson"))
        #expect(crawled.count == 7)
        #expect(again.count == crawled.count)
        #expect(summary.feedsOK == 3)
        for (left, right) in zip(crawled, again) {
            #expect(Set(left.keys) == Set(right.keys), "fields of \(left["url"] ?? "")")
            for key in left.keys {
                #expect(
                    try canonicalJSON(left[key]) == canonicalJSON(right[key]),
                    "field \(key) of \(left["url"] ?? "") differs after replay"
                )
            }
        }
        // The demo's 404 page is an http_status error in both runs.
        let crawlErrors = try records(in: folder.appendingPathComponent("crawl.errors.ndjson"))
        let replayErrors = try records(in: folder.appendingPathComponent("replay.errors.ndjson"))
        #expect(
            crawlErrors.map { "\($0["kind"] ?? "") \($0["url"] ?? "")" }
                == replayErrors.map { "\($0["kind"] ?? "") \($0["url"] ?? "")" }
        )
    }

    @Test func warcioChecksAndIndexesTheCrawlsArchive() async throws {
        try #require(warcioIsAvailable, "PyPI warcio is not installed (scripts/setup installs it)")
        let (folder, base, _) = try await self.crawlDemoWithArchive()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try warcFiles(in: folder.appendingPathComponent("archive"))
        for file in files {
            let check = try warcio(["check", "-v", file.path])
            #expect(check.status == 0, "warcio check \(file.lastPathComponent):\n\(check.output)")
        }
        let paths = files.map { $0.path }
        let index = try warcio(["index", "-f", "warc-type,warc-target-uri,http:status"] + paths)
        #expect(index.status == 0)
        // Feeds, pages, the redirect hop and the 404 are all there, with their statuses.
        #expect(index.output.contains("\"warc-target-uri\": \"\(base)/rss.xml\""))
        #expect(index.output.contains("\"warc-type\": \"request\""))
        #expect(index.output.contains("\"http:status\": \"301\"") || index.output.contains("\"http:status\": \"302\""))
        #expect(index.output.contains("\"http:status\": \"404\""))
    }

    @Test func aGzipEncodedPageIsArchivedAsReceivedAndReplayedDecoded() async throws {
        let site = try TestSite()
        let base = try await site.start()
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let title = "Wexmoor ferry returns to the night timetable"
        let page = Array(InventedNews.page(title, seed: 120).utf8)
        site.route(
            "/wexmoor/ferry.html",
            .init(headers: ["Content-Type": "text/html", "Content-Encoding": "gzip"], body: StoredGzip.encode(page))
        )
        site.route(
            "/wexmoor.xml",
            .init(
                contentType: "application/rss+xml",
                body: InventedNews.feed("Wexmoor", base: base, links: [base + "/wexmoor/ferry.html"])
            )
        )
        var configuration = PipelineConfiguration(feeds: [.init(url: base + "/wexmoor.xml")])
        configuration.allowNetworks = ["127.0.0.0/8"]
        configuration = outputs(configuration, in: folder, name: "crawl")
        configuration.archive = folder.appendingPathComponent("archive").path
        _ = try await crawl(configuration)
        await site.stop()
        let crawled = try #require(try records(in: folder.appendingPathComponent("crawl.ndjson")).first)
        #expect(crawled["title"] as? String == title)
        // The record holds the body as it came: gzip, with its Content-Encoding.
        let files = try warcFiles(in: folder.appendingPathComponent("archive"))
        var stored: [UInt8] = []
        for file in files {
            for case .success(let record) in try WARCReader(
                path: file.path,
                options: .init(decodeContentEncoding: false)
            )
            where record.targetURI == base + "/wexmoor/ferry.html" && record.type == .response {
                #expect(record.http?.headers["Content-Encoding"] == "gzip")
                stored = record.payload
            }
        }
        #expect(stored == StoredGzip.encode(page))

        var replayed = outputs(configuration, in: folder, name: "replay")
        replayed.archive = nil
        _ = try await replay(replayed, [folder.appendingPathComponent("archive").path])
        let again = try #require(try records(in: folder.appendingPathComponent("replay.ndjson")).first)
        #expect(try canonicalJSON(again["text"]) == canonicalJSON(crawled["text"]))
        #expect(again["fetched_at"] as? String == crawled["fetched_at"] as? String)
    }

    @Test func replayIsByteIdenticalWhateverTheWindows() async throws {
        let (folder, _, configuration) = try await self.crawlDemoWithArchive()
        defer { try? FileManager.default.removeItem(at: folder) }
        let archive = folder.appendingPathComponent("archive").path
        var narrow = EngineOptions()
        narrow.pagesInFlight = 1
        narrow.feedsInFlight = 1
        narrow.commitInterval = 1
        var wide = EngineOptions()
        wide.pagesInFlight = 256
        wide.feedsInFlight = 64
        _ = try await replay(outputs(configuration, in: folder, name: "narrow"), [archive], engine: narrow)
        _ = try await replay(outputs(configuration, in: folder, name: "wide"), [archive], engine: wide)
        for suffix in [".ndjson", ".errors.ndjson"] {
            let left = try Data(contentsOf: folder.appendingPathComponent("narrow" + suffix))
            let right = try Data(contentsOf: folder.appendingPathComponent("wide" + suffix))
            #expect(!left.isEmpty)
            #expect(left == right, "narrow\(suffix) and wide\(suffix) differ")
        }
    }

    @Test func aPageTheArchiveLacksIsNotArchivedNeverFetched() async throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Nothing listens here: a fetch would fail as transport, not as not_archived.
        let base = "http://127.0.0.1:9"
        let links = [base + "/kept.html", base + "/lost.html"]
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        let file = try writeResponses(
            [
                (
                    base + "/feed.xml", InventedNews.feed("Tollmere Gazette", base: base, links: links),
                    "application/rss+xml"
                ),
                (links[0], InventedNews.page("Tollmere ferry timetable changes", seed: 11), "text/html"),
            ],
            to: folder.appendingPathComponent("archive"),
            start: start
        )
        var configuration = PipelineConfiguration(feeds: [.init(url: base + "/feed.xml")])
        configuration = outputs(configuration, in: folder, name: "replay")
        let summary = try await replay(configuration, [file.path])
        #expect(summary.articles == 1)
        let errors = try records(in: folder.appendingPathComponent("replay.errors.ndjson"))
        #expect(errors.count == 1)
        #expect(errors.first?["kind"] as? String == "not_archived")
        #expect(errors.first?["url"] as? String == links[1])
        #expect(errors.first?["feed"] as? String == base + "/feed.xml")
        // Dated at the feed's capture, not at the wall clock.
        #expect(errors.first?["at"] as? String == RFC3339.string(from: start))
        let article = try #require(try records(in: folder.appendingPathComponent("replay.ndjson")).first)
        #expect(article["fetched_at"] as? String == RFC3339.string(from: start.addingTimeInterval(60)))
    }

    @Test func aFeedCaptureReadsThePageCapturedAfterIt() async throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = "https://gazette.example"
        let story = base + "/harbour/bridge.html"
        let feed = InventedNews.feed("Corrow Gazette", base: base, links: [story])
        let (first, second) = ("Corrow bridge shut for repairs", "Corrow bridge opens again after repairs")
        let start = Date(timeIntervalSince1970: 1_796_400_000)
        // Two crawl rounds an hour apart, each a feed capture and then the page; the later
        // page capture is written first, so reading order says nothing of which is nearer.
        let file = try writeResponses(
            [
                (base + "/feed.xml", feed, "application/rss+xml"),
                (story, InventedNews.page(second, seed: 32), "text/html"),
                (story, InventedNews.page(first, seed: 31), "text/html"),
                (base + "/feed.xml", feed, "application/rss+xml"),
            ],
            to: folder.appendingPathComponent("archive"),
            start: start,
            seconds: [0, 3660, 60, 3600]
        )
        var configuration = PipelineConfiguration(feeds: [.init(url: base + "/feed.xml")])
        configuration.refetch = true
        let summary = try await replay(outputs(configuration, in: folder, name: "both"), [file.path])
        #expect(summary.feedsOK == 2)
        let both = try records(in: folder.appendingPathComponent("both.ndjson"))
        #expect(both.map { $0["title"] as? String } == [first, second])
        #expect(
            both.map { $0["fetched_at"] as? String }
                == [
                    RFC3339.string(from: start.addingTimeInterval(60)),
                    RFC3339.string(from: start.addingTimeInterval(3660)),
                ]
        )
        #expect(both.last?["revision"] as? Int == 2)

        // The second round alone reads the page as it was then.
        configuration.refetch = false
        _ = try await replay(
            outputs(configuration, in: folder, name: "later"),
            [file.path],
            from: start.addingTimeInterval(3600)
        )
        let later = try records(in: folder.appendingPathComponent("later.ndjson"))
        #expect(later.map { $0["title"] as? String } == [second])
        #expect(later.first?["fetched_at"] as? String == RFC3339.string(from: start.addingTimeInterval(3660)))
    }

    @Test func responsesAloneAreAStreamOfArticlePages() async throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let titles = [
            "Brannock mill reopens as a museum", "Quarry lake declared safe for swimming", "Ostley choir wins",
        ]
        let pages = titles.enumerated().map { index, title in
            (
                "https://news.example/\(index).html", InventedNews.page(title, seed: 40 + index),
                "text/html; charset=utf-8"
            )
        }
        // A robots.txt among them is neither a feed nor a page.
        let file = try writeResponses(
            pages + [("https://news.example/robots.txt", "User-agent: *\n", "text/plain")],
            to: folder.appendingPathComponent("archive"),
            start: Date(timeIntervalSince1970: 1_796_100_000)
        )
        let configuration = try PipelineFile.parse(
            "name: ccnews\nfeeds: []\noutput: out.ndjson\n",
            file: "ccnews.yaml",
            folder: folder.path
        )
        let summary = try await replay(outputs(configuration, in: folder, name: "replay"), [file.path])
        let articles = try records(in: folder.appendingPathComponent("replay.ndjson"))
        #expect(articles.map { $0["title"] as? String } == titles)
        #expect(articles.allSatisfy { $0["feed"] == nil })
        #expect(summary.errors == 0)

        // --from/--until choose by capture time (a minute apart here), both ends included.
        let start = Date(timeIntervalSince1970: 1_796_100_000)
        _ = try await replay(
            outputs(configuration, in: folder, name: "window"),
            [file.path],
            from: start.addingTimeInterval(60),
            until: start.addingTimeInterval(120)
        )
        let window = try records(in: folder.appendingPathComponent("window.ndjson"))
        #expect(window.map { $0["title"] as? String } == Array(titles[1...2]))
    }

    @Test func aFolderOfSavedPagesReplaysAtTheFilesTimes() async throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let site = folder.appendingPathComponent("saved/news.example")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        let story = "https://news.example/harbour/crane.html"
        let feed = InventedNews.feed("Pellmouth Post", base: "https://news.example", links: [story])
        try Data(feed.utf8).write(to: site.appendingPathComponent("feed.xml"))
        try FileManager.default.createDirectory(
            at: site.appendingPathComponent("harbour"),
            withIntermediateDirectories: true
        )
        let page = site.appendingPathComponent("harbour/crane.html")
        try Data(InventedNews.page("Pellmouth harbour gets a new crane", seed: 90).utf8).write(to: page)
        let captured = Date(timeIntervalSince1970: 1_796_300_000)
        try FileManager.default.setAttributes([.modificationDate: captured], ofItemAtPath: page.path)
        var configuration = PipelineConfiguration(feeds: [.init(url: "https://news.example/feed.xml")])
        configuration = outputs(configuration, in: folder, name: "replay")
        let summary = try await replay(configuration, [folder.appendingPathComponent("saved").path])
        #expect(summary.feedsOK == 1)
        let article = try #require(try records(in: folder.appendingPathComponent("replay.ndjson")).first)
        #expect(article["title"] as? String == "Pellmouth harbour gets a new crane")
        #expect(article["fetched_url"] as? String == story)
        #expect(article["fetched_at"] as? String == RFC3339.string(from: captured))
    }

    @Test func aDamagedArchiveGivesAnErrorRecordAndTheRestIsRead() async throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pages = (0..<3).map { index in
            (
                "https://news.example/d\(index).html", InventedNews.page("Damaged \(index)", seed: 70 + index),
                "text/html"
            )
        }
        let file = try writeResponses(
            pages,
            to: folder.appendingPathComponent("archive"),
            start: Date(timeIntervalSince1970: 1_796_200_000)
        )
        var bytes = try [UInt8](Data(contentsOf: file))
        // Garbage before the second gzip member (the first response after the warcinfo).
        var second = 0
        for offset in 100..<(bytes.count - 2) where bytes[offset] == 0x1f && bytes[offset + 1] == 0x8b {
            if bytes[offset + 2] == 0x08 {
                second = offset
                break
            }
        }
        try #require(second > 0)
        bytes.insert(contentsOf: Array("not a record".utf8), at: second)
        try Data(bytes).write(to: file)
        let configuration = try PipelineFile.parse("feeds: []\n", file: "p.yaml", folder: folder.path)
        _ = try await replay(outputs(configuration, in: folder, name: "replay"), [file.path])
        let articles = try records(in: folder.appendingPathComponent("replay.ndjson"))
        #expect(articles.count == 3)
        let errors = try records(in: folder.appendingPathComponent("replay.errors.ndjson"))
        #expect(errors.count == 1)
        #expect((errors.first?["message"] as? String)?.contains(file.path) == true)
        #expect((errors.first?["message"] as? String)?.contains("at byte \(second)") == true)
    }
}
