import Foundation
import NewswireCore
import NewswirePipeline
import NewswireTesting
import Testing

/// Crawls the bundled demo site (pipelines/demo-site) with pipelines/demo.yaml.
@Suite struct DemoCrawlTests {
    private func crawlDemo() async throws -> (base: String, folder: URL, summary: CrawlSummary) {
        let site = try TestSite(root: Repository.demoSite)
        let base = try await site.start()
        let folder = try Repository.temporaryFolder()
        var configuration = try PipelineFile.load(
            path: Repository.root.appendingPathComponent("pipelines/demo.yaml").path,
            environment: ["DEMO_BASE_URL": base]
        )
        configuration.output = folder.appendingPathComponent("articles.ndjson").path
        configuration.errors = folder.appendingPathComponent("errors.ndjson").path
        configuration.state = folder.appendingPathComponent("state.sqlite").path
        let summary = try await crawl(configuration)
        await site.stop()
        return (base, folder, summary)
    }

    @Test func emitsEveryDemoArticleOnceInFeedOrder() async throws {
        let (base, folder, summary) = try await self.crawlDemo()
        defer { try? FileManager.default.removeItem(at: folder) }
        let articles = try records(in: folder.appendingPathComponent("articles.ndjson"))
        let paths = articles.compactMap { ($0["url"] as? String)?.replacingOccurrences(of: base, with: "") }
        #expect(
            paths == [
                "/articles/harbour-expansion-approved.html",
                "/articles/election-turnout-record.html",
                "/articles/library-reopens.html",
                "/articles/solar-ferry-trial.html",
                "/articles/rail-strike-called-off.html",
                "/articles/stadium-funding-row.html",
                "/articles/cafe-sao-bras.html",
            ]
        )
        #expect(summary.feedsOK == 3)
        #expect(summary.feedsFailed == 0)
        #expect(summary.items == 9)
        #expect(summary.articles == 7)
        // The story announced again under a second utm_ URL has the same canonical URL: it is
        // seen (not fetched again), not a duplicate of another story.
        #expect(summary.seen == 1)
        #expect(summary.duplicates == 0)
        #expect(summary.errors == 1)
        for article in articles {
            #expect(article["feed"] is String)
            #expect((article["title"] as? String)?.isEmpty == false)
            #expect(article["published"] is String)
            #expect((article["text"] as? String)?.isEmpty == false)
        }
    }

    @Test func getsTitleTextAndDateRight() async throws {
        let (base, folder, _) = try await self.crawlDemo()
        defer { try? FileManager.default.removeItem(at: folder) }
        let articles = try records(in: folder.appendingPathComponent("articles.ndjson"))
        let harbour = try #require(articles.first)
        #expect(harbour["title"] as? String == "Velmora council approves harbour expansion after year-long review")
        #expect(harbour["published"] as? String == "2026-11-20T08:30:00Z")
        #expect(harbour["authors"] as? [String] == ["Mara Okafor"])
        #expect(harbour["feed"] as? String == base + "/rss.xml")
        let text = try #require(harbour["text"] as? String)
        let paragraphs = text.components(separatedBy: "\n\n")
        #expect(paragraphs.count == 4)
        #expect(paragraphs.first?.hasPrefix("The Aldermoor City Council voted 9 to 4 on Thursday") == true)
        #expect(paragraphs.last?.hasSuffix("under a 40-year concession.") == true)
        for boilerplate in ["Share on social", "Subscribe", "Related stories", "All rights reserved", "Politics"] {
            #expect(!text.contains(boilerplate), "boilerplate '\(boilerplate)' in the text")
        }

        let library = try #require(articles.first { ($0["url"] as? String)?.hasSuffix("library-reopens.html") == true })
        #expect(library["fetched_url"] as? String == base + "/articles/library-reopens.html")

        let ferry = try #require(articles.first { ($0["url"] as? String)?.contains("solar-ferry") == true })
        #expect(ferry["url"] as? String == base + "/articles/solar-ferry-trial.html")
        #expect((ferry["fetched_url"] as? String)?.contains("utm_source=rss") == true)
    }

    @Test func decodesTheLatin1FeedAndPage() async throws {
        let (_, folder, _) = try await self.crawlDemo()
        defer { try? FileManager.default.removeItem(at: folder) }
        let articles = try records(in: folder.appendingPathComponent("articles.ndjson"))
        let cafe = try #require(articles.last)
        #expect(cafe["title"] as? String == "A café in São Brás keeps Velmora's fishing stories alive")
        #expect(cafe["feed_title"] as? String == "Courier em Português: Histórias de São Brás")
        #expect(cafe["authors"] as? [String] == ["Inês Gonçalves"])
        let text = try #require(cafe["text"] as? String)
        #expect(text.contains("At the Café Âncora in the fishing quarter of São Brás"))
        #expect(text.contains("Crème de café, pão de ló"))
        #expect(!text.contains("\u{FFFD}"))
    }

    @Test func writesAnErrorRecordForThe404() async throws {
        let (base, folder, _) = try await self.crawlDemo()
        defer { try? FileManager.default.removeItem(at: folder) }
        let errors = try records(in: folder.appendingPathComponent("errors.ndjson"))
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error["kind"] as? String == "http_status")
        #expect(error["stage"] as? String == "page")
        #expect(error["url"] as? String == base + "/articles/budget-leak.html")
        #expect(error["feed"] as? String == base + "/rss.xml")
        #expect(error["status"] as? Int == 404)
    }

    @Test func everyRecordMatchesTheSchemas() async throws {
        let (_, folder, _) = try await self.crawlDemo()
        defer { try? FileManager.default.removeItem(at: folder) }
        try expectValid(folder.appendingPathComponent("articles.ndjson"), schema: "article.schema.json")
        try expectValid(folder.appendingPathComponent("errors.ndjson"), schema: "error.schema.json")
    }

    @Test func theSameInputGivesByteIdenticalOutput() async throws {
        let first = try await self.crawlDemo()
        let second = try await self.crawlDemo()
        defer {
            try? FileManager.default.removeItem(at: first.folder)
            try? FileManager.default.removeItem(at: second.folder)
        }
        for name in ["articles.ndjson", "errors.ndjson"] {
            let a = try String(contentsOf: first.folder.appendingPathComponent(name), encoding: .utf8)
            let b = try String(contentsOf: second.folder.appendingPathComponent(name), encoding: .utf8)
            #expect(normalised(a, base: first.base) == normalised(b, base: second.base))
        }
    }

    @Test func matchesTheGoldenOutput() async throws {
        let (base, folder, _) = try await self.crawlDemo()
        defer { try? FileManager.default.removeItem(at: folder) }
        let golden = Repository.root.appendingPathComponent("Tests/EndToEndTests/Golden/demo.ndjson")
        var actual = ""
        for name in ["articles.ndjson", "errors.ndjson"] {
            actual += normalised(
                try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8),
                base: base
            )
        }
        if ProcessInfo.processInfo.environment["NEWSWIRE_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(actual == expected, "output differs from Golden/demo.ndjson (NEWSWIRE_UPDATE_GOLDEN=1 rewrites it)")
    }
}
