public import Foundation
public import Logging
import NewswireCore
import NewswireDedup
import NewswireSink
import NewswireState

/// The pipeline over saved input (`newswire replay`): the engine with the archive as its
/// source and its fetcher, and the capture clock, so the same input gives the same bytes.
public final class ReplayPipeline: Sendable {
    /// What to replay and how.
    public struct Options: Sendable {
        /// WARC files (`.warc`, `.warc.gz`) and folders of WARC files or saved documents.
        public var sources: [String]
        /// Only captures at or after this time (and at or before `until`).
        public var from: Date?
        public var until: Date?
        /// Overrides the engine's windows (tests run the same replay at several widths).
        public var engine: EngineOptions?

        public init(sources: [String], from: Date? = nil, until: Date? = nil, engine: EngineOptions? = nil) {
            self.sources = sources
            self.from = from
            self.until = until
            self.engine = engine
        }
    }

    private let configuration: PipelineConfiguration
    private let options: Options
    private let stages: PipelineStages
    private let logger: Logger
    private let onProgress: (@Sendable (CrawlSummary) -> Void)?

    public init(
        configuration: PipelineConfiguration,
        options: Options,
        stages: PipelineStages,
        logger: Logger,
        onProgress: (@Sendable (CrawlSummary) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.options = options
        self.stages = stages
        self.logger = logger
        self.onProgress = onProgress
    }

    /// Reads the input, replays it to the end and returns its counts. Blocks the calling thread.
    ///
    /// - Throws: ``RunError`` when an input is missing or cannot be opened, the state store is
    ///   held or unusable, or the output cannot be written; damage inside an archive and pages
    ///   it lacks are error records, not thrown.
    public func run() throws -> CrawlSummary {
        let configuration = self.configuration
        let store = ArchiveStore()
        let index = try ArchiveIndex.scan(self.options.sources, store: store)
        self.logger.debug(
            "archive read",
            metadata: ["captures": "\(index.captures.count)", "faults": "\(index.faults.count)"]
        )
        let opened = try RunState.open(configuration, logger: self.logger)
        let state = opened?.store
        defer { withExtendedLifetime(opened?.lock) {} }
        let sink: any PipelineSink
        do {
            sink = try CrawlPipeline.makeSink(
                configuration: configuration,
                journalFolder: opened?.journalFolder,
                outbox: opened?.outbox,
                logger: self.logger
            )
        } catch {
            throw RunError("\(error)")
        }
        let clock = CaptureClock(ReplaySource.firstDate(of: index) ?? Date())
        let fetcher = ArchiveFetcher(index: index, store: store)
        defer { fetcher.shutdown() }
        let source = ReplaySource(
            index: index,
            store: store,
            fetcher: fetcher,
            clock: clock,
            configuration: configuration,
            parser: self.stages.feedParser,
            from: self.options.from,
            until: self.options.until
        )
        var stages = self.stages
        if !configuration.entities { stages.entities = nil }
        var options = self.options.engine ?? EngineOptions()
        if self.options.engine == nil { options.pagesInFlight = configuration.pagesInFlight }
        options.refetch = configuration.refetch
        options.dedup.mode = configuration.dedupMode == .drop ? .drop : .annotate
        options.dedup.windowDays = Double(configuration.dedupWindowDays)
        let engine = Engine(
            parts: EngineParts(fetcher: fetcher, stages: stages, clock: clock),
            options: options,
            logger: self.logger,
            onProgress: self.onProgress
        )
        let relay = try OutboxPublishing.make(configuration, outbox: opened?.outbox, logger: self.logger)
        relay?.start()
        defer { relay?.stop() }
        do {
            let summary = try engine.run(source, sink: sink, store: state)
            relay?.finish(logger: self.logger)
            for note in sink.recoveryNotes { self.logger.info("output recovered", metadata: ["detail": "\(note)"]) }
            return summary
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError("\(error)")
        }
    }
}
