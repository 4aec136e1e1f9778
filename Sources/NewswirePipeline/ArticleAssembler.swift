public import Foundation
public import NewswireCore
import NewswireDedup
import NewswireMarkup

/// Joins what the feed said about an item with what its page says, into one ``Article``.
///
/// The page wins where it has a value (it is the publisher's own, fuller record); the feed
/// fills the gaps. Dates more than 24 hours in the future are not trusted and left out.
/// Stateless and thread-safe.
public struct ArticleAssembler: Sendable {
    private let canonicalizer = URLCanonicalizer()
    /// How far ahead of now a date may lie before it is rejected.
    public var futureTolerance: TimeInterval = 24 * 3600

    public init() {}

    /// Builds the article for `item` from its fetched page `document` and what was
    /// extracted from it. `now` is the reference for rejecting future dates.
    public func assemble(
        item: FeedItem,
        document: FetchedDocument,
        page: ExtractedPage,
        now: Date = Date()
    ) -> (article: Article, warnings: [String]) {
        var (article, warnings) = self.assemble(
            entry: item.entry,
            sequence: item.sequence,
            document: document,
            page: page,
            now: now
        )
        article.feed = item.feedURL
        article.feedTitle = item.feedTitle
        return (article, warnings)
    }

    /// Builds the article of a page that no feed announced (`newswire extract`).
    public func assemble(
        document: FetchedDocument,
        page: ExtractedPage,
        now: Date = Date()
    ) -> (article: Article, warnings: [String]) {
        self.assemble(
            entry: FeedEntry(),
            sequence: SequenceNumber(feed: 0, item: 0),
            document: document,
            page: page,
            now: now
        )
    }

    private func assemble(
        entry: FeedEntry,
        sequence: SequenceNumber,
        document: FetchedDocument,
        page: ExtractedPage,
        now: Date
    ) -> (article: Article, warnings: [String]) {
        var warnings: [String] = []
        var article = Article(sequence: sequence, url: self.canonicalURL(page: page, document: document))
        article.fetchedURL = document.finalURL
        article.title =
            self.nonEmpty(page.title) ?? entry.title.map(HTMLText.plainText(fromFragment:)).flatMap(self.nonEmpty)
        if !page.authors.isEmpty {
            article.authors = page.authors
        } else {
            let names = entry.authors.compactMap { $0.name }.filter { !$0.isEmpty }
            article.authors = names.isEmpty ? (entry.author.flatMap(self.nonEmpty).map { [$0] } ?? []) : names
        }
        article.published = self.trusted(page.published ?? entry.published, now: now, field: "published", &warnings)
        article.updated = self.trusted(page.updated ?? entry.updated, now: now, field: "updated", &warnings)
        article.language = page.language
        article.siteName = page.siteName
        article.description = page.description
        article.image = page.image
        var categories: [String] = []
        for category in page.categories + entry.categories.map(\.term) {
            let trimmed = category.trimmingASCIIWhitespace()
            if !trimmed.isEmpty && !categories.contains(trimmed) { categories.append(trimmed) }
        }
        article.categories = categories
        article.summary = entry.summary.map(HTMLText.plainText(fromFragment:)).flatMap(self.nonEmpty)
        article.text = page.text
        article.pageStatus = page.pageStatus
        article.fetchedAt = document.fetchedAt
        return (article, warnings)
    }

    /// The page's `<link rel=canonical>` / `og:url` when it stays on the fetched site,
    /// else the fetched URL; canonicalised either way.
    func canonicalURL(page: ExtractedPage, document: FetchedDocument) -> String {
        let fetched = self.canonicalizer.canonicalize(document.finalURL)
        guard let declared = page.canonicalURL.map(self.canonicalizer.canonicalize),
            let declaredHost = Self.host(of: declared), let fetchedHost = Self.host(of: fetched),
            Self.sameSite(declaredHost, fetchedHost)
        else { return fetched }
        return declared
    }

    static func host(of url: String) -> String? {
        guard let start = url.range(of: "://") else { return nil }
        let rest = url[start.upperBound...]
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var host = rest[..<end]
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { host = host[..<colon] }
        return host.lowercased()
    }

    /// Hosts of one site: equal, or one a subdomain of the other (`www.`, `m.`, `amp.`).
    static func sameSite(_ a: String, _ b: String) -> Bool {
        a == b || a.hasSuffix("." + b) || b.hasSuffix("." + a)
    }

    private func trusted(_ date: Date?, now: Date, field: String, _ warnings: inout [String]) -> Date? {
        guard let date else { return nil }
        if date.timeIntervalSince(now) > self.futureTolerance {
            warnings.append("\(field) date \(RFC3339.string(from: date)) is in the future; left out")
            return nil
        }
        return date
    }

    private func nonEmpty(_ text: String?) -> String? {
        guard let text = text?.trimmingASCIIWhitespace(), !text.isEmpty else { return nil }
        return text
    }
}
