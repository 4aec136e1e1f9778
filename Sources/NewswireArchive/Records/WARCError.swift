/// A fault in an archive: what went wrong, in which file, at which byte.
///
/// Readers return these as values and go on with the next record they can find, so a caller
/// turns each into an error record and loses nothing else.
public struct WARCError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case io
            case gzip
            case truncated
            case badHeader
            case badLength
            case badTrailer
            case garbage
            case tooLarge
            case digestMismatch
            case badPayload
            case notWARC
            case unresolvedRevisit
        }
        private let kind: Kind

        /// The file could not be opened or read.
        public static let io = Code(kind: .io)
        /// A gzip member is corrupt (zlib's message says how).
        public static let gzip = Code(kind: .gzip)
        /// The file ends inside a record or a gzip member.
        public static let truncated = Code(kind: .truncated)
        /// A record header is not `WARC/x.y` followed by `Name: value` lines.
        public static let badHeader = Code(kind: .badHeader)
        /// `Content-Length` is missing or not a number.
        public static let badLength = Code(kind: .badLength)
        /// The block is not followed by the two CRLFs the format requires (a wrong `Content-Length`).
        public static let badTrailer = Code(kind: .badTrailer)
        /// Bytes between records that are not a record.
        public static let garbage = Code(kind: .garbage)
        /// The record's block is larger than the reader's limit; it was skipped.
        public static let tooLarge = Code(kind: .tooLarge)
        /// `WARC-Block-Digest` or `WARC-Payload-Digest` does not match the bytes.
        public static let digestMismatch = Code(kind: .digestMismatch)
        /// The HTTP message, its chunked framing or its content encoding cannot be decoded.
        public static let badPayload = Code(kind: .badPayload)
        /// The file does not start with a WARC record.
        public static let notWARC = Code(kind: .notWARC)
        /// A revisit whose original capture is not among the records seen (``RevisitResolver``).
        public static let unresolvedRevisit = Code(kind: .unresolvedRevisit)

        public var description: String {
            switch self.kind {
            case .io: "io"
            case .gzip: "gzip"
            case .truncated: "truncated"
            case .badHeader: "bad_header"
            case .badLength: "bad_length"
            case .badTrailer: "bad_trailer"
            case .garbage: "garbage"
            case .tooLarge: "too_large"
            case .digestMismatch: "digest_mismatch"
            case .badPayload: "bad_payload"
            case .notWARC: "not_warc"
            case .unresolvedRevisit: "unresolved_revisit"
            }
        }
    }

    public var code: Code
    /// The archive file.
    public var path: String
    /// Byte offset in the file: the start of the record (or its gzip member) where known,
    /// else where the fault was found.
    public var offset: Int64
    public var message: String
    /// `WARC-Target-URI` of the record concerned, when its header could be read.
    public var targetURI: String?
    /// `WARC-Record-ID` of the record concerned, when its header could be read.
    public var recordID: String?

    public init(
        code: Code,
        path: String,
        offset: Int64,
        message: String,
        targetURI: String? = nil,
        recordID: String? = nil
    ) {
        self.code = code
        self.path = path
        self.offset = offset
        self.message = message
        self.targetURI = targetURI
        self.recordID = recordID
    }

    public var description: String { "\(self.code): \(self.message) (\(self.path) at byte \(self.offset))" }
}
