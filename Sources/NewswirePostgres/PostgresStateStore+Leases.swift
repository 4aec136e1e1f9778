public import NewswireCore

import struct Foundation.Date

extension PostgresStateStore: LeaseStore {
    /// Records that `worker` is alive (its first heartbeat sets when it started, by the
    /// database's clock) and returns how many workers were seen within `liveSeconds`, it included.
    /// - Throws: ``PostgresError`` with code `write`.
    public func heartbeat(worker: WorkerRecord, liveSeconds: Double) throws -> Int {
        try self.database.withConnection(.write) { connection throws(PostgresFailure) in
            // The WITH insert is not visible to the count (one snapshot): count the others, plus one.
            let count = try connection.execute(
                """
                WITH beat AS (
                    INSERT INTO worker (id, description, started_at, last_seen_at) VALUES ($1, $2, now(), now())
                    ON CONFLICT (id) DO UPDATE SET description = excluded.description, last_seen_at = now()
                )
                SELECT 1 + count(*) FROM worker
                WHERE id <> $1 AND last_seen_at >= now() - make_interval(secs => $3::float8)
                """,
                [.text(worker.id), .text(worker.description), .double(liveSeconds)]
            ).scalar
            return Int(count ?? "1") ?? 1
        }
    }

    /// Creates the named leases that do not exist yet (unheld).
    /// - Throws: ``PostgresError`` with code `write`.
    public func registerLeases(_ names: [String]) throws {
        guard !names.isEmpty else { return }
        try self.database.withConnection(.write) { connection throws(PostgresFailure) in
            try connection.execute(
                "INSERT INTO lease (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING",
                [.textArray(names)]
            )
        }
    }

    /// Claims up to `limit` unheld or expired leases whose name starts with `prefix`, in name
    /// order, for `seconds`, in one statement; returns the names claimed, sorted.
    ///
    /// `FOR UPDATE SKIP LOCKED` lets workers claim at the same time without waiting for each
    /// other or claiming the same lease: a row another claim has locked is skipped.
    /// - Throws: ``PostgresError`` with code `write`.
    public func claimLeases(worker: String, prefix: String, limit: Int, seconds: Double) throws -> [String] {
        guard limit > 0 else { return [] }
        let names = try self.database.withConnection(.write) { connection throws(PostgresFailure) in
            try connection.execute(
                """
                UPDATE lease SET owner = $1, expires_at = now() + make_interval(secs => $4::float8)
                FROM (
                    SELECT name FROM lease
                    WHERE (owner IS NULL OR expires_at IS NULL OR expires_at < now()) AND name LIKE $2 || '%'
                    ORDER BY name COLLATE "C" LIMIT $3
                    FOR UPDATE SKIP LOCKED
                ) AS free
                WHERE lease.name = free.name
                RETURNING lease.name
                """,
                [.text(worker), .text(Self.likePattern(prefix)), .int(Int64(limit)), .double(seconds)]
            ).rows.compactMap { $0[0] }
        }
        return names.sorted()
    }

    /// Extends every lease `worker` holds by `seconds` from now, in one statement; returns
    /// their names, sorted. A lease that lapsed and another worker claimed is no longer its.
    /// - Throws: ``PostgresError`` with code `write`.
    public func renewLeases(worker: String, seconds: Double) throws -> [String] {
        let names = try self.database.withConnection(.write) { connection throws(PostgresFailure) in
            try connection.execute(
                """
                UPDATE lease SET expires_at = now() + make_interval(secs => $2::float8)
                WHERE owner = $1 RETURNING name
                """,
                [.text(worker), .double(seconds)]
            ).rows.compactMap { $0[0] }
        }
        return names.sorted()
    }

    /// Releases the named leases of `worker` (all of them when `names` is nil).
    /// - Throws: ``PostgresError`` with code `write`.
    public func releaseLeases(worker: String, names: [String]?) throws {
        try self.database.withConnection(.write) { connection throws(PostgresFailure) in
            try connection.execute(
                """
                UPDATE lease SET owner = NULL, expires_at = NULL
                WHERE owner = $1 AND ($2::text[] IS NULL OR name = ANY($2::text[]))
                """,
                [.text(worker), names.map { .textArray($0) } ?? .null]
            )
        }
    }

    /// Every lease, by name.
    /// - Throws: ``PostgresError`` with code `read`.
    public func leases() throws -> [LeaseRecord] {
        try self.database.withConnection(.read) { connection throws(PostgresFailure) in
            try connection.execute(
                "SELECT name, owner, extract(epoch FROM expires_at)::float8 FROM lease ORDER BY name COLLATE \"C\""
            ).rows.map { row in
                LeaseRecord(
                    name: row[0] ?? "",
                    owner: row[1],
                    expiresAt: PostgresText.double(row[2]).map { Date(timeIntervalSince1970: $0) }
                )
            }
        }
    }

    /// Every worker seen, most recent first.
    /// - Throws: ``PostgresError`` with code `read`.
    public func workers() throws -> [WorkerRecord] {
        try self.database.withConnection(.read) { connection throws(PostgresFailure) in
            try connection.execute(
                """
                SELECT id, description, extract(epoch FROM started_at)::float8, extract(epoch FROM last_seen_at)::float8
                FROM worker ORDER BY last_seen_at DESC, id
                """
            ).rows.map { row in
                WorkerRecord(
                    id: row[0] ?? "",
                    description: row[1] ?? "",
                    startedAt: Date(timeIntervalSince1970: PostgresText.double(row[2]) ?? 0),
                    lastSeenAt: Date(timeIntervalSince1970: PostgresText.double(row[3]) ?? 0)
                )
            }
        }
    }

    /// `prefix` with LIKE's wildcards and escape character escaped (`\` is LIKE's default escape).
    private static func likePattern(_ prefix: String) -> String {
        var pattern = ""
        for character in prefix {
            if character == "%" || character == "_" || character == "\\" { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern
    }
}
