import Foundation
import NewswireCore
import NewswirePipeline
import NewswireTesting
import Testing

/// Crawls of local sites through their sitemaps (no feed), and `newswire sitemap`.
@Suite struct SitemapCrawlTests {
    private func configuration(_ sitemaps: [String], folder: URL) -> PipelineConfiguration {
        var configuration = PipelineConfiguration(name: "sitemaps")
        configuration.sitemaps = sitemaps
        configuration.allowNetworks = ["127.0.0.0/8"]
        configuration.output = folder.appendingPathComponent("articles.ndjson").path
        configuration.errors = folder.appendingPathComponent("errors.ndjson").path
        configuration.state = folder.appendingPathComponent("state.sqlite").path
        return configuration
    }

    @Test func demoSiteThroughItsSitemapsAloneGetsEveryListedArticleOnce() async throws {
        let site = try TestSite(root: Repository.demoSite)
        let base = try await site.start()
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = try PipelineFile.load(
            path: Repository.root.appendingPathComponent("pipelines/demo-sitemaps.yaml").path,
            environment: ["DEMO_BASE_URL": base]
        )
        #expect(configuration.feeds.isEmpty)
        configuration.output = folder.appendingPathComponent("articles.ndjson").path
        configuration.errors = folder.appendingPathComponent("errors.ndjson").path
        configuration.state = folder.appendingPathComponent("state.sqlite").path
        let summary = try await crawl(configuration)
        let articles = try records(in: folder.appendingPathComponent("articles.ndjson"))
        let paths = articles.compactMap { ($0["url"] as? String)?.replacingOccurrences(of: base, with: "") }
        // The news sitemap newest first, then the text sitemap in its order; the ferry story,
        // listed by both, once.
        #expect(
            paths == [
                "/articles/rail-strike-called-off.html",
                "/articles/solar-ferry-trial.html",
                "/articles/harbour-expansion-approved.html",
                "/articles/election-turnout-record.html",
                "/articles/library-reopens.html",
                "/articles/stadium-funding-row.html",
                "/articles/cafe-sao-bras.html",
            ]
        )
        #expect(summary.errors == 0)
        #expect(summary.duplicates == 0)
        for article in articles {
            #expect((article["title"] as? String)?.isEmpty == false)
            #expect((article["text"] as? String)?.isEmpty == false)
            #expect((article["feed"] as? String)?.hasPrefix(base + "/") == true)
        }
        #expect(articles[0]["language"] as? String == "en")
        try expectValid(folder.appendingPathComponent("articles.ndjson"), schema: "article.schema.json")

        // A second run: the index is unchanged (conditional GET), nothing is written again.
        let again = try await crawl(configuration)
        await site.stop()
        #expect(again.articles == 0)
        #expect(lines(of: folder.appendingPathComponent("articles.ndjson")).count == 7)
    }

    @Test func gzipIndexWithGzipChildrenLoopOtherSiteAndTruncatedChild() async throws {
        let site = try TestSite()
        let base = try await site.start()
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for index in 0..<5 {
            site.route(
                "/news/story-\(index).html",
                .init(contentType: "text/html", body: InventedNews.page("Mapped story \(index)", seed: 900 + index))
            )
        }
        func gzip(_ text: String) -> TestSite.Response {
            TestSite.Response(
                headers: ["Content-Type": "application/octet-stream"],
                body: StoredGzip.encode(Array(text.utf8))
            )
        }
        site.route(
            "/sitemap_index.xml.gz",
            gzip(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                <sitemap><loc>\(base)/maps/first.xml.gz</loc></sitemap>
                <sitemap><loc>\(base)/maps/loop.xml</loc></sitemap>
                <sitemap><loc>\(base)/maps/cut</loc></sitemap>
                </sitemapindex>
                """
            )
        )
        site.route(
            "/maps/first.xml.gz",
            gzip(
                """
                <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                <url><loc>\(base)/news/story-0.html</loc></url>
                <url><loc>\(base)/news/story-1.html</loc></url>
                <url><loc>https://elsewhere.example/news/story-9.html</loc></url>
                </urlset>
                """
            )
        )
        site.route(
            "/maps/loop.xml",
            .init(
                contentType: "application/xml",
                body: """
                    <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                    <sitemap><loc>\(base)/sitemap_index.xml.gz</loc></sitemap></sitemapindex>
                    """
            )
        )
        let full = """
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc>\(base)/news/story-2.html</loc></url>
            <url><loc>\(base)/news/story-3.html</loc></url>
            <url><loc>\(base)/news/story-4.html</loc></url>
            </urlset>
            """
        let cut = String(full[..<full.range(of: "story-4")!.lowerBound])
        site.route("/maps/cut", .init(contentType: "application/xml", body: cut))

        let summary = try await crawl(self.configuration([base + "/sitemap_index.xml.gz"], folder: folder))
        await site.stop()
        let articles = try records(in: folder.appendingPathComponent("articles.ndjson"))
        #expect(
            articles.compactMap { $0["title"] as? String } == (0..<4).map { "Mapped story \($0)" },
            "every entry before the cut, once"
        )
        let errors = try records(in: folder.appendingPathComponent("errors.ndjson"))
        #expect(errors.count == 1)
        #expect(errors.first?["stage"] as? String == "sitemap")
        #expect((errors.first?["message"] as? String)?.contains("loop") == true)
        #expect(!site.requests.contains { $0.contains("elsewhere") })
        #expect(summary.errors == 1)
    }

    @Test func sitemapCommandPrintsEntriesAndFollowsOrListsChildren() async throws {
        let site = try TestSite(root: Repository.demoSite)
        let base = try await site.start()
        let followed = try await runNewswire(["sitemap", base + "/sitemap_index.xml", "--allow-network", "127.0.0.0/8"])
        let listed = try await runNewswire([
            "sitemap", base + "/sitemap_index.xml", "--no-follow", "--allow-network", "127.0.0.0/8",
        ])
        let missing = try await runNewswire([
            "sitemap", base + "/no-such-sitemap.xml", "--allow-network", "127.0.0.0/8",
        ])
        await site.stop()
        #expect(followed.status == 0)
        let entries = try followed.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: any Sendable])
        }
        #expect(entries.count == 8)
        let first = try #require(entries.first)
        #expect(first["url"] as? String == base + "/articles/rail-strike-called-off.html")
        #expect(first["lastmod"] as? String == "2026-11-22T05:40:00Z")
        #expect(first["published"] as? String == "2026-11-22T05:10:00Z")
        #expect(first["language"] as? String == "en")
        #expect(first["keywords"] as? [String] == ["rail", "strike", "Kestrel Valley"])
        #expect(first["sitemap"] as? String == base + "/news-sitemap.xml")
        #expect(entries[1]["images"] as? [String] == [base + "/images/solar-ferry.jpg"])
        #expect(entries.last?["sitemap"] as? String == base + "/sitemap-archive.txt")
        #expect(entries.last?["lastmod"] is NSNull)

        #expect(listed.status == 0)
        let children = listed.stdout.split(separator: "\n")
        #expect(children.count == 2)
        #expect(children.allSatisfy { $0.contains("\"index\":true") })

        #expect(missing.status == 1)
        #expect(missing.stderr.contains("HTTP 404"))
    }
}
