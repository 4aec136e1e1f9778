public import NewswireFetch

/// Everything a run needs to know: the feeds, fetch policy, stage options and where output goes.
///
/// Built from a pipeline file by ``PipelineFile/load(path:environment:)`` or from command-line
/// arguments. Paths are absolute or relative to the current directory once loaded.
public struct PipelineConfiguration: Sendable, Hashable {
    /// One feed to read.
    public struct FeedSource: Sendable, Hashable {
        public var url: String
        public var name: String?

        public init(url: String, name: String? = nil) {
            self.url = url
            self.name = name
        }
    }

    /// What the dedup stage does with a duplicate.
    public enum DedupMode: String, Sendable, Hashable, CaseIterable {
        /// Emit it with `duplicate_of` set.
        case annotate
        /// Leave it out of the stream.
        case drop
    }

    public var name: String
    /// Feeds named directly, then those of the OPML file, in that order.
    public var feeds: [FeedSource]
    /// The OPML file the feeds were read from, if any.
    public var opml: String?
    /// CIDR blocks of private or loopback addresses that may be fetched.
    public var allowNetworks: [String]
    /// NDJSON output path; `-` is standard output.
    public var output: String
    /// Error records path; `nil` means `OUTPUT.errors.ndjson` beside a file output, or
    /// standard error (as log lines) when the output is standard output.
    public var errors: String?
    /// The state store's path.
    public var state: String?
    public var fetch: FetchOptions
    public var dedupMode: DedupMode
    public var dedupWindowDays: Int
    /// Article pages fetched or waiting for output at once: bounds memory.
    public var pagesInFlight: Int

    public init(
        name: String = "crawl",
        feeds: [FeedSource] = [],
        opml: String? = nil,
        allowNetworks: [String] = [],
        output: String = "-",
        errors: String? = nil,
        state: String? = nil,
        fetch: FetchOptions = FetchOptions(),
        dedupMode: DedupMode = .annotate,
        dedupWindowDays: Int = 30,
        pagesInFlight: Int = 128
    ) {
        self.name = name
        self.feeds = feeds
        self.opml = opml
        self.allowNetworks = allowNetworks
        self.output = output
        self.errors = errors
        self.state = state
        self.fetch = fetch
        self.dedupMode = dedupMode
        self.dedupWindowDays = dedupWindowDays
        self.pagesInFlight = pagesInFlight
    }

    /// Where error records go: the `errors:` path, else beside a file output, else `nil` (stderr).
    public var errorsPath: String? {
        if let errors = self.errors { return errors }
        guard self.output != "-" else { return nil }
        let base = self.output.hasSuffix(".ndjson") ? String(self.output.dropLast(7)) : self.output
        return base + ".errors.ndjson"
    }
}
