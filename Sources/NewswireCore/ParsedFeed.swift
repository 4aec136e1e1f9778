public import struct Foundation.Date

/// A feed as parsed, in the neutral shape of the feeds-conformance corpus.
///
/// `newswire feed` prints it; the pipeline turns its entries into ``FeedItem``s.
/// Text fields hold plain text; `summary` and `content` may hold HTML, as in the feed.
public struct ParsedFeed: Sendable, Hashable {
    /// `rss2.0`, `rss1.0`, `rss0.91`…, `atom1.0`, `atom0.3`, `json1.1`…, or `nil` when unknown.
    public var format: String?
    /// The charset the document was decoded with, lower case.
    public var encoding: String?
    /// `false` when the document had to be recovered (not well-formed XML).
    public var wellFormed: Bool
    /// Why the document could not be read as a feed, when nothing usable was found.
    public var error: String?
    public var metadata: FeedMetadata
    public var entries: [FeedEntry]

    public init(
        format: String? = nil,
        encoding: String? = nil,
        wellFormed: Bool = true,
        error: String? = nil,
        metadata: FeedMetadata = FeedMetadata(),
        entries: [FeedEntry] = []
    ) {
        self.format = format
        self.encoding = encoding
        self.wellFormed = wellFormed
        self.error = error
        self.metadata = metadata
        self.entries = entries
    }
}

public struct FeedPerson: Sendable, Hashable {
    public var name: String?
    public var email: String?
    public var uri: String?

    public init(name: String? = nil, email: String? = nil, uri: String? = nil) {
        self.name = name
        self.email = email
        self.uri = uri
    }
}

public struct FeedCategory: Sendable, Hashable {
    public var term: String
    public var scheme: String?
    public var label: String?

    public init(term: String, scheme: String? = nil, label: String? = nil) {
        self.term = term
        self.scheme = scheme
        self.label = label
    }
}

public struct FeedLink: Sendable, Hashable {
    public var href: String
    public var rel: String?
    public var type: String?
    public var title: String?

    public init(href: String, rel: String? = nil, type: String? = nil, title: String? = nil) {
        self.href = href
        self.rel = rel
        self.type = type
        self.title = title
    }
}

public struct FeedEnclosure: Sendable, Hashable {
    public var url: String
    public var type: String?
    public var length: Int?

    public init(url: String, type: String? = nil, length: Int? = nil) {
        self.url = url
        self.type = type
        self.length = length
    }
}

/// Feed-level fields.
public struct FeedMetadata: Sendable, Hashable {
    public var title: String?
    public var link: String?
    public var subtitle: String?
    public var language: String?
    public var id: String?
    public var updated: Date?
    public var published: Date?
    public var author: String?
    public var authors: [FeedPerson] = []
    public var rights: String?
    public var generator: String?
    public var image: String?
    public var categories: [FeedCategory] = []
    public var links: [FeedLink] = []
    /// What the feed says of its own publishing schedule (RSS `ttl`, `skipHours`,
    /// `skipDays`; the syndication module's `updatePeriod` and `updateFrequency`).
    public var schedule = FeedSchedule()

    public init() {}
}

/// A feed's own hints for how often to poll it.
public struct FeedSchedule: Sendable, Hashable {
    /// RSS `ttl`: minutes the feed may be cached.
    public var ttlMinutes: Int?
    /// RSS `skipHours`: hours of the day (0–23, GMT) in which not to poll.
    public var skipHours: Set<Int> = []
    /// RSS `skipDays`: days (1 = Sunday … 7 = Saturday, as `Calendar` counts) on which not to poll.
    public var skipDays: Set<Int> = []
    /// `sy:updatePeriod`: hourly, daily, weekly, monthly or yearly.
    public var updatePeriod: String?
    /// `sy:updateFrequency`: how many times a period the feed is updated (default 1).
    public var updateFrequency: Int?

    public init() {}

    public var isEmpty: Bool { self == FeedSchedule() }

    /// The interval the syndication module announces, in seconds.
    public var syndicationInterval: Double? {
        guard self.updatePeriod != nil || self.updateFrequency != nil else { return nil }
        let period: Double
        switch self.updatePeriod ?? "daily" {
        case "hourly": period = 3600
        case "daily": period = 86_400
        case "weekly": period = 7 * 86_400
        case "monthly": period = 30 * 86_400
        case "yearly": period = 365 * 86_400
        default: return nil
        }
        return period / Double(max(1, self.updateFrequency ?? 1))
    }

    /// The weekday number of an English day name (`Monday` → 2).
    public static func weekday(named name: String) -> Int? {
        let days = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
        return days.firstIndex(of: name.lowercased()).map { $0 + 1 }
    }
}

/// One entry (item) of a feed.
public struct FeedEntry: Sendable, Hashable {
    public var title: String?
    /// The alternate (HTML) link, absolute.
    public var link: String?
    /// guid / atom:id.
    public var id: String?
    public var published: Date?
    public var updated: Date?
    /// The display string of the author.
    public var author: String?
    public var authors: [FeedPerson] = []
    /// description / atom:summary; may hold HTML.
    public var summary: String?
    /// content:encoded / atom:content; may hold HTML.
    public var content: String?
    public var categories: [FeedCategory] = []
    public var enclosures: [FeedEnclosure] = []
    public var links: [FeedLink] = []
    public var comments: String?
    public var rights: String?

    public init() {}
}
