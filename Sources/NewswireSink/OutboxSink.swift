import Foundation
public import NewswireCore

/// The sink of a broker output (`output: kafka://…`): each article becomes an
/// ``OutboxRecord`` that the engine stores in the state store's outbox together with the
/// dedup decision that let it out, and a relay publishes the outbox. Error records go to
/// the errors file, as with NDJSON output.
///
/// Nothing leaves for the broker that the state has not stored, and nothing the state
/// stored is lost: that is what makes broker output exactly once without truncating
/// anything. When the outbox holds `maxPending` records (the broker is down or slow), a
/// commit waits for the relay, so the pipeline slows down instead of buffering without
/// bound.
///
/// Confined to one serial queue (the sink stage's); not thread-safe.
public final class OutboxSink: RecordSink {
    private let outbox: any OutboxStore
    private let errors: LineWriter?
    private let onError: (ErrorRecord) -> Void
    private let maxPending: Int
    private let onWait: (OutboxStatus) -> Void
    private var pending: [OutboxRecord] = []
    /// Notes from ``recover(from:)`` (what was cut off or kept), for the log.
    public private(set) var recoveryNotes: [String] = []

    /// - Parameters:
    ///   - outbox: The state store's outbox (read for its size only; records enter it with
    ///     the engine's commit).
    ///   - errors: Where error records go (a file, standard error, or nowhere).
    ///   - maxPending: Records the outbox may hold before a commit waits for the relay.
    ///   - onWait: Called about every ten seconds while a commit waits (for the log).
    ///   - onError: Called with every error record (the CLI logs them without an errors file).
    public init(
        outbox: any OutboxStore,
        errors: LineWriter?,
        maxPending: Int = 100_000,
        onWait: @escaping (OutboxStatus) -> Void = { _ in },
        onError: @escaping (ErrorRecord) -> Void = { _ in }
    ) {
        self.outbox = outbox
        self.errors = errors
        self.maxPending = max(1, maxPending)
        self.onWait = onWait
        self.onError = onError
    }

    public var checkpointNames: [String] {
        guard let errors = self.errors, errors.isRegularFile, case .file(let path) = errors.destination else {
            return []
        }
        return ["sink.ndjson:" + path]
    }

    public func recover(from checkpoint: [String: String]) throws {
        guard let errors = self.errors, errors.isRegularFile, case .file(let path) = errors.destination else {
            return
        }
        if let note = try errors.recover(from: checkpoint["sink.ndjson:" + path]) { self.recoveryNotes.append(note) }
    }

    /// Keeps the article's record until the engine's next commit stores it in the outbox.
    public func write(_ article: Article) throws {
        var json = JSONWriter()
        article.write(to: &json)
        var headers: [OutboxHeader] = []
        if let feed = article.feed { headers.append(OutboxHeader(name: "feed", value: feed)) }
        let revision = article.revision ?? 1
        headers.append(OutboxHeader(name: "revision", value: String(revision)))
        self.pending.append(
            OutboxRecord(key: article.id ?? "", value: json.bytes, headers: headers, firstSeen: revision == 1)
        )
    }

    public func write(_ error: ErrorRecord) throws {
        self.onError(error)
        guard let errors = self.errors else { return }
        var json = JSONWriter()
        error.write(to: &json)
        try errors.write(line: json.bytes)
    }

    /// Syncs the errors file; waits while the outbox is full.
    public func commit() throws -> [String: String] {
        if !self.pending.isEmpty { try self.waitForRoom() }
        guard let errors = self.errors, let value = try errors.checkpoint(), case .file(let path) = errors.destination
        else { return [:] }
        return ["sink.ndjson:" + path: value]
    }

    public func takeOutbox() -> [OutboxRecord] {
        defer { self.pending.removeAll(keepingCapacity: true) }
        return self.pending
    }

    public var writesToOutbox: Bool { true }

    private func waitForRoom() throws {
        var status = try self.outbox.outboxStatus()
        var lastNote = ContinuousClock.now - .seconds(10)
        while status.count + self.pending.count > self.maxPending && status.count > 0 {
            if ContinuousClock.now - lastNote >= .seconds(10) {
                self.onWait(status)
                lastNote = ContinuousClock.now
            }
            Thread.sleep(forTimeInterval: 0.05)
            status = try self.outbox.outboxStatus()
        }
    }
}

@available(*, unavailable)
extension OutboxSink: Sendable {}
