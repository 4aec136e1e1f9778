import ArgumentParser
import Foundation
import Logging
import NewswireCore
import NewswireEntities
import NewswireMarkup
import NewswirePipeline

/// `newswire replay PIPELINE SOURCE...`: the pipeline over saved input, with no network.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a pipeline over WARC files or folders of saved feeds and pages, with no network.",
        discussion: """
            SOURCE is a WARC file (.warc, .warc.gz: WARC 1.0 or 1.1, one gzip member per
            record or one for the whole file) or a folder of WARC files and saved documents
            laid out as wget --mirror leaves them (HOST/PATH, or http/HOST/PATH; the file's
            modification time is its capture time).

            The pipeline's feeds are replayed at each of their captures, in capture order;
            with "feeds: []" every feed in the archive is. Pages are read from the archive,
            never fetched: a page it lacks becomes a not_archived error record. A page
            capture that no replayed feed announced is an article page on its own, so a
            file of responses alone (a CC-NEWS WARC) is a stream of article pages. The
            clock stands at each capture's time, so the same input gives byte-identical
            output (fetched_at is the capture time). Damage in an archive becomes an error
            record naming the file and byte offset, and reading goes on.

            Without a state file (the pipeline's state: or --state) a replay starts fresh;
            with one, it skips what that state has seen and dedups against it.

            Exit status: 0 when the replay finished; 1 when every feed failed (none of the
            pipeline's feeds is in the archive) and no page was replayed; 2 when it could
            not run (a SOURCE is missing, the state or output is unusable); 64 for bad
            arguments or a bad pipeline file.

            Examples:
              newswire replay pipelines/demo.yaml archive/ -o replayed.ndjson
              newswire replay all-feeds.yaml CC-NEWS-20261201.warc.gz --no-entities
              newswire replay pipelines/demo.yaml archive/ --from 2026-12-01T00:00:00Z --until 2026-12-02T00:00:00Z
            """
    )

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Argument(help: "WARC files and folders to replay.")
    var sources: [String] = []

    @Option(help: "Only captures at or after this time (RFC 3339).")
    var from: String?

    @Option(help: "Only captures at or before this time (RFC 3339).")
    var until: String?

    @OptionGroup var runOptions: RunOptions

    @Flag(help: "Read every page again, ignoring what the state has seen.")
    var refetch = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard !self.sources.isEmpty else {
            throw ValidationError("name the WARC files or folders to replay after the pipeline file")
        }
        for (name, value) in [("--from", self.from), ("--until", self.until)] {
            if let value, DateParser.parse(value) == nil {
                throw ValidationError("\(name) must be a time such as 2026-12-01T00:00:00Z, not '\(value)'")
            }
        }
    }

    func run() throws {
        let logger = self.global.bootstrap()
        var configuration: PipelineConfiguration
        do {
            configuration = try PipelineFile.load(path: self.pipeline)
        } catch let error as PipelineFileError {
            FileHandle.standardError.write(Data("newswire: \(error)\n".utf8))
            throw ExitCode(64)
        }
        self.runOptions.apply(to: &configuration)
        configuration.refetch = self.refetch

        let stages = RunOptions.stages(for: configuration, logger: logger)
        let options = ReplayPipeline.Options(
            sources: self.sources,
            from: self.from.flatMap(DateParser.parse),
            until: self.until.flatMap(DateParser.parse)
        )
        let replay = ReplayPipeline(configuration: configuration, options: options, stages: stages, logger: logger)
        let summary: CrawlSummary
        do {
            summary = try replay.run()
        } catch {
            FileHandle.standardError.write(Data("newswire: \(error)\n".utf8))
            throw ExitCode(2)
        }
        FileHandle.standardError.write(Data("newswire: \(configuration.name): \(summary.line)\n".utf8))
        if summary.feedsOK == 0 && summary.feedsTotal > 0 && summary.pagesDone == 0 {
            throw ExitCode.failure
        }
    }
}
