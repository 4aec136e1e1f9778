import ArgumentParser
import Logging
import NewswireCore
import NewswireEntities
import NewswireMarkup
import NewswirePipeline

/// The options of every command that runs a pipeline (`crawl`, `watch`, `replay`): where
/// its records go, the state it keeps, and whether articles are tagged.
struct RunOptions: ParsableArguments {
    @Option(
        name: .shortAndLong,
        help: "Write articles here instead of the pipeline's output (\"-\" is standard output)."
    )
    var output: String?

    @Option(help: "Write error records here (\"-\" is standard error, as JSON lines).")
    var errors: String?

    @Option(help: "The state file instead of the pipeline's state: (validators, seen articles, checkpoints).")
    var state: String?

    @Flag(inversion: .prefixedNo, help: "Tag articles with entities.")
    var entities = true

    /// The command line over the pipeline file.
    func apply(to configuration: inout PipelineConfiguration) {
        if let output = self.output { configuration.output = output }
        if let errors = self.errors { configuration.errors = errors }
        if let state = self.state { configuration.state = state }
        if !self.entities { configuration.entities = false }
    }

    /// The stages of a run: the entity model ships with the binary; without it the articles
    /// still flow, untagged, with a warning.
    static func stages(for configuration: PipelineConfiguration, logger: Logger) -> PipelineStages {
        var entities: (any EntityExtracting)?
        do {
            entities = configuration.entities ? try EntityTagger.loadDefault() : nil
        } catch {
            logger.warning(
                "entity model not loaded; articles are written without entities",
                metadata: ["error": "\(error)"]
            )
        }
        return PipelineStages(feedParser: FeedParser(), extractor: ArticleExtractor(), entities: entities)
    }
}

/// The options of the commands that fetch from the network (`crawl`, `watch`).
struct FetchRunOptions: ParsableArguments {
    @Option(help: "Archive every HTTP exchange to rotating WARC files in this folder (for newswire replay).")
    var archive: String?

    @Option(help: "Follow items to their pages: always, missing (only items without full content), never.")
    var pages: PageMode?

    @OptionGroup var network: NetworkOptions

    /// The command line over the pipeline file.
    func apply(to configuration: inout PipelineConfiguration) {
        if let archive = self.archive { configuration.archive = archive }
        if let pages = self.pages { configuration.pages = pages }
        configuration.allowNetworks += self.network.allowNetworks
    }
}
