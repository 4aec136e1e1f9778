public import struct Foundation.Date

/// A completed HTTP response (or a file read from disk), as bytes.
public struct FetchedDocument: Sendable, Hashable {
    /// The URL that was asked for.
    public var requestedURL: String
    /// The URL after redirects; relative links resolve against it.
    public var finalURL: String
    /// HTTP status of the last response; 200 for a file.
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var fetchedAt: Date
    /// Seconds spent in the transfer (total), when fetched over the network.
    public var duration: Double?
    /// libcurl's phase timings, when fetched over the network.
    public var timings: FetchTimings?
    /// The statuses of the redirects followed to reach ``finalURL``, in order (empty when
    /// there was none).
    public var redirectStatuses: [Int] = []

    /// Whether every redirect followed was permanent (301, 308): the resource has moved
    /// to ``finalURL`` for good.
    public var movedPermanently: Bool {
        !self.redirectStatuses.isEmpty && self.redirectStatuses.allSatisfy { $0 == 301 || $0 == 308 }
            && self.finalURL != self.requestedURL
    }

    /// The bytes as received, when the fetcher keeps them (archiving); `body` is then the
    /// raw body too, still chunked and encoded, until the archiving layer decodes it.
    public var exchange: RawExchange?

    /// The try that gave this response (1 for the first; more after transient failures).
    public var attempt = 1

    public init(
        requestedURL: String,
        finalURL: String? = nil,
        status: Int = 200,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8],
        fetchedAt: Date = Date(),
        duration: Double? = nil
    ) {
        self.requestedURL = requestedURL
        self.finalURL = finalURL ?? requestedURL
        self.status = status
        self.headers = headers
        self.body = body
        self.fetchedAt = fetchedAt
        self.duration = duration
    }

    /// The `Content-Type` header, if any.
    public var contentType: String? { self.headers["Content-Type"] }
}

/// Where the time of one transfer went, in seconds from its start (libcurl's `*_TIME_T` infos).
public struct FetchTimings: Sendable, Hashable {
    /// Name resolved (CURLINFO_NAMELOOKUP_TIME_T).
    public var nameLookup: Double
    /// TCP connection made (CURLINFO_CONNECT_TIME_T).
    public var connect: Double
    /// TLS handshake done; 0 for plain HTTP (CURLINFO_APPCONNECT_TIME_T).
    public var tlsHandshake: Double
    /// First response byte received (CURLINFO_STARTTRANSFER_TIME_T).
    public var firstByte: Double
    /// Redirects followed, in all (CURLINFO_REDIRECT_TIME_T).
    public var redirects: Double
    /// The whole transfer (CURLINFO_TOTAL_TIME_T).
    public var total: Double
    /// The HTTP version of the last response: `1.1`, `2`, …
    public var httpVersion: String

    public init(
        nameLookup: Double,
        connect: Double,
        tlsHandshake: Double,
        firstByte: Double,
        redirects: Double,
        total: Double,
        httpVersion: String
    ) {
        self.nameLookup = nameLookup
        self.connect = connect
        self.tlsHandshake = tlsHandshake
        self.firstByte = firstByte
        self.redirects = redirects
        self.total = total
        self.httpVersion = httpVersion
    }
}
