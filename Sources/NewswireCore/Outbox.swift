public import struct Foundation.Date

/// One record bound for a message broker, kept in the state store's outbox until a relay
/// has published it.
///
/// The outbox is what makes broker output exactly once: the engine stores a record in the
/// same transaction as the dedup decision that let it out, and a relay publishes the outbox
/// in broker transactions that also carry its position.
public struct OutboxRecord: Sendable, Hashable {
    /// The message key: the article id.
    public var key: String
    /// The message value: the NDJSON record, without its newline.
    public var value: [UInt8]
    /// Message headers, in order (`feed`, `revision`).
    public var headers: [OutboxHeader]
    /// Whether the record announces an article seen for the first time (revision 1). The
    /// store drops such a record when another worker stored the same article id first.
    public var firstSeen: Bool

    public init(key: String, value: [UInt8], headers: [OutboxHeader] = [], firstSeen: Bool) {
        self.key = key
        self.value = value
        self.headers = headers
        self.firstSeen = firstSeen
    }
}

/// One message header.
public struct OutboxHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A stored outbox record and its position (increasing in commit order, never reused).
public struct OutboxEntry: Sendable, Hashable {
    public var position: Int64
    public var record: OutboxRecord

    public init(position: Int64, record: OutboxRecord) {
        self.position = position
        self.record = record
    }
}

/// What a relay needs of the store that holds the outbox.
///
/// Records enter the outbox only through the store's commit (with the dedup decisions);
/// positions grow in commit order, so a relay that has published everything through
/// position `p` never finds a record at or below `p` later.
public protocol OutboxStore: AnyObject, Sendable {
    /// Up to `limit` records with a position above `position`, in position order.
    /// - Throws: When the store cannot be read.
    func outboxEntries(after position: Int64, limit: Int) throws -> [OutboxEntry]

    /// Deletes the records at or below `position` (already published).
    /// - Throws: When the store cannot be written.
    func deleteOutbox(through position: Int64) throws

    /// Records in the outbox (published or not, until deleted) and the highest position stored.
    /// - Throws: When the store cannot be read.
    func outboxStatus() throws -> OutboxStatus
}

/// The size of an outbox.
public struct OutboxStatus: Sendable, Hashable {
    /// Records stored and not yet deleted.
    public var count: Int
    /// The highest position ever stored (0 when none).
    public var lastPosition: Int64

    public init(count: Int, lastPosition: Int64) {
        self.count = count
        self.lastPosition = lastPosition
    }
}

/// A time-limited claim a worker holds on a named resource (a host's feeds, the relay).
public struct LeaseRecord: Sendable, Hashable {
    /// The resource: `host:AUTHORITY` for the feeds of one host, `relay` for the outbox relay.
    public var name: String
    /// The worker holding it, if any.
    public var owner: String?
    /// When the claim lapses unless renewed.
    public var expiresAt: Date?

    public init(name: String, owner: String?, expiresAt: Date?) {
        self.name = name
        self.owner = owner
        self.expiresAt = expiresAt
    }
}

/// A worker as the shared store knows it.
public struct WorkerRecord: Sendable, Hashable {
    /// The worker's id (unique per process run).
    public var id: String
    /// Host name and process id, for operators.
    public var description: String
    /// When it started.
    public var startedAt: Date
    /// Its last heartbeat.
    public var lastSeenAt: Date

    public init(id: String, description: String, startedAt: Date, lastSeenAt: Date) {
        self.id = id
        self.description = description
        self.startedAt = startedAt
        self.lastSeenAt = lastSeenAt
    }
}

/// Leases for several workers sharing one store. Times are the database's clock, so the
/// workers' clocks need not agree.
///
/// A worker heartbeats, claims unheld or expired leases up to its share in one statement
/// (`FOR UPDATE SKIP LOCKED`), renews all it holds in one statement, and releases them on a
/// clean stop. A dead worker's leases lapse after their duration and go to the others.
public protocol LeaseStore: AnyObject, Sendable {
    /// Records that `worker` is alive; returns how many workers were seen within `liveSeconds`.
    /// - Throws: When the store cannot be written.
    func heartbeat(worker: WorkerRecord, liveSeconds: Double) throws -> Int

    /// Creates the named leases that do not exist yet (unheld).
    /// - Throws: When the store cannot be written.
    func registerLeases(_ names: [String]) throws

    /// Claims up to `limit` leases whose name starts with `prefix` and that are unheld or
    /// expired, for `seconds`; returns the names claimed.
    /// - Throws: When the store cannot be written.
    func claimLeases(worker: String, prefix: String, limit: Int, seconds: Double) throws -> [String]

    /// Extends every lease `worker` still holds by `seconds` from now; returns their names
    /// (a lease that lapsed and went to another worker is not among them).
    /// - Throws: When the store cannot be written.
    func renewLeases(worker: String, seconds: Double) throws -> [String]

    /// Releases the named leases of `worker` (all of them when `names` is nil).
    /// - Throws: When the store cannot be written.
    func releaseLeases(worker: String, names: [String]?) throws

    /// Every lease, by name.
    /// - Throws: When the store cannot be read.
    func leases() throws -> [LeaseRecord]

    /// Every worker seen, most recent first.
    /// - Throws: When the store cannot be read.
    func workers() throws -> [WorkerRecord]
}
