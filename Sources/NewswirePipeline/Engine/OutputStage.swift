import Foundation
import Logging
import NewswireCore
import NewswireDedup
import NewswireState

/// The engine's serial end: restores source order, decides duplicates, writes to the sink
/// and commits the sink's checkpoint with the seen marks and feed states.
///
/// After every `commitInterval` released records (and at the end) it asks the sink to make
/// its records durable (``RecordSink/commit()``), then stores, in one transaction, the
/// decisions up to the last released position, the state of every feed whose items are all
/// written, and the sink's checkpoint. A crash before that store re-delivers those records
/// on the next run, where the sink has cut off its uncommitted bytes: nothing is lost and
/// nothing is written twice.
///
/// With a store that several workers share and a sink that writes its own destination (an
/// NDJSON file per worker), records are held until the commit, and the store settles there,
/// under its commit lock, which articles first seen here another worker stored first: those
/// are not written (``FirstSeenSettlingStore``). Two workers polling feeds that list one story
/// at the same moment therefore write it once.
///
/// With a SQLite state file and a sink that can be written while its checkpoint is stored,
/// the store's transaction runs on a queue of its own (``StateCommitQueue``), one at a time:
/// the next commit of the sink waits for it.
///
/// Confined to the engine's sink queue.
final class OutputStage {
    private var reorder = ReorderBuffer<(SequenceNumber, Outcome)>()
    private let sink: any RecordSink
    private let store: (any PipelineStateStore)?
    /// Stores the commits off the sink queue (a SQLite store that one writer owns).
    private let commitQueue: StateCommitQueue?
    private var deduplicator: Deduplicator
    private let dedupOptions: DedupOptions
    private let clock: any NewswireClock
    /// When the dedup index was last loaded from the store (its window applied).
    private var indexLoadedAt: Date
    /// How often a long run reloads the index, dropping what left the dedup window.
    private let reloadEvery: Double
    private let commitInterval: Int
    private let commitSpacing: Duration
    /// Told the URLs of the feeds whose states a commit stored.
    private let onStored: (@Sendable ([String]) -> Void)?
    private let logger: Logger
    private var sinceCommit = 0
    private var lastCommit = ContinuousClock.now
    private var lastReleased: SequenceNumber?
    /// Feed states waiting until the feed's last item is written.
    private var pendingFeeds: [(through: SequenceNumber, state: FeedState)] = []
    private var warnings: [String] = []
    private var failure: (any Error)?
    /// The store when several workers may share it (it holds leases too): a SQLite file
    /// has one writer, whose index already holds everything.
    private var sharedStore: (any SharedDedupStore)? { Self.shared(self.store) }

    private static func shared(_ store: (any PipelineStateStore)?) -> (any SharedDedupStore)? {
        store is any LeaseStore ? store as? any SharedDedupStore : nil
    }
    /// The shared store, when it settles first seen for this sink (see the type's comment).
    private let settling: (any FirstSeenSettlingStore)?
    /// Records held for the next commit when `settling` is set, in stream order.
    private var held: [HeldRecord] = []

    private enum HeldRecord {
        case article(Article)
        case error(ErrorRecord)
    }
    /// The shared store's last seen-article position this worker has taken in.
    private var sharedPosition: Int64 = 0
    /// Work items the source yielded, once it has closed.
    private var total: Int?
    var summary = CrawlSummary()
    var signalled = false

    /// Opens the dedup index over `store`, brings the sink back to its last checkpoint, and
    /// stores a first checkpoint when there is none.
    /// - Throws: What the store or the sink throws (the run cannot start).
    init(
        sink: any RecordSink,
        store: (any PipelineStateStore)?,
        dedup: DedupOptions,
        clock: any NewswireClock,
        commitInterval: Int,
        commitSpacing: Duration,
        reloadIndexEvery: Double = 86_400,
        onStored: (@Sendable ([String]) -> Void)? = nil,
        logger: Logger
    ) throws {
        self.onStored = onStored
        self.sink = sink
        self.dedupOptions = dedup
        self.clock = clock
        self.indexLoadedAt = clock.now()
        self.reloadEvery = reloadIndexEvery
        self.store = store
        if sink.writesWhileCheckpointIsStored, let sqlite = store as? StateStore, Self.shared(store) == nil {
            self.commitQueue = StateCommitQueue(store: sqlite)
        } else {
            self.commitQueue = nil
        }
        self.settling = sink.writesToOutbox ? nil : Self.shared(store) as? any FirstSeenSettlingStore
        self.commitInterval = max(1, commitInterval)
        self.commitSpacing = commitSpacing
        self.logger = logger
        if let shared = Self.shared(store) { self.sharedPosition = try shared.lastSeenPosition() }
        self.deduplicator = try Deduplicator(store: store, options: dedup, now: { clock.now() })
        var checkpoint: [String: String] = [:]
        if let store {
            for name in sink.checkpointNames { checkpoint[name] = try store.checkpoint(named: name) }
        }
        try sink.recover(from: checkpoint)
        if let store {
            let baseline = try sink.commit()
            if baseline != checkpoint { try store.commit(StateCommit(checkpoints: baseline)) }
        }
        logger.debug("dedup state loaded", metadata: ["articles": "\(self.deduplicator.indexedCount)"])
    }

    var isFinished: Bool {
        guard let total = self.total else { return false }
        return self.reorder.position.feed >= total
    }

    /// The source closed after `total` work items.
    func close(total: Int) {
        self.total = total
    }

    /// Whether the page behind `link` was decided in an earlier run (or earlier in this one).
    func hasSeen(link: String) -> Bool {
        self.deduplicator.hasSeen(link: link)
    }

    func expect(items: Int, at place: Int) -> Int {
        self.handle(self.reorder.setItemCount(items, forFeed: place))
    }

    /// Inserts one outcome; returns how many item positions (item ≥ 1) were released.
    func insert(_ outcome: Outcome, at sequence: SequenceNumber) -> Int {
        self.handle(self.reorder.insert((sequence, outcome), at: sequence))
    }

    func takeWarnings() -> [String] {
        defer { self.warnings.removeAll() }
        return self.warnings
    }

    private func handle(_ released: consuming [(SequenceNumber, Outcome)]) -> Int {
        var items = 0
        let last = released.last?.0
        let count = released.count
        // Popped, not iterated: each record moves out of the array instead of being copied
        // (a retain of each of its strings) and released again with the array.
        released.reverse()
        while let (sequence, outcome) = released.popLast() {
            if sequence.item > 0 {
                items += 1
                self.summary.pagesDone += 1
            }
            switch consume outcome {
            case .feed(let report):
                self.summary.feedsTotal += 1
                switch report.result {
                case .parsed: self.summary.feedsOK += 1
                case .unchanged:
                    self.summary.feedsOK += 1
                    self.summary.feedsUnchanged += 1
                case .failed: self.summary.feedsFailed += 1
                }
                self.summary.items += report.items
                if let error = report.error { self.write(error) }
                if let state = report.state {
                    let through = SequenceNumber(round: sequence.round, feed: sequence.feed, item: report.items)
                    self.pendingFeeds.append((through, state))
                }
            case .article(var article, let link, let warnings, let prepared):
                self.warnings += warnings
                let decision = self.deduplicator.decide(&article, prepared: prepared)
                switch decision.reason {
                case .new, .update: break
                case .seen: self.summary.seen += 1
                case .exactDuplicate, .nearDuplicate: self.summary.duplicates += 1
                }
                if decision.emit { self.write(article) }
                if let link { self.deduplicator.noteFollowed(link: link, at: sequence) }
            case .seen:
                self.summary.seen += 1
            case .filtered:
                self.summary.filtered += 1
            case .failure(let error):
                self.write(error)
            case .nothing:
                break
            }
        }
        if let last {
            self.lastReleased = last
            self.sinceCommit += count
            // Every `commitInterval` records, but not more often than `commitSpacing` (each
            // commit syncs the output and the state file), and at least every 100 intervals.
            if self.sinceCommit >= self.commitInterval
                && (ContinuousClock.now - self.lastCommit >= self.commitSpacing
                    || self.sinceCommit >= self.commitInterval * 100)
            {
                self.commit()
            }
        }
        return items
    }

    private func write(_ article: Article) {
        guard self.failure == nil else { return }
        if self.settling != nil {
            self.held.append(.article(article))
            return
        }
        do {
            try self.sink.write(article)
            self.summary.articles += 1
        } catch {
            self.failure = error
        }
    }

    private func write(_ error: ErrorRecord) {
        guard self.failure == nil else { return }
        if self.settling != nil {
            self.held.append(.error(error))
            return
        }
        do {
            try self.sink.write(error)
            self.summary.errors += 1
        } catch {
            self.failure = error
        }
    }

    /// Makes the sink durable, then stores decisions, finished feeds and the checkpoint.
    private func commit() {
        guard self.failure == nil else { return }
        do {
            // The sink is committed again only once the state holds its last checkpoint.
            if let error = self.commitQueue?.wait() { throw error }
            // Held records are written, and the sink committed, inside the store's transaction.
            let settling = self.held.isEmpty ? nil : self.settling
            let checkpoint = settling == nil ? try self.sink.commit() : [:]
            let outbox = self.sink.takeOutbox()
            guard let through = self.lastReleased else { return }
            let ready = self.pendingFeeds.prefix { $0.through <= through }.count
            let feeds = self.pendingFeeds.prefix(ready).map(\.state)
            let extra = StateCommit(feeds: feeds, checkpoints: self.store == nil ? [:] : checkpoint, outbox: outbox)
            let stored = feeds.map(\.url)
            let onStored = stored.isEmpty ? nil : self.onStored
            if let settling {
                let commit = self.deduplicator.takeWritten(through: through, with: extra) ?? extra
                try self.writeHeld(storing: commit, in: settling)
                onStored?(stored)
            } else if let queue = self.commitQueue {
                if let commit = self.deduplicator.takeWritten(through: through, with: extra) {
                    queue.submit(commit) { onStored?(stored) }
                }
            } else {
                try self.deduplicator.markWritten(through: through, with: extra)
                onStored?(stored)
            }
            self.pendingFeeds.removeFirst(ready)
            self.sinceCommit = 0
            self.lastCommit = ContinuousClock.now
            try self.syncSharedIndex()
            try self.reloadIndexIfDue()
        } catch {
            self.failure = error
        }
    }

    /// Stores `commit` in the shared store, whose transaction has the held records written
    /// (less the articles first seen here that another worker stored first) and the sink
    /// committed under its commit lock.
    private func writeHeld(storing commit: StateCommit, in store: any FirstSeenSettlingStore) throws {
        let records = self.held
        self.held.removeAll()
        let firstSeen = records.compactMap { record -> String? in
            guard case .article(let article) = record, (article.revision ?? 1) == 1 else { return nil }
            return article.id
        }
        var written = CrawlSummary()
        try store.commit(commit, firstSeen: firstSeen) { stored in
            for record in records {
                switch record {
                case .article(let article):
                    if (article.revision ?? 1) == 1, let id = article.id, stored.contains(id) {
                        written.seen += 1
                        continue
                    }
                    try self.sink.write(article)
                    written.articles += 1
                case .error(let error):
                    try self.sink.write(error)
                    written.errors += 1
                }
            }
            return try self.sink.commit()
        }
        if written.seen > 0 {
            self.logger.debug("stories another worker stored first", metadata: ["articles": "\(written.seen)"])
        }
        self.summary.articles += written.articles
        self.summary.errors += written.errors
        self.summary.seen += written.seen
    }

    /// With a store that several workers share, takes in what the others stored since the
    /// last look, so the next decisions compare with their articles too. (Whether an article
    /// id is new is decided by the store itself, atomically, when it commits.)
    private func syncSharedIndex() throws {
        guard let shared = self.sharedStore else { return }
        while true {
            let (articles, last) = try shared.seenArticles(after: self.sharedPosition, limit: 10_000)
            self.sharedPosition = last
            self.deduplicator.absorb(articles)
            if articles.count < 10_000 { break }
        }
    }

    /// A long run (the daemon) reloads the dedup index from the store once in a while, so
    /// articles that left the dedup window leave memory too. Only right after a commit
    /// that left no decision pending: the store then knows everything the index does.
    private func reloadIndexIfDue() throws {
        guard let store = self.store, self.deduplicator.pendingCount == 0 else { return }
        let now = self.clock.now()
        guard now.timeIntervalSince(self.indexLoadedAt) >= self.reloadEvery else { return }
        if let error = self.commitQueue?.wait() { throw error }
        let before = self.deduplicator.indexedCount
        let clock = self.clock
        if let shared = self.sharedStore { self.sharedPosition = try shared.lastSeenPosition() }
        self.deduplicator = try Deduplicator(store: store, options: self.dedupOptions, now: { clock.now() })
        self.indexLoadedAt = now
        self.logger.info(
            "dedup index reloaded",
            metadata: ["before": "\(before)", "after": "\(self.deduplicator.indexedCount)"]
        )
    }

    /// Commits what was released since the last commit, if anything: a long run that goes
    /// quiet (a daemon between polls) still stores its last records and feed states.
    func commitIfIdle() {
        let rotationDue = self.sink.nextCommitDue.map { $0 <= self.clock.now() } ?? false
        guard rotationDue || self.sinceCommit > 0, ContinuousClock.now - self.lastCommit >= self.commitSpacing else {
            return
        }
        self.commit()
    }

    /// The first write or commit failure of the run, if any: the run can no longer write.
    var writeFailure: (any Error)? { self.failure }

    /// Commits what is left; throws the first write or commit failure of the run.
    func finish() throws {
        self.commit()
        if self.failure == nil, let error = self.commitQueue?.wait() { self.failure = error }
        if let failure = self.failure { throw failure }
        // Only once the last checkpoint is stored: a rotated file is closed for good.
        if self.lastReleased != nil || self.store == nil { try self.sink.close() }
    }
}

@available(*, unavailable)
extension OutputStage: Sendable {}
