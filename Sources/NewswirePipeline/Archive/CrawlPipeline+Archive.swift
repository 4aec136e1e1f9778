import NewswireCore
import NewswireFetch
import NewswireState

extension CrawlPipeline {
    /// The archive of a crawl with `archive: DIR`, brought back to the checkpoint `store` holds.
    func makeRecorder(
        _ configuration: PipelineConfiguration,
        store: (any PipelineStateStore)?
    ) throws -> ArchiveRecorder? {
        guard let directory = configuration.archive else { return nil }
        let checkpoint: String?
        do {
            checkpoint = try store?.checkpoint(named: ArchiveRecorder.checkpointName)
        } catch {
            throw RunError("\(error)")
        }
        return try ArchiveRecorder(
            directory: directory,
            rotateBytes: configuration.archiveRotateBytes,
            checkpoint: checkpoint,
            clock: self.clock
        )
    }

    /// A libcurl fetcher for `options`; with a recorder, one that keeps and archives every exchange.
    func makeFetcher(_ options: FetchOptions, recorder: ArchiveRecorder?) -> any DocumentFetching {
        guard let recorder else { return Fetcher(options: options, clock: self.clock, logger: self.logger) }
        var raw = options
        raw.keepRawExchange = true
        return ArchivingFetcher(
            Fetcher(options: raw, clock: self.clock, logger: self.logger),
            recorder: recorder,
            maxBodyBytes: options.maxBodyBytes
        )
    }
}
