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
