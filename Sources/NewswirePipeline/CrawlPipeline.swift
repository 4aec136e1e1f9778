import Foundation
public import Logging
public import NewswireCore
import NewswireDedup
import NewswireFetch
import NewswireSink
import NewswireState

#if canImport(Glibc)
import Glibc
#endif

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

/// A run that could not start or could not finish (the state, the output, or the engine):
/// the CLI exits with status 2 for it.
public struct RunError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}

/// One pass over every feed of a pipeline (`newswire crawl`): the engine with the feed list
/// as its source, libcurl as its fetcher, the NDJSON files as its sink and the SQLite file
/// (if the pipeline names one) as its state.
public final class CrawlPipeline: Sendable {
    private let configuration: PipelineConfiguration
    private let stages: PipelineStages
    let clock: any NewswireClock
    let logger: Logger
    private let onProgress: (@Sendable (CrawlSummary) -> Void)?

    public init(
        configuration: PipelineConfiguration,
        stages: PipelineStages,
        clock: any NewswireClock = SystemClock(),
        logger: Logger,
        onProgress: (@Sendable (CrawlSummary) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.stages = stages
        self.clock = clock
        self.logger = logger
        self.onProgress = onProgress
    }

    /// Runs the crawl to the end and returns its counts. Blocks the calling thread.
    ///
    /// - Throws: ``RunError`` when the state store is held by another run or cannot be
    ///   opened, or the output cannot be opened, recovered or written; feed and page
    ///   failures are error records, not thrown.
    public func run() throws -> CrawlSummary {
        var configuration = self.configuration
        let state = try RunState.open(configuration, logger: self.logger)
        let store = state?.store
        defer { withExtendedLifetime(state?.lock) {} }
        let sink: any PipelineSink
        do {
            sink = try Self.makeSink(
                configuration: self.configuration,
                journalFolder: state?.journalFolder,
                outbox: state?.outbox,
                logger: self.logger,
                clock: self.clock
            )
        } catch {
            throw RunError("\(error)")
        }
        if store == nil, configuration.outputRotate == nil,
            case .file(let path) = LineWriter.Destination(path: configuration.output),
            Self.isNonEmptyRegularFile(path)
        {
            self.logger.warning(
                "appending to a non-empty output without a state file: articles of earlier runs will be written again",
                metadata: ["output": "\(path)"]
            )
        }
        let recorder = try self.makeRecorder(configuration, store: store)
        let fetcher = self.makeFetcher(configuration.effectiveFetchOptions, recorder: recorder)
        defer { fetcher.shutdown() }
        if !configuration.discover.isEmpty {
            let known = Set(((try? store?.allFeedStates()) ?? []).map(\.url))
            configuration = SiteDiscovery(kinds: configuration.discover).expand(
                configuration,
                fetcher: fetcher,
                knownFeeds: known,
                logger: self.logger
            )
        }
        var stages = self.stages
        if !configuration.entities { stages.entities = nil }
        var options = EngineOptions()
        options.pagesInFlight = configuration.pagesInFlight
        options.refetch = configuration.refetch
        options.dedup.mode = configuration.dedupMode == .drop ? .drop : .annotate
        options.dedup.windowDays = Double(configuration.dedupWindowDays)
        let engine = Engine(
            parts: EngineParts(fetcher: fetcher, stages: stages, clock: self.clock),
            options: options,
            logger: self.logger,
            onProgress: self.onProgress
        )
        var source: any WorkSource = FeedListSource(configuration.feeds.map { configuration.task(for: $0) })
        // Sitemaps (after the feeds) get their own fetcher: their body limit is the
        // sitemap protocol's 50 MB, above the pages' default.
        var sitemapFetcher: (any DocumentFetching)?
        if !configuration.sitemaps.isEmpty {
            var fetchOptions = configuration.effectiveFetchOptions
            fetchOptions.maxBodyBytes = max(fetchOptions.maxBodyBytes, configuration.sitemapOptions.maxBodyBytes)
            let fetcher = self.makeFetcher(fetchOptions, recorder: recorder)
            sitemapFetcher = fetcher
            var states: [String: FeedState] = [:]
            do {
                for state in try store?.allFeedStates() ?? [] { states[state.url] = state }
            } catch {
                throw RunError("\(error)")
            }
            var sitemapOptions = configuration.sitemapOptions
            sitemapOptions.sitemap.refetch = configuration.refetch
            source = ChainedSource([
                source,
                SitemapSource(
                    sitemaps: configuration.sitemaps,
                    fetcher: fetcher,
                    states: states,
                    clock: self.clock,
                    options: sitemapOptions
                ),
            ])
        }
        defer { sitemapFetcher?.shutdown() }
        let relay = try OutboxPublishing.make(configuration, outbox: state?.outbox, logger: self.logger)
        relay?.start()
        defer { relay?.stop() }
        do {
            let archiving = recorder.map { ArchivingSink(sink, recorder: $0) as any RecordSink }
            let summary = try engine.run(source, sink: archiving ?? sink, store: store)
            try recorder?.close()
            relay?.finish(logger: self.logger)
            for note in sink.recoveryNotes { self.logger.info("output recovered", metadata: ["detail": "\(note)"]) }
            return summary
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError("\(error)")
        }
    }

    /// The NDJSON files of `configuration`, with their journals in `journalFolder`.
    static func makeSink(
        configuration: PipelineConfiguration,
        journalFolder: String?,
        outbox: (any OutboxStore)? = nil,
        logger: Logger,
        clock: any NewswireClock = SystemClock()
    ) throws -> any PipelineSink {
        func journal(_ path: String) -> String? {
            journalFolder.map { $0 + "/" + String(Self.fnv1a(path), radix: 16) + ".journal" }
        }
        func errorsWriter() throws -> LineWriter? {
            guard let path = configuration.errorsPath else { return nil }
            let destination = path == "-" ? LineWriter.Destination.standardError : Self.destination(path)
            return try LineWriter(destination, journal: destination.filePath.flatMap(journal))
        }
        func logError(_ record: ErrorRecord) {
            logger.warning(
                "\(record.stage) error",
                metadata: ["kind": "\(record.kind)", "url": "\(record.url)", "message": "\(record.message)"]
            )
        }
        if let broker = configuration.brokerOutput {
            guard let outbox else {
                throw RunError("the state store keeps no outbox, which \(broker) needs")
            }
            let errors = try errorsWriter()
            let logErrors = errors == nil
            return OutboxSink(
                outbox: outbox,
                errors: errors,
                maxPending: configuration.outboxLimit,
                onWait: { status in
                    logger.warning(
                        "the outbox is full: waiting for the relay to publish",
                        metadata: ["outbox": "\(status.count)"]
                    )
                },
                onError: { record in if logErrors { logError(record) } }
            )
        }
        if let policy = configuration.outputRotate {
            return try RotatingNDJSONSink(
                output: configuration.output,
                errors: configuration.errors,
                policy: policy,
                clock: clock,
                journalFolder: journalFolder
            )
        }
        let articlesDestination = Self.destination(configuration.output)
        let articles = try LineWriter(articlesDestination, journal: articlesDestination.filePath.flatMap(journal))
        let errors = try errorsWriter()
        let logErrors = errors == nil
        return NDJSONSink(articles: articles, errors: errors) { record in
            if logErrors { logError(record) }
        }
    }

    /// `-` is standard output; a file path is made absolute, so its checkpoint names one file.
    private static func destination(_ path: String) -> LineWriter.Destination {
        guard path != "-" else { return .standardOutput }
        return .file(URL(fileURLWithPath: path).standardizedFileURL.path)
    }

    private static func isNonEmptyRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && info.st_size > 0
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return value
    }
}

extension LineWriter.Destination {
    fileprivate var filePath: String? {
        if case .file(let path) = self { return path }
        return nil
    }
}

/// A sink the pipelines build from the pipeline file: one NDJSON file or stream, or files
/// rotated by size or time; either tells what its recovery did.
protocol PipelineSink: RecordSink {
    var recoveryNotes: [String] { get }
}

extension NDJSONSink: PipelineSink {}
extension OutboxSink: PipelineSink {}
extension RotatingNDJSONSink: PipelineSink {}
