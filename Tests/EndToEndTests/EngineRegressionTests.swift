import Foundation
import NewswireCore
import NewswirePipeline
import NewswireTesting
import Testing

/// The seven ways the hand-wired crawl lost or repeated data, each against a local site.
@Suite struct EngineRegressionTests {
    private func configuration(
        _ feeds: [String],
        output: URL,
        state: URL?,
        errors: URL? = nil
    ) -> PipelineConfiguration {
        var configuration = PipelineConfiguration(
            name: "test",
            feeds: feeds.map { PipelineConfiguration.FeedSource(url: $0) },
            allowNetworks: ["127.0.0.0/8"],
            output: output.path,
            errors: errors?.path,
            state: state?.path
        )
        configuration.fetch.timeout = 10
        return configuration
    }

    // 1. Output that another writer appended is deleted.
    @Test func anotherWritersLinesInASharedOutputAreKept() async throws {
        let site = try TestSite()
        try await site.start()
        let feedA = InventedNews.addFeed("alpha", stories: 3, to: site, seed: 100)
        let feedB = InventedNews.addFeed("beta", stories: 4, to: site, seed: 200)
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("shared.ndjson")
        let stateA = folder.appendingPathComponent("a.sqlite")
        let stateB = folder.appendingPathComponent("b.sqlite")

        _ = try await crawl(self.configuration([feedA], output: output, state: stateA))
        _ = try await crawl(self.configuration([feedB], output: output, state: stateB))
        let handle = try FileHandle(forWritingTo: output)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"note\":\"added by hand\"}\n".utf8))
        try handle.close()
        let summary = try await crawl(self.configuration([feedA], output: output, state: stateA))
        await site.stop()

        #expect(summary.articles == 0)
        let written = lines(of: output)
        #expect(written.count == 3 + 4 + 1)
        #expect(written.filter { $0.contains("/beta/story-") }.count == 4)
        #expect(written.last == "{\"note\":\"added by hand\"}")
    }

    /// The sink refuses an output whose committed bytes changed, naming the file.
    @Test func anOutputReplacedBehindTheStateIsRefused() async throws {
        let site = try TestSite()
        try await site.start()
        let feed = InventedNews.addFeed("gamma", stories: 2, to: site, seed: 300)
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.ndjson")
        let state = folder.appendingPathComponent("state.sqlite")
        _ = try await crawl(self.configuration([feed], output: output, state: state))
        try Data("{\"other\":1}\n".utf8).write(to: output)
        await #expect {
            _ = try await crawl(self.configuration([feed], output: output, state: state))
        } throws: { error in
            "\(error)".contains(output.path) && "\(error)".contains("truncated or replaced")
        }
        await site.stop()
        #expect(lines(of: output) == ["{\"other\":1}"])
    }

    /// A crash after writing but before the commit: the run's own uncommitted bytes are cut
    /// off, and a torn line left by someone else gets a newline before the next record.
    @Test func onlyItsOwnUncommittedBytesAreCutOff() async throws {
        let site = try TestSite()
        try await site.start()
        let feed = InventedNews.addFeed("delta", stories: 2, to: site, seed: 400)
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.ndjson")
        try Data("{\"partial\":\"torn wri".utf8).write(to: output)
        let summary = try await crawl(
            self.configuration([feed], output: output, state: folder.appendingPathComponent("s.sqlite"))
        )
        await site.stop()
        #expect(summary.articles == 2)
        let written = lines(of: output)
        #expect(written.first == "{\"partial\":\"torn wri")
        #expect(written.count == 3)
        for line in written.dropFirst() {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil)
        }
    }

    // 2. Two runs on one state file both write everything.
    @Test func aSecondRunOnTheSameStateIsRefused() async throws {
        let site = try TestSite()
        try await site.start()
        for index in 0..<6 {
            site.route(
                "/slow/story-\(index).html",
                .init(
                    contentType: "text/html",
                    body: InventedNews.page("Slow story \(index)", seed: 500 + index),
                    delay: 0.3
                )
            )
        }
        let links = (0..<6).map { site.baseURL + "/slow/story-\($0).html" }
        site.route(
            "/slow.xml",
            .init(contentType: "application/rss+xml", body: InventedNews.feed("slow", base: site.baseURL, links: links))
        )
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.ndjson").path
        let state = folder.appendingPathComponent("state.sqlite").path
        let arguments = [
            "crawl", site.baseURL + "/slow.xml", "--output", output, "--state", state, "--no-progress",
            "--allow-network", "127.0.0.0/8", "--no-entities",
        ]
        async let first = runNewswire(arguments)
        // Wait until the first run holds the lock (its pid is in the lock file).
        for _ in 0..<100 {
            if let text = try? String(contentsOfFile: state + ".lock", encoding: .utf8), !text.isEmpty { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let second = try await runNewswire(arguments)
        let firstResult = try await first
        await site.stop()
        #expect(second.status == 2)
        #expect(second.stderr.contains("another newswire (pid "))
        #expect(second.stderr.contains("is using \(state)"))
        #expect(firstResult.status == 0, "\(firstResult.stderr)")
        #expect(lines(of: URL(fileURLWithPath: output)).count == 6)
    }

    // 3. One-off crawls have no state.
    @Test func aOneOffCrawlWithAStateWritesEachArticleOnce() async throws {
        let site = try TestSite()
        try await site.start()
        let feed = InventedNews.addFeed("epsilon", stories: 3, to: site, seed: 600)
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("a.ndjson").path
        let state = folder.appendingPathComponent("a.sqlite").path
        let arguments = [
            "crawl", feed, "-o", output, "--state", state, "--no-progress", "--allow-network", "127.0.0.0/8",
            "--no-entities",
        ]
        let first = try await runNewswire(arguments)
        let second = try await runNewswire(arguments)
        // Without a state, appending to a non-empty output warns.
        let third = try await runNewswire(
            Array(arguments.prefix(4)) + ["--no-progress", "--no-entities", "--allow-network", "127.0.0.0/8"]
        )
        await site.stop()
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)\(second.stderr)")
        #expect(second.stderr.contains("articles 0"))
        #expect(second.stderr.contains("(1 unchanged)"))
        #expect(third.stderr.contains("without a state file"))
        #expect(lines(of: URL(fileURLWithPath: output)).count == 6)
    }

    // 4. Pipes and devices fail.
    @Test func devicesAndDashesAreStreams() async throws {
        let site = try TestSite()
        try await site.start()
        let feed = InventedNews.addFeed("zeta", stories: 2, to: site, seed: 700)
        site.route("/missing.xml", .init(status: 404, contentType: "text/html", body: "gone"))
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let state = folder.appendingPathComponent("s.sqlite").path
        let result = try await runNewswire([
            "crawl", feed, site.baseURL + "/missing.xml", "-o", "/dev/stdout", "--errors", "-", "--state", state,
            "--no-progress", "--no-entities", "--allow-network", "127.0.0.0/8",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 2)
        #expect(result.stderr.contains("\"kind\":\"http_status\""))
        #expect(!FileManager.default.fileExists(atPath: "/dev/stdout.errors.ndjson"))
        #expect(!FileManager.default.fileExists(atPath: "-"))
        // The state was committed: a second run writes nothing new.
        let again = try await runNewswire([
            "crawl", feed, "-o", "/dev/stdout", "--state", state, "--no-progress", "--no-entities",
            "--allow-network", "127.0.0.0/8",
        ])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.isEmpty)

        let pages = folder.appendingPathComponent("pages")
        try FileManager.default.createDirectory(at: pages, withIntermediateDirectories: true)
        try InventedNews.page("A saved page", seed: 701).write(
            to: pages.appendingPathComponent("saved.html"),
            atomically: true,
            encoding: .utf8
        )
        let batch = try await runNewswire(["extract", "--batch", pages.path, "--output", "-", "--format", "ndjson"])
        await site.stop()
        #expect(batch.status == 0, "\(batch.stderr)")
        #expect(batch.stdout.contains("\"id\":\"saved\""))
        #expect(!FileManager.default.fileExists(atPath: FileManager.default.currentDirectoryPath + "/-"))
    }

    // 5. Every run downloads everything again.
    @Test func anUnchangedSiteIsNotDownloadedAgain() async throws {
        let site = try TestSite()
        try await site.start()
        let feeds = (0..<4).map { InventedNews.addFeed("feed\($0)", stories: 5, to: site, seed: 800 + $0 * 10) }
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.ndjson")
        let state = folder.appendingPathComponent("state.sqlite")
        let first = try await crawl(self.configuration(feeds, output: output, state: state))
        let requestsBefore = site.requests.count
        let second = try await crawl(self.configuration(feeds, output: output, state: state))
        let secondRequests = Array(site.requests.dropFirst(requestsBefore))
        await site.stop()
        #expect(first.articles == 20)
        #expect(second.feedsUnchanged == 4)
        #expect(second.articles == 0)
        #expect(secondRequests.sorted() == (0..<4).map { "/feed\($0).xml" })
        #expect(site.notModifiedCount == 4)
    }

    /// A feed that changed: only its new item's page is fetched; the others count as seen.
    @Test func aChangedFeedFetchesOnlyItsNewPages() async throws {
        let site = try TestSite()
        try await site.start()
        let feed = InventedNews.addFeed("eta", stories: 3, to: site, seed: 900)
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.ndjson")
        let state = folder.appendingPathComponent("state.sqlite")
        _ = try await crawl(self.configuration([feed], output: output, state: state))
        InventedNews.addFeed("eta", stories: 4, to: site, seed: 900)
        let before = site.requests.count
        let second = try await crawl(self.configuration([feed], output: output, state: state))
        let requests = Array(site.requests.dropFirst(before))
        await site.stop()
        // Each run asks for robots.txt once before the first page of a host.
        #expect(requests == ["/eta.xml", "/robots.txt", "/eta/story-3.html"])
        #expect(second.articles == 1)
        #expect(second.seen == 3)
        #expect(second.duplicates == 0)
    }

    // 6. Audio, PDF and binary links become articles.
    @Test func binaryPagesAreUnsupportedContentErrors() async throws {
        let site = try TestSite()
        try await site.start()
        let base = site.baseURL
        var mp3: [UInt8] = Array("ID3".utf8) + [3, 0, 0, 0, 0, 0x21]
        var pdf: [UInt8] = Array("%PDF-1.4\n".utf8)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        for index in 0..<3000 {
            mp3.append(UInt8(truncatingIfNeeded: index &* 31))
            pdf.append(UInt8(truncatingIfNeeded: index &* 17))
            png.append(UInt8(truncatingIfNeeded: index &* 7))
        }
        site.route("/episode.mp3", .init(headers: ["Content-Type": "audio/mpeg"], body: mp3))
        site.route("/report.pdf", .init(headers: ["Content-Type": "application/pdf"], body: pdf))
        site.route("/photo", .init(headers: ["Content-Type": "text/html"], body: png))
        site.route("/story.html", .init(contentType: "text/html", body: InventedNews.page("A real story", seed: 1000)))
        let links = ["/episode.mp3", "/report.pdf", "/photo", "/story.html"].map { base + $0 }
        site.route(
            "/mixed.xml",
            .init(contentType: "application/rss+xml", body: InventedNews.feed("mixed", base: base, links: links))
        )
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.ndjson")
        let errors = folder.appendingPathComponent("errors.ndjson")
        let summary = try await crawl(
            self.configuration([base + "/mixed.xml"], output: output, state: nil, errors: errors)
        )
        await site.stop()
        #expect(summary.articles == 1)
        let articles = try records(in: output)
        #expect(articles.map { $0["title"] as? String } == ["A real story"])
        let failures = try records(in: errors)
        #expect(failures.count == 3)
        #expect(failures.allSatisfy { $0["kind"] as? String == "unsupported_content" })
        #expect(failures.contains { ($0["message"] as? String)?.contains("MPEG audio") == true })
        #expect(failures.contains { ($0["message"] as? String)?.contains("PDF") == true })
        #expect(failures.contains { ($0["message"] as? String)?.contains("PNG image served as text/html") == true })
        try expectValid(errors, schema: "error.schema.json")
    }

    // 7. Feed content is thrown away.
    @Test func feedContentIsKept() async throws {
        let site = try TestSite()
        try await site.start()
        let base = site.baseURL
        let story = InventedNews.paragraphs(1100, count: 6)
        let encoded = story.map { "<p>\($0)</p>" }.joined()
        let consent = """
            <html><head><title>Before you continue</title></head><body>
            <div class="consent-dialog"><h1>We value your privacy</h1>
            <p>We and our partners use cookies to store and access information on your device, to measure audiences and to personalise content.</p>
            <button>Accept all</button> <button>Reject all</button> <a href="/prefs">Manage preferences</a></div>
            </body></html>
            """
        site.route("/walled.html", .init(contentType: "text/html", body: consent))
        let items = """
            <item><title>Linkless bulletin from Harrowgate</title><guid isPermaLink="false">bulletin-17</guid>
            <pubDate>Tue, 01 Dec 2026 08:00:00 GMT</pubDate>
            <content:encoded><![CDATA[\(encoded)]]></content:encoded></item>
            <item><title>Walled story from Quillon Bay</title><link>\(base)/walled.html</link>
            <content:encoded><![CDATA[\(encoded.replacingOccurrences(of: "ka", with: "ko"))]]></content:encoded></item>
            """
        site.route(
            "/full.xml",
            .init(
                contentType: "application/rss+xml",
                body: InventedNews.feed("full", base: base, links: [], extraItems: items)
            )
        )
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.ndjson")
        let errors = folder.appendingPathComponent("errors.ndjson")
        let summary = try await crawl(
            self.configuration([base + "/full.xml"], output: output, state: nil, errors: errors)
        )
        await site.stop()
        #expect(summary.errors == 0)
        let articles = try records(in: output)
        #expect(articles.count == 2)
        let bulletin = try #require(articles.first)
        #expect(bulletin["title"] as? String == "Linkless bulletin from Harrowgate")
        #expect(bulletin["text"] as? String == story.joined(separator: "\n\n"))
        #expect(bulletin["published"] as? String == "2026-12-01T08:00:00Z")
        #expect(bulletin["url"] as? String == base + "/full.xml#newswire-item=bulletin-17")
        let walled = try #require(articles.last)
        #expect(walled["title"] as? String == "Walled story from Quillon Bay")
        #expect(walled["page_status"] as? String == "consent_wall")
        #expect((walled["text"] as? String)?.count ?? 0 > 1000)
        try expectValid(output, schema: "article.schema.json")
    }

    /// `pages: never` builds every article from the feed and fetches no page.
    @Test func pagesNeverFetchesNoPage() async throws {
        let site = try TestSite()
        try await site.start()
        let feed = InventedNews.addFeed("theta", stories: 3, to: site, seed: 1200)
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.ndjson")
        var configuration = self.configuration([feed], output: output, state: nil)
        configuration.pages = .never
        configuration.entities = false
        let summary = try await crawl(configuration)
        await site.stop()
        #expect(summary.articles == 3)
        #expect(site.requests == ["/theta.xml"])
        let articles = try records(in: output)
        #expect(articles.map { $0["title"] as? String } == (0..<3).map { "theta story \($0)" })
        #expect(articles.allSatisfy { $0["entities"] == nil && $0["text"] as? String == "A short teaser." })
    }
}
