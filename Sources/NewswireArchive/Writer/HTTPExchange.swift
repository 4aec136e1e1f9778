public import struct Foundation.Date

/// One HTTP request and its response, as they went over the wire, for the archive.
///
/// Each hop of a redirect chain is an exchange of its own (its 3xx response included).
public struct HTTPExchange: Sendable, Hashable {
    /// The URL requested in this hop.
    public var targetURI: String
    /// When the response began to arrive: the record's `WARC-Date`.
    public var date: Date
    /// The server's address (`CURLINFO_PRIMARY_IP`), for `WARC-IP-Address`.
    public var ipAddress: String?
    /// The request as sent: request line, headers, CRLF, body if any. Nil writes no request record.
    public var request: [UInt8]?
    /// The response as received: status line, headers, CRLF, then the body before any
    /// decoding (chunked framing and `Content-Encoding` kept as they came).
    public var response: [UInt8]

    public init(targetURI: String, date: Date, ipAddress: String? = nil, request: [UInt8]? = nil, response: [UInt8]) {
        self.targetURI = targetURI
        self.date = date
        self.ipAddress = ipAddress
        self.request = request
        self.response = response
    }
}

/// How far an archive is durable: the file being written and the length of it that holds
/// only whole records and has been synced to disk.
///
/// Store it with the sink's checkpoint; after a crash, ``WARCWriter/recover(directory:checkpoint:)``
/// cuts the open file back to it.
public struct WARCCheckpoint: Sendable, Hashable, Codable {
    /// The name (not the path) of the file, without the `.open` suffix it has while written.
    public var fileName: String
    /// Bytes of that file that are committed.
    public var offset: Int64

    public init(fileName: String, offset: Int64) {
        self.fileName = fileName
        self.offset = offset
    }
}
