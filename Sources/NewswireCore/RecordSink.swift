public import struct Foundation.Date

/// Where the records of a run go, owning its own durability: NDJSON files and standard
/// output now, a message broker later.
///
/// The engine calls it from one serial queue: ``recover(from:)`` once before anything is
/// written, then ``write(_:)-(Article)`` and ``write(_:)-(ErrorRecord)`` in stream order,
/// and ``commit()`` whenever it is about to mark what was written as seen. The checkpoint
/// that `commit` returns is stored in the state store in the same transaction as the seen
/// marks, and handed back to `recover(from:)` on the next start: a sink uses it to drop
/// whatever it wrote after that point (the records behind it are delivered again) and to
/// refuse a destination that is no longer the one it wrote.
public protocol RecordSink: AnyObject {
    /// Brings the destination back to `checkpoint` (values saved under this sink's names),
    /// or checks a destination that has none yet.
    /// - Throws: ``StageError`` (kind `internal`) when the destination cannot be used.
    func recover(from checkpoint: [String: String]) throws

    /// Queues one article.
    func write(_ article: Article) throws

    /// Queues one error record.
    func write(_ error: ErrorRecord) throws

    /// Makes every record written so far durable and returns the checkpoint that describes
    /// it (names and values to store with the state; empty when there is nothing to keep).
    func commit() throws -> [String: String]

    /// The checkpoint names this sink stores, so the engine can read them back.
    var checkpointNames: [String] { get }

    /// When the sink wants a commit even if no record arrives (a rotated file whose time
    /// window ends); `nil` when it never does.
    var nextCommitDue: Date? { get }

    /// Closes the destination at a clean end of the run, after the last checkpoint is stored.
    func close() throws

    /// The records this sink leaves to the state store's outbox (a broker's sink), taken
    /// right after ``commit()``: the engine stores them in the same transaction as the
    /// seen marks. A sink that writes its own destination returns none. A sink that wraps
    /// another must pass this on.
    func takeOutbox() -> [OutboxRecord]

    /// Whether the records go to the state store's outbox (``takeOutbox()``), where a store
    /// that several workers share drops those another worker stored first. A sink that writes
    /// its own destination says `false`, the default. A sink that wraps another must pass this on.
    var writesToOutbox: Bool { get }

    /// Whether the sink may be written again while the checkpoint of its last ``commit()``
    /// is still being stored: the engine then stores it on a queue of its own, and waits for
    /// it only before the next `commit`. A sink that acts on a checkpoint at its next call
    /// (a rotated file renamed into place) says `false`, the default: the engine then stores
    /// each checkpoint before it calls the sink again.
    var writesWhileCheckpointIsStored: Bool { get }
}

extension RecordSink {
    public var nextCommitDue: Date? { nil }
    public func close() throws {}
    public func takeOutbox() -> [OutboxRecord] { [] }
    public var writesToOutbox: Bool { false }
    public var writesWhileCheckpointIsStored: Bool { false }
}
