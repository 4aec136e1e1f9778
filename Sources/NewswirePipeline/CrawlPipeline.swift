import Dispatch
import Foundation
public import Logging
public import NewswireCore
import NewswireDedup
import NewswireFetch
import NewswireSink
import Synchronization

/// The stage implementations a pipeline runs. Each is a stateless `Sendable` value called
/// from the concurrent CPU queues.
public struct PipelineStages: Sendable {
    public var feedParser: any FeedParsing
    public var extractor: any ArticleExtracting
    /// `nil` leaves the `entities` field out of the records.
    public var entities: (any EntityExtracting)?

    public init(feedParser: any FeedParsing, extractor: any ArticleExtracting, entities: (any EntityExtracting)?) {
        self.feedParser = feedParser
        self.extractor = extractor
        self.entities = entities
    }
}

/// One pass over every feed of a pipeline: fetch → parse feed → fetch page → extract →
/// entities → (reorder) → dedup → sink.
///
/// Threads and queues: one source loop submits feed fetches; libcurl's driver thread hands
/// completions to the concurrent `parse` and `extract` queues (CPU stages, as wide as the
/// machine); one scheduler thread admits parsed feeds in source order and submits their
/// pages; the serial `sink` queue restores source order, decides duplicates and writes.
/// Two counting windows bound memory: feeds between fetch and admission, and pages between
/// admission and output. Admission in source order keeps the earliest unfinished page
/// always inside the window, so the windows cannot deadlock.
public final class CrawlPipeline: Sendable {
    private let configuration: PipelineConfiguration
    private let stages: PipelineStages
    private let logger: Logger
    private let onProgress: (@Sendable (CrawlSummary) -> Void)?

    public init(
        configuration: PipelineConfiguration,
        stages: PipelineStages,
        logger: Logger,
        onProgress: (@Sendable (CrawlSummary) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.stages = stages
        self.logger = logger
        self.onProgress = onProgress
    }

    /// Runs the crawl to the end and returns its counts. Blocks the calling thread.
    ///
    /// - Throws: ``StageError`` when the output cannot be opened or written; feed and page
    ///   failures are error records, not thrown.
    public func run() throws -> CrawlSummary {
        let started = ContinuousClock.now
        // Before the sink opens the files: the stage cuts off output a killed run left uncommitted.
        let dedup = try DedupStage(configuration: self.configuration, logger: self.logger)
        let articles = try LineWriter(LineWriter.Destination(path: self.configuration.output))
        let errors = try self.configuration.errorsPath.map { try LineWriter(.file($0)) }
        let logger = self.logger
        let sink = NDJSONSink(articles: articles, errors: errors) { record in
            guard errors == nil else { return }
            logger.warning(
                "\(record.stage) error",
                metadata: ["kind": "\(record.kind)", "url": "\(record.url)", "message": "\(record.message)"]
            )
        }
        let fetcher = Fetcher(options: self.configuration.effectiveFetchOptions, logger: self.logger)
        defer { fetcher.shutdown() }
        let run = Run(
            configuration: self.configuration,
            stages: self.stages,
            fetcher: fetcher,
            sink: sink,
            dedup: dedup,
            logger: self.logger,
            onProgress: self.onProgress
        )
        var summary = try run.start()
        let elapsed = ContinuousClock.now - started
        summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return summary
    }
}

/// What one position of the stream turned out to be.
private enum Outcome: Sendable {
    /// The feed itself (item 0 of every feed): fetched and parsed, or failed.
    case feed(ok: Bool, items: Int, error: ErrorRecord?)
    case article(Article, warnings: [String])
    case failure(ErrorRecord)
}

/// A parsed feed waiting for admission.
private struct ParsedSource: Sendable {
    var index: Int
    var items: [FeedItem]
    var outcome: Outcome
}

/// The state of one run. The sink-queue state lives in `SinkState`, touched only on `sinkQueue`.
private final class Run: Sendable {
    let configuration: PipelineConfiguration
    let stages: PipelineStages
    let fetcher: Fetcher
    let logger: Logger
    let onProgress: (@Sendable (CrawlSummary) -> Void)?
    let assembler = ArticleAssembler()

    let parseQueue = DispatchQueue(label: "newswire.parse", qos: .userInitiated, attributes: .concurrent)
    let extractQueue = DispatchQueue(label: "newswire.extract", qos: .userInitiated, attributes: .concurrent)
    let sinkQueue = DispatchQueue(label: "newswire.sink", qos: .userInitiated)
    let feedWindow: DispatchSemaphore
    let pageWindow: DispatchSemaphore
    let admissions: BoundedQueue<ParsedSource>
    let done = DispatchSemaphore(value: 0)
    // Touched only on `sinkQueue`.
    nonisolated(unsafe) let sinkState: SinkState

    init(
        configuration: PipelineConfiguration,
        stages: PipelineStages,
        fetcher: Fetcher,
        sink: NDJSONSink,
        dedup: DedupStage,
        logger: Logger,
        onProgress: (@Sendable (CrawlSummary) -> Void)?
    ) {
        self.configuration = configuration
        self.stages = stages
        self.fetcher = fetcher
        self.logger = logger
        self.onProgress = onProgress
        let feedsAtOnce = max(1, min(64, configuration.feeds.count))
        self.feedWindow = DispatchSemaphore(value: feedsAtOnce)
        self.pageWindow = DispatchSemaphore(value: max(1, configuration.pagesInFlight))
        self.admissions = BoundedQueue(capacity: feedsAtOnce)
        self.sinkState = SinkState(sink: sink, feedCount: configuration.feeds.count, dedup: dedup)
    }

    func start() throws -> CrawlSummary {
        let feeds = self.configuration.feeds
        let scheduler = Thread { self.admitInOrder(feedCount: feeds.count) }
        scheduler.name = "newswire-scheduler"
        scheduler.start()
        for (index, source) in feeds.enumerated() {
            self.feedWindow.wait()
            self.fetcher.submit(FetchRequest(url: source.url)) { result in
                self.parseQueue.async { self.admissions.put(self.parseFeed(index: index, source: source, result)) }
            }
        }
        self.done.wait()
        return try self.sinkQueue.sync {
            try self.sinkState.finish()
            return self.sinkState.summary
        }
    }

    // MARK: parse feed (concurrent queue)

    private func parseFeed(
        index: Int,
        source: PipelineConfiguration.FeedSource,
        _ result: Result<FetchedDocument, FetchError>
    ) -> ParsedSource {
        let document: FetchedDocument
        switch result {
        case .failure(let error):
            let record = ErrorRecord(kind: error.code.errorKind, stage: .fetch, url: source.url, message: error.message)
            return ParsedSource(index: index, items: [], outcome: .feed(ok: false, items: 0, error: record))
        case .success(let fetched):
            document = fetched
        }
        guard (200..<300).contains(document.status) else {
            let record = ErrorRecord(
                kind: .httpStatus,
                stage: .fetch,
                url: source.url,
                message: "HTTP \(document.status)",
                status: document.status
            )
            return ParsedSource(index: index, items: [], outcome: .feed(ok: false, items: 0, error: record))
        }
        let parsed = self.stages.feedParser.parseFeed(document)
        if parsed.entries.isEmpty, let message = parsed.error {
            let record = ErrorRecord(kind: .parse, stage: .feed, url: source.url, message: message)
            return ParsedSource(index: index, items: [], outcome: .feed(ok: false, items: 0, error: record))
        }
        // The feed's own title; the name the pipeline gave it when the feed has none.
        let title = parsed.metadata.title ?? source.name
        let items = parsed.entries.enumerated().map { offset, entry in
            FeedItem(
                sequence: SequenceNumber(feed: index, item: offset + 1),
                feedURL: source.url,
                feedTitle: title,
                entry: entry
            )
        }
        self.logger.debug("feed parsed", metadata: ["feed.url": "\(source.url)", "items": "\(items.count)"])
        let limit = parsed.limitRecord(feedURL: source.url)
        return ParsedSource(index: index, items: items, outcome: .feed(ok: true, items: items.count, error: limit))
    }

    // MARK: admission (scheduler thread)

    private func admitInOrder(feedCount: Int) {
        var pending: [Int: ParsedSource] = [:]
        var next = 0
        while next < feedCount, let parsed = self.admissions.take() {
            pending[parsed.index] = parsed
            while let source = pending.removeValue(forKey: next) {
                self.sinkQueue.async {
                    self.sinkState.expect(items: source.items.count + 1, forFeed: source.index)
                    self.release(self.sinkState.insert(source.outcome, at: SequenceNumber(feed: source.index, item: 0)))
                }
                for item in source.items {
                    self.pageWindow.wait()
                    self.fetchPage(item)
                }
                self.feedWindow.signal()
                next += 1
            }
        }
    }

    // MARK: fetch page, extract, entities

    private func fetchPage(_ item: FeedItem) {
        guard let link = item.entry.link,
            link.lowercased().hasPrefix("http://") || link.lowercased().hasPrefix("https://")
        else {
            let record = ErrorRecord(
                kind: .parse,
                stage: .feed,
                url: item.entry.link ?? item.entry.id ?? item.feedURL,
                feed: item.feedURL,
                message: "feed entry has no http(s) link to follow"
            )
            self.deliver(.failure(record), at: item.sequence)
            return
        }
        self.fetcher.submit(FetchRequest(url: link)) { result in
            self.extractQueue.async { self.deliver(self.process(item, link: link, result), at: item.sequence) }
        }
    }

    private func process(_ item: FeedItem, link: String, _ result: Result<FetchedDocument, FetchError>) -> Outcome {
        let document: FetchedDocument
        switch result {
        case .failure(let error):
            return .failure(
                ErrorRecord(
                    kind: error.code.errorKind,
                    stage: .page,
                    url: link,
                    feed: item.feedURL,
                    message: error.message
                )
            )
        case .success(let fetched):
            document = fetched
        }
        guard (200..<300).contains(document.status) else {
            return .failure(
                ErrorRecord(
                    kind: .httpStatus,
                    stage: .page,
                    url: link,
                    feed: item.feedURL,
                    message: "HTTP \(document.status)",
                    status: document.status
                )
            )
        }
        let page: ExtractedPage
        do {
            page = try self.stages.extractor.extractArticle(from: document)
        } catch let error as StageError {
            return .failure(
                ErrorRecord(kind: error.kind, stage: .extract, url: link, feed: item.feedURL, message: error.message)
            )
        } catch {
            return .failure(
                ErrorRecord(kind: .internal, stage: .extract, url: link, feed: item.feedURL, message: "\(error)")
            )
        }
        var (article, warnings) = self.assembler.assemble(item: item, document: document, page: page)
        if let entities = self.stages.entities {
            article.entities = entities.extractEntities(title: article.title, text: article.text)
        }
        return .article(article, warnings: warnings)
    }

    // MARK: sink queue

    private func deliver(_ outcome: Outcome, at sequence: SequenceNumber) {
        self.sinkQueue.async { self.release(self.sinkState.insert(outcome, at: sequence)) }
    }

    /// Runs on `sinkQueue`: frees window places for released pages, reports progress and
    /// signals the end of the run.
    private func release(_ released: Int) {
        for _ in 0..<released { self.pageWindow.signal() }
        for warning in self.sinkState.takeWarnings() {
            self.logger.info("date rejected", metadata: ["detail": "\(warning)"])
        }
        if released > 0 || self.sinkState.isFinished { self.onProgress?(self.sinkState.summary) }
        if self.sinkState.isFinished && !self.sinkState.signalled {
            self.sinkState.signalled = true
            self.done.signal()
        }
    }
}

/// The sink stage's state: reorder buffer, duplicate decisions, writer and counts.
///
/// Confined to the pipeline's serial sink queue.
private final class SinkState {
    private var reorder = ReorderBuffer<(SequenceNumber, Outcome)>()
    private let sink: NDJSONSink
    private let feedCount: Int
    private let dedup: DedupStage
    private var warnings: [String] = []
    private var writeFailure: (any Error)?
    var summary = CrawlSummary()
    var signalled = false

    init(sink: NDJSONSink, feedCount: Int, dedup: DedupStage) {
        self.sink = sink
        self.feedCount = feedCount
        self.dedup = dedup
        self.summary.feedsTotal = feedCount
    }

    var isFinished: Bool { self.reorder.position.feed >= self.feedCount }

    func expect(items: Int, forFeed feed: Int) {
        self.handle(self.reorder.setItemCount(items, forFeed: feed))
    }

    /// Inserts one outcome; returns how many page positions (item ≥ 1) were released.
    func insert(_ outcome: Outcome, at sequence: SequenceNumber) -> Int {
        self.handle(self.reorder.insert((sequence, outcome), at: sequence))
    }

    func takeWarnings() -> [String] {
        defer { self.warnings.removeAll() }
        return self.warnings
    }

    @discardableResult
    private func handle(_ released: [(SequenceNumber, Outcome)]) -> Int {
        var pages = 0
        for (sequence, outcome) in released {
            if sequence.item > 0 {
                pages += 1
                self.summary.pagesDone += 1
            }
            switch outcome {
            case .feed(let ok, let items, let error):
                if ok { self.summary.feedsOK += 1 } else { self.summary.feedsFailed += 1 }
                self.summary.items += items
                if let error { self.write(error) }
            case .article(var article, let warnings):
                self.warnings += warnings
                let decision = self.dedup.decide(&article)
                if decision.reason != .new && decision.reason != .update { self.summary.duplicates += 1 }
                if decision.emit { self.write(article) }
            case .failure(let error):
                self.write(error)
            }
        }
        if let last = released.last?.0, self.writeFailure == nil {
            do {
                try self.dedup.released(through: last, records: released.count, sink: self.sink)
            } catch {
                self.writeFailure = error
            }
        }
        return pages
    }

    private func write(_ article: Article) {
        do {
            try self.sink.write(article)
            self.summary.articles += 1
        } catch {
            self.writeFailure = self.writeFailure ?? error
        }
    }

    private func write(_ error: ErrorRecord) {
        do {
            try self.sink.write(error)
            self.summary.errors += 1
        } catch {
            self.writeFailure = self.writeFailure ?? error
        }
    }

    func finish() throws {
        if let failure = self.writeFailure { throw failure }
        try self.dedup.commit(sink: self.sink)
    }
}

@available(*, unavailable)
extension SinkState: Sendable {}
