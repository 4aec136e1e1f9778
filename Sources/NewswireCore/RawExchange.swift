/// The bytes of one fetch as they crossed the wire, kept when ``FetchOptions/keepRawExchange``
/// is on (for the WARC archive): every response of a redirect chain with its raw status
/// line and headers, the request that asked for it, and the last body before any decoding.
public struct RawExchange: Sendable, Hashable {
    /// One request and the response head it got.
    public struct Hop: Sendable, Hashable {
        /// The request line and headers as sent, if libcurl reported them.
        public var request: [UInt8]?
        /// The status line and headers as received, up to and including the blank line.
        public var responseHead: [UInt8]

        public init(request: [UInt8]?, responseHead: [UInt8]) {
            self.request = request
            self.responseHead = responseHead
        }
    }

    /// In order: redirects first, the final response last (interim 1xx heads left out).
    public var hops: [Hop]
    /// The final response's body as received: chunked framing and content coding kept.
    public var body: [UInt8]
    /// The address the final response came from (CURLINFO_PRIMARY_IP).
    public var ipAddress: String?

    public init(hops: [Hop], body: [UInt8], ipAddress: String?) {
        self.hops = hops
        self.body = body
        self.ipAddress = ipAddress
    }
}
