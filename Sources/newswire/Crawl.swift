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
            SOURCE is a pipeline file (.yaml/.yml), an OPML file (.opml), or feed URLs
            (also one a line from --feeds FILE, "-" for standard input). Articles go to
            the pipeline's output (or --output; "-" is standard output), one JSON object
            a line; error records to the errors file; logs, progress and the closing
            summary to standard error.

            With a state file (state: or --state), a run sends conditional requests for
            the feeds, skips items whose pages an earlier run decided (counted as
            "seen"), and appends each article exactly once across runs and crashes. One
            run at a time uses a state file.

            Exit status: 0 when the run finished, even with some failed feeds; 1 when
            every feed failed; 2 when the run itself failed (state, output); 64 for bad
            arguments or a bad pipeline file.

            A pipeline file, every key (only feeds: or opml: is required):

              name: newsroom
              feeds:                        # URLs, or entries with settings:
                - https://example.org/rss.xml
                - url: https://example.net/feed.atom
                  name: Example Net         # when the feed has no title
                  user_agent: my-reader/1.0 # also: headers, cookies, auth, proxy
                  headers: {X-Api-Key: "${EXAMPLE_KEY}"}   # ${NAME}: environment
                  cookies: "consent=yes"
                  auth: {user: reader, password: "${EXAMPLE_PASSWORD}"}
                  proxy: http://127.0.0.1:3128
                  pages: missing            # always | missing | never
                  max_items: 5              # the newest five items per fetch
                  since: 48h                # or 30m, 7d, or an RFC 3339 time
                  keep: {title: [budget, "/^Council/"]}   # words, or /regex/
                  drop: {url: [sponsored], categories: [Advert]}
                  tags: [politics, wire]    # copied into each record (feed_tags)
                  min_interval: 5m          # watch: bounds of the poll interval
                  max_interval: 6h
              opml: subscriptions.opml      # more feeds; categories become tags
              allow_networks: [127.0.0.0/8] # private addresses that may be fetched
              output: out/articles.ndjson   # "-": standard output (appended to),
                                            # or kafka://BROKER[,BROKER]/TOPIC
              errors: out/errors.ndjson     # default: OUTPUT.errors.ndjson
              state: state/newsroom.sqlite  # one run at a time; or postgresql://USER@HOST/DB
                                            # shared by several workers
              archive: archive/             # every HTTP exchange as WARC files, or
                                            # {dir: archive/, rotate_bytes: 256MB}
              pages: always                 # for every feed (a feed may override)
              entities: true
              since: 7d                     # since, max_items, keep, drop, tags:
              drop: {title: ["/^Watch:/"]}  # for every feed, under theirs
              fetch:
                user_agent: newsroom/1.0    # and headers, cookies, auth, proxy
                timeout_s: 30
                connect_timeout_s: 10
                max_body_bytes: 20000000
                max_redirects: 10
                max_connections_per_host: 4
              dedup:
                mode: annotate              # annotate (duplicate_of) | drop
                window_days: 30

            An item is kept when it matches every keep field given and no drop
            pattern; words match whole words, case-insensitively. Filtered items are
            counted in the summary, not reported as errors.

            Examples:
              newswire crawl pipelines/demo.yaml
              newswire crawl https://example.org/rss.xml --state a.sqlite -o a.ndjson
              newswire crawl subscriptions.opml --since 24h --tag morning -o a.ndjson
              newswire crawl --feeds urls.txt --max-items 10 --header 'X-Key: 1'
            """
    )

    @Argument(help: "A pipeline file, an OPML file, or feed URLs.")
    var sources: [String] = []

    @Option(help: "Read feed URLs from FILE, one a line (\"-\" is standard input).")
    var feeds: String?

    @Option(help: "Skip items older than this: 48h, 30m, 7d, or an RFC 3339 time.")
    var since: String?

    @Option(help: "Keep the newest N items of each feed.")
    var maxItems: Int?

    @Option(help: "Send this header with every request, 'Name: value' (repeatable).")
    var header: [String] = []

    @Option(help: "The User-Agent for feeds and pages.")
    var userAgent: String?

    @Option(help: "A Cookie header value for every request.")
    var cookie: String?

    @Option(help: "A label copied into each record (feed_tags; repeatable).")
    var tag: [String] = []

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var fetchOptions: FetchRunOptions

    @Flag(help: "Fetch every feed and page again, ignoring validators and what the state has seen.")
    var refetch = false

    @Flag(inversion: .prefixedNo, help: "Show a progress line on a terminal.")
    var progress = true

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard !self.sources.isEmpty || self.feeds != nil else {
            throw ValidationError("name a pipeline file, an OPML file or feed URLs (or give --feeds FILE)")
        }
        if let since = self.since, Since(since) == nil {
            throw ValidationError("--since must be a duration such as 48h, 30m or 7d, or an RFC 3339 time")
        }
        if let maxItems = self.maxItems, maxItems < 1 { throw ValidationError("--max-items must be at least 1") }
        for value in self.header {
            let parts = value.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--header must look like 'Name: value', got '\(value)'")
            }
        }
        if self.feeds != nil && self.sources.contains(where: { !Self.isURL($0) }) {
            throw ValidationError("--feeds goes with feed URLs, not with a pipeline or OPML file")
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
        self.runOptions.apply(to: &configuration)
        self.fetchOptions.apply(to: &configuration)
        configuration.feedDefaults = configuration.feedDefaults.merged(with: self.commandLineSettings())
        configuration.refetch = self.refetch
        let stages = RunOptions.stages(for: configuration, logger: logger)
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
            throw ExitCode(2)
        }
        reporter.clear()
        FileHandle.standardError.write(Data("newswire: \(configuration.name): \(summary.line)\n".utf8))
        if summary.feedsOK == 0 && summary.feedsTotal > 0 {
            throw ExitCode.failure
        }
    }

    /// The per-feed settings the options give, for every feed.
    private func commandLineSettings() -> FeedSettings {
        var settings = FeedSettings()
        settings.since = self.since.flatMap(Since.init)
        settings.maxItems = self.maxItems
        settings.request.userAgent = self.userAgent
        settings.request.cookies = self.cookie
        settings.request.headers = self.header.map { value in
            let parts = value.split(separator: ":", maxSplits: 1)
            return (
                String(parts[0]).trimmingCharacters(in: .whitespaces),
                String(parts[1]).trimmingCharacters(in: .whitespaces)
            )
        }
        settings.tags = self.tag
        return settings
    }

    /// Feed URLs from --feeds: one a line; blank lines and `#` comments skipped.
    private func feedsFromFile() throws -> [String] {
        guard let path = self.feeds else { return [] }
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw PipelineFileError(file: path, message: "cannot read the feed list")
            }
            data = contents
        }
        var urls: [String] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(
            separator: "\n",
            omittingEmptySubsequences: false
        )
        .enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            // newsboat's urls file puts tags after the URL: keep the URL.
            let url = String(trimmed.split(separator: " ", maxSplits: 1)[0])
            guard Self.isURL(url) else {
                throw PipelineFileError(
                    file: path,
                    line: index + 1,
                    column: 1,
                    message: "'\(url)' is not an http or https URL"
                )
            }
            urls.append(url)
        }
        guard !urls.isEmpty else { throw PipelineFileError(file: path, message: "the feed list names no feeds") }
        return urls
    }

    private func makeConfiguration() throws -> PipelineConfiguration {
        if self.sources.allSatisfy(Self.isURL) {
            var configuration = PipelineConfiguration(
                name: "crawl",
                feeds: (self.sources + (try self.feedsFromFile())).map { PipelineConfiguration.FeedSource(url: $0) },
                output: "-"
            )
            // A URL may be a site's home page: its feeds and sitemaps are found and crawled.
            configuration.discover = Set(DiscoveryKind.allCases)
            return configuration
        }
        let path = self.sources[0]
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PipelineFileError(
                file: path,
                message: "no such file (give a pipeline file, an OPML file or feed URLs)"
            )
        }
        guard !isDirectory.boolValue else {
            throw PipelineFileError(file: path, message: "is a directory, not a pipeline or OPML file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw PipelineFileError(file: path, message: "cannot be read (permission denied)")
        }
        if path.lowercased().hasSuffix(".opml") || path.lowercased().hasSuffix(".xml") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PipelineFileError(file: path, message: "cannot read the OPML file")
            }
            let feeds = OPML.subscriptions(in: [UInt8](data)).map { PipelineConfiguration.FeedSource(subscription: $0) }
            guard !feeds.isEmpty else { throw PipelineFileError(file: path, message: "the OPML file lists no feeds") }
            return PipelineConfiguration(name: "crawl", feeds: feeds, opml: path, output: "-")
        }
        return try PipelineFile.load(path: path)
    }

    private static func isURL(_ text: String) -> Bool {
        WebURL.isWeb(text)
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
            "\r\u{1B}[K feeds \(summary.feedsOK + summary.feedsFailed)"
            + " · pages \(summary.pagesDone)/\(summary.items) · articles \(summary.articles) · errors \(summary.errors)"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func clear() {
        guard self.enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

extension PageMode: ExpressibleByArgument {}
