import ArgumentParser
import Foundation
import Logging
import NewswireCore
import NewswireEntities
import NewswireFetch
import NewswireMarkup
import NewswirePipeline
import Synchronization

/// `newswire crawl`: one pass over every feed of a pipeline, then a summary.
struct Crawl: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch every feed once, follow new items to their pages, write the article stream.",
        discussion: """
            SOURCE is a pipeline file (.yaml/.yml), an OPML file (.opml), or one or more feed URLs.
            Articles go to the pipeline's output (or --output; "-" is standard output), one JSON
            object a line; error records to the errors file; logs, progress and the closing
            summary to standard error.

            Exit status: 0 when the run finished, even with some failed feeds; 1 when every
            feed failed; 64 for bad arguments or a bad pipeline file.

            Examples:
              newswire crawl pipelines/demo.yaml
              newswire crawl pipelines/demo.yaml --output out/articles.ndjson
              newswire crawl https://example.org/rss.xml https://example.org/atom.xml
              newswire crawl subscriptions.opml --output articles.ndjson
            """
    )

    @Argument(help: "A pipeline file, an OPML file, or feed URLs.")
    var sources: [String]

    @Option(
        name: .shortAndLong,
        help: "Write articles here instead of the pipeline's output (\"-\" is standard output)."
    )
    var output: String?

    @Option(help: "Write error records here.")
    var errors: String?

    @Option(
        name: .customLong("allow-network"),
        help: "A CIDR block of private addresses that may be fetched (repeatable)."
    )
    var allowNetworks: [String] = []

    @Flag(inversion: .prefixedNo, help: "Show a progress line on a terminal.")
    var progress = true

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard !self.sources.isEmpty else { throw ValidationError("name a pipeline file, an OPML file or feed URLs") }
        for block in self.allowNetworks where CIDR(block) == nil {
            throw ValidationError("'\(block)' is not a CIDR block such as 127.0.0.0/8")
        }
        let files = self.sources.filter { !Self.isURL($0) }
        if !files.isEmpty && self.sources.count > 1 {
            throw ValidationError("give one pipeline or OPML file, or feed URLs, not both")
        }
    }

    func run() throws {
        let logger = self.global.bootstrap()
        var configuration: PipelineConfiguration
        do {
            configuration = try self.makeConfiguration()
        } catch let error as PipelineFileError {
            FileHandle.standardError.write(Data("newswire: \(error)\n".utf8))
            throw ExitCode(64)
        }
        if let output = self.output { configuration.output = output }
        if let errors = self.errors { configuration.errors = errors }
        configuration.allowNetworks += self.allowNetworks

        // The model ships with the binary; without it the articles still flow, untagged.
        var entities: (any EntityExtracting)?
        do {
            entities = try EntityTagger.loadDefault()
        } catch {
            logger.warning(
                "entity model not loaded; articles are written without entities",
                metadata: ["error": "\(error)"]
            )
        }
        let stages = PipelineStages(feedParser: FeedParser(), extractor: ArticleExtractor(), entities: entities)
        let reporter = ProgressLine(enabled: self.progress && isatty(STDERR_FILENO) != 0)
        let pipeline = CrawlPipeline(configuration: configuration, stages: stages, logger: logger) { summary in
            reporter.update(summary)
        }
        let summary: CrawlSummary
        do {
            summary = try pipeline.run()
        } catch {
            reporter.clear()
            FileHandle.standardError.write(Data("newswire: \(error)\n".utf8))
            throw ExitCode.failure
        }
        reporter.clear()
        FileHandle.standardError.write(Data("newswire: \(configuration.name): \(summary.line)\n".utf8))
        if summary.feedsOK == 0 && summary.feedsTotal > 0 {
            throw ExitCode.failure
        }
    }

    private func makeConfiguration() throws -> PipelineConfiguration {
        if self.sources.allSatisfy(Self.isURL) {
            return PipelineConfiguration(
                name: "crawl",
                feeds: self.sources.map { PipelineConfiguration.FeedSource(url: $0) },
                output: "-"
            )
        }
        let path = self.sources[0]
        if path.lowercased().hasSuffix(".opml") || path.lowercased().hasSuffix(".xml") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PipelineFileError(file: path, message: "cannot read the OPML file")
            }
            let feeds = OPML.subscriptions(in: [UInt8](data)).map {
                PipelineConfiguration.FeedSource(url: $0.feedURL, name: $0.title)
            }
            guard !feeds.isEmpty else { throw PipelineFileError(file: path, message: "the OPML file lists no feeds") }
            return PipelineConfiguration(name: "crawl", feeds: feeds, opml: path, output: "-")
        }
        return try PipelineFile.load(path: path)
    }

    private static func isURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
    }
}

/// A one-line progress display on standard error, redrawn at most ten times a second.
private final class ProgressLine: Sendable {
    private let enabled: Bool
    private let lastDrawn = Mutex<ContinuousClock.Instant?>(nil)

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func update(_ summary: CrawlSummary) {
        guard self.enabled else { return }
        let now = ContinuousClock.now
        let due = self.lastDrawn.withLock { last -> Bool in
            if let last, now - last < .milliseconds(100) { return false }
            last = now
            return true
        }
        guard due else { return }
        let line =
            "\r\u{1B}[K feeds \(summary.feedsOK + summary.feedsFailed)/\(summary.feedsTotal)"
            + " · pages \(summary.pagesDone)/\(summary.items) · articles \(summary.articles) · errors \(summary.errors)"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func clear() {
        guard self.enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
