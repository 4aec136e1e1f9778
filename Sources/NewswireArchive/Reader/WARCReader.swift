#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads the records of one WARC file, `.warc` or `.warc.gz`, in order, in constant memory.
///
/// Each call to ``next()`` returns a record, or an error naming the file and byte offset of a
/// fault (a truncated file, a wrong `Content-Length`, a corrupt gzip member, garbage between
/// records, a bad digest when asked to check), after which reading goes on at the next record
/// it can find (a `WARC/1.x` line). It returns nil at the end of the file.
///
/// A gzipped file may hold one gzip member per record (the norm) or be one member as a whole;
/// both are read. WARC 1.0, 1.1 and the older 0.x drafts are read alike. ARC files are not.
///
/// Memory: a window of about a megabyte, grown to hold the largest record it is asked to
/// hand out (``Options/maxRecordBytes``), never the file. A reader is used from one thread
/// at a time; it is not `Sendable`.
public final class WARCReader: IteratorProtocol, Sequence {
    /// What the reader decodes and how much it holds in memory.
    public struct Options: Sendable {
        /// Records whose block is larger are skipped (a ``WARCError/Code/tooLarge`` error).
        public var maxRecordBytes: Int
        /// Payloads that inflate beyond this are skipped (a ``WARCError/Code/tooLarge`` error).
        public var maxPayloadBytes: Int
        /// Longest record header accepted.
        public var maxHeaderBytes: Int
        /// Parse the HTTP head of `application/http` blocks and hand out the body as payload.
        public var parseHTTP: Bool
        /// Undo `Transfer-Encoding: chunked` in HTTP bodies.
        public var decodeTransferEncoding: Bool
        /// Undo `Content-Encoding: gzip` / `deflate` in HTTP bodies.
        public var decodeContentEncoding: Bool
        /// Check `WARC-Block-Digest` and `WARC-Payload-Digest` (SHA-1 only; others unchecked).
        public var verifyDigests: Bool
        /// Only these types are decoded and returned (all when nil); others are skipped unread.
        public var recordTypes: Set<WARCRecordType>?
        /// Inflate gzip members that are whole in the input buffer, and gzip-encoded bodies,
        /// with libdeflate (about 2.5 times faster than zlib); zlib streams the rest either way.
        public var fastMembers: Bool

        public init(
            maxRecordBytes: Int = 64 << 20,
            maxPayloadBytes: Int = 64 << 20,
            maxHeaderBytes: Int = 1 << 18,
            parseHTTP: Bool = true,
            decodeTransferEncoding: Bool = true,
            decodeContentEncoding: Bool = true,
            verifyDigests: Bool = false,
            recordTypes: Set<WARCRecordType>? = nil,
            fastMembers: Bool = true
        ) {
            self.maxRecordBytes = maxRecordBytes
            self.maxPayloadBytes = maxPayloadBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.parseHTTP = parseHTTP
            self.decodeTransferEncoding = decodeTransferEncoding
            self.decodeContentEncoding = decodeContentEncoding
            self.verifyDigests = verifyDigests
            self.recordTypes = recordTypes
            self.fastMembers = fastMembers
        }
    }

    public let path: String
    public let options: Options
    private let input: ArchiveInput
    let decoder: PayloadDecoder
    private var pending: [WARCError] = []
    private var atStart = true

    /// Opens `path` for reading from byte `offset` (0, or the offset of a record in a file
    /// of one gzip member per record, as ``WARCLocation/offset`` gives).
    ///
    /// - Throws: ``WARCError`` with code ``WARCError/Code/io`` when the file cannot be opened.
    public init(path: String, offset: Int64 = 0, options: Options = Options()) throws(WARCError) {
        self.path = path
        self.options = options
        self.input = try ArchiveInput(path: path, offset: offset, fastMembers: options.fastMembers)
        self.decoder = PayloadDecoder(fastMembers: options.fastMembers)
    }

    /// Whether the file is gzip-compressed (sniffed from its first bytes).
    public var isCompressed: Bool { self.input.isGzip }

    /// Goes on reading at byte `offset` of the file (a record's ``WARCLocation/offset`` in a
    /// file of one gzip member per record, or in a plain file), as a reader opened there
    /// would, but without opening the file and allocating buffers again: reading many records
    /// by offset reuses one reader per file.
    public func seek(to offset: Int64) {
        self.pending.removeAll()
        self.atStart = offset == 0
        if !self.input.reposition(to: offset) {
            self.pending.append(contentsOf: self.input.faults)
            self.input.faults.removeAll()
        }
    }

    /// The next record, or the next fault met (reading then goes on); nil at the end.
    public func next() -> Result<WARCRecord, WARCError>? {
        while true {
            self.pending.append(contentsOf: self.input.faults)
            self.input.faults.removeAll()
            if !self.pending.isEmpty { return .failure(self.pending.removeFirst()) }
            guard self.skipBlankLines() else {
                if !self.input.faults.isEmpty { continue }
                return nil
            }
            if let result = self.readRecord() { return result }
        }
    }

    // MARK: - Framing

    /// Reads the record at the current position; nil when it was skipped (a filtered type)
    /// or its fault was queued.
    private func readRecord() -> Result<WARCRecord, WARCError>? {
        let input = self.input
        let recordPosition = input.position
        _ = input.ensure(8)
        guard self.startsWithWARCLine(at: input.start) else {
            let offset = input.fileOffset(of: recordPosition)
            if self.atStart {
                // ARC v1 files start with a `filedesc://` URL record (the ARC file format).
                let window = UnsafeRawBufferPointer(start: input.window + input.start, count: input.available)
                let arc = ByteScanning.hasPrefix("filedesc://", in: window, at: 0)
                self.resynchronise()
                self.queue(
                    .notWARC,
                    at: offset,
                    arc ? "an ARC file, not WARC" : "the file does not start with a WARC record"
                )
            } else {
                let skipped = self.resynchronise()
                self.queue(.garbage, at: offset, "\(skipped) bytes between records that are not a WARC record")
            }
            self.atStart = false
            return nil
        }
        self.atStart = false
        let fileOffset = input.fileOffset(of: recordPosition)

        // The header: lines up to the first empty one.
        var scanned = 0
        var headerLength = 0
        while true {
            let window = UnsafeRawBufferPointer(start: input.window + input.start, count: input.available)
            // From the start each time: a header is short, and a partial last line must not
            // be taken for the blank line that ends it.
            if let end = ByteScanning.headerEnd(in: window, from: 0, to: window.count) {
                headerLength = end
                break
            }
            scanned = window.count
            if scanned > self.options.maxHeaderBytes || !input.more() {
                let truncated = input.finished && scanned <= self.options.maxHeaderBytes
                self.queue(
                    truncated ? .truncated : .badHeader,
                    at: fileOffset,
                    truncated ? "the file ends inside a record header" : "record header longer than the limit"
                )
                self.resynchronise()
                return nil
            }
        }
        let headerBytes = UnsafeRawBufferPointer(start: input.window + input.start, count: headerLength)
        // A header cut short (a lost blank line, a corrupt gzip member) runs on into the next
        // record's header; that next record must not be swallowed with it.
        if Self.holdsRecordStart(headerBytes, from: 5) {
            self.queue(.badHeader, at: fileOffset, "the record header runs into another record")
            self.resynchronise()
            return nil
        }
        let firstNewline = ByteScanning.find(UInt8(ascii: "\n"), in: headerBytes, from: 0, to: headerLength)!
        let versionEnd =
            firstNewline > 0 && headerBytes[firstNewline - 1] == UInt8(ascii: "\r") ? firstNewline - 1 : firstNewline
        let version = ByteScanning.trimmedString(headerBytes, 0, versionEnd)
        let headers = WARCHeaders(ByteScanning.fields(in: headerBytes, from: firstNewline + 1, to: headerLength))
        let targetURI = headers["WARC-Target-URI"]
        let recordID = headers["WARC-Record-ID"]
        guard let lengthText = headers["Content-Length"], let length = Int(lengthText), length >= 0 else {
            self.queue(
                .badLength,
                at: fileOffset,
                "missing or bad Content-Length",
                targetURI: targetURI,
                recordID: recordID
            )
            // Resynchronise from the record's first byte: a damaged header may run on into the
            // next record's, and a wrong length may hide records inside the block.
            self.resynchronise()
            return nil
        }
        let location = WARCLocation(path: self.path, offset: fileOffset, uncompressedOffset: recordPosition)
        let type = WARCRecordType(rawValue: headers["WARC-Type"] ?? "")
        let wanted = self.options.recordTypes.map { $0.contains(type) } ?? true

        if length > self.options.maxRecordBytes || !wanted {
            return self.skipBlock(
                headerLength: headerLength,
                length: length,
                fileOffset: fileOffset,
                tooLarge: wanted,
                targetURI: targetURI,
                recordID: recordID
            )
        }

        // The block and the CRLF CRLF after it.
        let total = headerLength + length
        if !input.ensure(total + 4) && input.available < total {
            self.queue(
                .truncated,
                at: fileOffset,
                "the file ends inside the record's block (Content-Length \(length), \(input.available - headerLength) bytes left)",
                targetURI: targetURI,
                recordID: recordID
            )
            self.resynchronise()
            return nil
        }
        guard let trailer = self.trailerLength(after: total) else {
            self.queue(
                .badTrailer,
                at: fileOffset,
                "the block (Content-Length \(length)) is not followed by CRLF CRLF: wrong Content-Length",
                targetURI: targetURI,
                recordID: recordID
            )
            self.resynchronise()
            return nil
        }
        // A corrupt gzip member inside the record's extent leaves its bytes unreliable, however
        // well they frame: a member cut short can end just where a later record's header does.
        let lastMember = input.fileOffset(of: recordPosition + Int64(total), forget: false)
        if input.faults.contains(where: { $0.offset >= fileOffset && $0.offset <= lastMember }) {
            self.resynchronise()
            return nil
        }
        let block = UnsafeRawBufferPointer(start: input.window + input.start + headerLength, count: length)
        let result = self.decode(version: version, headers: headers, type: type, block: block, location: location)
        input.consume(total + trailer)
        input.releaseLargeWindow()
        return result
    }

    /// Whether `WARC/<digit>.` occurs in `bytes[from...]`.
    private static func holdsRecordStart(_ bytes: UnsafeRawBufferPointer, from: Int) -> Bool {
        var index = from
        while let hit = ByteScanning.find("WARC/", in: bytes, from: index, to: bytes.count) {
            if hit + 6 < bytes.count, bytes[hit + 5] >= UInt8(ascii: "0"), bytes[hit + 5] <= UInt8(ascii: "9"),
                bytes[hit + 6] == UInt8(ascii: ".")
            {
                return true
            }
            index = hit + 1
        }
        return false
    }

    /// Whether a `WARC/<digit>.` line starts at window index `at`.
    private func startsWithWARCLine(at index: Int) -> Bool {
        let bytes = UnsafeRawBufferPointer(start: self.input.window, count: self.input.end)
        guard ByteScanning.hasPrefix("WARC/", in: bytes, at: index), index + 6 < bytes.count else { return false }
        let digit = bytes[index + 5]
        return digit >= UInt8(ascii: "0") && digit <= UInt8(ascii: "9")
    }

    /// Skips CR, LF, spaces and tabs before a record; false at the end of the file.
    private func skipBlankLines() -> Bool {
        let input = self.input
        while true {
            if input.available == 0 && !input.more() { return false }
            let base = input.window.assumingMemoryBound(to: UInt8.self)
            while input.start < input.end {
                let byte = base[input.start]
                guard byte == 0x0D || byte == 0x0A || byte == 0x20 || byte == 0x09 else { return true }
                input.start += 1
            }
        }
    }

    /// Length of the record terminator after the block that ends at window offset `blockEnd`
    /// (relative to the unconsumed start), or nil when it is missing.
    ///
    /// WARC requires CRLF CRLF; a bare LF pair, or a file that ends right after the block, is
    /// accepted as long as what follows is a record or the end of the file.
    private func trailerLength(after blockEnd: Int) -> Int? {
        let input = self.input
        var bytes = UnsafeRawBufferPointer(start: input.window + input.start, count: input.available)
        if ByteScanning.hasPrefix("\r\n\r\n", in: bytes, at: blockEnd) { return 4 }
        _ = input.ensure(blockEnd + 10)
        bytes = UnsafeRawBufferPointer(start: input.window + input.start, count: input.available)
        var index = blockEnd
        while index < bytes.count && index < blockEnd + 4 && (bytes[index] == 0x0D || bytes[index] == 0x0A) {
            index += 1
        }
        if index == bytes.count && input.finished { return index - blockEnd }
        if index > blockEnd && ByteScanning.hasPrefix("WARC/", in: bytes, at: index) { return index - blockEnd }
        return nil
    }

    /// Skips the block of a record that is too large or not wanted, streaming it through the
    /// window without holding it.
    private func skipBlock(
        headerLength: Int,
        length: Int,
        fileOffset: Int64,
        tooLarge: Bool,
        targetURI: String?,
        recordID: String?
    ) -> Result<WARCRecord, WARCError>? {
        let input = self.input
        input.consume(headerLength)
        var remaining = length
        while remaining > 0 {
            if input.available == 0 && !input.more() {
                self.queue(
                    .truncated,
                    at: fileOffset,
                    "the file ends inside the record's block (Content-Length \(length))",
                    targetURI: targetURI,
                    recordID: recordID
                )
                return nil
            }
            let step = Swift.min(remaining, input.available)
            input.consume(step)
            remaining -= step
        }
        guard let trailer = self.trailerLength(after: 0) else {
            self.queue(
                .badTrailer,
                at: fileOffset,
                "the block (Content-Length \(length)) is not followed by CRLF CRLF: wrong Content-Length",
                targetURI: targetURI,
                recordID: recordID
            )
            self.resynchronise()
            return nil
        }
        input.consume(trailer)
        if tooLarge {
            return .failure(
                WARCError(
                    code: .tooLarge,
                    path: self.path,
                    offset: fileOffset,
                    message: "record block of \(length) bytes is over the limit of \(self.options.maxRecordBytes)",
                    targetURI: targetURI,
                    recordID: recordID
                )
            )
        }
        return nil
    }

    /// Drops bytes up to the next `WARC/<digit>.` (at least one byte); returns how many.
    @discardableResult
    private func resynchronise() -> Int {
        let input = self.input
        var skipped = 0
        if input.available > 0 {
            input.consume(1)
            skipped = 1
        }
        while true {
            let bytes = UnsafeRawBufferPointer(start: input.window + input.start, count: input.available)
            var from = 0
            while let hit = ByteScanning.find("WARC/", in: bytes, from: from, to: bytes.count) {
                if hit + 7 > bytes.count { break }
                let digit = bytes[hit + 5]
                if digit >= UInt8(ascii: "0") && digit <= UInt8(ascii: "9") && bytes[hit + 6] == UInt8(ascii: ".") {
                    input.consume(hit)
                    return skipped + hit
                }
                from = hit + 1
            }
            // Keep a tail that may hold the start of "WARC/1.".
            let keep = Swift.min(bytes.count, 6)
            input.consume(bytes.count - keep)
            skipped += bytes.count - keep
            if !input.more() {
                skipped += input.available
                input.consume(input.available)
                return skipped
            }
        }
    }

    private func queue(
        _ code: WARCError.Code,
        at offset: Int64,
        _ message: String,
        targetURI: String? = nil,
        recordID: String? = nil
    ) {
        self.pending.append(
            WARCError(
                code: code,
                path: self.path,
                offset: offset,
                message: message,
                targetURI: targetURI,
                recordID: recordID
            )
        )
    }
}

@available(*, unavailable)
extension WARCReader: Sendable {}
