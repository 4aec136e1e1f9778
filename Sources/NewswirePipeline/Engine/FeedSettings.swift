public import Foundation
public import NewswireCore

/// What the pipeline says about one feed beyond its URL: how to fetch it, which of its
/// items to keep, and the labels its records carry. Each setting can be given once for
/// all feeds (`fetch:` and the top-level filter keys) and overridden per feed.
public struct FeedSettings: Sendable, Hashable {
    /// Request settings sent with the feed's own fetch and its pages'.
    public var request = RequestSettings()
    /// Follow items to their pages; `nil` takes the pipeline's `pages:`.
    public var pages: PageMode?
    /// The newest items kept per fetch at most.
    public var maxItems: Int?
    /// Items older than this are skipped before any page is fetched.
    public var since: Since?
    /// Keep and drop rules.
    public var filter = ItemFilter()
    /// Labels copied into each record of the feed (`feed_tags`).
    public var tags: [String] = []
    /// For `watch`: the bounds of this feed's polling interval, in seconds.
    public var minInterval: Double?
    public var maxInterval: Double?

    public init() {}

    /// These settings with `overrides` laid over them (a per-feed entry over the pipeline's).
    public func merged(with overrides: FeedSettings) -> FeedSettings {
        var result = self
        result.request = self.request.merged(with: overrides.request)
        result.pages = overrides.pages ?? self.pages
        result.maxItems = overrides.maxItems ?? self.maxItems
        result.since = overrides.since ?? self.since
        result.filter = self.filter.merged(with: overrides.filter)
        result.tags = Self.unique(self.tags + overrides.tags)
        result.minInterval = overrides.minInterval ?? self.minInterval
        result.maxInterval = overrides.maxInterval ?? self.maxInterval
        return result
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}

/// Per-feed request settings: user agent, extra headers, cookies, HTTP basic credentials
/// and a proxy. Secrets are never written to logs, records or `status`.
public struct RequestSettings: Sendable, Hashable {
    public var userAgent: String?
    /// Extra headers, in the order given.
    public var headers: [(name: String, value: String)] = []
    /// A `Cookie` header value (`name=value; other=value`).
    public var cookies: String?
    public var auth: BasicAuth?
    /// A proxy URL for libcurl (`http://host:port`, `socks5h://host:port`).
    public var proxy: String?

    public init() {}

    public func merged(with overrides: RequestSettings) -> RequestSettings {
        var result = self
        result.userAgent = overrides.userAgent ?? self.userAgent
        let overridden = Set(overrides.headers.map { $0.name.lowercased() })
        result.headers = self.headers.filter { !overridden.contains($0.name.lowercased()) } + overrides.headers
        result.cookies = overrides.cookies ?? self.cookies
        result.auth = overrides.auth ?? self.auth
        result.proxy = overrides.proxy ?? self.proxy
        return result
    }

    /// A request for `url` with these settings.
    public func request(for url: String) -> FetchRequest {
        var request = FetchRequest(url: url, headers: self.headers.map { "\($0.name): \($0.value)" })
        request.userAgent = self.userAgent
        request.cookies = self.cookies
        request.auth = self.auth
        request.proxy = self.proxy
        return request
    }

    public static func == (lhs: RequestSettings, rhs: RequestSettings) -> Bool {
        lhs.userAgent == rhs.userAgent && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value) && lhs.cookies == rhs.cookies
            && lhs.auth == rhs.auth && lhs.proxy == rhs.proxy
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.userAgent)
        for header in self.headers {
            hasher.combine(header.name)
            hasher.combine(header.value)
        }
        hasher.combine(self.cookies)
        hasher.combine(self.auth)
        hasher.combine(self.proxy)
    }
}

/// HTTP basic credentials: the fetch request's own type (the description hides the password).
public typealias BasicAuth = FetchRequest.Credentials

/// `since:`: a duration before the run's clock (`48h`, `7d`, `90m`) or a fixed time.
public enum Since: Sendable, Hashable {
    case duration(TimeInterval)
    case time(Date)

    /// Reads `48h`, `30m`, `7d`, `2w`, `3600s` or an RFC 3339 time.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let unit = trimmed.last, let value = Double(trimmed.dropLast()), value >= 0 {
            let seconds: Double? =
                switch unit {
                case "s": 1
                case "m": 60
                case "h": 3600
                case "d": 86_400
                case "w": 604_800
                default: nil
                }
            if let seconds {
                self = .duration(value * seconds)
                return
            }
        }
        guard let date = DateParser.parse(trimmed) else { return nil }
        self = .time(date)
    }

    /// The oldest acceptable time at `now`.
    public func cutoff(now: Date) -> Date {
        switch self {
        case .duration(let seconds): now.addingTimeInterval(-seconds)
        case .time(let date): date
        }
    }
}
