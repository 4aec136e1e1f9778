import Foundation
import NewswireTesting
import Testing

/// `newswire crawl URL` on a home page: its feeds from `<link rel="alternate">`, its sitemaps
/// from robots.txt, every article once.
@Suite struct DiscoveryTests {
    @Test func aHomePageLeadsToItsFeedsAndSitemaps() async throws {
        let site = try TestSite(root: Repository.demoSite)
        let base = try await site.start()
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("a.ndjson")
        let arguments = [
            "crawl", base + "/", "-o", output.path, "--state", folder.appendingPathComponent("s.sqlite").path,
            "--allow-network", "127.0.0.0/8", "--no-entities", "--no-progress",
        ]
        let first = try await runNewswire(arguments)
        let requested = site.requests
        let second = try await runNewswire(arguments)
        await site.stop()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("articles 7"), "\(first.stderr)")
        for path in [
            "/", "/rss.xml", "/atom.xml", "/latin1.xml", "/robots.txt", "/sitemap_index.xml", "/news-sitemap.xml",
        ] {
            #expect(requested.contains(path), "\(path) was not requested")
        }
        let urls = try records(in: output).compactMap { $0["url"] as? String }
        #expect(urls.count == 7 && Set(urls).count == 7)
        #expect(second.status == 0 && second.stderr.contains("articles 0"), "\(second.stderr)")
    }
}
