import Logging
import NewswireCore
public import NewswireDedup
import NewswireState

public import struct Foundation.Date

extension PostgresStateStore: FirstSeenSettlingStore {
    private static let articleColumns = "id, url, content_hash, signature, has_text, revision, duplicate_of, seen_at"

    /// Seen articles with `seenAt >= date`, in first-stored order.
    /// - Throws: ``PostgresError`` with code `read`.
    public func loadSeenArticles(seenSince date: Date) throws -> [SeenArticle] {
        try self.database.withConnection(.read) { connection throws(PostgresFailure) in
            try connection.execute(
                "SELECT \(Self.articleColumns) FROM seen_article WHERE seen_at >= $1 ORDER BY position",
                [.double(date.timeIntervalSince1970)]
            ).rows.map(SeenArticle.init(postgresRow:))
        }
    }

    /// Ids of followed links seen at or after `date`.
    /// - Throws: ``PostgresError`` with code `read`.
    public func loadSeenLinks(seenSince date: Date) throws -> [String] {
        try self.database.withConnection(.read) { connection throws(PostgresFailure) in
            try connection.execute(
                "SELECT id FROM seen_link WHERE seen_at >= $1 ORDER BY id COLLATE \"C\"",
                [.double(date.timeIntervalSince1970)]
            ).rows.compactMap { $0[0] }
        }
    }

    /// Articles inserted or changed (by any worker) after change number `position`, in the
    /// order they were committed, and the change number of the last one.
    ///
    /// Positions here are change numbers: an article updated to a new revision comes again
    /// with a higher one, so other workers see updates as well as new articles.
    /// - Throws: ``PostgresError`` with code `read`.
    public func seenArticles(after position: Int64, limit: Int) throws -> (articles: [SeenArticle], last: Int64) {
        let rows = try self.database.withConnection(.read) { connection throws(PostgresFailure) in
            try connection.execute(
                """
                SELECT \(Self.articleColumns), change FROM seen_article
                WHERE change > $1 ORDER BY change LIMIT $2
                """,
                [.int(position), .int(Int64(limit))]
            ).rows
        }
        let last = rows.last.flatMap { PostgresText.int64($0[8]) } ?? position
        return (rows.map(SeenArticle.init(postgresRow:)), last)
    }

    /// The change number of the last article committed.
    /// - Throws: ``PostgresError`` with code `read`.
    public func lastSeenPosition() throws -> Int64 {
        try self.database.withConnection(.read) { connection throws(PostgresFailure) in
            PostgresText.int64(try connection.execute("SELECT coalesce(max(change), 0) FROM seen_article").scalar) ?? 0
        }
    }

    /// Stores `commit` in one transaction, in three round trips whatever its size: `BEGIN` with
    /// the commit lock, one statement that writes everything (arrays unpacked by `unnest`),
    /// `COMMIT`.
    ///
    /// An article announced by a `firstSeen` outbox record of this commit is inserted only if
    /// its id is new; when another worker stored it first, the article is left as that worker
    /// stored it and the record is dropped (first seen wins). Other articles are inserted or
    /// updated by id, keeping their first-stored position.
    /// - Throws: ``PostgresError`` with code `write` or `unavailable`; then nothing was stored.
    public func commit(_ commit: StateCommit) throws {
        guard !commit.isEmpty else { return }
        let plan = CommitPlan(commit)
        let parameters = plan.parameters
        let counts = try self.database.transaction(.write, lock: Self.commitLock) {
            connection throws(PostgresFailure) in
            try connection.execute(Self.commitStatement, parameters).rows.first ?? []
        }
        let articles = PostgresText.int64(counts.first ?? nil) ?? 0
        let outbox = PostgresText.int64(counts.count > 1 ? counts[1] : nil) ?? 0
        self.logger.debug(
            "postgres commit",
            metadata: [
                "articles": "\(plan.articles.count)", "articles.stored": "\(articles)",
                "outbox": "\(commit.outbox.count)", "outbox.dropped": "\(Int64(commit.outbox.count) - outbox)",
            ]
        )
    }

    /// Stores `commit` like ``commit(_:)``, in the same transaction under the commit lock,
    /// after reading which ids of `firstSeen` are stored already and letting `write` write
    /// the records of the others (see ``FirstSeenSettlingStore``). One more round trip than
    /// ``commit(_:)``.
    /// - Throws: What `write` throws, or ``PostgresError`` with code `write` or `unavailable`;
    ///   then nothing was stored.
    public func commit(
        _ commit: StateCommit,
        firstSeen: [String],
        write: (_ storedBefore: Set<String>) throws -> [String: String]
    ) throws {
        let ids = Array(Set(firstSeen)).sorted()
        var written: (stored: Set<String>, checkpoint: [String: String])?
        var writeError: (any Error)?
        do {
            try self.database.transaction(.write, lock: Self.commitLock) { connection throws(PostgresFailure) in
                let stored = Set(
                    try connection.execute(
                        "SELECT id FROM seen_article WHERE id = ANY($1::text[])",
                        [.textArray(ids)]
                    ).rows.compactMap { $0[0] }
                )
                if let (before, _) = written {
                    // Run again after a lost connection: the records are written already.
                    let late = stored.subtracting(before)
                    if !late.isEmpty {
                        self.logger.warning(
                            "articles written by this worker were stored by another while the connection was lost",
                            metadata: ["articles": "\(late.count)"]
                        )
                    }
                } else {
                    do {
                        written = (stored, try write(stored))
                    } catch {
                        writeError = error
                        throw .statement(message: "the output failed: \(error)", sqlState: nil)
                    }
                }
                var full = commit
                for (name, value) in written?.checkpoint ?? [:] { full.checkpoints[name] = value }
                let plan = CommitPlan(full, firstSeen: ids)
                _ = try connection.execute(Self.commitStatement, plan.parameters)
            }
        } catch {
            throw writeError ?? error
        }
    }

    /// Deletes articles and links with `seenAt < date` and returns how many articles.
    /// - Throws: ``PostgresError`` with code `write`.
    public func evictSeenArticles(seenBefore date: Date) throws -> Int {
        try self.database.withConnection(.write) { connection throws(PostgresFailure) in
            let count = try connection.execute(
                """
                WITH evicted AS (DELETE FROM seen_article WHERE seen_at < $1 RETURNING 1),
                links AS (DELETE FROM seen_link WHERE seen_at < $1)
                SELECT count(*) FROM evicted
                """,
                [.double(date.timeIntervalSince1970)]
            ).scalar
            return Int(count ?? "0") ?? 0
        }
    }

    /// Everything a commit writes, as one statement of data-modifying `WITH` queries (they all
    /// run, once, whether the final `SELECT` reads them or not:
    /// https://www.postgresql.org/docs/15/queries-with.html#QUERIES-WITH-MODIFYING).
    ///
    /// `$9` holds the ids of articles announced by a `firstSeen` record: on conflict these are
    /// not updated (`WHERE` false), so they are missing from `ins`, and `out` drops their record.
    private static let commitStatement = """
        WITH ins AS (
            INSERT INTO seen_article AS s (id, url, content_hash, signature, has_text, revision, duplicate_of, seen_at)
            SELECT a.id, a.url, a.content_hash, a.signature, a.has_text, a.revision, a.duplicate_of, a.seen_at
            FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bytea[], $5::boolean[], $6::integer[],
                $7::text[], $8::float8[])
                WITH ORDINALITY AS a(id, url, content_hash, signature, has_text, revision, duplicate_of, seen_at, ord)
            ORDER BY a.ord
            ON CONFLICT (id) DO UPDATE SET url = excluded.url, content_hash = excluded.content_hash,
                signature = excluded.signature, has_text = excluded.has_text, revision = excluded.revision,
                duplicate_of = excluded.duplicate_of, seen_at = excluded.seen_at,
                change = nextval('seen_article_change')
                WHERE NOT (excluded.id = ANY($9::text[]))
            RETURNING s.id
        ),
        touch AS (
            UPDATE seen_article AS s SET seen_at = t.seen_at
            FROM unnest($10::text[], $11::float8[]) AS t(id, seen_at)
            WHERE s.id = t.id
        ),
        link AS (
            INSERT INTO seen_link (id, seen_at)
            SELECT * FROM unnest($12::text[], $13::float8[])
            ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at
        ),
        feeds AS (
            INSERT INTO feed (\(feedColumns))
            SELECT * FROM unnest($14::text[], $15::text[], $16::text[], $17::float8[], $18::float8[], $19::float8[],
                $20::float8[], $21::integer[], $22::text[], $23::float8[], $24::bigint[], $25::text[], $26::float8[],
                $27::integer[])
            ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
                last_attempt_at = excluded.last_attempt_at, last_success_at = excluded.last_success_at,
                next_poll_at = excluded.next_poll_at, interval_seconds = excluded.interval_seconds,
                consecutive_failures = excluded.consecutive_failures, last_error = excluded.last_error,
                last_new_item_at = excluded.last_new_item_at, last_item_key = excluded.last_item_key,
                location = excluded.location, gone_at = excluded.gone_at, last_status = excluded.last_status
        ),
        marks AS (
            INSERT INTO checkpoint (name, value, updated_at)
            SELECT c.name, c.value, now() FROM unnest($28::text[], $29::text[]) AS c(name, value)
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        ),
        out AS (
            INSERT INTO outbox (key, value, headers, first_seen)
            SELECT o.key, o.value, o.headers, o.first_seen
            FROM unnest($30::text[], $31::bytea[], $32::text[], $33::boolean[])
                WITH ORDINALITY AS o(key, value, headers, first_seen, ord)
            WHERE NOT (o.first_seen AND o.key = ANY($9::text[]) AND o.key NOT IN (SELECT id FROM ins))
            ORDER BY o.ord
            RETURNING position
        )
        SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM out)
        """
}

/// A ``StateCommit`` arranged for ``PostgresStateStore/commitStatement``.
private struct CommitPlan {
    /// The articles, one per id: at the place of its first occurrence, with its last values.
    var articles: [SeenArticle]
    /// Ids of articles announced by a `firstSeen` outbox record of the commit.
    var firstSeen: Set<String>
    /// `seenAgain` less the articles the commit writes anyway (their `seenAt` is moved in
    /// place: one statement must not change a row twice).
    var touched: [(id: String, date: Date)]
    var commit: StateCommit

    /// - Parameter settled: Ids of articles first seen by a worker whose sink writes its own
    ///   destination, settled like those of `firstSeen` outbox records.
    init(_ commit: StateCommit, firstSeen settled: [String] = []) {
        self.commit = commit
        var index: [String: Int] = [:]
        var articles: [SeenArticle] = []
        for article in commit.articles {
            if let at = index[article.id] {
                articles[at] = article
            } else {
                index[article.id] = articles.count
                articles.append(article)
            }
        }
        let announced = Set(commit.outbox.filter(\.firstSeen).map(\.key)).union(settled)
        self.firstSeen = Set(articles.map(\.id).filter { announced.contains($0) })
        var touched: [(id: String, date: Date)] = []
        for (id, date) in commit.seenAgain.sorted(by: { $0.key < $1.key }) {
            if let at = index[id] {
                articles[at].seenAt = date
                // An article that loses to another worker's is not written: move the stored one.
                if self.firstSeen.contains(id) { touched.append((id, date)) }
            } else {
                touched.append((id, date))
            }
        }
        self.articles = articles
        self.touched = touched
    }

    var parameters: [PostgresValue] {
        let articles = self.articles
        let links = self.commit.links.sorted { $0.key < $1.key }
        var feedIndex: [String: Int] = [:]
        var feeds: [FeedState] = []
        for feed in self.commit.feeds {
            if let at = feedIndex[feed.url] {
                feeds[at] = feed
            } else {
                feedIndex[feed.url] = feeds.count
                feeds.append(feed)
            }
        }
        let checkpoints = self.commit.checkpoints.sorted { $0.key < $1.key }
        let outbox = self.commit.outbox
        func seconds(_ date: Date?) -> Double? { date?.timeIntervalSince1970 }
        return [
            .textArray(articles.map(\.id)),
            .textArray(articles.map(\.url)),
            .int64Array(articles.map { Int64(bitPattern: $0.contentHash) }),
            .byteaArray(articles.map(\.signature)),
            .boolArray(articles.map(\.hasText)),
            .int64Array(articles.map { Int64($0.revision) }),
            .textArray(articles.map(\.duplicateOf)),
            .doubleArray(articles.map { $0.seenAt.timeIntervalSince1970 }),
            .textArray(self.firstSeen.sorted()),
            .textArray(self.touched.map(\.id)),
            .doubleArray(self.touched.map { $0.date.timeIntervalSince1970 }),
            .textArray(links.map(\.key)),
            .doubleArray(links.map { $0.value.timeIntervalSince1970 }),
            .textArray(feeds.map(\.url)),
            .textArray(feeds.map(\.etag)),
            .textArray(feeds.map(\.lastModified)),
            .doubleArray(feeds.map { seconds($0.lastAttemptAt) }),
            .doubleArray(feeds.map { seconds($0.lastSuccessAt) }),
            .doubleArray(feeds.map { seconds($0.nextPollAt) }),
            .doubleArray(feeds.map(\.intervalSeconds)),
            .int64Array(feeds.map { Int64($0.consecutiveFailures) }),
            .textArray(feeds.map(\.lastError)),
            .doubleArray(feeds.map { seconds($0.lastNewItemAt) }),
            .int64Array(feeds.map(\.lastItemKey)),
            .textArray(feeds.map(\.location)),
            .doubleArray(feeds.map { seconds($0.goneAt) }),
            .int64Array(feeds.map { $0.lastStatus.map(Int64.init) }),
            .textArray(checkpoints.map(\.key)),
            .textArray(checkpoints.map(\.value)),
            .textArray(outbox.map(\.key)),
            .byteaArray(outbox.map(\.value)),
            .textArray(outbox.map { OutboxHeaders.encode($0.headers) }),
            .boolArray(outbox.map(\.firstSeen)),
        ]
    }
}

extension SeenArticle {
    /// A row that starts with `id, url, content_hash, signature, has_text, revision,
    /// duplicate_of, seen_at`.
    init(postgresRow row: [String?]) {
        self.init(
            id: row[0] ?? "",
            url: row[1] ?? "",
            contentHash: UInt64(bitPattern: PostgresText.int64(row[2]) ?? 0),
            signature: PostgresText.bytes(row[3]) ?? [],
            hasText: PostgresText.bool(row[4]) ?? false,
            revision: Int(row[5] ?? "1") ?? 1,
            duplicateOf: row[6],
            seenAt: Date(timeIntervalSince1970: PostgresText.double(row[7]) ?? 0)
        )
    }
}
