import ArgumentParser
import Foundation
import NewswireCore
import NewswireFetch
import NewswireMarkup
import NewswirePipeline

/// `newswire sitemap URL-or-FILE`: a sitemap's entries, one JSON object a line.
struct Sitemap: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a sitemap (or a sitemap index and its children) and print its entries as NDJSON.",
        discussion: """
            Prints one object per entry: "url", "lastmod" (null when absent) and, where present,
            "title", "published", "language", "publication", "keywords", "images", "sitemap" (the
            file it came from). Dates are RFC 3339 UTC. Reads urlset, sitemapindex, news and image
            sitemaps and plain-text sitemaps, gzip-compressed or not. An index's children are
            fetched and read; with --no-follow they are listed instead. Entries on another site
            than their sitemap are dropped, as the sitemaps protocol says (--any-site keeps them).
            Index loops and indexes nested too deep are refused with a line on standard error.

            Exit status: 0 when the sitemap was read; 1 when it could not be fetched or read.

            Examples:
              newswire sitemap https://example.org/sitemap.xml
              newswire sitemap sitemap-news.xml.gz --document-url https://example.org/sitemap-news.xml.gz
              newswire sitemap https://example.org/sitemap_index.xml --no-follow
            """
    )

    @Argument(help: "A sitemap URL, or a sitemap file.")
    var source: String

    @Option(help: "The URL a sitemap file was fetched from: relative URLs and the same-site rule use it.")
    var documentURL: String?

    @Flag(inversion: .prefixedNo, help: "Follow a sitemap index's children (--no-follow lists them).")
    var follow = true

    @Flag(help: "Keep entries on other sites than their sitemap's.")
    var anySite = false

    @Option(help: "Levels of sitemap indexes followed below the first.")
    var maxDepth = 3

    @Option(
        name: .customLong("allow-network"),
        help: "A CIDR block of private addresses that may be fetched (repeatable)."
    )
    var allowNetworks: [String] = []

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        for block in self.allowNetworks where CIDR(block) == nil {
            throw ValidationError("'\(block)' is not a CIDR block such as 127.0.0.0/8")
        }
        guard (0...10).contains(self.maxDepth) else { throw ValidationError("--max-depth must be 0 to 10") }
        if let documentURL = self.documentURL, !WebURL.isWeb(documentURL) {
            throw ValidationError("--document-url must be an http or https URL")
        }
    }

    func run() throws {
        let logger = self.global.bootstrap()
        var options = SitemapOptions()
        options.follow = self.follow
        options.anySite = self.anySite
        options.maxDepth = self.maxDepth
        var fetchOptions = FetchOptions()
        fetchOptions.maxBodyBytes = max(fetchOptions.maxBodyBytes, options.limits.maxBytes)
        // The network policy as in a crawl: private and loopback addresses need --allow-network.
        fetchOptions.networkPolicy.allowed += self.allowNetworks.compactMap(CIDR.init)
        let fetcher = Fetcher(options: fetchOptions, logger: logger)
        defer { fetcher.shutdown() }
        let expander = SitemapExpander(fetcher: fetcher, options: options)
        let output = LineOutput()
        var failed = false
        let handle = { (event: SitemapExpander.Event) in
            switch event {
            case .entry(let entry, let sitemap):
                output.write(Self.json(entry, sitemap: sitemap))
            case .report(let report):
                guard let error = report.error else { return }
                // Only the first document has no parent: its failure is the command's.
                if error.feed == nil { failed = true }
                output.flush()
                FileHandle.standardError.write(Data("newswire: \(error.url): \(error.message)\n".utf8))
            }
        }
        if WebURL.isWeb(self.source) {
            expander.expand(url: self.source, each: handle)
        } else {
            _ = try readInputFile(self.source) { _ in [] }
            expander.expand(file: self.source, base: self.documentURL, each: handle)
        }
        output.flush()
        if expander.dropped > 0 {
            FileHandle.standardError.write(
                Data("newswire: \(expander.dropped) entries on other sites dropped (--any-site keeps them)\n".utf8)
            )
        }
        if failed { throw ExitCode.failure }
    }

    private static func json(_ entry: SitemapEntry, sitemap: String) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("url", entry.url)
        json.key("lastmod")
        if let lastModified = entry.lastModified { json.value(RFC3339.string(from: lastModified)) } else { json.null() }
        json.field("title", entry.title)
        json.field("published", entry.published.map(RFC3339.string(from:)))
        json.field("language", entry.language)
        json.field("publication", entry.publicationName)
        json.field("keywords", entry.keywords)
        json.field("images", entry.images)
        if entry.isSitemap { json.field("index", true) }
        json.field("sitemap", sitemap)
        json.endObject()
        return json.string
    }
}

/// Standard output in 64 KB writes.
private final class LineOutput {
    private var buffer: [UInt8] = []

    func write(_ line: String) {
        self.buffer.append(contentsOf: line.utf8)
        self.buffer.append(UInt8(ascii: "\n"))
        if self.buffer.count >= 1 << 16 { self.flush() }
    }

    func flush() {
        guard !self.buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(self.buffer))
        self.buffer.removeAll(keepingCapacity: true)
    }
}
