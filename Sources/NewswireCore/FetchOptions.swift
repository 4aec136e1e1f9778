public import struct Foundation.Date

/// How the fetcher talks to servers; the pipeline file's `fetch:` section.
public struct FetchOptions: Sendable, Hashable {
    /// The `User-Agent` header.
    public var userAgent: String
    /// Whole-transfer limit in seconds (CURLOPT_TIMEOUT_MS).
    public var timeout: Double
    /// Connection set-up limit in seconds (CURLOPT_CONNECTTIMEOUT_MS).
    public var connectTimeout: Double
    /// Bodies larger than this are cut off and reported as `too_large`.
    public var maxBodyBytes: Int
    /// Redirects followed at most (CURLOPT_MAXREDIRS).
    public var maxRedirects: Int
    /// Transfers to one host at once at most, shared by every feed and page of the host
    /// (the fetcher's per-host queue, and CURLMOPT_MAX_HOST_CONNECTIONS for redirects).
    public var maxConnectionsPerHost: Int
    /// Open connections in all at most (CURLMOPT_MAX_TOTAL_CONNECTIONS).
    public var maxConnections: Int
    /// A transfer slower than `lowSpeedBytesPerSecond` for `lowSpeedSeconds` is aborted.
    public var lowSpeedBytesPerSecond: Int
    public var lowSpeedSeconds: Int
    /// The addresses connections may go to, checked after DNS resolution on every hop.
    /// Refuses loopback, private, link-local, multicast and reserved addresses by default.
    public var networkPolicy = NetworkPolicy()
    /// Keep each fetch's bytes as received (``FetchedDocument/exchange``) for the WARC
    /// archive: libcurl then neither de-chunks nor decodes the body.
    public var keepRawExchange = false
    /// Seconds between the starts of two requests to one host at least (0: none).
    public var perHostDelay: Double = 0
    /// Tries of one request at most: transient failures (timeouts, refused or reset
    /// connections, 408, 429, 5xx but 501) are tried again until then; 1 never retries.
    public var maxAttempts: Int = 3
    /// Seconds of the first backoff; each retry doubles it, with jitter. Also the first
    /// step of a host's slowdown after a 429 or 503.
    public var retryBaseDelay: Double = 0.5
    /// Seconds a request may wait for a retry or for its host's `Retry-After` at most: a
    /// longer `Retry-After` ends the request with its response instead, and requests queued
    /// for a host that asked for a longer pause fail at once (`host_backoff`).
    public var maxRetryWait: Double = 60
    /// Whether article pages (``FetchRequest/Purpose-swift.enum/page``) obey the host's
    /// `robots.txt` (RFC 9309). Feeds never do: a feed is published to be polled.
    public var obeysRobots = true

    public init(
        userAgent: String = FetchOptions.defaultUserAgent,
        timeout: Double = 30,
        connectTimeout: Double = 10,
        maxBodyBytes: Int = 20 * 1024 * 1024,
        maxRedirects: Int = 10,
        maxConnectionsPerHost: Int = 4,
        maxConnections: Int = 64,
        lowSpeedBytesPerSecond: Int = 100,
        lowSpeedSeconds: Int = 15
    ) {
        self.userAgent = userAgent
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBodyBytes = maxBodyBytes
        self.maxRedirects = maxRedirects
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.maxConnections = maxConnections
        self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
        self.lowSpeedSeconds = lowSpeedSeconds
    }

    public static let defaultUserAgent = "newswire/0.1 (+https://github.com/newswire)"
}

/// One HTTP GET to perform.
public struct FetchRequest: Sendable, Hashable {
    public var url: String
    /// Extra request headers, `Name: value`.
    public var headers: [String]
    /// The validators of the last response, sent back for a conditional GET
    /// (`If-None-Match`, `If-Modified-Since`): an unchanged resource then answers 304.
    public var etag: String?
    public var lastModified: String?
    /// A `User-Agent` for this request instead of the fetcher's.
    public var userAgent: String?
    /// A `Cookie` header value.
    public var cookies: String?
    /// HTTP basic credentials (never logged).
    public var auth: Credentials?
    /// A proxy URL for this request (libcurl's CURLOPT_PROXY).
    public var proxy: String?
    /// Why the request is made; decides whether `robots.txt` is obeyed.
    public var purpose = Purpose.feed
    /// The time of the work that asked for the request (for a page, its feed's fetch). The
    /// network ignores it; a replay answers with the capture made nearest after it.
    public var askedAt: Date?

    /// Why a request is made.
    public enum Purpose: String, Sendable, Hashable {
        /// A feed, sitemap or other document the pipeline names itself: `robots.txt` does
        /// not apply (publishing a feed invites polling it).
        case feed
        /// An article page a feed or sitemap led to: obeys the host's `robots.txt`.
        case page
        /// A host's `robots.txt`, fetched by the fetcher itself.
        case robots
    }

    /// A user name and password for HTTP basic authentication.
    public struct Credentials: Sendable, Hashable, CustomStringConvertible {
        public var user: String
        public var password: String

        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }

        public var description: String { "\(self.user):***" }
    }

    public init(url: String, headers: [String] = [], etag: String? = nil, lastModified: String? = nil) {
        self.url = url
        self.headers = headers
        self.etag = etag
        self.lastModified = lastModified
    }

    /// `headers` plus the conditional-GET headers the validators ask for.
    public var allHeaders: [String] {
        var result = self.headers
        if let etag = self.etag, !etag.isEmpty { result.append("If-None-Match: \(etag)") }
        if let lastModified = self.lastModified, !lastModified.isEmpty {
            result.append("If-Modified-Since: \(lastModified)")
        }
        return result
    }
}
