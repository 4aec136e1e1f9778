public import struct Foundation.Date

/// A failed feed or page, written to the error stream instead of being dropped.
///
/// Fields as in DESIGN.md: `{"kind", "stage", "url", "feed", "message", "attempt", "at"}`.
public struct ErrorRecord: Sendable, Hashable {
    public var kind: ErrorKind
    public var stage: Stage
    public var url: String
    /// The feed the failing URL came from, if any.
    public var feed: String?
    public var message: String
    /// The try of the fetch that failed (1 for the first; the fetcher retries transient failures).
    public var attempt: Int
    public var at: Date
    /// HTTP status, for `http_status` errors.
    public var status: Int?

    public init(
        kind: ErrorKind,
        stage: Stage,
        url: String,
        feed: String? = nil,
        message: String,
        attempt: Int = 1,
        at: Date = Date(),
        status: Int? = nil
    ) {
        self.kind = kind
        self.stage = stage
        self.url = url
        self.feed = feed
        self.message = message
        self.attempt = attempt
        self.at = at
        self.status = status
    }

    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("kind", self.kind.rawValue)
        json.field("stage", self.stage.rawValue)
        json.field("url", self.url)
        json.field("feed", self.feed)
        json.field("message", self.message)
        json.field("status", self.status)
        json.field("attempt", self.attempt)
        json.field("at", RFC3339.string(from: self.at))
        json.endObject()
    }

    public var jsonLine: String {
        var json = JSONWriter()
        self.write(to: &json)
        return json.string
    }
}

/// What went wrong (the error record's `kind`).
public struct ErrorKind: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let httpStatus = ErrorKind(rawValue: "http_status")
    public static let transport = ErrorKind(rawValue: "transport")
    public static let timeout = ErrorKind(rawValue: "timeout")
    public static let tooLarge = ErrorKind(rawValue: "too_large")
    public static let parse = ErrorKind(rawValue: "parse")
    public static let policy = ErrorKind(rawValue: "policy")
    public static let limit = ErrorKind(rawValue: "limit")
    /// Audio, video, images, PDF and other pages that are not HTML.
    public static let unsupportedContent = ErrorKind(rawValue: "unsupported_content")
    /// Replay: a page the archive does not hold.
    public static let notArchived = ErrorKind(rawValue: "not_archived")
    /// A page the host's `robots.txt` disallows (or an unreachable robots.txt forbids for now).
    public static let robotsDisallowed = ErrorKind(rawValue: "robots_disallowed")
    public static let `internal` = ErrorKind(rawValue: "internal")

    public var description: String { self.rawValue }
}

/// Where it went wrong (the error record's `stage`).
public struct Stage: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let fetch = Stage(rawValue: "fetch")
    public static let feed = Stage(rawValue: "feed")
    public static let page = Stage(rawValue: "page")
    public static let extract = Stage(rawValue: "extract")
    public static let entities = Stage(rawValue: "entities")
    public static let dedup = Stage(rawValue: "dedup")
    public static let sink = Stage(rawValue: "sink")

    public var description: String { self.rawValue }
}

/// An error a stage throws: a kind for the error record, and a message.
public struct StageError: Error, Sendable, Hashable, CustomStringConvertible {
    public var kind: ErrorKind
    public var message: String

    public init(_ kind: ErrorKind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(self.kind): \(self.message)" }
}
