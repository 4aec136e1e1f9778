import Foundation
public import Logging
public import NewswireCore
import NewswireDedup
import NewswireFetch
import NewswireSink
import NewswireState
import Synchronization

/// `newswire watch`: the engine with the scheduler as its source, running until stopped
/// (or for one cycle with `once`). The state file is required: it holds every feed's
/// schedule and health, and the output's checkpoints.
public final class WatchPipeline: Sendable {
    private let initial: PipelineConfiguration
    private let stages: PipelineStages
    private let clock: any NewswireClock
    private let logger: Logger
    private let once: Bool
    private let seed: UInt64
    public let metrics: WatchMetrics?
    private let onProgress: (@Sendable (CrawlSummary) -> Void)?
    private let running = Mutex<Running?>(nil)
    /// Set by ``stop()`` before the run has started: it then ends at once.
    private let stopRequested = Atomic<Bool>(false)
    /// A `/healthz` check of the state store is under way (one at a time).
    private let probing = ProbeFlag()

    private final class ProbeFlag: Sendable {
        private let value = Atomic<Bool>(false)
        /// Sets the flag; returns whether it was set already.
        func begin() -> Bool { self.value.exchange(true, ordering: .acquiring) }
        func end() { self.value.store(false, ordering: .releasing) }
    }

    private struct UncheckedStore: @unchecked Sendable {
        // @unchecked: both stores are thread-safe for reads.
        var store: any PipelineStateStore
    }

    private struct Running: @unchecked Sendable {
        // @unchecked: the source is thread-safe; the store and sink are read for health only.
        var source: WatchSource
        var store: any PipelineStateStore
        var sink: MonitoredSink
        var leases: LeaseCoordinator?
        var worker: WorkerRecord
        /// Whether the output is a broker's (through the outbox).
        var relaying: Bool
    }

    public init(
        configuration: PipelineConfiguration,
        stages: PipelineStages,
        clock: any NewswireClock = SystemClock(),
        logger: Logger,
        once: Bool = false,
        seed: UInt64 = UInt64.random(in: 0...UInt64.max),
        metrics: WatchMetrics? = nil,
        onProgress: (@Sendable (CrawlSummary) -> Void)? = nil
    ) {
        self.initial = configuration
        self.stages = stages
        self.clock = clock
        self.logger = logger
        self.once = once
        self.seed = seed
        self.metrics = metrics
        self.onProgress = onProgress
    }

    /// Runs until ``stop()`` (or the end of the cycle with `once`), then commits and returns
    /// the counts. Blocks the calling thread.
    ///
    /// - Throws: ``RunError`` when the state or the output cannot be opened or written.
    public func run() throws -> CrawlSummary {
        var configuration = self.initial
        guard let opened = try RunState.open(configuration, logger: self.logger) else {
            throw RunError(
                "watch needs a state file (state: in the pipeline, or --state): it keeps each feed's schedule"
            )
        }
        let store = opened.store
        defer { withExtendedLifetime(opened.lock) {} }
        let shared = opened.shared
        if shared != nil && self.once {
            throw RunError("--once does not apply to a shared state store: the workers share the feeds by leases")
        }
        // The crawl's parts: its libcurl fetcher, with the WARC archive when `archive:` is set.
        let parts = CrawlPipeline(
            configuration: configuration,
            stages: self.stages,
            clock: self.clock,
            logger: self.logger
        )
        let recorder = try parts.makeRecorder(configuration, store: store)
        var fetchOptions = configuration.effectiveFetchOptions
        fetchOptions.maxConnections = max(fetchOptions.maxConnections, configuration.watch.concurrency)
        let fetcher: any DocumentFetching = {
            let fetcher = parts.makeFetcher(fetchOptions, recorder: recorder)
            return self.metrics.map { MeteredFetcher(fetcher, metrics: $0) } ?? fetcher
        }()
        defer { fetcher.shutdown() }
        var states: [String: FeedState] = [:]
        do {
            for state in try store.allFeedStates() { states[state.url] = state }
        } catch {
            throw RunError("\(error)")
        }
        if !configuration.discover.isEmpty {
            configuration = SiteDiscovery(kinds: configuration.discover).expand(
                configuration,
                fetcher: fetcher,
                knownFeeds: Set(states.keys),
                logger: self.logger
            )
        }
        let source = WatchSource(
            feeds: configuration.feeds.map { configuration.task(for: $0) },
            states: states,
            policy: configuration.watch.policy,
            clock: self.clock,
            once: self.once,
            seed: self.seed,
            leased: shared != nil
        )
        let base: any PipelineSink
        do {
            base = try CrawlPipeline.makeSink(
                configuration: configuration,
                journalFolder: opened.journalFolder,
                outbox: opened.outbox,
                logger: self.logger,
                clock: self.clock
            )
        } catch {
            throw RunError("\(error)")
        }
        let logger = self.logger
        let archived: any RecordSink = recorder.map { ArchivingSink(base, recorder: $0) } ?? base
        let sink = MonitoredSink(archived, metrics: self.metrics) { error in
            logger.error("the output cannot be written; stopping", metadata: ["error": "\(error)"])
            source.stop()
        }
        let relay = try OutboxPublishing.make(configuration, outbox: opened.outbox, logger: self.logger)
        let worker = WorkerRecord.current()
        let leases = shared.map { shared in
            LeaseCoordinator(
                store: shared,
                source: source,
                worker: worker,
                leaseSeconds: configuration.watch.leaseSeconds,
                wantsRelay: relay != nil,
                logger: self.logger
            ) { publishing in
                if publishing { relay?.start() } else { relay?.stop() }
            }
        }
        self.running.withLock {
            $0 = Running(
                source: source,
                store: store,
                sink: sink,
                leases: leases,
                worker: worker,
                relaying: relay != nil
            )
        }
        defer { self.running.withLock { $0 = nil } }
        if self.stopRequested.load(ordering: .relaxed) { source.stop() }
        // One worker alone publishes its own outbox; several take turns by the relay lease.
        if let leases { leases.start() } else { relay?.start() }
        defer {
            if let leases { leases.stop() } else { relay?.stop() }
        }

        var stages = self.stages
        if !configuration.entities { stages.entities = nil }
        var options = EngineOptions()
        options.pagesInFlight = configuration.pagesInFlight
        options.ordered = false
        options.feedsInFlight = configuration.watch.concurrency
        options.dedup.mode = configuration.dedupMode == .drop ? .drop : .annotate
        options.dedup.windowDays = Double(configuration.dedupWindowDays)
        let metrics = self.metrics
        let onProgress = self.onProgress
        let engine = Engine(
            parts: EngineParts(fetcher: fetcher, stages: stages, clock: self.clock, pollObserver: source),
            options: options,
            logger: self.logger
        ) { summary in
            metrics?.progress(summary)
            onProgress?(summary)
        }
        self.logger.notice(
            "watching",
            metadata: [
                "pipeline": "\(configuration.name)", "feeds": "\(configuration.feeds.count)",
                "due": "\(source.counts().due)",
            ]
        )
        do {
            let summary = try engine.run(source, sink: sink, store: store)
            // The last WARC file gets its final name, as a crawl's does.
            try recorder?.close()
            for note in base.recoveryNotes { self.logger.info("output recovered", metadata: ["detail": "\(note)"]) }
            return summary
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError("\(error)")
        }
    }

    /// Stops taking new work; polls in flight finish, then the run commits and returns.
    public func stop() {
        self.stopRequested.store(true, ordering: .relaxed)
        self.running.withLock { $0?.source.stop() }
    }

    /// Makes every feed due now (SIGUSR1).
    public func pollAllNow() {
        self.running.withLock { $0?.source.pollAllNow() }
    }

    /// Takes the feeds and polling settings of a re-read pipeline file (SIGHUP). The output,
    /// the state file and fetch options are kept until a restart.
    public func reload(_ configuration: PipelineConfiguration) {
        guard let running = self.running.withLock({ $0 }) else { return }
        var states: [String: FeedState] = [:]
        for state in (try? running.store.allFeedStates()) ?? [] { states[state.url] = state }
        running.source.reload(
            configuration.feeds.map { configuration.task(for: $0) },
            policy: configuration.watch.policy,
            states: states
        )
        running.leases?.nudge()
        let counts = running.source.counts()
        self.logger.notice(
            "pipeline reloaded",
            metadata: ["feeds": "\(counts.feeds)", "due": "\(counts.due)"]
        )
    }

    /// This worker's id in a shared store, its lease counts, and the records waiting in
    /// the outbox (for `/metrics`); `nil` when the store is not shared and has no broker output.
    public func clusterStatus() -> (worker: String, leases: LeaseCoordinator.Status?, outboxPending: Int?)? {
        guard let running = self.running.withLock({ $0 }) else { return nil }
        guard running.leases != nil || running.relaying else { return nil }
        let pending = running.relaying ? (try? (running.store as? any OutboxStore)?.outboxStatus().count) : nil
        return (running.worker.id, running.leases?.status, pending ?? nil)
    }

    /// Feed counts of the running source (for `/metrics`), or `nil` before the run starts.
    public func counts() -> WatchSource.Counts? {
        self.running.withLock { $0?.source.counts() }
    }

    /// Whether the state store answers and the output can be written (for `/healthz`), with
    /// the reason when not.
    public func health() -> (healthy: Bool, detail: String) {
        guard let running = self.running.withLock({ $0 }) else { return (false, "not running") }
        if running.sink.isFailed { return (false, "the output cannot be written") }
        // A database that is down makes its store retry for a long time: answer within two
        // seconds whatever the store does.
        guard !self.probing.begin() else {
            return (false, "the state store has not answered the last check yet")
        }
        let answer = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let store = UncheckedStore(store: running.store)
        let probing = self.probing
        DispatchQueue.global().async {
            defer { probing.end() }
            do {
                _ = try store.store.checkpoint(named: "health")
            } catch {
                answer.withLock { $0 = "the state store does not answer: \(error)" }
            }
            done.signal()
        }
        guard done.wait(timeout: .now() + 2) == .success else {
            return (false, "the state store does not answer within 2 s")
        }
        if let problem = answer.withLock({ $0 }) { return (false, problem) }
        return (true, "ok")
    }
}
