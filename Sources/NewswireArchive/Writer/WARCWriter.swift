public import NewswireCore

public import struct Foundation.Date
import struct Foundation.UUID

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes WARC 1.1 files: one gzip member per record, a `warcinfo` record first in each
/// file, request/response pairs with their raw HTTP bytes, revisits for 304s and repeated
/// payloads, SHA-1 digests, rotation by size.
///
/// A file being written is named `….warc.gz.open`; it gets its final name when it is
/// closed (on rotation or ``close()``), after an fsync, so a file without `.open` always
/// holds whole records only. ``commit()`` syncs the open file and returns a
/// ``WARCCheckpoint``; after a crash, ``recover(directory:checkpoint:)`` cuts the open file
/// back to the last checkpoint and closes it.
///
/// File names sort by time: `PREFIX-YYYYMMDDhhmmssSSS-NNNNN.warc.gz`, the time of the file's
/// creation from the configured clock, then a serial number.
///
/// A writer is used from one thread (or serial queue) at a time, never the libcurl driver
/// thread; it is not `Sendable`.
public final class WARCWriter {
    public struct Configuration: Sendable {
        /// Folder of the WARC files (created if missing).
        public var directory: String
        /// First part of every file name.
        public var prefix: String
        /// A file is closed and a new one begun before a record would take it past this size
        /// (a single larger record still gets written, alone after the `warcinfo`).
        public var maxFileBytes: Int64
        /// zlib level, 1 (fastest) to 9 (smallest). 1 by default: on 60 KB pages it archives
        /// about 1,100 pages per CPU second against 300 at zlib's default 6, for files 16%
        /// larger, and reads back as fast (docs/archive.md).
        public var compressionLevel: Int32
        /// `software` in the `warcinfo` record.
        public var software: String
        /// More `name: value` lines for the `warcinfo` record (`operator`, `description`…).
        public var warcinfoFields: [HTTPHeaders.Field]
        /// Write a revisit instead of a response whose payload was already archived.
        public var deduplicatePayloads: Bool
        /// Payload digests and URIs remembered for revisits; past this many, memory is cleared
        /// (later repeats are then archived in full again).
        public var maxRemembered: Int
        /// The clock that names files.
        public var clock: @Sendable () -> Date

        public init(
            directory: String,
            prefix: String = "newswire",
            maxFileBytes: Int64 = 1 << 30,
            compressionLevel: Int32 = 1,
            software: String = "newswire",
            warcinfoFields: [HTTPHeaders.Field] = [],
            deduplicatePayloads: Bool = true,
            maxRemembered: Int = 200_000,
            clock: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.directory = directory
            self.prefix = prefix
            self.maxFileBytes = maxFileBytes
            self.compressionLevel = compressionLevel
            self.software = software
            self.warcinfoFields = warcinfoFields
            self.deduplicatePayloads = deduplicatePayloads
            self.maxRemembered = maxRemembered
            self.clock = clock
        }
    }

    /// WARC 1.1 revisit profiles (WARC 1.1 §6.7.2, §6.7.3).
    public static let identicalPayloadProfile = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    public static let serverNotModifiedProfile = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"

    public let configuration: Configuration
    private let gzip: GzipMemberWriter
    private var fd: Int32 = -1
    /// Final name of the open file (its path on disk has `.open` appended).
    private var fileName: String?
    private var fileSize: Int64 = 0
    private var recordsInFile = 0
    private var warcinfoID = ""
    private var serial = 0
    private var lastStamp = ""
    /// Payload digest → the response that first held it.
    private var payloads: [String: (recordID: String, uri: String, date: String)] = [:]
    /// Target URI → its last full response, for 304 revisits.
    private var lastResponse: [String: (recordID: String, date: String)] = [:]
    /// Final names of the files closed so far, oldest first.
    public private(set) var closedFiles: [String] = []

    /// - Throws: ``WARCError`` (`io`) when the folder cannot be made.
    public init(configuration: Configuration) throws(WARCError) {
        self.configuration = configuration
        guard let gzip = GzipMemberWriter(level: configuration.compressionLevel) else {
            throw WARCError(code: .gzip, path: configuration.directory, offset: 0, message: "deflateInit2 failed")
        }
        self.gzip = gzip
        if mkdir(configuration.directory, 0o755) != 0 && errno != EEXIST {
            throw WARCError(
                code: .io,
                path: configuration.directory,
                offset: 0,
                message: "cannot create folder: \(String(cString: strerror(errno)))"
            )
        }
    }

    deinit {
        if self.fd >= 0 { try? self.close() }
    }

    /// Archives one exchange: the response (or a revisit), then the request.
    ///
    /// A 304 becomes a `server-not-modified` revisit; a response whose payload digest was seen
    /// before becomes an `identical-payload-digest` revisit pointing at the first capture.
    ///
    /// - Returns: where the response (or revisit) record starts: its file (final name) and
    ///   the offset of its gzip member; `uncompressedOffset` is -1, which the writer does not track.
    /// - Throws: ``WARCError`` (`io`) when the file cannot be written; the file then holds no
    ///   part of this exchange past the last commit that matters (see ``commit()``).
    @discardableResult
    public func archive(_ exchange: HTTPExchange) throws(WARCError) -> WARCLocation {
        let date = WARCDate.string(from: exchange.date)
        let responseID = Self.newRecordID()
        let (status, headEnd) = exchange.response.withUnsafeBytes { bytes in
            (Self.status(of: bytes), ByteScanning.headerEnd(in: bytes, from: 0, to: bytes.count) ?? bytes.count)
        }
        let payloadDigest = exchange.response.withUnsafeBytes {
            WARCDigester.digest(of: UnsafeRawBufferPointer(rebasing: $0[headEnd...]))
        }
        var fields: [(String, String)] = [
            ("WARC-Record-ID", responseID),
            ("WARC-Date", date),
            ("WARC-Target-URI", exchange.targetURI),
        ]
        if let ip = exchange.ipAddress { fields.append(("WARC-IP-Address", ip)) }

        let location: WARCLocation
        let payloadLength = exchange.response.count - headEnd
        if status == 304 {
            fields.append(("WARC-Profile", Self.serverNotModifiedProfile))
            if let previous = self.lastResponse[exchange.targetURI] {
                fields.append(("WARC-Refers-To", previous.recordID))
                fields.append(("WARC-Refers-To-Target-URI", exchange.targetURI))
                fields.append(("WARC-Refers-To-Date", previous.date))
            }
            location = try self.writeRecord(
                type: .revisit,
                fields: fields,
                contentType: "application/http;msgtype=response",
                block: exchange.response,
                range: 0..<headEnd
            )
        } else if self.configuration.deduplicatePayloads, payloadLength > 0, (200..<300).contains(status ?? 0),
            let original = self.payloads[payloadDigest]
        {
            fields.append(("WARC-Profile", Self.identicalPayloadProfile))
            fields.append(("WARC-Refers-To", original.recordID))
            fields.append(("WARC-Refers-To-Target-URI", original.uri))
            fields.append(("WARC-Refers-To-Date", original.date))
            fields.append(("WARC-Payload-Digest", payloadDigest))
            location = try self.writeRecord(
                type: .revisit,
                fields: fields,
                contentType: "application/http;msgtype=response",
                block: exchange.response,
                range: 0..<headEnd
            )
        } else {
            fields.append(("WARC-Payload-Digest", payloadDigest))
            location = try self.writeRecord(
                type: .response,
                fields: fields,
                contentType: "application/http;msgtype=response",
                block: exchange.response
            )
            self.remember(digest: payloadDigest, uri: exchange.targetURI, recordID: responseID, date: date)
        }

        if let request = exchange.request {
            var requestFields: [(String, String)] = [
                ("WARC-Record-ID", Self.newRecordID()),
                ("WARC-Date", date),
                ("WARC-Target-URI", exchange.targetURI),
                ("WARC-Concurrent-To", responseID),
            ]
            if let ip = exchange.ipAddress { requestFields.append(("WARC-IP-Address", ip)) }
            let requestHeadEnd = request.withUnsafeBytes {
                ByteScanning.headerEnd(in: $0, from: 0, to: $0.count) ?? $0.count
            }
            request.withUnsafeBytes {
                requestFields.append(
                    (
                        "WARC-Payload-Digest",
                        WARCDigester.digest(of: UnsafeRawBufferPointer(rebasing: $0[requestHeadEnd...]))
                    )
                )
            }
            try self.writeRecord(
                type: .request,
                fields: requestFields,
                contentType: "application/http;msgtype=request",
                block: request
            )
        }
        return location
    }

    /// Writes one record of any type (`resource`, `metadata`…) with `block` as its content.
    ///
    /// `fields` must not hold `WARC-Type`, `Content-Type`, `Content-Length`, `WARC-Block-Digest`
    /// or `WARC-Warcinfo-ID`, which the writer sets; a `WARC-Record-ID` and `WARC-Date` are
    /// added when missing.
    ///
    /// - Returns: where the record starts.
    @discardableResult
    public func write(
        type: WARCRecordType,
        fields: [HTTPHeaders.Field],
        contentType: String?,
        block: [UInt8]
    ) throws(WARCError) -> WARCLocation {
        var pairs = fields.map { ($0.name, $0.value) }
        if !pairs.contains(where: { asciiCaseInsensitiveEquals($0.0, "WARC-Record-ID") }) {
            pairs.insert(("WARC-Record-ID", Self.newRecordID()), at: 0)
        }
        if !pairs.contains(where: { asciiCaseInsensitiveEquals($0.0, "WARC-Date") }) {
            pairs.insert(("WARC-Date", WARCDate.string(from: self.configuration.clock())), at: 1)
        }
        return try self.writeRecord(type: type, fields: pairs, contentType: contentType, block: block)
    }

    /// Makes everything written so far durable (fsync) and says how far that is.
    ///
    /// - Returns: the open file and its committed length, or nil when no file is open (all
    ///   records are then in closed files).
    @discardableResult
    public func commit() throws(WARCError) -> WARCCheckpoint? {
        guard self.fd >= 0, let name = self.fileName else { return nil }
        if fsync(self.fd) != 0 {
            throw self.ioError("fsync failed")
        }
        return WARCCheckpoint(fileName: name, offset: self.fileSize)
    }

    /// Syncs and closes the open file and gives it its final name.
    public func close() throws(WARCError) {
        guard self.fd >= 0, let name = self.fileName else { return }
        defer {
            self.fd = -1
            self.fileName = nil
        }
        if fsync(self.fd) != 0 {
            Glibc.close(self.fd)
            throw self.ioError("fsync failed")
        }
        Glibc.close(self.fd)
        let path = self.configuration.directory + "/" + name
        if rename(path + ".open", path) != 0 {
            throw self.ioError("rename failed")
        }
        Self.syncDirectory(self.configuration.directory)
        self.closedFiles.append(name)
    }

    /// The path of the file being written (with its `.open` suffix), if any.
    public var openFilePath: String? {
        self.fileName.map { self.configuration.directory + "/" + $0 + ".open" }
    }

    // MARK: - Records

    @discardableResult
    private func writeRecord(
        type: WARCRecordType,
        fields: [(String, String)],
        contentType: String?,
        block: [UInt8],
        range: Range<Int>? = nil
    ) throws(WARCError) -> WARCLocation {
        if type != .warcinfo && self.fd < 0 {
            try self.openFile()
        }
        let member = self.compress(type: type, fields: fields, contentType: contentType, block: block, range: range)
        if type != .warcinfo && self.needsNewFile(adding: Int64(member.count)) {
            // The record goes to a new file, whose warcinfo ID it names: compress it again
            // after that file's warcinfo (once per file).
            try self.openFile()
            return try self.append(
                self.compress(type: type, fields: fields, contentType: contentType, block: block, range: range)
            )
        }
        return try self.append(member)
    }

    /// The record as one gzip member, which lives in the compressor's buffer until the next
    /// record is compressed.
    private func compress(
        type: WARCRecordType,
        fields: [(String, String)],
        contentType: String?,
        block: [UInt8],
        range: Range<Int>?
    ) -> UnsafeRawBufferPointer {
        block.withUnsafeBytes { all in
            let bytes = UnsafeRawBufferPointer(rebasing: all[range ?? 0..<all.count])
            var header = "WARC/1.1\r\nWARC-Type: \(type.rawValue)\r\n"
            for (name, value) in fields {
                header += name + ": " + Self.clean(value) + "\r\n"
            }
            if type != .warcinfo && !self.warcinfoID.isEmpty {
                header += "WARC-Warcinfo-ID: \(self.warcinfoID)\r\n"
            }
            header += "WARC-Block-Digest: \(WARCDigester.digest(of: bytes))\r\n"
            if let contentType { header += "Content-Type: \(contentType)\r\n" }
            header += "Content-Length: \(bytes.count)\r\n\r\n"
            var headerBytes = Array(header.utf8)
            return headerBytes.withUnsafeMutableBytes { head in
                Self.recordEnd.withUnsafeBytes { trailer in
                    self.gzip.member(of: [UnsafeRawBufferPointer(head), bytes, trailer])
                }
            }
        }
    }

    private static let recordEnd: [UInt8] = Array("\r\n\r\n".utf8)

    private func append(_ member: UnsafeRawBufferPointer) throws(WARCError) -> WARCLocation {
        let offset = self.fileSize
        try self.writeAll(member)
        self.recordsInFile += 1
        return WARCLocation(
            path: self.configuration.directory + "/" + (self.fileName ?? ""),
            offset: offset,
            uncompressedOffset: -1
        )
    }

    private func needsNewFile(adding bytes: Int64) -> Bool {
        guard self.fd >= 0 else { return true }
        // A file holding only its warcinfo takes the record whatever its size.
        return self.recordsInFile > 1 && self.fileSize + bytes > self.configuration.maxFileBytes
    }

    /// Closes the open file, if any, and begins a new one with its `warcinfo` record.
    private func openFile() throws(WARCError) {
        try self.close()
        var name: String
        var descriptor: Int32
        repeat {
            name = self.nextFileName()
            descriptor = open(
                self.configuration.directory + "/" + name + ".open",
                O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                0o644
            )
        } while descriptor < 0 && errno == EEXIST
        guard descriptor >= 0 else { throw self.ioError("cannot create \(name).open") }
        self.fd = descriptor
        self.fileName = name
        self.fileSize = 0
        self.recordsInFile = 0
        self.warcinfoID = ""
        let warcinfoID = Self.newRecordID()
        var info = "software: \(self.configuration.software)\r\nformat: WARC File Format 1.1\r\n"
        info += "conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
        for field in self.configuration.warcinfoFields {
            info += field.name + ": " + Self.clean(field.value) + "\r\n"
        }
        let fields = [
            ("WARC-Record-ID", warcinfoID),
            ("WARC-Date", WARCDate.string(from: self.configuration.clock())),
            ("WARC-Filename", name),
        ]
        try self.writeRecord(
            type: .warcinfo,
            fields: fields,
            contentType: "application/warc-fields",
            block: Array(info.utf8)
        )
        self.warcinfoID = warcinfoID
    }

    private func nextFileName() -> String {
        var stamp = Self.stamp(self.configuration.clock())
        // Keep names increasing even if the clock steps back.
        if stamp < self.lastStamp { stamp = self.lastStamp }
        self.lastStamp = stamp
        defer { self.serial += 1 }
        let serial = String(self.serial)
        return self.configuration.prefix + "-" + stamp + "-" + String(repeating: "0", count: max(0, 5 - serial.count))
            + serial + ".warc.gz"
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(WARCError) {
        var written = 0
        while written < bytes.count {
            let result = Glibc.write(self.fd, bytes.baseAddress! + written, bytes.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                let error = self.ioError("write failed")
                // Cut a partly written record off, so the file ends on a record boundary.
                _ = ftruncate(self.fd, off_t(self.fileSize))
                throw error
            }
            written += result
        }
        self.fileSize += Int64(bytes.count)
    }

    private func remember(digest: String, uri: String, recordID: String, date: String) {
        if self.payloads.count >= self.configuration.maxRemembered { self.payloads.removeAll(keepingCapacity: true) }
        if self.lastResponse.count >= self.configuration.maxRemembered {
            self.lastResponse.removeAll(keepingCapacity: true)
        }
        if self.payloads[digest] == nil {
            self.payloads[digest] = (recordID, uri, date)
        }
        self.lastResponse[uri] = (recordID, date)
    }

    private func ioError(_ what: String) -> WARCError {
        WARCError(
            code: .io,
            path: self.openFilePath ?? self.configuration.directory,
            offset: self.fileSize,
            message: "\(what): \(String(cString: strerror(errno)))"
        )
    }

    // MARK: - Helpers

    private static func newRecordID() -> String {
        "<urn:uuid:\(UUID().uuidString.lowercased())>"
    }

    /// A header value on one line: CR and LF would end the field early.
    private static func clean(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return value }
        return String(value.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }

    /// The status code of a raw HTTP response, if its first line is a status line.
    private static func status(of bytes: UnsafeRawBufferPointer) -> Int? {
        guard
            let (head, _) = HTTPMessageParser.parseHead(
                UnsafeRawBufferPointer(rebasing: bytes[..<min(bytes.count, 256)])
            )
        else { return nil }
        return head.status
    }

    /// `YYYYMMDDhhmmssSSS` in UTC.
    private static func stamp(_ date: Date) -> String {
        let text = WARCDate.string(from: date)  // 2026-12-03T10:45:00(.ffffff)Z
        let digits = text.filter(\.isNumber)
        let base = String(digits.prefix(14))
        let fraction = String(digits.dropFirst(14).prefix(3))
        return base + fraction + String(repeating: "0", count: 3 - fraction.count)
    }

    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        Glibc.close(fd)
    }
}

@available(*, unavailable)
extension WARCWriter: Sendable {}
