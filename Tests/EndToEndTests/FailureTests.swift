import Foundation
import NewswireCore
import NewswireFetch
import NewswirePipeline
import NewswireTesting
import Testing

/// Broken, slow, mislabelled and missing feeds and pages: each becomes an error record or
/// a recovered parse, and never stops the other feeds.
@Suite struct FailureTests {
    private static func page(_ title: String, _ paragraphs: [String], charsetMeta: String?) -> String {
        let meta = charsetMeta.map { "<meta charset=\"\($0)\">" } ?? ""
        let body = paragraphs.map { "<p>\($0)</p>" }.joined(separator: "\n")
        return """
            <html><head>\(meta)<title>\(title)</title></head><body>
            <nav><a href="/">Home</a> <a href="/world">World</a></nav>
            <article><h1>\(title)</h1>\(body)</article>
            <footer>Copyright Harbour Gazette</footer></body></html>
            """
    }

    private static let windowsParagraphs = [
        "Fishermen in Quillon Bay say the season’s catch was the best since the storms of the last decade.",
        "“We have not seen shoals like this for years,” said Renée Falk, who runs the cooperative’s smokehouse.",
        "The Quillon Bay Cooperative will hold its annual market on the quay next Saturday, with music and food.",
    ]
    private static let utf8Paragraphs = [
        "Der Gemeinderat von Übelbach hat am Montag den Bau einer neuen Brücke über die Mur beschlossen.",
        "Bürgermeisterin Jana Größl sagte, die Arbeiten sollten im Frühjahr beginnen und zwei Jahre dauern.",
        "Die Kosten von 4,2 Millionen Euro teilen sich das Land Steiermark und die Gemeinde.",
    ]

    private func makeSite() async throws -> (TestSite, String) {
        let site = try TestSite()
        let base = try await site.start()
        let feed = """
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel><title>Harbour Gazette</title><link>\(base)/</link>
            <item><title>Record catch</title><link>\(base)/a.html</link><pubDate>Tue, 03 Nov 2026 10:00:00 EST</pubDate></item>
            <item><title>Neue Brücke</title><link>\(base)/b.html</link><pubDate>2026-11-04T09:15:00+01:00</pubDate></item>
            <item><title>Huge</title><link>\(base)/huge.html</link></item>
            <item><title>Gone</title><link>\(base)/gone.html</link></item>
            </channel></rss>
            """
        site.route("/ok.xml", .init(contentType: "application/rss+xml", body: feed))
        // windows-1252 bytes with no charset anywhere: the UTF-8 check must fall back.
        let windows = Self.page("Record catch in Quillon Bay", Self.windowsParagraphs, charsetMeta: nil)
        site.route(
            "/a.html",
            .init(headers: ["Content-Type": "text/html"], body: Array(windows.data(using: .windowsCP1252)!))
        )
        // UTF-8 bytes whose meta tag claims ISO-8859-1: the bytes win.
        let mislabelled = Self.page("Neue Brücke über die Mur", Self.utf8Paragraphs, charsetMeta: "iso-8859-1")
        site.route("/b.html", .init(headers: ["Content-Type": "text/html"], body: Array(mislabelled.utf8)))
        site.route(
            "/huge.html",
            .init(headers: ["Content-Type": "text/html"], body: Array(repeating: 0x41, count: 300_000))
        )
        site.route("/broken.xml", .init(status: 500, contentType: "text/plain", body: "internal error"))
        site.route(
            "/notafeed.html",
            .init(contentType: "text/html", body: "<html><body><p>Just a page.</p></body></html>")
        )
        site.route("/slow.xml", .init(contentType: "application/rss+xml", body: feed, delay: 20))
        let truncated = String(feed.prefix(through: feed.range(of: "Neue Brücke")!.upperBound))
        site.route("/truncated.xml", .init(contentType: "application/rss+xml", body: truncated))
        return (site, base)
    }

    @Test func aFailingFeedNeverStopsTheOthers() async throws {
        let (site, base) = try await self.makeSite()
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = PipelineConfiguration(
            feeds: [
                .init(url: base + "/broken.xml"),
                .init(url: "http://127.0.0.1:9/refused.xml"),
                .init(url: base + "/notafeed.html"),
                .init(url: base + "/slow.xml"),
                .init(url: base + "/ok.xml"),
                .init(url: base + "/truncated.xml"),
            ],
            allowNetworks: ["127.0.0.0/8"],
            output: folder.appendingPathComponent("articles.ndjson").path
        )
        // Generous against a loaded machine, still well under the slow feed's delay.
        configuration.fetch = FetchOptions(timeout: 10, connectTimeout: 5, maxBodyBytes: 100_000)
        let summary = try await crawl(configuration)
        await site.stop()

        let articles = try records(in: folder.appendingPathComponent("articles.ndjson"))
        let errors = try records(in: folder.appendingPathComponent("articles.errors.ndjson"))
        #expect(summary.feedsOK == 2)
        #expect(summary.feedsFailed == 4)
        #expect(articles.compactMap { $0["url"] as? String } == [base + "/a.html", base + "/b.html"])

        let failures = errors.map {
            "\($0["stage"] as? String ?? "?") \($0["kind"] as? String ?? "?") \($0["url"] as? String ?? "?")"
        }
        #expect(
            failures == [
                "fetch http_status \(base)/broken.xml",
                "fetch transport http://127.0.0.1:9/refused.xml",
                "feed parse \(base)/notafeed.html",
                "fetch timeout \(base)/slow.xml",
                "page too_large \(base)/huge.html",
                "page http_status \(base)/gone.html",
                // The truncated feed's second entry lost its link with the cut.
                "feed parse \(base)/truncated.xml",
            ]
        )
        for error in errors {
            #expect((error["message"] as? String)?.isEmpty == false)
        }
        // Transient failures (5xx, refused, timeout) were tried three times; the rest once.
        let attempts = errors.map { "\($0["url"] as? String ?? "?") \($0["attempt"] as? Int ?? 0)" }
        #expect(
            attempts == [
                "\(base)/broken.xml 3", "http://127.0.0.1:9/refused.xml 3", "\(base)/notafeed.html 1",
                "\(base)/slow.xml 3", "\(base)/huge.html 1", "\(base)/gone.html 1", "\(base)/truncated.xml 1",
            ]
        )
        try expectValid(folder.appendingPathComponent("articles.ndjson"), schema: "article.schema.json")
        try expectValid(folder.appendingPathComponent("articles.errors.ndjson"), schema: "error.schema.json")
    }

    @Test func pagesInAnyCharsetComeOutRight() async throws {
        let (site, base) = try await self.makeSite()
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = PipelineConfiguration(
            feeds: [.init(url: base + "/ok.xml")],
            allowNetworks: ["127.0.0.0/8"],
            output: folder.appendingPathComponent("articles.ndjson").path
        )
        _ = try await crawl(configuration)
        await site.stop()
        let articles = try records(in: folder.appendingPathComponent("articles.ndjson"))
        let windows = try #require(articles.first)
        #expect(windows["title"] as? String == "Record catch in Quillon Bay")
        #expect(windows["text"] as? String == Self.windowsParagraphs.joined(separator: "\n\n"))
        #expect(windows["published"] as? String == "2026-11-03T15:00:00Z")
        let german = try #require(articles.dropFirst().first)
        #expect(german["title"] as? String == "Neue Brücke über die Mur")
        #expect(german["text"] as? String == Self.utf8Paragraphs.joined(separator: "\n\n"))
        #expect(german["published"] as? String == "2026-11-04T08:15:00Z")
    }

    @Test func theTruncatedFeedStillYieldsItsFirstItem() async throws {
        let (site, base) = try await self.makeSite()
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = PipelineConfiguration(
            feeds: [.init(url: base + "/truncated.xml")],
            allowNetworks: ["127.0.0.0/8"],
            output: folder.appendingPathComponent("articles.ndjson").path
        )
        let summary = try await crawl(configuration)
        await site.stop()
        #expect(summary.feedsOK == 1)
        let articles = try records(in: folder.appendingPathComponent("articles.ndjson"))
        #expect(articles.first?["url"] as? String == base + "/a.html")
    }
}
