public import NewswireCore
import NewswireState

extension PostgresStateStore: OutboxStore {
    /// Up to `limit` records with a position above `position`, in position order.
    /// - Throws: ``PostgresError`` with code `read`.
    public func outboxEntries(after position: Int64, limit: Int) throws -> [OutboxEntry] {
        let rows = try self.database.withConnection(.read) { connection throws(PostgresFailure) in
            try connection.execute(
                "SELECT position, key, value, headers, first_seen FROM outbox WHERE position > $1 ORDER BY position LIMIT $2",
                [.int(position), .int(Int64(limit))]
            ).rows
        }
        return rows.map { row in
            OutboxEntry(
                position: PostgresText.int64(row[0]) ?? 0,
                record: OutboxRecord(
                    key: row[1] ?? "",
                    value: PostgresText.bytes(row[2]) ?? [],
                    headers: OutboxHeaders.decode(row[3] ?? "[]"),
                    firstSeen: PostgresText.bool(row[4]) ?? false
                )
            )
        }
    }

    /// Deletes the records at or below `position`.
    /// - Throws: ``PostgresError`` with code `write`.
    public func deleteOutbox(through position: Int64) throws {
        try self.database.withConnection(.write) { connection throws(PostgresFailure) in
            try connection.execute("DELETE FROM outbox WHERE position <= $1", [.int(position)])
        }
    }

    /// Records in the outbox and the highest position handed out (the sequence's last value:
    /// a commit rolled back after taking positions leaves a gap below it).
    /// - Throws: ``PostgresError`` with code `read`.
    public func outboxStatus() throws -> OutboxStatus {
        let row = try self.database.withConnection(.read) { connection throws(PostgresFailure) in
            try connection.execute(
                """
                SELECT (SELECT count(*) FROM outbox),
                    (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM outbox_position_seq)
                """
            ).rows.first ?? []
        }
        return OutboxStatus(
            count: Int(row.first.flatMap { $0 } ?? "0") ?? 0,
            lastPosition: PostgresText.int64(row.count > 1 ? row[1] : nil) ?? 0
        )
    }
}
