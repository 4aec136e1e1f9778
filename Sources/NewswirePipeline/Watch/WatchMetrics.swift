import CoreMetrics
import Foundation
public import NewswireCore
import Synchronization

/// The daemon's metrics, through swift-metrics: whatever backend the process bootstraps
/// (Prometheus for `watch`) receives them. Names follow Prometheus conventions.
public final class WatchMetrics: Sendable {
    private let fetchStatus: [String: Counter]
    private let fetchBytes = Counter(label: "newswire_fetch_bytes_total")
    private let fetchSeconds = Timer(label: "newswire_fetch_duration_seconds", preferredDisplayUnit: .seconds)
    private let articles = Counter(label: "newswire_articles_total")
    private let seen = Counter(label: "newswire_items_seen_total")
    private let duplicates = Counter(label: "newswire_duplicates_total")
    private let filtered = Counter(label: "newswire_items_filtered_total")
    private let polls: [String: Counter]
    private let errorCounters = Mutex<[String: Counter]>([:])
    private let feedsGauge = Gauge(label: "newswire_feeds")
    private let dueGauge = Gauge(label: "newswire_feeds_due")
    private let overdueGauge = Gauge(label: "newswire_feeds_overdue")
    private let failingGauge = Gauge(label: "newswire_feeds_failing")
    private let goneGauge = Gauge(label: "newswire_feeds_gone")
    private let inFlightGauge = Gauge(label: "newswire_feeds_in_flight")
    private let pagesGauge = Gauge(label: "newswire_items_in_flight")
    private let last = Mutex(CrawlSummary())
    private let cluster = Mutex<ClusterGauges?>(nil)

    /// A worker's gauges when several share a state store, labelled with its id.
    private struct ClusterGauges: Sendable {
        var hosts: Gauge
        var hostsTotal: Gauge
        var workers: Gauge
        var relay: Gauge
        var roundTrips: Gauge
        var failures: Gauge
        var outbox: Gauge

        init(worker: String) {
            let labels = [("worker", worker)]
            self.hosts = Gauge(label: "newswire_worker_hosts", dimensions: labels)
            self.hostsTotal = Gauge(label: "newswire_hosts", dimensions: labels)
            self.workers = Gauge(label: "newswire_workers_live", dimensions: labels)
            self.relay = Gauge(label: "newswire_worker_relay", dimensions: labels)
            self.roundTrips = Gauge(label: "newswire_lease_statements", dimensions: labels)
            self.failures = Gauge(label: "newswire_lease_failures", dimensions: labels)
            self.outbox = Gauge(label: "newswire_outbox_pending", dimensions: labels)
        }
    }

    public init() {
        var status: [String: Counter] = [:]
        for name in ["1xx", "2xx", "3xx", "4xx", "5xx", "error"] {
            status[name] = Counter(label: "newswire_fetches_total", dimensions: [("status", name)])
        }
        self.fetchStatus = status
        var polls: [String: Counter] = [:]
        for name in ["changed", "unchanged", "failed"] {
            polls[name] = Counter(label: "newswire_feed_polls_total", dimensions: [("result", name)])
        }
        self.polls = polls
    }

    /// One fetch finished (a feed, a page, a robots.txt).
    public func fetched(_ result: Result<FetchedDocument, FetchError>, seconds: Double) {
        switch result {
        case .success(let document):
            let name = (1...5).contains(document.status / 100) ? "\(document.status / 100)xx" : "error"
            self.fetchStatus[name]?.increment()
            self.fetchBytes.increment(by: document.body.count)
        case .failure:
            self.fetchStatus["error"]?.increment()
        }
        self.fetchSeconds.recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }

    /// One record written (errors by stage and kind).
    public func wrote(_ error: ErrorRecord) {
        let key = "\(error.stage.rawValue)/\(error.kind.rawValue)"
        let counter = self.errorCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "newswire_errors_total",
                dimensions: [("stage", error.stage.rawValue), ("kind", error.kind.rawValue)]
            )
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// The run's counts so far: the counters move by the difference from the last call.
    public func progress(_ summary: CrawlSummary) {
        let previous = self.last.withLock { last in
            defer { last = summary }
            return last
        }
        func add(_ counter: Counter?, _ now: Int, _ before: Int) {
            if now > before { counter?.increment(by: now - before) }
        }
        add(self.articles, summary.articles, previous.articles)
        add(self.seen, summary.seen, previous.seen)
        add(self.duplicates, summary.duplicates, previous.duplicates)
        add(self.filtered, summary.filtered, previous.filtered)
        let changed = summary.feedsOK - summary.feedsUnchanged
        add(self.polls["changed"], changed, previous.feedsOK - previous.feedsUnchanged)
        add(self.polls["unchanged"], summary.feedsUnchanged, previous.feedsUnchanged)
        add(self.polls["failed"], summary.feedsFailed, previous.feedsFailed)
        // Items of parsed feeds not yet through the output: waiting, fetching or extracting.
        self.pagesGauge.record(max(0, summary.items - summary.pagesDone))
    }

    /// A shared store's worker counts and the outbox waiting for the relay, read when
    /// `/metrics` is scraped.
    public func cluster(worker: String, leases: LeaseCoordinator.Status?, outboxPending: Int?) {
        let gauges = self.cluster.withLock { gauges in
            if gauges == nil { gauges = ClusterGauges(worker: worker) }
            return gauges!
        }
        if let leases {
            gauges.hosts.record(leases.hosts)
            gauges.hostsTotal.record(leases.hostsTotal)
            gauges.workers.record(leases.liveWorkers)
            gauges.relay.record(leases.relay ? 1 : 0)
            gauges.roundTrips.record(leases.roundTrips)
            gauges.failures.record(leases.failures)
        }
        if let outboxPending { gauges.outbox.record(outboxPending) }
    }

    /// The source's feed counts, read when `/metrics` is scraped.
    public func feeds(_ counts: WatchSource.Counts) {
        self.feedsGauge.record(counts.feeds)
        self.dueGauge.record(counts.due)
        self.overdueGauge.record(counts.overdue)
        self.failingGauge.record(counts.failing)
        self.goneGauge.record(counts.gone)
        self.inFlightGauge.record(counts.inFlight)
    }
}

/// A fetcher that reports each fetch to the metrics, then to its caller.
public struct MeteredFetcher: DocumentFetching {
    let base: any DocumentFetching
    let metrics: WatchMetrics

    public init(_ base: any DocumentFetching, metrics: WatchMetrics) {
        self.base = base
        self.metrics = metrics
    }

    public func submit(
        _ request: FetchRequest,
        completion: @escaping @Sendable (Result<FetchedDocument, FetchError>) -> Void
    ) {
        let started = ContinuousClock.now
        let metrics = self.metrics
        self.base.submit(request) { result in
            let elapsed = ContinuousClock.now - started
            metrics.fetched(
                result,
                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            )
            completion(result)
        }
    }

    public func shutdown() {
        self.base.shutdown()
    }
}

/// A sink that counts error records for the metrics and remembers whether the underlying
/// sink still works (for `/healthz`); a failure also calls `onFailure` (the daemon stops).
public final class MonitoredSink: RecordSink {
    private let base: any RecordSink
    private let metrics: WatchMetrics?
    private let onFailure: @Sendable (any Error) -> Void
    private let failed = Atomic<Bool>(false)

    public init(_ base: any RecordSink, metrics: WatchMetrics?, onFailure: @escaping @Sendable (any Error) -> Void) {
        self.base = base
        self.metrics = metrics
        self.onFailure = onFailure
    }

    /// Whether a write or commit has failed (the run can no longer write).
    public var isFailed: Bool { self.failed.load(ordering: .relaxed) }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            if !self.failed.exchange(true, ordering: .relaxed) { self.onFailure(error) }
            throw error
        }
    }

    public func recover(from checkpoint: [String: String]) throws {
        try self.guarded { try self.base.recover(from: checkpoint) }
    }

    public func write(_ article: Article) throws {
        try self.guarded { try self.base.write(article) }
    }

    public func write(_ error: ErrorRecord) throws {
        self.metrics?.wrote(error)
        try self.guarded { try self.base.write(error) }
    }

    public func commit() throws -> [String: String] {
        try self.guarded { try self.base.commit() }
    }

    public var checkpointNames: [String] { self.base.checkpointNames }

    public var nextCommitDue: Date? { self.base.nextCommitDue }

    public func close() throws {
        try self.guarded { try self.base.close() }
    }

    public func takeOutbox() -> [OutboxRecord] { self.base.takeOutbox() }

    public var writesToOutbox: Bool { self.base.writesToOutbox }

    public var writesWhileCheckpointIsStored: Bool { self.base.writesWhileCheckpointIsStored }
}
