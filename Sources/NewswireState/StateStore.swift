internal import GRDB
public import NewswireCore
public import NewswireDedup

public import struct Foundation.Data
public import struct Foundation.Date
import class Foundation.FileManager
import struct Foundation.URL

/// A failure of the state store, with the SQLite message kept.
public struct StateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable { case open, migrate, read, write }
        private let kind: Kind
        /// The database file could not be opened or configured.
        public static let open = Code(kind: .open)
        /// A schema migration failed (or the file is from a newer version).
        public static let migrate = Code(kind: .migrate)
        /// A query failed.
        public static let read = Code(kind: .read)
        /// A write or its transaction failed; nothing of it was stored.
        public static let write = Code(kind: .write)
        public var description: String { self.kind.rawValue }
    }

    /// What failed.
    public var code: Code
    /// The database file (`:memory:` for an in-memory store).
    public var path: String
    /// SQLite's or GRDB's message.
    public var message: String
    /// The SQLite result code, when there is one.
    public var resultCode: Int32?

    public var description: String { "state \(self.code): \(self.message) (\(self.path))" }

    init(_ code: Code, path: String, error: any Error) {
        self.code = code
        self.path = path
        if let error = error as? DatabaseError {
            self.message = error.message ?? "\(error)"
            self.resultCode = error.extendedResultCode.rawValue
        } else {
            self.message = "\(error)"
        }
    }
}

/// The durable state of a pipeline in one SQLite file: seen articles (canonical URL ids,
/// content hashes, MinHash signatures, time seen), feed validators and schedules, and named
/// checkpoints.
///
/// The file is opened in WAL mode (readers never block the writer; a killed process loses no
/// committed transaction) with `synchronous = FULL`, because the sink has already synced what a
/// commit marks as seen: a commit lost to a power failure would emit those articles again
/// (https://www.sqlite.org/pragma.html#pragma_synchronous). The schema is created and
/// upgraded by versioned migrations (``migrationNames``). Thread-safe: GRDB serialises
/// writes on its own queue.
public final class StateStore: Sendable {
    /// The database file, or `:memory:`.
    public let path: String
    private let database: any DatabaseWriter

    /// Opens (creating if needed) the state file at `path` and migrates it to the current schema.
    /// - Throws: ``StateError`` with code `open` or `migrate`.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.busyMode = .timeout(10)
        do {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            self.database = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StateError(.open, path: path, error: error)
        }
        try self.migrate()
    }

    private init(database: any DatabaseWriter, path: String) throws {
        self.database = database
        self.path = path
        try self.migrate()
    }

    /// An in-memory store (for tests): same schema, nothing durable.
    /// - Throws: ``StateError`` with code `open`.
    public static func inMemory() throws -> StateStore {
        do {
            return try StateStore(database: DatabaseQueue(), path: ":memory:")
        } catch let error as StateError {
            throw error
        } catch {
            throw StateError(.open, path: ":memory:", error: error)
        }
    }

    /// The names of the schema migrations, in order; a file records which it has applied.
    public static let migrationNames = [
        "v1-seen-feeds-checkpoints", "v2-links-feed-news", "v3-feed-health", "v4-outbox",
    ]

    private func migrate() throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(Self.migrationNames[0]) { db in
            // `position` keeps first-stored order (the dedup index is rebuilt in it); an
            // upsert by `id` keeps the position.
            try db.execute(
                sql: """
                    CREATE TABLE seen_article (
                        position INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        url TEXT NOT NULL,
                        content_hash INTEGER NOT NULL,
                        signature BLOB NOT NULL,
                        has_text INTEGER NOT NULL,
                        revision INTEGER NOT NULL,
                        duplicate_of TEXT,
                        seen_at REAL NOT NULL
                    );
                    CREATE INDEX seen_article_seen_at ON seen_article (seen_at);
                    CREATE TABLE feed (
                        url TEXT PRIMARY KEY NOT NULL,
                        etag TEXT,
                        last_modified TEXT,
                        last_attempt_at REAL,
                        last_success_at REAL,
                        next_poll_at REAL,
                        interval_seconds REAL,
                        consecutive_failures INTEGER NOT NULL DEFAULT 0,
                        last_error TEXT
                    );
                    CREATE TABLE checkpoint (
                        name TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL,
                        updated_at REAL NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration(Self.migrationNames[1]) { db in
            // Links followed whose page declared another canonical URL: not fetched again.
            try db.execute(
                sql: """
                    CREATE TABLE seen_link (
                        id TEXT PRIMARY KEY NOT NULL,
                        seen_at REAL NOT NULL
                    );
                    CREATE INDEX seen_link_seen_at ON seen_link (seen_at);
                    ALTER TABLE feed ADD COLUMN last_new_item_at REAL;
                    """
            )
        }
        migrator.registerMigration(Self.migrationNames[2]) { db in
            // The daemon's feed health: new-item detection, permanent redirects, 410 Gone.
            try db.execute(
                sql: """
                    ALTER TABLE feed ADD COLUMN last_item_key INTEGER;
                    ALTER TABLE feed ADD COLUMN location TEXT;
                    ALTER TABLE feed ADD COLUMN gone_at REAL;
                    ALTER TABLE feed ADD COLUMN last_status INTEGER;
                    """
            )
        }
        migrator.registerMigration(Self.migrationNames[3]) { db in
            // Records for a broker, stored with the dedup decisions (see ``OutboxStore``).
            // AUTOINCREMENT: positions are never reused, and `sqlite_sequence` keeps the highest.
            try db.execute(
                sql: """
                    CREATE TABLE outbox (
                        position INTEGER PRIMARY KEY AUTOINCREMENT,
                        key TEXT NOT NULL,
                        value BLOB NOT NULL,
                        headers TEXT NOT NULL,
                        first_seen INTEGER NOT NULL
                    );
                    """
            )
        }
        do {
            try migrator.migrate(self.database)
        } catch {
            throw StateError(.migrate, path: self.path, error: error)
        }
    }

    /// The migrations this file has applied, in order.
    /// - Throws: ``StateError`` with code `read`.
    public func appliedMigrations() throws -> [String] {
        do {
            return try self.database.read { db in
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
            }
        } catch {
            throw StateError(.read, path: self.path, error: error)
        }
    }

    /// The SQLite journal mode (`wal` for a file).
    /// - Throws: ``StateError`` with code `read`.
    public func journalMode() throws -> String {
        do {
            return try self.database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
        } catch {
            throw StateError(.read, path: self.path, error: error)
        }
    }

    // MARK: Checkpoints

    /// The value last saved under `name`.
    /// - Throws: ``StateError`` with code `read`.
    public func checkpoint(named name: String) throws -> String? {
        do {
            return try self.database.read { db in
                try String.fetchOne(db, sql: "SELECT value FROM checkpoint WHERE name = ?", arguments: [name])
            }
        } catch {
            throw StateError(.read, path: self.path, error: error)
        }
    }

    /// Saves `value` under `name`.
    /// - Throws: ``StateError`` with code `write`.
    public func saveCheckpoint(_ value: String, named name: String, at date: Date = Date()) throws {
        do {
            try self.database.write { db in try Self.saveCheckpoint(value, named: name, at: date, in: db) }
        } catch {
            throw StateError(.write, path: self.path, error: error)
        }
    }

    private static func saveCheckpoint(_ value: String, named name: String, at date: Date, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO checkpoint (name, value, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """,
            arguments: [name, value, date.timeIntervalSince1970]
        )
    }

    // MARK: Feeds

    /// The stored state of the feed at `url`.
    /// - Throws: ``StateError`` with code `read`.
    public func feedState(for url: String) throws -> FeedState? {
        do {
            return try self.database.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM feed WHERE url = ?", arguments: [url]).map(
                    FeedState.init(row:)
                )
            }
        } catch {
            throw StateError(.read, path: self.path, error: error)
        }
    }

    /// Every stored feed, by URL.
    /// - Throws: ``StateError`` with code `read`.
    public func allFeedStates() throws -> [FeedState] {
        do {
            return try self.database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM feed ORDER BY url").map(FeedState.init(row:))
            }
        } catch {
            throw StateError(.read, path: self.path, error: error)
        }
    }

    /// Inserts or replaces the state of `feed.url`.
    /// - Throws: ``StateError`` with code `write`.
    public func saveFeedState(_ feed: FeedState) throws {
        do {
            try self.database.write { db in try Self.saveFeedState(feed, in: db) }
        } catch {
            throw StateError(.write, path: self.path, error: error)
        }
    }

    private static func saveFeedState(_ feed: FeedState, in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO feed (url, etag, last_modified, last_attempt_at, last_success_at,
                    next_poll_at, interval_seconds, consecutive_failures, last_error, last_new_item_at,
                    last_item_key, location, gone_at, last_status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        try statement.execute(arguments: [
            feed.url, feed.etag, feed.lastModified, feed.lastAttemptAt?.timeIntervalSince1970,
            feed.lastSuccessAt?.timeIntervalSince1970, feed.nextPollAt?.timeIntervalSince1970,
            feed.intervalSeconds, feed.consecutiveFailures, feed.lastError, feed.lastNewItemAt?.timeIntervalSince1970,
            feed.lastItemKey, feed.location, feed.goneAt?.timeIntervalSince1970, feed.lastStatus,
        ])
    }

    // MARK: Seen articles

    /// Seen articles stored.
    /// - Throws: ``StateError`` with code `read`.
    public func seenArticleCount() throws -> Int {
        do {
            return try self.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM seen_article") ?? 0 }
        } catch {
            throw StateError(.read, path: self.path, error: error)
        }
    }
}

extension StateStore: DedupStore {
    /// Seen articles with `seenAt >= date`, in first-stored order.
    /// - Throws: ``StateError`` with code `read`.
    public func loadSeenArticles(seenSince date: Date) throws -> [SeenArticle] {
        do {
            return try self.database.read { db in
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT id, url, content_hash, signature, has_text, revision, duplicate_of, seen_at
                        FROM seen_article WHERE seen_at >= ? ORDER BY position
                        """,
                    arguments: [date.timeIntervalSince1970]
                )
                var articles: [SeenArticle] = []
                while let row = try rows.next() { articles.append(SeenArticle(row: row)) }
                return articles
            }
        } catch {
            throw StateError(.read, path: self.path, error: error)
        }
    }

    /// Ids of followed links seen at or after `date`.
    /// - Throws: ``StateError`` with code `read`.
    public func loadSeenLinks(seenSince date: Date) throws -> [String] {
        do {
            return try self.database.read { db in
                try String.fetchAll(
                    db,
                    sql: "SELECT id FROM seen_link WHERE seen_at >= ? ORDER BY id",
                    arguments: [date.timeIntervalSince1970]
                )
            }
        } catch {
            throw StateError(.read, path: self.path, error: error)
        }
    }

    /// Stores `commit` in one transaction: articles inserted or updated by id (keeping the
    /// first-stored position), the time seen of `seenAgain` moved, links, feed states,
    /// checkpoints and outbox records set.
    ///
    /// As in a shared store, first seen wins: an article announced by a `firstSeen` outbox
    /// record whose id was stored before this commit is left as stored, and the record dropped.
    /// - Throws: ``StateError`` with code `write`; then nothing was stored.
    public func commit(_ commit: StateCommit) throws {
        guard !commit.isEmpty else { return }
        do {
            try self.database.write { db in
                let announced = Set(commit.outbox.filter(\.firstSeen).map(\.key))
                let exists = try db.cachedStatement(sql: "SELECT 1 FROM seen_article WHERE id = ?")
                var stored: Set<String> = []
                for id in Set(commit.articles.map(\.id)).intersection(announced).sorted()
                where try Int.fetchOne(exists, arguments: [id]) != nil {
                    stored.insert(id)
                }
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO seen_article (id, url, content_hash, signature, has_text, revision, duplicate_of, seen_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET url = excluded.url, content_hash = excluded.content_hash,
                            signature = excluded.signature, has_text = excluded.has_text, revision = excluded.revision,
                            duplicate_of = excluded.duplicate_of, seen_at = excluded.seen_at
                        """
                )
                for article in commit.articles where !stored.contains(article.id) {
                    try statement.execute(arguments: [
                        article.id, article.url, Int64(bitPattern: article.contentHash), Data(article.signature),
                        article.hasText, article.revision, article.duplicateOf, article.seenAt.timeIntervalSince1970,
                    ])
                }
                let touch = try db.cachedStatement(sql: "UPDATE seen_article SET seen_at = ? WHERE id = ?")
                for (id, date) in commit.seenAgain.sorted(by: { $0.key < $1.key }) {
                    try touch.execute(arguments: [date.timeIntervalSince1970, id])
                }
                let link = try db.cachedStatement(
                    sql: """
                        INSERT INTO seen_link (id, seen_at) VALUES (?, ?)
                        ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at
                        """
                )
                for (id, date) in commit.links.sorted(by: { $0.key < $1.key }) {
                    try link.execute(arguments: [id, date.timeIntervalSince1970])
                }
                for feed in commit.feeds { try Self.saveFeedState(feed, in: db) }
                for (name, value) in commit.checkpoints.sorted(by: { $0.key < $1.key }) {
                    try Self.saveCheckpoint(value, named: name, at: Date(), in: db)
                }
                let outbox = try db.cachedStatement(
                    sql: "INSERT INTO outbox (key, value, headers, first_seen) VALUES (?, ?, ?, ?)"
                )
                for record in commit.outbox where !(record.firstSeen && stored.contains(record.key)) {
                    try outbox.execute(arguments: [
                        record.key, Data(record.value), OutboxHeaders.encode(record.headers), record.firstSeen,
                    ])
                }
            }
        } catch {
            throw StateError(.write, path: self.path, error: error)
        }
    }

    /// Deletes seen articles with `seenAt < date`.
    /// - Returns: How many were deleted.
    /// - Throws: ``StateError`` with code `write`.
    public func evictSeenArticles(seenBefore date: Date) throws -> Int {
        do {
            return try self.database.write { db in
                try db.execute(
                    sql: "DELETE FROM seen_article WHERE seen_at < ?",
                    arguments: [date.timeIntervalSince1970]
                )
                let articles = db.changesCount
                try db.execute(sql: "DELETE FROM seen_link WHERE seen_at < ?", arguments: [date.timeIntervalSince1970])
                return articles
            }
        } catch {
            throw StateError(.write, path: self.path, error: error)
        }
    }
}

extension StateStore: SharedDedupStore {
    /// Articles stored at a position above `position`, in position order (one process writes
    /// this file, so these are the articles first stored since; updates keep their position).
    /// - Throws: ``StateError`` with code `read`.
    public func seenArticles(after position: Int64, limit: Int) throws -> (articles: [SeenArticle], last: Int64) {
        do {
            return try self.database.read { db in
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT position, id, url, content_hash, signature, has_text, revision, duplicate_of, seen_at
                        FROM seen_article WHERE position > ? ORDER BY position LIMIT ?
                        """,
                    arguments: [position, limit]
                )
                let last: Int64 = rows.last?["position"] ?? position
                return (rows.map(SeenArticle.init(row:)), last)
            }
        } catch {
            throw StateError(.read, path: self.path, error: error)
        }
    }

    /// The highest seen-article position stored.
    /// - Throws: ``StateError`` with code `read`.
    public func lastSeenPosition() throws -> Int64 {
        do {
            return try self.database.read { db in
                try Int64.fetchOne(db, sql: "SELECT coalesce(max(position), 0) FROM seen_article") ?? 0
            }
        } catch {
            throw StateError(.read, path: self.path, error: error)
        }
    }
}

extension StateStore: OutboxStore {
    /// Up to `limit` records with a position above `position`, in position order.
    /// - Throws: ``StateError`` with code `read`.
    public func outboxEntries(after position: Int64, limit: Int) throws -> [OutboxEntry] {
        do {
            return try self.database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT position, key, value, headers, first_seen FROM outbox
                        WHERE position > ? ORDER BY position LIMIT ?
                        """,
                    arguments: [position, limit]
                ).map { row in
                    OutboxEntry(
                        position: row["position"],
                        record: OutboxRecord(
                            key: row["key"],
                            value: [UInt8]((row["value"] as Data?) ?? Data()),
                            headers: OutboxHeaders.decode(row["headers"]),
                            firstSeen: row["first_seen"]
                        )
                    )
                }
            }
        } catch {
            throw StateError(.read, path: self.path, error: error)
        }
    }

    /// Deletes the records at or below `position`.
    /// - Throws: ``StateError`` with code `write`.
    public func deleteOutbox(through position: Int64) throws {
        do {
            try self.database.write { db in
                try db.execute(sql: "DELETE FROM outbox WHERE position <= ?", arguments: [position])
            }
        } catch {
            throw StateError(.write, path: self.path, error: error)
        }
    }

    /// Records in the outbox and the highest position ever stored.
    /// - Throws: ``StateError`` with code `read`.
    public func outboxStatus() throws -> OutboxStatus {
        do {
            return try self.database.read { db in
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0
                let last = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'") ?? 0
                return OutboxStatus(count: count, lastPosition: last)
            }
        } catch {
            throw StateError(.read, path: self.path, error: error)
        }
    }
}

extension SeenArticle {
    init(row: Row) {
        self.init(
            id: row["id"],
            url: row["url"],
            contentHash: UInt64(bitPattern: row["content_hash"]),
            signature: [UInt8]((row["signature"] as Data?) ?? Data()),
            hasText: row["has_text"],
            revision: row["revision"],
            duplicateOf: row["duplicate_of"],
            seenAt: Date(timeIntervalSince1970: row["seen_at"])
        )
    }
}

extension FeedState {
    init(row: Row) {
        func date(_ column: String) -> Date? {
            (row[column] as Double?).map { Date(timeIntervalSince1970: $0) }
        }
        self.init(
            url: row["url"],
            etag: row["etag"],
            lastModified: row["last_modified"],
            lastAttemptAt: date("last_attempt_at"),
            lastSuccessAt: date("last_success_at"),
            nextPollAt: date("next_poll_at"),
            intervalSeconds: row["interval_seconds"],
            consecutiveFailures: row["consecutive_failures"],
            lastError: row["last_error"],
            lastNewItemAt: date("last_new_item_at"),
            lastItemKey: row["last_item_key"],
            location: row["location"],
            goneAt: date("gone_at"),
            lastStatus: row["last_status"]
        )
    }
}
