public import NewswireCore

public import struct Foundation.Date

/// Whether feed items are followed to their pages (the pipeline file's `pages:`).
public enum PageMode: String, Sendable, Hashable, CaseIterable {
    /// Every item's page is fetched and extracted (the default).
    case always
    /// A page is fetched only when the item carries no substantial content of its own.
    case missing
    /// Every article is built from the feed alone, as feed readers do.
    case never
}

/// One feed to fetch and parse in a run.
public struct FeedTask: Sendable, Hashable {
    public var url: String
    /// A display name from the pipeline file or OPML, used when the feed has no title.
    public var name: String?
    /// Which poll of this feed this is (0 for a one-shot crawl).
    public var round: Int
    public var pages: PageMode
    /// Request settings, item limits, filters and tags.
    public var settings: FeedSettings

    public init(
        url: String,
        name: String? = nil,
        round: Int = 0,
        pages: PageMode = .always,
        settings: FeedSettings = FeedSettings()
    ) {
        self.url = url
        self.name = name
        self.round = round
        self.pages = pages
        self.settings = settings
    }
}

/// One article page to fetch on its own (no feed announced it: a sitemap entry, a page of an
/// archive).
public struct PageTask: Sendable, Hashable {
    public var url: String
    /// What announced it (a sitemap), for the record's `feed` field.
    public var source: String?
    public var round: Int
    /// What the source said about the page (a news sitemap's title, publication date and
    /// language): the record's fallbacks where the page says nothing, as a feed item's are.
    public var title: String?
    public var published: Date?
    public var language: String?

    public init(
        url: String,
        source: String? = nil,
        round: Int = 0,
        title: String? = nil,
        published: Date? = nil,
        language: String? = nil
    ) {
        self.url = url
        self.source = source
        self.round = round
        self.title = title
        self.published = published
        self.language = language
    }
}

/// How a source that fetches documents itself (a sitemap) fared with one of them: the
/// engine stores its state and writes its error record as it does a feed's, in order.
public struct SourceReport: Sendable, Hashable {
    /// The document's state for the store (validators, health), if it changed.
    public var state: FeedState?
    public var error: ErrorRecord?
    /// Not fetched again, or answered 304 Not Modified.
    public var unchanged: Bool

    public init(state: FeedState?, error: ErrorRecord? = nil, unchanged: Bool = false) {
        self.state = state
        self.error = error
        self.unchanged = unchanged
    }
}

/// What a source hands the engine.
public enum WorkItem: Sendable, Hashable {
    case feed(FeedTask)
    case page(PageTask)
    /// A document the source fetched itself (a sitemap), counted and stored like a feed.
    case report(SourceReport)
}

/// Yields the work of a run in a deterministic order; the run ends when the source closes
/// (``next()`` returns `nil`).
///
/// The one-shot feed list (``FeedListSource``) is the crawl's; the daemon's scheduler, an
/// archive reader and sitemap expansion are sources too. A source that finds more sources
/// (a sitemap index) yields their work in its own order. The engine calls ``next()`` from
/// one thread, as fast as its windows allow, so a source may block until work is due.
public protocol WorkSource: AnyObject {
    /// The next work item, or `nil` when the source is closed.
    func next() -> WorkItem?
}

/// The crawl's source: every feed of the pipeline once, in the order given.
public final class FeedListSource: WorkSource {
    private let feeds: [FeedTask]
    private var position = 0

    public init(_ feeds: [FeedTask]) {
        self.feeds = feeds
    }

    public func next() -> WorkItem? {
        guard self.position < self.feeds.count else { return nil }
        defer { self.position += 1 }
        return .feed(self.feeds[self.position])
    }
}

/// Sources one after the other: the crawl's feeds, then its sitemaps.
public final class ChainedSource: WorkSource {
    private let sources: [any WorkSource]
    private var position = 0

    public init(_ sources: [any WorkSource]) {
        self.sources = sources
    }

    public func next() -> WorkItem? {
        while self.position < self.sources.count {
            if let work = self.sources[self.position].next() { return work }
            self.position += 1
        }
        return nil
    }
}
