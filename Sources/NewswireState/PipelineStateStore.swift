public import NewswireCore
public import NewswireDedup

public import struct Foundation.Date

/// What the engine needs of a state store: seen articles and links (through
/// ``DedupStore``), feed state and named checkpoints, all written in one transaction by
/// ``DedupStore/commit(_:)``.
///
/// The SQLite ``StateStore`` implements it; ``InMemoryStateStore`` serves tests and runs
/// without a state file; a PostgreSQL store can follow.
public protocol PipelineStateStore: DedupStore {
    /// The stored state of the feed at `url`.
    func feedState(for url: String) throws -> FeedState?

    /// Every stored feed, by URL.
    func allFeedStates() throws -> [FeedState]

    /// The value last saved under `name`.
    func checkpoint(named name: String) throws -> String?

    /// Seen articles stored.
    func seenArticleCount() throws -> Int
}

extension StateStore: PipelineStateStore {}

/// A ``PipelineStateStore`` in memory: nothing survives the process. Not thread-safe.
public final class InMemoryStateStore: PipelineStateStore {
    private let dedup = InMemoryDedupStore()

    public init() {}

    /// Commits stored so far.
    public var commitCount: Int { self.dedup.commitCount }

    /// Articles stored as seen.
    public var articles: [SeenArticle] { self.dedup.articles }

    public func feedState(for url: String) throws -> FeedState? { self.dedup.feeds[url] }

    public func allFeedStates() throws -> [FeedState] { self.dedup.feeds.values.sorted { $0.url < $1.url } }

    public func checkpoint(named name: String) throws -> String? { self.dedup.checkpoints[name] }

    public func seenArticleCount() throws -> Int { self.dedup.articles.count }

    public func loadSeenArticles(seenSince date: Date) throws -> [SeenArticle] {
        try self.dedup.loadSeenArticles(seenSince: date)
    }

    public func loadSeenLinks(seenSince date: Date) throws -> [String] {
        try self.dedup.loadSeenLinks(seenSince: date)
    }

    public func commit(_ commit: StateCommit) throws { try self.dedup.commit(commit) }

    public func evictSeenArticles(seenBefore date: Date) throws -> Int {
        try self.dedup.evictSeenArticles(seenBefore: date)
    }
}
