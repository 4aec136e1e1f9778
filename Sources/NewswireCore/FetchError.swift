/// A transfer that produced no usable response.
///
/// HTTP error statuses are not fetch errors: a 404 is a completed response, and the
/// pipeline decides what it means.
public struct FetchError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case transport
            case timeout
            case tooLarge
            case cancelled
            case invalidRequest
            case policy
            case truncated
            case notArchived
            case robotsDisallowed
            case hostBackoff
        }
        private let kind: Kind

        /// Connection refused, DNS failure, TLS failure, broken transfer, too many redirects.
        public static let transport = Code(kind: .transport)
        /// The connect or total timeout, or the low-speed limit, ran out.
        public static let timeout = Code(kind: .timeout)
        /// The body was larger than the configured maximum.
        public static let tooLarge = Code(kind: .tooLarge)
        /// The fetcher shut down before the transfer finished.
        public static let cancelled = Code(kind: .cancelled)
        /// The request could not be set up (a bad URL or scheme).
        public static let invalidRequest = Code(kind: .invalidRequest)
        /// The network policy refused the address a connection was about to use.
        public static let policy = Code(kind: .policy)
        /// The body ended before the length the server announced, or the connection broke.
        public static let truncated = Code(kind: .truncated)
        /// Replay: the archive holds no capture of the URL.
        public static let notArchived = Code(kind: .notArchived)
        /// The host's `robots.txt` disallows the page (or could not be read): never fetched.
        public static let robotsDisallowed = Code(kind: .robotsDisallowed)
        /// The host asked for a pause (`Retry-After`) longer than the fetcher waits: not fetched.
        public static let hostBackoff = Code(kind: .hostBackoff)

        public var description: String {
            switch self.kind {
            case .transport: "transport"
            case .timeout: "timeout"
            case .tooLarge: "too_large"
            case .cancelled: "cancelled"
            case .invalidRequest: "invalid_request"
            case .policy: "policy"
            case .truncated: "truncated"
            case .notArchived: "not_archived"
            case .robotsDisallowed: "robots_disallowed"
            case .hostBackoff: "host_backoff"
            }
        }

        /// The error record kind this code becomes.
        public var errorKind: ErrorKind {
            switch self.kind {
            case .transport, .cancelled, .truncated: .transport
            case .timeout: .timeout
            case .tooLarge: .tooLarge
            case .invalidRequest, .policy, .hostBackoff: .policy
            case .notArchived: .notArchived
            case .robotsDisallowed: .robotsDisallowed
            }
        }
    }

    public var code: Code
    public var url: String
    /// libcurl's message (the error buffer, else curl_easy_strerror).
    public var message: String
    /// The raw CURLcode, kept for logs.
    public var curlCode: Int32?
    /// Seconds the server asked to wait (`Retry-After`), when it answered at all.
    public var retryAfter: Double?
    /// The try that failed last (1 for the first): how often the fetcher tried the request.
    public var attempt = 1

    public init(code: Code, url: String, message: String, curlCode: Int32? = nil) {
        self.code = code
        self.url = url
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String { "\(self.code): \(self.message) (\(self.url))" }
}
