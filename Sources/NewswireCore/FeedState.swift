public import struct Foundation.Date

/// What the state store keeps of one feed: HTTP validators for conditional GET, its polling
/// schedule and its health (for `newswire status`).
public struct FeedState: Sendable, Hashable {
    /// The feed's URL as the pipeline names it.
    public var url: String
    /// The last `ETag` response header, sent back as `If-None-Match`.
    public var etag: String?
    /// The last `Last-Modified` response header, sent back as `If-Modified-Since`.
    public var lastModified: String?
    /// When the feed was last fetched, successfully or not.
    public var lastAttemptAt: Date?
    /// When the feed was last fetched and parsed.
    public var lastSuccessAt: Date?
    /// When the feed is due next.
    public var nextPollAt: Date?
    /// The current polling interval (adaptive; grows with backoff).
    public var intervalSeconds: Double?
    /// Failures since the last success.
    public var consecutiveFailures: Int
    /// The message of the last failure.
    public var lastError: String?
    /// When the feed last announced an item not seen before.
    public var lastNewItemAt: Date?
    /// A key of the first item of the last successful poll, to count new items in the next.
    public var lastItemKey: Int64?
    /// Where the feed now lives, after a permanent redirect (301, 308); polled instead of ``url``.
    public var location: String?
    /// When the feed answered 410 Gone (cleared when it answers again).
    public var goneAt: Date?
    /// The HTTP status of the last response, if any.
    public var lastStatus: Int?

    public init(
        url: String,
        etag: String? = nil,
        lastModified: String? = nil,
        lastAttemptAt: Date? = nil,
        lastSuccessAt: Date? = nil,
        nextPollAt: Date? = nil,
        intervalSeconds: Double? = nil,
        consecutiveFailures: Int = 0,
        lastError: String? = nil,
        lastNewItemAt: Date? = nil,
        lastItemKey: Int64? = nil,
        location: String? = nil,
        goneAt: Date? = nil,
        lastStatus: Int? = nil
    ) {
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
        self.lastAttemptAt = lastAttemptAt
        self.lastSuccessAt = lastSuccessAt
        self.nextPollAt = nextPollAt
        self.intervalSeconds = intervalSeconds
        self.consecutiveFailures = consecutiveFailures
        self.lastError = lastError
        self.lastNewItemAt = lastNewItemAt
        self.lastItemKey = lastItemKey
        self.location = location
        self.goneAt = goneAt
        self.lastStatus = lastStatus
    }
}
