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

/// Durable storage of seen articles for a ``Deduplicator``.
///
/// `NewswireState`'s SQLite `StateStore` is the real one; ``InMemoryDedupStore`` serves tests
/// and evaluations. Called only from the deduplicator's serial queue.
public protocol DedupStore: AnyObject {
    /// Seen articles with `seenAt >= date`, in the order they were first stored.
    /// - Throws: When the store cannot be read.
    func loadSeenArticles(seenSince date: Date) throws -> [SeenArticle]

    /// Inserts or replaces (by id) `articles`, then sets the `seenAt` of the stored articles
    /// in `seenAgain` (id → date), and sets `checkpoints`, in one transaction.
    /// - Throws: When the transaction fails; then nothing was stored.
    func saveSeenArticles(
        _ articles: [SeenArticle],
        seenAgain: [String: Date],
        checkpoints: [String: String]
    ) throws

    /// Deletes articles with `seenAt < date` and returns how many.
    /// - Throws: When the store cannot be written.
    func evictSeenArticles(seenBefore date: Date) throws -> Int
}

extension DedupStore {
    /// Inserts or replaces `articles` and sets `checkpoints`, in one transaction.
    /// - Throws: When the transaction fails; then nothing was stored.
    public func saveSeenArticles(_ articles: [SeenArticle], checkpoints: [String: String]) throws {
        try self.saveSeenArticles(articles, seenAgain: [:], checkpoints: checkpoints)
    }
}

/// A ``DedupStore`` in memory: for tests and evaluations. Not thread-safe.
public final class InMemoryDedupStore: DedupStore {
    /// Stored articles in first-stored order.
    public private(set) var articles: [SeenArticle] = []
    /// The last checkpoint values saved.
    public private(set) var checkpoints: [String: String] = [:]

    public init() {}

    public func loadSeenArticles(seenSince date: Date) throws -> [SeenArticle] {
        self.articles.filter { $0.seenAt >= date }
    }

    public func saveSeenArticles(
        _ articles: [SeenArticle],
        seenAgain: [String: Date],
        checkpoints: [String: String]
    ) throws {
        for article in articles {
            if let index = self.articles.firstIndex(where: { $0.id == article.id }) {
                self.articles[index] = article
            } else {
                self.articles.append(article)
            }
        }
        for index in self.articles.indices {
            if let date = seenAgain[self.articles[index].id] { self.articles[index].seenAt = date }
        }
        self.checkpoints.merge(checkpoints) { $1 }
    }

    public func evictSeenArticles(seenBefore date: Date) throws -> Int {
        let before = self.articles.count
        self.articles.removeAll { $0.seenAt < date }
        return before - self.articles.count
    }
}
