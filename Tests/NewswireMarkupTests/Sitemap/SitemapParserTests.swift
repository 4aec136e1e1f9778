import Foundation
import NewswireCore
import NewswireMarkup
import NewswireTesting
import Testing

@Suite struct SitemapParserTests {
    private static func parse(
        _ text: String,
        url: String = "https://harbourgazette.test/sitemap.xml",
        limits: SitemapLimits = SitemapLimits()
    ) -> (SitemapSummary, [SitemapEntry]) {
        Self.parse(Array(text.utf8), url: url, limits: limits)
    }

    private static func parse(
        _ bytes: [UInt8],
        url: String = "https://harbourgazette.test/sitemap.xml",
        limits: SitemapLimits = SitemapLimits()
    ) -> (SitemapSummary, [SitemapEntry]) {
        var entries: [SitemapEntry] = []
        let summary = SitemapParser(limits: limits).parse(bytes, url: url) { entries.append($0) }
        return (summary, entries)
    }

    static let urlset = """
        <?xml version="1.0" encoding="UTF-8"?>
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
          <url>
            <loc>https://harbourgazette.test/2026/11/ferry-timetable</loc>
            <lastmod>2026-11-30T08:15:00+01:00</lastmod>
            <changefreq>Daily</changefreq>
            <priority>0.8</priority>
          </url>
          <url><loc>/2026/11/lighthouse-repairs</loc><lastmod>2026-11-29</lastmod></url>
          <url><loc>  https://www.harbourgazette.test/about  </loc></url>
        </urlset>
        """

    @Test func urlsetFieldsAndRelativeLocations() throws {
        let (summary, entries) = Self.parse(Self.urlset)
        #expect(summary.kind == .urlset)
        #expect(summary.wellFormed)
        #expect(summary.entries == 3)
        #expect(
            entries.map(\.url) == [
                "https://harbourgazette.test/2026/11/ferry-timetable",
                "https://harbourgazette.test/2026/11/lighthouse-repairs",
                "https://www.harbourgazette.test/about",
            ]
        )
        #expect(entries[0].lastModified.map(RFC3339.string(from:)) == "2026-11-30T07:15:00Z")
        #expect(entries[0].changeFrequency == "daily")
        #expect(entries[0].priority == 0.8)
        #expect(entries[1].lastModified.map(RFC3339.string(from:)) == "2026-11-29T00:00:00Z")
        #expect(entries[2].lastModified == nil)
        #expect(!entries.contains { $0.isSitemap })
    }

    @Test func newsAndImageExtensions() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
                    xmlns:n="http://www.google.com/schemas/sitemap-news/0.9"
                    xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
                    xmlns:video="http://www.google.com/schemas/sitemap-video/1.1">
              <url>
                <loc>https://harbourgazette.test/news/quay-vote</loc>
                <n:news>
                  <n:publication><n:name>Harbour Gazette</n:name><n:language>nl</n:language></n:publication>
                  <n:publication_date>2026-12-02T17:45:00-05:00</n:publication_date>
                  <n:title><![CDATA[Council votes to widen the north quay & the slipway]]></n:title>
                  <n:keywords>quay, council ,  harbour</n:keywords>
                </n:news>
                <image:image><image:loc>https://harbourgazette.test/img/quay.jpg</image:loc></image:image>
                <image:image><image:loc>/img/slipway.jpg</image:loc></image:image>
                <video:video><video:title>Not the story title</video:title>
                  <video:content_loc>https://harbourgazette.test/v.mp4</video:content_loc></video:video>
              </url>
            </urlset>
            """
        let (summary, entries) = Self.parse(text)
        #expect(summary.kind == .urlset)
        let entry = try #require(entries.first)
        #expect(entries.count == 1)
        #expect(entry.url == "https://harbourgazette.test/news/quay-vote")
        #expect(entry.title == "Council votes to widen the north quay & the slipway")
        #expect(entry.publicationName == "Harbour Gazette")
        #expect(entry.language == "nl")
        #expect(entry.published.map(RFC3339.string(from:)) == "2026-12-02T22:45:00Z")
        #expect(entry.keywords == ["quay", "council", "harbour"])
        #expect(
            entry.images == ["https://harbourgazette.test/img/quay.jpg", "https://harbourgazette.test/img/slipway.jpg"]
        )
    }

    @Test func undeclaredNewsPrefixIsStillRead() {
        let text = """
            <urlset><url><loc>https://harbourgazette.test/a</loc>
            <news:news><news:publication_date>2026-12-01</news:publication_date>
            <news:title>Tide tables</news:title></news:news></url></urlset>
            """
        let (summary, entries) = Self.parse(text)
        #expect(summary.kind == .urlset)
        #expect(!summary.wellFormed)
        #expect(entries.first?.title == "Tide tables")
        #expect(entries.first?.published.map(RFC3339.string(from:)) == "2026-12-01T00:00:00Z")
    }

    @Test func sitemapIndexChildren() {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <sitemap><loc>https://harbourgazette.test/sitemap-2026-12.xml.gz</loc>
                <lastmod>2026-12-02T10:00:00Z</lastmod></sitemap>
              <sitemap><loc>sitemap-news.xml</loc></sitemap>
            </sitemapindex>
            """
        let (summary, entries) = Self.parse(text, url: "https://harbourgazette.test/maps/index.xml")
        #expect(summary.kind == .index)
        #expect(entries.allSatisfy { $0.isSitemap })
        #expect(
            entries.map(\.url) == [
                "https://harbourgazette.test/sitemap-2026-12.xml.gz",
                "https://harbourgazette.test/maps/sitemap-news.xml",
            ]
        )
        #expect(entries[0].lastModified.map(RFC3339.string(from:)) == "2026-12-02T10:00:00Z")
    }

    @Test func plainTextSitemap() {
        let text =
            "\u{FEFF}https://harbourgazette.test/one\r\n\n  https://harbourgazette.test/two  \nnot a url\nftp://x.test/f\n"
        let (summary, entries) = Self.parse(text, url: "https://harbourgazette.test/sitemap.txt")
        #expect(summary.kind == .text)
        #expect(entries.map(\.url) == ["https://harbourgazette.test/one", "https://harbourgazette.test/two"])
        #expect(summary.skipped == 2)
    }

    @Test func gzipUnderAnyName() {
        let compressed = StoredGzip.encode(Array(Self.urlset.utf8))
        let (summary, entries) = Self.parse(compressed, url: "https://harbourgazette.test/sitemap")
        #expect(summary.compressed)
        #expect(summary.kind == .urlset)
        #expect(entries.count == 3)
        let text = StoredGzip.encode(Array("https://harbourgazette.test/only\n".utf8))
        let (textSummary, textEntries) = Self.parse(text)
        #expect(textSummary.kind == .text)
        #expect(textEntries.map(\.url) == ["https://harbourgazette.test/only"])
    }

    @Test func brokenGzipIsAnErrorNotACrash() {
        var compressed = StoredGzip.encode(Array(Self.urlset.utf8))
        compressed.removeLast(compressed.count / 2)
        let (summary, entries) = Self.parse(compressed)
        // A cut gzip stream inflates as far as it goes: whatever entries that holds, no more.
        #expect(summary.compressed)
        #expect(entries.count <= 3)
    }

    @Test func truncatedFileKeepsTheEntriesBeforeTheCut() {
        let full = Self.urlset
        let cut = String(full[..<full.range(of: "<lastmod>2026-11-29")!.lowerBound])
        let (summary, entries) = Self.parse(cut)
        #expect(!summary.wellFormed)
        #expect(
            entries.map(\.url) == [
                "https://harbourgazette.test/2026/11/ferry-timetable",
                "https://harbourgazette.test/2026/11/lighthouse-repairs",
            ]
        )
    }

    @Test func urlCutInTheMiddleIsNotAnEntry() {
        let full = Self.urlset
        let cut = String(full[..<full.range(of: "harbourgazette.test/about")!.upperBound].dropLast(3))
        let (summary, entries) = Self.parse(cut)
        #expect(!summary.wellFormed)
        #expect(entries.count == 2)
        #expect(!entries.contains { $0.url.contains("/ab") })
    }

    @Test func repairedDocumentDeliversEachEntryOnce() {
        // The bare `&` stops the first pass after the first entry; the repaired pass must
        // not hand that entry on again.
        let text = """
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc>https://harbourgazette.test/first</loc></url>
            <url><loc>https://harbourgazette.test/search?q=boats&page=2</loc></url>
            <url><loc>https://harbourgazette.test/third&eacute;</loc></url>
            </urlset>
            """
        let (summary, entries) = Self.parse(text)
        #expect(!summary.wellFormed)
        #expect(
            entries.map(\.url) == [
                "https://harbourgazette.test/first", "https://harbourgazette.test/search?q=boats&page=2",
                "https://harbourgazette.test/thirdé",
            ]
        )
    }

    @Test func latin1SitemapIsDecoded() {
        let text = """
            <?xml version="1.0" encoding="ISO-8859-1"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
              xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
            <url><loc>https://harbourgazette.test/cafe</loc><news:news><news:title>Caf\u{E9} reopens</news:title></news:news></url>
            </urlset>
            """
        let bytes = text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        let (_, entries) = Self.parse(bytes)
        #expect(entries.first?.title == "Café reopens")
    }

    @Test func externalEntitiesAreNeverLoaded() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sitemap-xxe-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let secret = folder.appendingPathComponent("secret.txt")
        try "https://elsewhere.test/leaked".write(to: secret, atomically: true, encoding: .utf8)
        let text = """
            <?xml version="1.0"?>
            <!DOCTYPE urlset [<!ENTITY leak SYSTEM "file://\(secret.path)">]>
            <urlset><url><loc>https://harbourgazette.test/x&leak;</loc></url></urlset>
            """
        let (_, entries) = Self.parse(text)
        #expect(!entries.contains { $0.url.contains("leaked") })
    }

    @Test func sizeAndEntryLimits() {
        var body = "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
        for index in 0..<500 { body += "<url><loc>https://harbourgazette.test/p\(index)</loc></url>" }
        body += "</urlset>"
        var limits = SitemapLimits()
        limits.maxEntries = 10
        let (capped, cappedEntries) = Self.parse(body, limits: limits)
        #expect(capped.truncated)
        #expect(cappedEntries.count == 10)
        limits = SitemapLimits()
        limits.maxBytes = 2_000
        let (small, smallEntries) = Self.parse(body, limits: limits)
        #expect(small.truncated)
        #expect(smallEntries.count > 0 && smallEntries.count < 50)
        let (gzipped, gzippedEntries) = Self.parse(StoredGzip.encode(Array(body.utf8)), limits: limits)
        #expect(gzipped.truncated)
        #expect(gzippedEntries.count == smallEntries.count)
    }

    @Test func notASitemap() {
        let (html, _) = Self.parse("<html><body><p>Hello</p></body></html>")
        #expect(html.error != nil)
        let (empty, entries) = Self.parse([UInt8]())
        #expect(entries.isEmpty)
        #expect(empty.kind == nil)
    }

    @Test func fileStreamingMatchesMemory() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sitemap-file-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = folder.appendingPathComponent("map.xml")
        let packed = folder.appendingPathComponent("map.bin")
        try Data(Self.urlset.utf8).write(to: plain)
        try Data(StoredGzip.encode(Array(Self.urlset.utf8))).write(to: packed)
        let (_, expected) = Self.parse(Self.urlset)
        for path in [plain.path, packed.path] {
            var entries: [SitemapEntry] = []
            let summary = SitemapParser().parseFile(path, base: "https://harbourgazette.test/sitemap.xml") {
                entries.append($0)
            }
            #expect(summary.kind == .urlset)
            #expect(entries == expected)
            #expect(summary.compressed == (path == packed.path))
        }
    }

    @Test func sameSite() {
        let sitemap = "https://www.harbourgazette.test/sitemap.xml"
        #expect(SitemapParser.isSameSite("https://harbourgazette.test/a", as: sitemap))
        #expect(SitemapParser.isSameSite("http://www.harbourgazette.test/b", as: sitemap))
        #expect(!SitemapParser.isSameSite("https://harbourgazette.example/a", as: sitemap))
        #expect(!SitemapParser.isSameSite("https://evil.test/harbourgazette.test", as: sitemap))
    }

    @Test func storedGzipChecksum() {
        // The CRC-32 check value of "123456789" (ISO 3309).
        #expect(StoredGzip.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
