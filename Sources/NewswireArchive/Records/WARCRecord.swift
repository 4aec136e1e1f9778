public import NewswireCore

public import struct Foundation.Date

/// The `WARC-Type` of a record (WARC 1.1 §6); unknown types keep their name.
public struct WARCRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let warcinfo = WARCRecordType(rawValue: "warcinfo")
    public static let response = WARCRecordType(rawValue: "response")
    public static let resource = WARCRecordType(rawValue: "resource")
    public static let request = WARCRecordType(rawValue: "request")
    public static let metadata = WARCRecordType(rawValue: "metadata")
    public static let revisit = WARCRecordType(rawValue: "revisit")
    public static let conversion = WARCRecordType(rawValue: "conversion")
    public static let continuation = WARCRecordType(rawValue: "continuation")

    public var description: String { self.rawValue }
}

/// Named fields in the order they were written, looked up case-insensitively (the header of
/// a WARC record; field names are case-insensitive per WARC 1.1 §4).
public struct WARCHeaders: Sendable, Hashable, Sequence {
    public private(set) var fields: [HTTPHeaders.Field]

    public init(_ fields: [HTTPHeaders.Field] = []) {
        self.fields = fields
    }

    public mutating func add(name: String, value: String) {
        self.fields.append(HTTPHeaders.Field(name: name, value: value))
    }

    /// Replaces the first field named `name` (case-insensitive), or adds one.
    public mutating func set(name: String, value: String) {
        if let index = self.fields.firstIndex(where: { asciiCaseInsensitiveEquals($0.name, name) }) {
            self.fields[index].value = value
        } else {
            self.fields.append(HTTPHeaders.Field(name: name, value: value))
        }
    }

    /// The first value of `name` (case-insensitive), if any.
    public subscript(name: String) -> String? {
        for field in self.fields where field.name.utf8.count == name.utf8.count {
            if asciiCaseInsensitiveEquals(field.name, name) { return field.value }
        }
        return nil
    }

    public func makeIterator() -> IndexingIterator<[HTTPHeaders.Field]> { self.fields.makeIterator() }
}

/// Where a record starts.
public struct WARCLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The archive file.
    public var path: String
    /// Byte offset in the file of the record, or of the gzip member it starts in. For a file of
    /// one gzip member per record, a reader opened at this offset reads this record first.
    public var offset: Int64
    /// Offset of the record in the uncompressed stream (the same as `offset` for a plain WARC).
    public var uncompressedOffset: Int64

    public init(path: String, offset: Int64, uncompressedOffset: Int64) {
        self.path = path
        self.offset = offset
        self.uncompressedOffset = uncompressedOffset
    }

    public var description: String { "\(self.path)@\(self.offset)" }
}

/// The start line and headers of an HTTP/1.x message stored in a record.
public struct HTTPMessageHead: Sendable, Hashable {
    public enum StartLine: Sendable, Hashable {
        /// `HTTP/1.1 200 OK`
        case response(status: Int, reason: String)
        /// `GET /path HTTP/1.1`
        case request(method: String, target: String)
    }

    /// `HTTP/1.1`, `HTTP/1.0`…
    public var version: String
    public var startLine: StartLine
    public var headers: HTTPHeaders

    public init(version: String, startLine: StartLine, headers: HTTPHeaders) {
        self.version = version
        self.startLine = startLine
        self.headers = headers
    }

    /// The status code of a response; nil for a request.
    public var status: Int? {
        if case .response(let status, _) = self.startLine { return status }
        return nil
    }
}

/// What a `revisit` record points at (WARC 1.1 §6.7): the earlier capture holding the payload.
public struct WARCRevisit: Sendable, Hashable {
    /// `WARC-Profile`: `…/revisit/identical-payload-digest` or `…/revisit/server-not-modified`
    /// (WARC 1.1 URIs, or the 1.0 `uri-agnostic-…` ones).
    public var profile: String?
    /// `WARC-Refers-To-Target-URI`, else the record's own target URI.
    public var refersToTargetURI: String?
    /// `WARC-Refers-To-Date` (WARC 1.1), if present.
    public var refersToDate: Date?
    /// `WARC-Refers-To`: the record ID of the original, if present.
    public var refersToRecordID: String?
    /// `WARC-Payload-Digest` of the original payload, the key for identical-payload revisits.
    public var payloadDigest: String?

    public init(
        profile: String?,
        refersToTargetURI: String?,
        refersToDate: Date?,
        refersToRecordID: String?,
        payloadDigest: String?
    ) {
        self.profile = profile
        self.refersToTargetURI = refersToTargetURI
        self.refersToDate = refersToDate
        self.refersToRecordID = refersToRecordID
        self.payloadDigest = payloadDigest
    }

    /// True for the `server-not-modified` profile (a 304 answer).
    public var isServerNotModified: Bool { self.profile?.hasSuffix("server-not-modified") ?? false }
}

/// One WARC record, its header parsed and its payload decoded as far as the reader was asked.
public struct WARCRecord: Sendable, Hashable {
    /// `WARC/1.0`, `WARC/1.1` (or older, such as `WARC/0.17`).
    public var version: String
    public var headers: WARCHeaders
    public var location: WARCLocation
    /// The HTTP request or response head, for records whose block is an HTTP message
    /// (`Content-Type: application/http`, or a `response`/`request`/`revisit` block that starts
    /// like one), when the reader parses HTTP.
    public var http: HTTPMessageHead?
    /// The payload: for an HTTP record the body after the head, de-chunked and inflated (per
    /// ``WARCReader/Options``); for other records the whole block.
    public var payload: [UInt8]
    /// The `Content-Encoding` still applied to `payload` (one the reader could not or was not
    /// asked to undo, such as `br`), else nil.
    public var remainingContentEncoding: String?

    public init(
        version: String,
        headers: WARCHeaders,
        location: WARCLocation,
        http: HTTPMessageHead? = nil,
        payload: [UInt8] = [],
        remainingContentEncoding: String? = nil
    ) {
        self.version = version
        self.headers = headers
        self.location = location
        self.http = http
        self.payload = payload
        self.remainingContentEncoding = remainingContentEncoding
    }

    public var type: WARCRecordType { WARCRecordType(rawValue: self.headers["WARC-Type"] ?? "") }
    public var recordID: String? { self.headers["WARC-Record-ID"] }
    /// `WARC-Target-URI`, without the `<…>` some writers (wget, WARC 1.1 examples) put around it.
    public var targetURI: String? { self.headers["WARC-Target-URI"].map(stripAngleBrackets) }
    /// `WARC-Date`, the capture time.
    public var date: Date? { self.headers["WARC-Date"].flatMap(WARCDate.parse) }
    public var contentLength: Int? { self.headers["Content-Length"].flatMap { Int($0) } }
    public var ipAddress: String? { self.headers["WARC-IP-Address"] }
    public var payloadDigest: String? { self.headers["WARC-Payload-Digest"] }
    public var blockDigest: String? { self.headers["WARC-Block-Digest"] }

    /// The original capture a `revisit` record stands for; nil for other types.
    public var revisit: WARCRevisit? {
        guard self.type == .revisit else { return nil }
        return WARCRevisit(
            profile: self.headers["WARC-Profile"],
            refersToTargetURI: self.headers["WARC-Refers-To-Target-URI"].map(stripAngleBrackets) ?? self.targetURI,
            refersToDate: self.headers["WARC-Refers-To-Date"].flatMap(WARCDate.parse),
            refersToRecordID: self.headers["WARC-Refers-To"],
            payloadDigest: self.payloadDigest
        )
    }

    /// The record as the pipeline's fetched document: the target URI, the HTTP status, headers
    /// and decoded body, fetched at the capture date.
    ///
    /// For a `response` or `resource` record (a resource counts as status 200 with its
    /// `Content-Type`); nil for other types, or an HTTP record without a parsed head.
    public var fetchedDocument: FetchedDocument? {
        guard let url = self.targetURI, let date = self.date else { return nil }
        switch self.type {
        case .response:
            guard let http = self.http, let status = http.status else { return nil }
            var headers = http.headers
            if self.remainingContentEncoding == nil {
                headers = withoutContentEncoding(headers)
            }
            return FetchedDocument(
                requestedURL: url,
                status: status,
                headers: headers,
                body: self.payload,
                fetchedAt: date
            )
        case .resource:
            var headers = HTTPHeaders()
            if let type = self.headers["Content-Type"] { headers.add(name: "Content-Type", value: type) }
            return FetchedDocument(
                requestedURL: url,
                status: 200,
                headers: headers,
                body: self.payload,
                fetchedAt: date
            )
        default:
            return nil
        }
    }
}

/// The headers without `Content-Encoding` and `Transfer-Encoding`, for a body that has been
/// decoded (and so without the `Content-Length` of the encoded body either).
private func withoutContentEncoding(_ headers: HTTPHeaders) -> HTTPHeaders {
    HTTPHeaders(
        headers.fields.filter {
            let name = $0.name.lowercased()
            return name != "content-encoding" && name != "transfer-encoding" && name != "content-length"
        }
    )
}

private func stripAngleBrackets(_ value: String) -> String {
    if value.hasPrefix("<") && value.hasSuffix(">") && value.count >= 2 {
        return String(value.dropFirst().dropLast())
    }
    return value
}

/// Equality of two ASCII names ignoring letter case (header field names).
func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    for (x, y) in zip(a.utf8, b.utf8) where x != y {
        let lower = x | 0x20
        guard lower == y | 0x20, lower >= UInt8(ascii: "a"), lower <= UInt8(ascii: "z") else { return false }
    }
    return true
}
