public import Logging
public import NewswireCore
import NewswireDedup
public import NewswireState

import struct Foundation.Date

/// The state of several workers in one PostgreSQL database: seen articles and links, feed
/// state and checkpoints (as in the SQLite ``StateStore``), plus the outbox for a broker relay,
/// feed leases and the workers' heartbeats.
///
/// Commits are serialised by a transaction-scoped advisory lock, so positions grow in commit
/// order (``SharedDedupStore``, ``OutboxStore``), and first seen wins: a `firstSeen` outbox
/// record whose article another worker stored first is dropped in the same transaction. The
/// schema is created and upgraded by versioned migrations (``migrationNames``, recorded in
/// `schema_migrations`), run under an advisory lock so that workers starting together do not
/// race. Times of leases and heartbeats are the database's clock (`now()`).
///
/// Thread-safe: one connection behind a lock (``PostgresDatabase``); a lost connection is
/// retried with backoff and each unit of work (a read, a whole commit) runs again as a whole.
public final class PostgresStateStore: Sendable {
    let database: PostgresDatabase
    let logger: Logger

    /// The lock keys (first half; the second is the schema's hash) that serialise commits
    /// and migrations.
    static let commitLock: Int32 = 0x4E57_5301
    static let migrationLock: Int32 = 0x4E57_5302

    /// Opens the database at `url` (`postgresql://USER[:PASSWORD]@HOST:PORT/DB`, any form libpq
    /// reads) and migrates it to the current schema.
    /// - Parameters:
    ///   - url: The database.
    ///   - schema: When set, the store keeps its tables in this schema (created if missing)
    ///     instead of the user's default (`public`): one database can hold several pipelines.
    ///   - retry: How long a lost connection is retried.
    ///   - logger: Receives reconnections and retries (`info`) and commits (`debug`).
    /// - Throws: ``PostgresError`` with code `connect` (tried once, no retry) or `migrate`.
    public init(
        url: String,
        schema: String? = nil,
        retry: PostgresRetryPolicy = .standard,
        logger: Logger
    ) throws {
        self.database = try PostgresDatabase(url: url, schema: schema, retry: retry, logger: logger)
        self.logger = logger
        try self.migrate()
    }

    /// The database, as its URL without the password.
    public var name: String { self.database.name }

    /// Statements sent to the server since the store was opened (each is one round trip).
    public var roundTripCount: Int { self.database.roundTrips }

    /// Whether the database answered the last statement: false from a lost connection until
    /// a retry succeeds (for `/healthz`). Never blocks, even while another thread is retrying.
    public var isReachable: Bool { self.database.isReachable }

    // MARK: Migrations

    /// The names of the schema migrations, in order; `schema_migrations` records which ran.
    public static let migrationNames = migrations.map(\.name)

    private static let migrations: [(name: String, sql: String)] = [
        (
            "v1-seen-feeds-checkpoints",
            // `position` keeps first-stored order (an upsert keeps it); `change` grows on every
            // insert and update, so other workers read what changed after the change they
            // last saw (``seenArticles(after:limit:)``). Dates are seconds since 1970, as in
            // the SQLite store, so that they come back bit for bit.
            """
            CREATE SEQUENCE seen_article_change;
            CREATE TABLE seen_article (
                position BIGSERIAL PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                url TEXT NOT NULL,
                content_hash BIGINT NOT NULL,
                signature BYTEA NOT NULL,
                has_text BOOLEAN NOT NULL,
                revision INTEGER NOT NULL,
                duplicate_of TEXT,
                seen_at DOUBLE PRECISION NOT NULL,
                change BIGINT NOT NULL DEFAULT nextval('seen_article_change')
            );
            CREATE INDEX seen_article_seen_at ON seen_article (seen_at);
            CREATE UNIQUE INDEX seen_article_change_index ON seen_article (change);
            CREATE TABLE seen_link (
                id TEXT PRIMARY KEY,
                seen_at DOUBLE PRECISION NOT NULL
            );
            CREATE INDEX seen_link_seen_at ON seen_link (seen_at);
            CREATE TABLE feed (
                url TEXT PRIMARY KEY,
                etag TEXT,
                last_modified TEXT,
                last_attempt_at DOUBLE PRECISION,
                last_success_at DOUBLE PRECISION,
                next_poll_at DOUBLE PRECISION,
                interval_seconds DOUBLE PRECISION,
                consecutive_failures INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                last_new_item_at DOUBLE PRECISION,
                last_item_key BIGINT,
                location TEXT,
                gone_at DOUBLE PRECISION,
                last_status INTEGER
            );
            CREATE TABLE checkpoint (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            );
            """
        ),
        (
            "v2-outbox",
            // Headers are a JSON array of [name, value] pairs, in order.
            """
            CREATE TABLE outbox (
                position BIGSERIAL PRIMARY KEY,
                key TEXT NOT NULL,
                value BYTEA NOT NULL,
                headers TEXT NOT NULL,
                first_seen BOOLEAN NOT NULL,
                stored_at TIMESTAMPTZ NOT NULL DEFAULT now()
            );
            """
        ),
        (
            "v3-leases-workers",
            """
            CREATE TABLE lease (
                name TEXT PRIMARY KEY,
                owner TEXT,
                expires_at TIMESTAMPTZ
            );
            CREATE INDEX lease_owner ON lease (owner);
            CREATE TABLE worker (
                id TEXT PRIMARY KEY,
                description TEXT NOT NULL,
                started_at TIMESTAMPTZ NOT NULL,
                last_seen_at TIMESTAMPTZ NOT NULL
            );
            """
        ),
    ]

    private func migrate() throws {
        let known = Self.migrations
        try self.database.transaction(.migrate, lock: Self.migrationLock) { connection throws(PostgresFailure) in
            try connection.executeScript(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name TEXT PRIMARY KEY,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """
            )
            let applied = Set(try connection.execute("SELECT name FROM schema_migrations").rows.compactMap { $0[0] })
            let unknown = applied.subtracting(known.map(\.name))
            guard unknown.isEmpty else {
                throw .statement(
                    message: "the database has migrations this version does not know: \(unknown.sorted())",
                    sqlState: nil
                )
            }
            for migration in known where !applied.contains(migration.name) {
                try connection.executeScript(migration.sql)
                try connection.execute("INSERT INTO schema_migrations (name) VALUES ($1)", [.text(migration.name)])
            }
        }
    }

    /// The migrations this database has applied, in order.
    /// - Throws: ``PostgresError`` with code `read`.
    public func appliedMigrations() throws -> [String] {
        try self.database.withConnection(.read) { connection throws(PostgresFailure) in
            try connection.execute("SELECT name FROM schema_migrations ORDER BY applied_at, name").rows.compactMap {
                $0[0]
            }
        }
    }

    // MARK: Feeds and checkpoints

    static let feedColumns = """
        url, etag, last_modified, last_attempt_at, last_success_at, next_poll_at, interval_seconds,
        consecutive_failures, last_error, last_new_item_at, last_item_key, location, gone_at, last_status
        """

    /// The stored state of the feed at `url`.
    /// - Throws: ``PostgresError`` with code `read`.
    public func feedState(for url: String) throws -> FeedState? {
        try self.database.withConnection(.read) { connection throws(PostgresFailure) in
            try connection.execute("SELECT \(Self.feedColumns) FROM feed WHERE url = $1", [.text(url)]).rows.first
                .map(FeedState.init(postgresRow:))
        }
    }

    /// Every stored feed, by URL.
    /// - Throws: ``PostgresError`` with code `read`.
    public func allFeedStates() throws -> [FeedState] {
        try self.database.withConnection(.read) { connection throws(PostgresFailure) in
            try connection.execute("SELECT \(Self.feedColumns) FROM feed ORDER BY url COLLATE \"C\"").rows.map(
                FeedState.init(postgresRow:)
            )
        }
    }

    /// The value last saved under `name`.
    /// - Throws: ``PostgresError`` with code `read`.
    public func checkpoint(named name: String) throws -> String? {
        try self.database.withConnection(.read) { connection throws(PostgresFailure) in
            try connection.execute("SELECT value FROM checkpoint WHERE name = $1", [.text(name)]).scalar
        }
    }

    /// Seen articles stored.
    /// - Throws: ``PostgresError`` with code `read`.
    public func seenArticleCount() throws -> Int {
        try self.database.withConnection(.read) { connection throws(PostgresFailure) in
            Int(try connection.execute("SELECT count(*) FROM seen_article").scalar ?? "0") ?? 0
        }
    }

    /// Deletes every table of the store (for tests that share a database).
    package func dropSchema(named schema: String) throws {
        let quoted = "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try self.database.withConnection(.write) { connection throws(PostgresFailure) in
            try connection.executeScript("DROP SCHEMA IF EXISTS \(quoted) CASCADE")
        }
    }
}

extension PostgresStateStore: PipelineStateStore {}

extension FeedState {
    /// A row of ``PostgresStateStore/feedColumns``, in that order.
    init(postgresRow row: [String?]) {
        func date(_ index: Int) -> Date? { PostgresText.double(row[index]).map { Date(timeIntervalSince1970: $0) } }
        self.init(
            url: row[0] ?? "",
            etag: row[1],
            lastModified: row[2],
            lastAttemptAt: date(3),
            lastSuccessAt: date(4),
            nextPollAt: date(5),
            intervalSeconds: PostgresText.double(row[6]),
            consecutiveFailures: Int(row[7] ?? "0") ?? 0,
            lastError: row[8],
            lastNewItemAt: date(9),
            lastItemKey: PostgresText.int64(row[10]),
            location: row[11],
            goneAt: date(12),
            lastStatus: row[13].flatMap { Int($0) }
        )
    }
}
