import Foundation
import Logging
public import NewswireCore
import NewswireMarkup

/// What `discover:` looks for on a site's home page.
public enum DiscoveryKind: String, Sendable, Hashable, CaseIterable {
    /// Feeds the page announces with `<link rel="alternate">`.
    case feeds
    /// Sitemaps from the site's `robots.txt`, else at the usual paths.
    case sitemaps
}

/// Turns home pages named as feeds into the feeds and sitemaps they lead to, before a run.
///
/// Each feed URL is fetched once: a feed stays a feed; an HTML page is replaced by the feeds
/// its `<link rel="alternate">` elements announce (with `feeds`), and its site's sitemaps are
/// added (with `sitemaps`): the `Sitemap:` lines of `robots.txt`, else those of
/// `/sitemap.xml`, `/sitemap_index.xml` and `/news-sitemap.xml` that answer 200. URLs the
/// state already knows as feeds are not fetched again.
public struct SiteDiscovery: Sendable {
    public var kinds: Set<DiscoveryKind>
    /// The paths tried when `robots.txt` names no sitemap.
    public static let usualSitemapPaths = ["/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml"]

    public init(kinds: Set<DiscoveryKind>) {
        self.kinds = kinds
    }

    /// `configuration` with its home pages replaced by what they lead to.
    public func expand(
        _ configuration: PipelineConfiguration,
        fetcher: any DocumentFetching,
        knownFeeds: Set<String>,
        logger: Logger
    ) -> PipelineConfiguration {
        guard !self.kinds.isEmpty else { return configuration }
        var result = configuration
        var feeds: [PipelineConfiguration.FeedSource] = []
        var sitemaps = configuration.sitemaps
        let parser = FeedParser()
        for feed in configuration.feeds {
            guard !knownFeeds.contains(feed.url),
                case .success(let document) = fetcher.fetch(
                    configuration.feedDefaults.merged(with: feed.settings).request.request(for: feed.url)
                ),
                (200..<300).contains(document.status)
            else {
                feeds.append(feed)
                continue
            }
            let parsed = parser.parseFeed(document)
            guard parsed.entries.isEmpty, parsed.error != nil, Self.looksLikeHTML(document) else {
                feeds.append(feed)
                continue
            }
            var found: [String] = []
            if self.kinds.contains(.feeds) {
                for link in FeedDiscovery.feedLinks(inHTML: document.body, baseURL: document.finalURL)
                where !found.contains(link.href) && !feeds.contains(where: { $0.url == link.href }) {
                    found.append(link.href)
                    feeds.append(
                        PipelineConfiguration.FeedSource(url: link.href, name: link.title, settings: feed.settings)
                    )
                }
            }
            var siteMaps: [String] = []
            if self.kinds.contains(.sitemaps), let site = WebURL(document.finalURL) {
                siteMaps = self.sitemaps(of: site, fetcher: fetcher).filter { !sitemaps.contains($0) }
                sitemaps += siteMaps
            }
            logger.info(
                "site discovered",
                metadata: ["page": "\(feed.url)", "feeds": "\(found.count)", "sitemaps": "\(siteMaps.count)"]
            )
            if found.isEmpty && siteMaps.isEmpty { feeds.append(feed) }
        }
        result.feeds = feeds
        result.sitemaps = sitemaps
        return result
    }

    /// The sitemaps `robots.txt` names, else the usual paths that answer 200.
    func sitemaps(of site: WebURL, fetcher: any DocumentFetching) -> [String] {
        let origin = site.origin
        if case .success(let robots) = fetcher.fetch(FetchRequest(url: origin + "/robots.txt")),
            (200..<300).contains(robots.status)
        {
            let named = Self.sitemapLines(robots.body)
            if !named.isEmpty { return named }
        }
        return Self.usualSitemapPaths.compactMap { path in
            guard case .success(let document) = fetcher.fetch(FetchRequest(url: origin + path)),
                (200..<300).contains(document.status), !Self.looksLikeHTML(document)
            else { return nil }
            return origin + path
        }
    }

    /// The `Sitemap:` lines of a robots.txt (any case), as absolute http(s) URLs.
    static func sitemapLines(_ body: [UInt8]) -> [String] {
        var urls: [String] = []
        for line in String(decoding: body, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "sitemap" else {
                continue
            }
            let url = parts[1].trimmingCharacters(in: .whitespaces)
            if WebURL.isWeb(url) && !urls.contains(url) { urls.append(url) }
        }
        return urls
    }

    private static func looksLikeHTML(_ document: FetchedDocument) -> Bool {
        if let type = ContentCheck.mediaType(document.contentType),
            type == "text/html" || type == "application/xhtml+xml"
        {
            return true
        }
        let head = String(decoding: document.body.prefix(512), as: UTF8.self).lowercased()
        return head.contains("<!doctype html") || head.contains("<html")
    }
}
