import ArgumentParser
import Logging
import NewswireFetch
import NewswireMarkup

/// The `newswire` command: one executable, one subcommand per mode.
@main
struct Newswire: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newswire",
        abstract: "Turns news feeds into a clean, deduplicated, entity-tagged stream of articles (NDJSON).",
        discussion: """
            Examples:
              newswire crawl pipelines/demo.yaml
              newswire crawl https://example.org/rss.xml --output articles.ndjson
              newswire watch pipelines/demo.yaml
              newswire status pipelines/demo.yaml
              newswire replay pipelines/demo.yaml archive/ --output replayed.ndjson
              newswire feed feed.xml
              newswire sitemap https://example.org/sitemap.xml
              newswire extract page.html --url https://example.org/story
              newswire entities story.txt
            """,
        version: NewswireVersion.string,
        subcommands: [
            Crawl.self, Watch.self, Status.self, Replay.self, Feed.self, Sitemap.self, Extract.self, Entities.self,
        ]
    )
}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Log level on standard error: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .notice

    @Option(help: "Log lines as text or as JSON objects (one a line).")
    var logFormat: LogFormat = .text

    /// Bootstraps logging to standard error and initialises the C libraries.
    ///
    /// Called once, at the start of a subcommand's `run()`, before any thread starts.
    func bootstrap() -> Logger {
        let level = self.logLevel
        let format = self.logFormat
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        Fetcher.initializeGlobalState()
        LibXML2.initialize()
        var logger = Logger(label: "newswire")
        logger.logLevel = level
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum NewswireVersion {
    static let string = "0.1.0"
}
