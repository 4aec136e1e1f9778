public import Foundation
public import NewswireCore
import NewswireDedup
import NewswireMarkup

/// Joins what the feed said about an item with what its page says, into one ``Article``.
///
/// The page wins where it has a value (it is the publisher's own, fuller record); the feed
/// fills the gaps. When the page is a consent wall, paywall, block or error page and the
/// feed item carries the story itself, the record keeps the feed's title and text (and
/// `page_status` still says what the page was). Dates are checked by the one
/// ``FutureDateRule``. Stateless and thread-safe.
public struct ArticleAssembler: Sendable {
    private let canonicalizer = URLCanonicalizer()
    /// The rule for dates ahead of the clock.
    public var futureDates = FutureDateRule.standard
    /// Words from which a feed item's own content counts as the story (not a teaser).
    public static let substantialWords = 120

    public init() {}

    /// Builds the article for `item` from its fetched page `document` and what was
    /// extracted from it. `now` is the reference for rejecting future dates.
    public func assemble(
        item: FeedItem,
        document: FetchedDocument,
        page: ExtractedPage,
        now: Date
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
        if page.pageStatus != .article && page.pageStatus != .notArticle {
            let feedText = Self.feedText(item.entry)
            if Self.isSubstantial(feedText) {
                article.text = feedText
                if let title = Self.feedTitle(item.entry) { article.title = title }
            }
        }
        return (article, warnings)
    }

    /// Builds the article of a page that no feed announced (`newswire extract`, a sitemap
    /// entry); `evidence` holds what its source said (a news sitemap's title and date).
    public func assemble(
        document: FetchedDocument,
        page: ExtractedPage,
        now: Date,
        evidence: FeedEntry = FeedEntry()
    ) -> (article: Article, warnings: [String]) {
        self.assemble(
            entry: evidence,
            sequence: SequenceNumber(feed: 0, item: 0),
            document: document,
            page: page,
            now: now
        )
    }

    /// Builds the article of `item` from the feed alone (`pages: never`, an item with no link,
    /// or `pages: missing` with substantial content). `fetchedAt` is when the feed was fetched.
    public func assembleFromFeed(item: FeedItem, fetchedAt: Date, now: Date) -> (article: Article, warnings: [String]) {
        var warnings: [String] = []
        let entry = item.entry
        var article = Article(sequence: item.sequence, url: Self.itemURL(item))
        if let link = entry.link, WebURL.isWeb(link) { article.fetchedURL = link }
        article.feed = item.feedURL
        article.feedTitle = item.feedTitle
        article.title = Self.feedTitle(entry)
        article.authors = Self.feedAuthors(entry)
        article.published = self.trusted(entry.published, now: now, field: "published", &warnings)
        article.updated = self.trusted(entry.updated, now: now, field: "updated", &warnings)
        article.categories = Self.unique(entry.categories.map(\.term))
        let summary = entry.summary.map(HTMLText.plainText(fromFragment:))
        article.summary = summary.flatMap(Self.nonEmpty)
        article.text = Self.feedText(entry, summary: summary)
        article.fetchedAt = fetchedAt
        return (article, warnings)
    }

    /// The URL that identifies a feed item: its link, else an id that is a URL, else the feed's
    /// URL with the entry's id (or a hash of its title and content) in a
    /// `#newswire-item=` fragment, which canonical URLs keep.
    public static func itemURL(_ item: FeedItem) -> String {
        if let link = item.entry.link, WebURL.isWeb(link) { return link }
        if let id = item.entry.id, WebURL.isWeb(id) { return id }
        let key =
            item.entry.id ?? String(StableHash.fnv1a((item.entry.title ?? "") + (item.entry.content ?? "")), radix: 16)
        let escaped = key.addingPercentEncoding(withAllowedCharacters: .urlFragmentAllowed) ?? key
        return item.feedURL + "#" + URLCanonicalizer.itemFragmentPrefix + escaped
    }

    /// The plain text of the item's own story: its full content, else its summary.
    public static func feedText(_ entry: FeedEntry) -> String {
        self.feedText(entry, summary: nil)
    }

    /// ``feedText(_:)`` with the summary's plain text already made (it is made once per item).
    static func feedText(_ entry: FeedEntry, summary: String?) -> String {
        let content = entry.content.map(HTMLText.plainText(fromFragment:)) ?? ""
        // Full content is longer than any teaser: the summary is read only when it may win.
        if content.utf8.count >= (entry.summary?.utf8.count ?? 0) { return content }
        let summary = summary ?? entry.summary.map(HTMLText.plainText(fromFragment:)) ?? ""
        return content.count >= summary.count ? content : summary
    }

    /// Whether `text` is long enough to be the story rather than a teaser.
    public static func isSubstantial(_ text: String) -> Bool {
        var words = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            let letter = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            if letter && !inWord {
                words += 1
                if words >= Self.substantialWords { return true }
            }
            inWord = letter
        }
        return false
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
        article.title = Self.nonEmpty(page.title) ?? Self.feedTitle(entry)
        article.authors = page.authors.isEmpty ? Self.feedAuthors(entry) : page.authors
        article.published = self.trusted(page.published ?? entry.published, now: now, field: "published", &warnings)
        article.updated = self.trusted(page.updated ?? entry.updated, now: now, field: "updated", &warnings)
        article.language = page.language
        article.siteName = page.siteName
        article.description = page.description
        article.image = page.image
        article.categories = Self.unique(page.categories + entry.categories.map(\.term))
        article.summary = entry.summary.map(HTMLText.plainText(fromFragment:)).flatMap(Self.nonEmpty)
        article.text = page.text
        article.pageStatus = page.pageStatus
        article.fetchedAt = document.fetchedAt
        return (article, warnings)
    }

    /// The page's `<link rel=canonical>` / `og:url` when it stays on the fetched site, else
    /// the fetched URL; canonicalised either way (``URLCanonicalizer/preferredURL(fetchedURL:declaredURLs:)``).
    func canonicalURL(page: ExtractedPage, document: FetchedDocument) -> String {
        self.canonicalizer.preferredURL(fetchedURL: document.finalURL, declaredURLs: [page.canonicalURL])
    }

    private static func feedTitle(_ entry: FeedEntry) -> String? {
        entry.title.map(HTMLText.plainText(fromFragment:)).flatMap(Self.nonEmpty)
    }

    private static func feedAuthors(_ entry: FeedEntry) -> [String] {
        let names = entry.authors.compactMap { $0.name }.filter { !$0.isEmpty }
        return names.isEmpty ? (entry.author.flatMap(Self.nonEmpty).map { [$0] } ?? []) : names
    }

    private static func unique(_ values: [String]) -> [String] {
        var result: [String] = []
        for value in values {
            let trimmed = value.trimmingASCIIWhitespace()
            if !trimmed.isEmpty && !result.contains(trimmed) { result.append(trimmed) }
        }
        return result
    }

    private func trusted(_ date: Date?, now: Date, field: String, _ warnings: inout [String]) -> Date? {
        guard let date else { return nil }
        guard self.futureDates.accepts(date, now: now) else {
            warnings.append("\(field) date \(RFC3339.string(from: date)) is in the future; left out")
            return nil
        }
        return date
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text = text?.trimmingASCIIWhitespace(), !text.isEmpty else { return nil }
        return text
    }
}
