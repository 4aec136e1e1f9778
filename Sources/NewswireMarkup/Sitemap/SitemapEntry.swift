public import struct Foundation.Date

/// One entry of a sitemap: a page of a `urlset` (with its news and image extensions), a line
/// of a plain-text sitemap, or a child sitemap of a `sitemapindex`.
public struct SitemapEntry: Sendable, Hashable {
    /// The absolute `http(s)` URL of the page or child sitemap.
    public var url: String
    /// `lastmod`.
    public var lastModified: Date?
    /// `changefreq`, lower-cased as written.
    public var changeFrequency: String?
    /// `priority` (0.0 to 1.0 in the protocol; kept as written when it parses).
    public var priority: Double?
    /// `news:title`.
    public var title: String?
    /// `news:publication_date`.
    public var published: Date?
    /// `news:publication` / `news:name`.
    public var publicationName: String?
    /// `news:publication` / `news:language`.
    public var language: String?
    /// `news:keywords`, split at commas.
    public var keywords: [String] = []
    /// `image:image` / `image:loc`, in document order.
    public var images: [String] = []
    /// `true` for a child `<sitemap>` of a sitemap index.
    public var isSitemap = false

    public init(url: String) {
        self.url = url
    }
}

/// What a sitemap document is.
public enum SitemapKind: String, Sendable, Hashable {
    /// `<urlset>`: pages.
    case urlset
    /// `<sitemapindex>`: child sitemaps.
    case index
    /// One URL a line.
    case text
}

/// How a parse went; the entries themselves go to the caller's closure as they are read.
public struct SitemapSummary: Sendable, Hashable {
    public var kind: SitemapKind?
    /// Entries handed to the caller.
    public var entries = 0
    /// Entries without a usable `http(s)` URL.
    public var skipped = 0
    /// `false` when libxml2 reported an error or the bytes had to be decoded or repaired.
    public var wellFormed = true
    /// The document was gzip-compressed.
    public var compressed = false
    /// Reading stopped at a limit (size after decompression, or entry count).
    public var truncated = false
    /// Why nothing could be read, when nothing could.
    public var error: String?

    public init() {}
}

/// Limits for hostile or oversized sitemaps.
public struct SitemapLimits: Sendable, Hashable {
    /// Bytes read after decompression (the protocol allows 50 MB; a little more is tolerated).
    public var maxBytes = 64 << 20
    /// Entries handed on from one document (the protocol allows 50,000).
    public var maxEntries = 100_000

    public init() {}
}
