public import NewswireCore
public import NewswireSink

#if canImport(Glibc)
import Glibc
#endif

/// Everything a run needs to know: the feeds, fetch policy, stage options and where output goes.
///
/// Built from a pipeline file by ``PipelineFile/load(path:environment:)`` or from command-line
/// arguments. Paths are absolute or relative to the current directory once loaded.
public struct PipelineConfiguration: Sendable, Hashable {
    /// One feed to read.
    public struct FeedSource: Sendable, Hashable {
        public var url: String
        public var name: String?
        /// This feed's own settings, laid over ``PipelineConfiguration/feedDefaults``.
        public var settings: FeedSettings

        public init(url: String, name: String? = nil, settings: FeedSettings = FeedSettings()) {
            self.url = url
            self.name = name
            self.settings = settings
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
    /// Home pages among `feeds` are replaced by the feeds and sitemaps they lead to (`discover:`).
    public var discover: Set<DiscoveryKind> = []
    /// Sitemaps and sitemap indexes, read after the feeds (`sitemaps:`).
    public var sitemaps: [String] = []
    /// How sitemap entries are chosen (`sitemap:`).
    public var sitemapOptions = SitemapSource.Options()
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
    /// The folder of WARC files every HTTP exchange of a crawl is archived to (`archive:`).
    public var archive: String?
    /// The size past which the archive begins a new WARC file (`archive: {rotate_bytes: N}`);
    /// `nil` keeps the writer's default, 1 GiB.
    public var archiveRotateBytes: Int?
    public var fetch: FetchOptions
    public var dedupMode: DedupMode
    public var dedupWindowDays: Int
    /// Article pages fetched or waiting for output at once: bounds memory.
    public var pagesInFlight: Int
    /// Whether items are followed to their pages (`pages:`).
    public var pages: PageMode = .always
    /// Whether articles are tagged with entities (`entities:`).
    public var entities = true
    /// Fetch every feed and page again, ignoring validators and what the state has seen.
    public var refetch = false
    /// Settings for every feed (`fetch:` headers, cookies, auth, proxy; the top-level
    /// `since`, `max_items`, `keep`, `drop`, `tags`), which a feed's own entry overrides.
    public var feedDefaults = FeedSettings()
    /// How `newswire watch` polls and serves (`watch:`).
    public var watch = WatchOptions()
    /// Rotate the output by size or time (`output_rotate:`); `output:` is then a file-name
    /// pattern with a UTC time (`articles-%Y%m%dT%H%M%S.ndjson`).
    public var outputRotate: RotationPolicy?

    /// The work of one feed: its settings over the pipeline's, its page mode resolved.
    public func task(for feed: FeedSource, round: Int = 0) -> FeedTask {
        let settings = self.feedDefaults.merged(with: feed.settings)
        return FeedTask(
            url: feed.url,
            name: feed.name,
            round: round,
            pages: settings.pages ?? self.pages,
            settings: settings
        )
    }

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

    /// Where error records go: the `errors:` path (`-` is standard error, as JSON lines),
    /// else beside an output that is a regular file, else `nil` (logged on standard error).
    public var errorsPath: String? {
        if let errors = self.errors { return errors }
        guard self.output != "-", self.brokerOutput == nil, !Self.isStreamOrDevice(self.output) else { return nil }
        let base = self.output.hasSuffix(".ndjson") ? String(self.output.dropLast(7)) : self.output
        return base + ".errors.ndjson"
    }

    /// The PostgreSQL URL of a state store shared by several workers (`state:
    /// postgresql://…`), or `nil` for a SQLite file.
    public var sharedState: String? {
        guard let state = self.state, state.hasPrefix("postgresql://") || state.hasPrefix("postgres://") else {
            return nil
        }
        return state
    }

    /// The `kafka://BROKER[,BROKER]/TOPIC` output, or `nil` for NDJSON.
    public var brokerOutput: String? {
        self.output.hasPrefix("kafka://") ? self.output : nil
    }

    /// Records a broker output's outbox may hold before the pipeline waits for the relay.
    public var outboxLimit = 100_000

    /// What the output and state settings cannot do together, if anything.
    public var backendProblem: String? {
        if let state = self.state, state.contains("://"), self.sharedState == nil {
            return "'state' must be a file path or a postgresql:// URL, not '\(state)'"
        }
        guard self.brokerOutput != nil else { return nil }
        if self.state == nil {
            return "a kafka:// output needs 'state:': records wait in the state store's outbox until they are published"
        }
        if self.outputRotate != nil { return "'output_rotate' does not apply to a kafka:// output" }
        return nil
    }

    /// Whether `path` names an existing pipe, socket or device (`/dev/stdout`, a FIFO): such
    /// outputs get no errors file beside them.
    public static func isStreamOrDevice(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return path.hasPrefix("/dev/") }
        let type = info.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR
    }
}

/// The daemon's settings (the pipeline file's `watch:` mapping).
public struct WatchOptions: Sendable, Hashable {
    /// Interval bounds, first interval, jitter and failure backoff.
    public var policy = PollPolicy()
    /// On SIGINT/SIGTERM, how long polls in flight may take to finish, in seconds.
    public var drainSeconds: Double = 30
    /// `HOST:PORT` of the `/metrics` and `/healthz` endpoint; `nil` serves nothing.
    public var listen: String? = "127.0.0.1:9464"
    /// Polls in flight at once (and libcurl's connections at least): a daemon watching
    /// thousands of feeds on many hosts must not wait for its slowest few.
    public var concurrency = 256
    /// With a shared state store: how long a worker's claim on a host's feeds lasts unless
    /// renewed (renewed every third of it); a dead worker's feeds move on after at most this.
    public var leaseSeconds: Double = 30

    public init() {}

    /// Splits `HOST:PORT` (`[::1]:9464` for IPv6).
    public static func hostAndPort(_ text: String) -> (host: String, port: UInt16)? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
