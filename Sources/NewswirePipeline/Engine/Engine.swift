import Dispatch
import Foundation
public import Logging
public import NewswireCore
public import NewswireDedup
public import NewswireState
import Synchronization

/// The parts an engine runs with: each mode plugs in its own.
public struct EngineParts: Sendable {
    /// libcurl for the network; an archive reader for replay; anything for tests.
    public var fetcher: any DocumentFetching
    public var stages: PipelineStages
    /// The one source of "now".
    public var clock: any NewswireClock
    /// Told of every feed poll before its state is stored (the daemon's scheduler).
    public var pollObserver: (any FeedPollObserver)?

    public init(
        fetcher: any DocumentFetching,
        stages: PipelineStages,
        clock: any NewswireClock = SystemClock(),
        pollObserver: (any FeedPollObserver)? = nil
    ) {
        self.fetcher = fetcher
        self.stages = stages
        self.clock = clock
        self.pollObserver = pollObserver
    }
}

/// Learns how each feed poll went and sets the feed's schedule in its state.
public protocol FeedPollObserver: Sendable {
    /// Called on a parse thread once a feed task's fetch is parsed, before its state is
    /// stored; may change `state` (its next poll time and interval).
    func polled(_ task: FeedTask, outcome: PollOutcome, state: inout FeedState)

    /// Called once the state store holds the states of these feeds (by URL), and so every
    /// record of the polls that gave them: on the sink's thread or the state's commit thread.
    func stored(feeds: [String])
}

extension FeedPollObserver {
    public func stored(feeds: [String]) {}
}

/// How an engine runs.
public struct EngineOptions: Sendable, Hashable {
    /// Item positions (pages fetched, being extracted or waiting for output) at once: bounds memory.
    public var pagesInFlight = 128
    /// Feeds fetched or parsed but not yet admitted, at once.
    public var feedsInFlight = 64
    /// Records released between two commits of the sink and the state (at least).
    public var commitInterval = 25
    /// The least time between two commits: each one syncs the output and the state file.
    public var commitSpacing: Duration = .milliseconds(200)
    /// Fetch every page and feed again, ignoring validators and what the state has seen.
    public var refetch = false
    /// The longest a released record waits for its commit when the stream goes quiet.
    public var idleCommit: Duration = .seconds(1)
    /// Admit parsed feeds (and write their records) in the order the source yielded them,
    /// so the same input always gives the same bytes (crawl, replay). The daemon admits
    /// them as they arrive instead: a feed that answers slowly never holds back the polls
    /// behind it.
    public var ordered = true
    /// How often (by the run's clock, in seconds) a long run reloads the dedup index from
    /// the store, so that articles that left the dedup window leave memory.
    public var reloadIndexEvery: Double = 86_400
    public var dedup = DedupOptions()

    public init() {}
}

/// Runs one stream: source → fetch → parse feed → fetch page → extract → entities →
/// (reorder) → dedup → sink, with the state store behind dedup and the feeds.
///
/// Threads and queues: the calling thread pulls work from the source and submits feed
/// fetches; fetch completions go to the concurrent `parse` and `extract` queues (CPU stages,
/// as wide as the machine); one scheduler thread admits parsed feeds in source order and
/// submits their pages; the serial `sink` queue owns the ``OutputStage``. Two counting
/// windows bound memory: work items between fetch and admission, and item positions between
/// admission and output. Admission in source order keeps the earliest unfinished item
/// always inside the window, so the windows cannot deadlock.
public final class Engine: Sendable {
    private let parts: EngineParts
    private let options: EngineOptions
    private let logger: Logger
    private let onProgress: (@Sendable (CrawlSummary) -> Void)?

    public init(
        parts: EngineParts,
        options: EngineOptions = EngineOptions(),
        logger: Logger,
        onProgress: (@Sendable (CrawlSummary) -> Void)? = nil
    ) {
        self.parts = parts
        self.options = options
        self.logger = logger
        self.onProgress = onProgress
    }

    /// Runs `source` to its end, writing to `sink`, with `store` (or none) as the state.
    /// Blocks the calling thread.
    ///
    /// - Throws: What the sink or the store throws when the run cannot start or cannot
    ///   write; feed and page failures are error records, not thrown.
    public func run(
        _ source: any WorkSource,
        sink: any RecordSink,
        store: (any PipelineStateStore)?
    ) throws -> CrawlSummary {
        let started = ContinuousClock.now
        let observer = self.parts.pollObserver
        let onStored: (@Sendable ([String]) -> Void)? =
            observer == nil ? nil : { @Sendable feeds in observer?.stored(feeds: feeds) }
        let output = try OutputStage(
            sink: sink,
            store: store,
            dedup: self.options.dedup,
            clock: self.parts.clock,
            commitInterval: self.options.commitInterval,
            commitSpacing: self.options.commitSpacing,
            reloadIndexEvery: self.options.reloadIndexEvery,
            onStored: onStored,
            logger: self.logger
        )
        var feedStates: [String: FeedState] = [:]
        for state in try store?.allFeedStates() ?? [] { feedStates[state.url] = state }
        var run = EngineRun(
            parts: self.parts,
            options: self.options,
            output: output,
            feedStates: feedStates,
            logger: self.logger,
            onProgress: self.onProgress
        )
        defer {
            if !Self.awaitLastReference(to: &run) {
                self.logger.debug("the engine run is still referenced 5 s after its end")
            }
        }
        var summary = try run.start(source)
        let elapsed = ContinuousClock.now - started
        summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return summary
    }

    /// Waits, up to five seconds, until this is the only reference to `run`. The run's own
    /// blocks each hold it, and through it the sink and the state store: the idle-commit
    /// timer's handler (libdispatch lets go of it only once the cancellation has been
    /// processed on the sink queue), the scheduler thread while it winds down, a queue block
    /// that has handed its work on but not yet returned. Without the wait they let go some
    /// time after ``run(_:sink:store:)`` returned, or not at all when the process exits first,
    /// so the output files and the database connections were closed at no fixed point.
    /// - Returns: Whether it is.
    private static func awaitLastReference(to run: inout EngineRun) -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while !isKnownUniquelyReferenced(&run) {
            guard ContinuousClock.now < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.001)
        }
        return true
    }
}

/// A work item that has been fetched and parsed, waiting for admission.
private struct ParsedSlot: Sendable {
    var place: Int
    var round: Int
    var items: [FeedItem]
    /// For a page task: the page to fetch as item 1.
    var page: PageTask?
    var outcome: Outcome
    var pages: PageMode
    var settings: FeedSettings
    var fetchedAt: Date
    /// The slot gave back its feed-window place when it was parsed (it holds no items).
    var windowReleased = false
}

private enum Admission: Sendable {
    case slot(ParsedSlot)
    /// The source closed after this many work items.
    case closed(Int)
}

/// One run of the engine. The sink-queue state lives in ``OutputStage``, touched only on `sinkQueue`.
private final class EngineRun: Sendable {
    let parts: EngineParts
    let options: EngineOptions
    let processor: ItemProcessor
    let logger: Logger
    let onProgress: (@Sendable (CrawlSummary) -> Void)?
    /// Each feed's latest state: its validators for the next poll of a long run.
    let feedStates: Mutex<[String: FeedState]>

    let parseQueue = DispatchQueue(label: "newswire.parse", qos: .userInitiated, attributes: .concurrent)
    let extractQueue = DispatchQueue(label: "newswire.extract", qos: .userInitiated, attributes: .concurrent)
    let sinkQueue = DispatchQueue(label: "newswire.sink", qos: .userInitiated)
    let feedWindow: DispatchSemaphore
    let pageWindow: DispatchSemaphore
    let admissions: BoundedQueue<Admission>
    /// Parsed slots without items that gave their feed-window place back before admission.
    let earlyReleased = Atomic<Int>(0)
    let earlyReleaseLimit: Int
    let done = DispatchSemaphore(value: 0)
    // Touched only on `sinkQueue`.
    nonisolated(unsafe) let output: OutputStage

    init(
        parts: EngineParts,
        options: EngineOptions,
        output: OutputStage,
        feedStates: [String: FeedState],
        logger: Logger,
        onProgress: (@Sendable (CrawlSummary) -> Void)?
    ) {
        self.parts = parts
        self.options = options
        self.processor = ItemProcessor(
            stages: parts.stages,
            clock: parts.clock,
            fingerprinter: TextFingerprinter(options: options.dedup.fingerprint)
        )
        self.output = output
        self.feedStates = Mutex(feedStates)
        self.logger = logger
        self.onProgress = onProgress
        let feedsAtOnce = max(1, options.feedsInFlight)
        self.feedWindow = DispatchSemaphore(value: feedsAtOnce)
        self.pageWindow = DispatchSemaphore(value: max(1, options.pagesInFlight))
        // Item-less slots that gave their place back wait here too, up to a limit: the
        // queue never blocks a parse thread.
        self.earlyReleaseLimit = feedsAtOnce * 16
        self.admissions = BoundedQueue(capacity: feedsAtOnce + self.earlyReleaseLimit + 1)
    }

    func start(_ source: any WorkSource) throws -> CrawlSummary {
        let scheduler = Thread { self.admitInOrder() }
        scheduler.name = "newswire-scheduler"
        scheduler.start()
        let idle = DispatchSource.makeTimerSource(queue: self.sinkQueue)
        let every = self.options.idleCommit
        let interval = DispatchTimeInterval.milliseconds(
            Int(every.components.seconds * 1000 + every.components.attoseconds / 1_000_000_000_000_000)
        )
        idle.schedule(deadline: .now() + interval, repeating: interval)
        idle.setEventHandler { self.output.commitIfIdle() }
        idle.resume()
        defer { idle.cancel() }
        var place = 0
        while let work = source.next() {
            self.feedWindow.wait()
            let current = place
            place += 1
            switch work {
            case .feed(let task):
                // Read here, on the thread that pulls the source: a replay's clock stands at the capture.
                let requestedAt = self.parts.clock.now()
                let previous = self.feedStates.withLock { $0[task.url] }
                var request = task.settings.request.request(for: previous?.location ?? task.url)
                if !self.options.refetch {
                    request.etag = previous?.etag
                    request.lastModified = previous?.lastModified
                }
                self.parts.fetcher.submit(request) { result in
                    self.parseQueue.async {
                        var (report, items, fetchedAt) = self.processor.parseFeed(
                            task,
                            place: current,
                            previous: previous,
                            requestedAt: requestedAt,
                            result
                        )
                        if var state = report.state {
                            if let observer = self.parts.pollObserver, let poll = report.poll {
                                observer.polled(task, outcome: poll, state: &state)
                                report.state = state
                            }
                            self.feedStates.withLock { $0[task.url] = state }
                        }
                        self.logger.debug(
                            "feed parsed",
                            metadata: ["feed.url": "\(task.url)", "items": "\(items.count)"]
                        )
                        var slot = ParsedSlot(
                            place: current,
                            round: task.round,
                            items: items,
                            page: nil,
                            outcome: .feed(report),
                            pages: task.pages,
                            settings: task.settings,
                            fetchedAt: fetchedAt
                        )
                        // A feed with no items (304, a failure) waits for its turn as a few
                        // bytes: its place goes to the next fetch at once, so one slow feed
                        // at the head does not hold back the polls behind it.
                        if items.isEmpty {
                            if self.earlyReleased.add(1, ordering: .relaxed).newValue <= self.earlyReleaseLimit {
                                slot.windowReleased = true
                                self.feedWindow.signal()
                            } else {
                                self.earlyReleased.subtract(1, ordering: .relaxed)
                            }
                        }
                        self.admissions.put(.slot(slot))
                    }
                }
            case .report(let report):
                let result: FeedReport.Result = report.error != nil ? .failed : report.unchanged ? .unchanged : .parsed
                let slot = ParsedSlot(
                    place: current,
                    round: 0,
                    items: [],
                    page: nil,
                    outcome: .feed(FeedReport(result: result, items: 0, error: report.error, state: report.state)),
                    pages: .never,
                    settings: FeedSettings(),
                    fetchedAt: self.parts.clock.now()
                )
                self.admissions.put(.slot(slot))
            case .page(let task):
                let slot = ParsedSlot(
                    place: current,
                    round: task.round,
                    items: [],
                    page: task,
                    outcome: .nothing,
                    pages: .always,
                    settings: FeedSettings(),
                    fetchedAt: self.parts.clock.now()
                )
                self.admissions.put(.slot(slot))
            }
        }
        self.admissions.put(.closed(place))
        self.done.wait()
        return try self.sinkQueue.sync {
            try self.output.finish()
            return self.output.summary
        }
    }

    // MARK: admission (scheduler thread)

    private func admitInOrder() {
        var pending: [Int: ParsedSlot] = [:]
        var next = 0
        var total: Int?
        while total.map({ next < $0 }) ?? true, let admission = self.admissions.take() {
            switch admission {
            case .closed(let count): total = count
            case .slot(var slot):
                if !self.options.ordered {
                    // In arrival order: the slot takes the next place, its items with it.
                    slot.place = next + pending.count
                    for index in slot.items.indices { slot.items[index].sequence.feed = slot.place }
                }
                pending[slot.place] = slot
            }
            while var slot = pending.removeValue(forKey: next) {
                let released = slot.windowReleased
                self.admit(&slot)
                if released {
                    self.earlyReleased.subtract(1, ordering: .relaxed)
                } else {
                    self.feedWindow.signal()
                }
                next += 1
            }
        }
        let count = next
        self.sinkQueue.async {
            self.output.close(total: count)
            self.release(0)
        }
    }

    /// Admits one work item: its own outcome to the output, then each of its items in turn,
    /// each waiting for a place in the window. Items are let go as they are sent on, so a
    /// feed of 100,000 items does not stay whole in memory until its last one is admitted.
    private func admit(_ slot: inout ParsedSlot) {
        let itemCount = slot.page == nil ? slot.items.count : 1
        let (place, round, outcome) = (slot.place, slot.round, slot.outcome)
        self.sinkQueue.async {
            _ = self.output.expect(items: itemCount + 1, at: place)
            self.release(self.output.insert(outcome, at: SequenceNumber(round: round, feed: place, item: 0)))
        }
        if let page = slot.page {
            self.pageWindow.wait()
            let sequence = SequenceNumber(round: slot.round, feed: slot.place, item: 1)
            if !self.options.refetch && self.sinkQueue.sync(execute: { self.output.hasSeen(link: page.url) }) {
                self.deliver(.seen, at: sequence)
                return
            }
            let requestedAt = slot.fetchedAt
            var request = FetchRequest(url: page.url)
            request.purpose = .page
            request.askedAt = requestedAt
            self.parts.fetcher.submit(request) { result in
                self.extractQueue.async {
                    self.deliver(
                        self.processor.processPage(
                            nil,
                            link: page.url,
                            source: page.source,
                            evidence: page,
                            requestedAt: requestedAt,
                            result
                        ),
                        at: sequence
                    )
                }
            }
            return
        }
        var items = slot.items
        slot.items = []
        let admitted = self.processor.admitted(items, settings: slot.settings, fetchedAt: slot.fetchedAt)
        // Items built from the feed alone go to the extract queue, and their records to the
        // sink, a few at a time: one hop per batch rather than per item.
        var batch: [FeedItem] = []
        let (settings, fetchedAt) = (slot.settings, slot.fetchedAt)
        func sendBatch() {
            guard !batch.isEmpty else { return }
            let items = batch
            batch = []
            self.extractQueue.async {
                let outcomes = items.map {
                    (self.processor.articleFromFeed($0, fetchedAt: fetchedAt, settings: settings), $0.sequence)
                }
                self.sinkQueue.async {
                    var released = 0
                    for (outcome, sequence) in outcomes { released += self.output.insert(outcome, at: sequence) }
                    self.release(released)
                }
            }
        }
        for index in items.indices {
            let item = items[index]
            items[index] = FeedItem(sequence: item.sequence, feedURL: "", feedTitle: nil, entry: FeedEntry())
            self.pageWindow.wait()
            if !admitted[index] {
                self.deliver(.filtered, at: item.sequence)
            } else if Self.buildsFromFeed(item, pages: slot.pages) {
                batch.append(item)
                if batch.count >= self.feedBatch { sendBatch() }
            } else {
                self.route(item, settings: settings, fetchedAt: fetchedAt)
            }
        }
        sendBatch()
    }

    /// Feed-only items sent on together (at most; a feed's last batch may be smaller). A
    /// quarter of the page window at most: the items of a batch being filled hold window
    /// places, and the items admitted before them always leave some to wait for.
    private var feedBatch: Int { max(1, min(16, self.options.pagesInFlight / 4)) }

    /// Whether `item` becomes an article from the feed's own content rather than its page.
    private static func buildsFromFeed(_ item: FeedItem, pages: PageMode) -> Bool {
        let link = item.entry.link.flatMap { WebURL.isWeb($0) ? $0 : nil }
        switch pages {
        case .never: return true
        case .missing:
            return ArticleAssembler.isSubstantial(ArticleAssembler.feedText(item.entry))
                || (link == nil && !ArticleAssembler.feedText(item.entry).isEmpty)
        case .always: return link == nil && !ArticleAssembler.feedText(item.entry).isEmpty
        }
    }

    /// Sends one feed item that is not built from the feed alone to its page, or straight to
    /// the output when it has no page to follow or its page was seen.
    private func route(_ item: FeedItem, settings: FeedSettings, fetchedAt: Date) {
        let link = item.entry.link.flatMap { WebURL.isWeb($0) ? $0 : nil }
        guard let link else {
            let record = ErrorRecord(
                kind: .parse,
                stage: .feed,
                url: item.entry.link ?? item.entry.id ?? item.feedURL,
                feed: item.feedURL,
                message: "feed entry has no http(s) link to follow and no content of its own",
                at: self.parts.clock.now(after: fetchedAt)
            )
            self.deliver(.failure(record), at: item.sequence)
            return
        }
        if !self.options.refetch && self.sinkQueue.sync(execute: { self.output.hasSeen(link: link) }) {
            self.deliver(.seen, at: item.sequence)
            return
        }
        var request = settings.request.request(for: link)
        request.purpose = .page
        request.askedAt = fetchedAt
        self.parts.fetcher.submit(request) { result in
            self.extractQueue.async {
                self.deliver(
                    self.processor.processPage(
                        item,
                        link: link,
                        source: nil,
                        settings: settings,
                        requestedAt: fetchedAt,
                        result
                    ),
                    at: item.sequence
                )
            }
        }
    }

    // MARK: sink queue

    private func deliver(_ outcome: Outcome, at sequence: SequenceNumber) {
        self.sinkQueue.async { self.release(self.output.insert(outcome, at: sequence)) }
    }

    /// Runs on `sinkQueue`: frees window places for released items, reports progress and
    /// signals the end of the run.
    private func release(_ released: Int) {
        for _ in 0..<released { self.pageWindow.signal() }
        for warning in self.output.takeWarnings() {
            self.logger.info("date rejected", metadata: ["detail": "\(warning)"])
        }
        if released > 0 || self.output.isFinished { self.onProgress?(self.output.summary) }
        if self.output.isFinished && !self.output.signalled {
            self.output.signalled = true
            self.done.signal()
        }
    }
}
