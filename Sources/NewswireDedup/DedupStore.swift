public import NewswireCore

public import struct Foundation.Date

/// What the state store keeps of one seen article.
public struct SeenArticle: Sendable, Hashable {
    /// The article id (16 hex digits, see ``ArticleIdentity``).
    public var id: String
    /// The canonical URL.
    public var url: String
    /// ``TextFingerprint/contentHash`` of the current text.
    public var contentHash: UInt64
    /// ``TextFingerprint/signature`` of the current text (empty for short texts).
    public var signature: [UInt8]
    /// Whether the text had any words.
    public var hasText: Bool
    /// 1, or higher after updates.
    public var revision: Int
    /// The original's id when this article was a duplicate.
    public var duplicateOf: String?
    /// When the article was last seen (new, updated or announced again); eviction counts from here.
    public var seenAt: Date

    public init(
        id: String,
        url: String,
        contentHash: UInt64,
        signature: [UInt8],
        hasText: Bool,
        revision: Int,
        duplicateOf: String?,
        seenAt: Date
    ) {
        self.id = id
        self.url = url
        self.contentHash = contentHash
        self.signature = signature
        self.hasText = hasText
        self.revision = revision
        self.duplicateOf = duplicateOf
        self.seenAt = seenAt
    }
}

/// Everything one commit stores, in one transaction: the articles decided since the last
/// commit, the links followed, the feeds' new state and the sink's checkpoint.
public struct StateCommit: Sendable, Hashable {
    /// New or changed articles (inserted or replaced by id).
    public var articles: [SeenArticle] = []
    /// Articles announced again: only their time seen moves (id → date).
    public var seenAgain: [String: Date] = [:]
    /// Ids of item links followed whose canonical URL differs from the article's (id → date).
    public var links: [String: Date] = [:]
    /// Feeds whose state changed (validators, health, schedule).
    public var feeds: [FeedState] = []
    /// Named checkpoints (the sink's, and others).
    public var checkpoints: [String: String] = [:]
    /// Records for a broker, stored in the outbox in the same transaction (see
    /// ``OutboxStore``). A store shared by several workers drops a `firstSeen` record whose
    /// article id another worker stored first.
    public var outbox: [OutboxRecord] = []

    public init(
        articles: [SeenArticle] = [],
        seenAgain: [String: Date] = [:],
        links: [String: Date] = [:],
        feeds: [FeedState] = [],
        checkpoints: [String: String] = [:],
        outbox: [OutboxRecord] = []
    ) {
        self.articles = articles
        self.seenAgain = seenAgain
        self.links = links
        self.feeds = feeds
        self.checkpoints = checkpoints
        self.outbox = outbox
    }

    public var isEmpty: Bool {
        self.articles.isEmpty && self.seenAgain.isEmpty && self.links.isEmpty && self.feeds.isEmpty
            && self.checkpoints.isEmpty && self.outbox.isEmpty
    }
}

/// Durable storage of seen articles for a ``Deduplicator``.
///
/// `NewswireState`'s SQLite `StateStore` is the real one; ``InMemoryDedupStore`` serves tests
/// and evaluations. Called only from the deduplicator's serial queue.
public protocol DedupStore: AnyObject {
    /// Seen articles with `seenAt >= date`, in the order they were first stored.
    /// - Throws: When the store cannot be read.
    func loadSeenArticles(seenSince date: Date) throws -> [SeenArticle]

    /// Ids of followed links seen at or after `date`.
    /// - Throws: When the store cannot be read.
    func loadSeenLinks(seenSince date: Date) throws -> [String]

    /// Stores `commit` in one transaction: articles inserted or replaced by id, then the
    /// `seenAt` of `seenAgain` moved, links, feeds and checkpoints set.
    /// - Throws: When the transaction fails; then nothing was stored.
    func commit(_ commit: StateCommit) throws

    /// Deletes articles and links with `seenAt < date` and returns how many articles.
    /// - Throws: When the store cannot be written.
    func evictSeenArticles(seenBefore date: Date) throws -> Int
}

/// A ``DedupStore`` that several workers share: each keeps its in-memory index in step by
/// reading what the others stored since it last looked.
///
/// Commits are serialised by the store, so positions grow in commit order and reading
/// "after the last position seen" never skips an article.
public protocol SharedDedupStore: DedupStore {
    /// Articles stored (by any worker) at a position above `position`, in position order,
    /// and the highest position read (`position` itself when there is none).
    /// - Throws: When the store cannot be read.
    func seenArticles(after position: Int64, limit: Int) throws -> (articles: [SeenArticle], last: Int64)

    /// The highest seen-article position stored so far.
    /// - Throws: When the store cannot be read.
    func lastSeenPosition() throws -> Int64
}

/// A ``SharedDedupStore`` that settles first seen for a sink that writes its own destination
/// (an NDJSON file per worker): under the lock that serialises commits, it tells the worker
/// which of the articles it saw first another worker stored first, so that only one of them
/// writes each story.
public protocol FirstSeenSettlingStore: SharedDedupStore {
    /// Stores `commit` in one transaction under the commit lock. Before writing, it reads which
    /// ids of `firstSeen` are stored already and calls `write` with them; `write` writes the
    /// records of every other article, makes them durable and returns the sink's checkpoint,
    /// which is stored with `commit`. An article of `firstSeen` stored already is left as it is.
    ///
    /// `write` is called once; when the transaction must run again (a lost connection), the
    /// records it wrote stand and its checkpoint is stored.
    /// - Throws: What `write` throws, or when the transaction fails; then nothing was stored,
    ///   and the records `write` wrote lie after the last stored checkpoint.
    func commit(
        _ commit: StateCommit,
        firstSeen: [String],
        write: (_ storedBefore: Set<String>) throws -> [String: String]
    ) throws
}

extension DedupStore {
    /// Inserts or replaces `articles`, moves the time seen of `seenAgain` and sets
    /// `checkpoints`, in one transaction.
    /// - Throws: When the transaction fails; then nothing was stored.
    public func saveSeenArticles(
        _ articles: [SeenArticle],
        seenAgain: [String: Date] = [:],
        checkpoints: [String: String]
    ) throws {
        try self.commit(StateCommit(articles: articles, seenAgain: seenAgain, checkpoints: checkpoints))
    }
}

/// A ``DedupStore`` in memory: for tests and evaluations. Not thread-safe.
public final class InMemoryDedupStore: DedupStore {
    /// Stored articles in first-stored order.
    public private(set) var articles: [SeenArticle] = []
    /// Stored links (id → time seen).
    public private(set) var links: [String: Date] = [:]
    /// Stored feed states by URL.
    public private(set) var feeds: [String: FeedState] = [:]
    /// The last checkpoint values saved.
    public private(set) var checkpoints: [String: String] = [:]
    /// Outbox records stored, in commit order.
    public private(set) var outbox: [OutboxRecord] = []
    /// Commits stored.
    public private(set) var commitCount = 0

    public init() {}

    public func loadSeenArticles(seenSince date: Date) throws -> [SeenArticle] {
        self.articles.filter { $0.seenAt >= date }
    }

    public func loadSeenLinks(seenSince date: Date) throws -> [String] {
        self.links.filter { $0.value >= date }.map(\.key).sorted()
    }

    public func commit(_ commit: StateCommit) throws {
        for article in commit.articles {
            if let index = self.articles.firstIndex(where: { $0.id == article.id }) {
                self.articles[index] = article
            } else {
                self.articles.append(article)
            }
        }
        for index in self.articles.indices {
            if let date = commit.seenAgain[self.articles[index].id] { self.articles[index].seenAt = date }
        }
        self.links.merge(commit.links) { $1 }
        for feed in commit.feeds { self.feeds[feed.url] = feed }
        self.checkpoints.merge(commit.checkpoints) { $1 }
        self.outbox += commit.outbox
        self.commitCount += 1
    }

    public func evictSeenArticles(seenBefore date: Date) throws -> Int {
        let before = self.articles.count
        self.articles.removeAll { $0.seenAt < date }
        self.links = self.links.filter { $0.value >= date }
        return before - self.articles.count
    }
}
