import NewswireCore

extension WARCReader {
    /// Builds the record from its header and block: the HTTP head, the decoded payload, and
    /// the digest checks asked for.
    func decode(
        version: String,
        headers: WARCHeaders,
        type: WARCRecordType,
        block: UnsafeRawBufferPointer,
        location: WARCLocation
    ) -> Result<WARCRecord, WARCError> {
        func failure(_ code: WARCError.Code, _ message: String) -> Result<WARCRecord, WARCError> {
            .failure(
                WARCError(
                    code: code,
                    path: location.path,
                    offset: location.offset,
                    message: message,
                    targetURI: headers["WARC-Target-URI"],
                    recordID: headers["WARC-Record-ID"]
                )
            )
        }

        var record = WARCRecord(version: version, headers: headers, location: location)
        var body = block
        if self.options.parseHTTP && Self.holdsHTTP(type: type, headers: headers, block: block) {
            guard let (head, bodyStart) = HTTPMessageParser.parseHead(block) else {
                return failure(.badPayload, "the block is not an HTTP message")
            }
            record.http = head
            body = UnsafeRawBufferPointer(rebasing: block[bodyStart...])
        }

        if self.options.verifyDigests,
            let problem = Self.digestProblem(headers: headers, type: type, block: block, body: body, http: record.http)
        {
            return failure(.digestMismatch, problem)
        }

        guard let http = record.http, type != .revisit else {
            guard body.count <= self.options.maxPayloadBytes else {
                return failure(.tooLarge, "payload of \(body.count) bytes is over the limit")
            }
            record.payload = [UInt8](body)
            return .success(record)
        }

        do throws(PayloadDecoder.Failure) {
            var payload = body
            if self.options.decodeTransferEncoding, let transfer = http.headers["Transfer-Encoding"],
                transfer.lowercased().contains("chunked")
            {
                if try self.decoder.dechunk(body, limit: self.options.maxPayloadBytes) {
                    payload = self.decoder.dechunked.bytes
                }
            }
            let encoding = http.headers["Content-Encoding"]?.lowercased().filter { $0 != " " }
            switch encoding {
            case nil, "", "identity":
                break
            case .some(let name)
            where self.options.decodeContentEncoding && !payload.isEmpty
                && (name == "gzip" || name == "x-gzip" || name == "deflate"):
                try self.decoder.inflate(
                    payload,
                    gzipFormat: encoding != "deflate",
                    limit: self.options.maxPayloadBytes
                )
                payload = self.decoder.inflated.bytes
            default:
                record.remainingContentEncoding = http.headers["Content-Encoding"]
            }
            guard payload.count <= self.options.maxPayloadBytes else {
                return failure(.tooLarge, "payload of \(payload.count) bytes is over the limit")
            }
            record.payload = [UInt8](payload)
            self.decoder.dechunked.trim(to: 1 << 22)
            self.decoder.inflated.trim(to: 1 << 22)
            return .success(record)
        } catch {
            switch error {
            case .tooLarge:
                return failure(.tooLarge, "decoded payload is over the limit of \(self.options.maxPayloadBytes) bytes")
            case .malformed(let message):
                return failure(.badPayload, message)
            }
        }
    }

    /// Whether the block is an HTTP message: `application/http`, or a response, request or
    /// revisit block that starts like one (some writers leave out the `Content-Type`).
    private static func holdsHTTP(type: WARCRecordType, headers: WARCHeaders, block: UnsafeRawBufferPointer) -> Bool {
        guard type == .response || type == .request || type == .revisit else { return false }
        if let contentType = headers["Content-Type"] {
            return contentType.lowercased().hasPrefix("application/http")
        }
        if ByteScanning.hasPrefix("HTTP/", in: block, at: 0) { return true }
        return type == .request
            && ByteScanning.find(UInt8(ascii: " "), in: block, from: 0, to: Swift.min(block.count, 16)) != nil
    }

    /// A description of the first digest that does not match, or nil.
    ///
    /// The block digest covers the whole block. The payload digest covers the HTTP body as
    /// stored; since writers disagree on whether that is before or after de-chunking, either
    /// matches. Revisits carry the original's payload digest, so theirs is not checked.
    private static func digestProblem(
        headers: WARCHeaders,
        type: WARCRecordType,
        block: UnsafeRawBufferPointer,
        body: UnsafeRawBufferPointer,
        http: HTTPMessageHead?
    ) -> String? {
        if let declared = headers["WARC-Block-Digest"] {
            switch DigestValue(declared) {
            case .sha1(let expected):
                var digester = WARCDigester()
                digester.update(block)
                if digester.finalizeBytes() != expected {
                    return "WARC-Block-Digest \(declared) does not match the block (\(digester.finalize()))"
                }
            case .unreadableSHA1:
                return "WARC-Block-Digest \(declared) is not a SHA-1 value"
            case .other:
                break
            }
        }
        guard type != .revisit, let declared = headers["WARC-Payload-Digest"] else { return nil }
        let expected: [UInt8]
        switch DigestValue(declared) {
        case .sha1(let bytes): expected = bytes
        case .unreadableSHA1: return "WARC-Payload-Digest \(declared) is not a SHA-1 value"
        case .other: return nil
        }
        var digester = WARCDigester()
        digester.update(body)
        if digester.finalizeBytes() == expected { return nil }
        if let http, http.headers["Transfer-Encoding"]?.lowercased().contains("chunked") == true {
            let decoder = PayloadDecoder(fastMembers: false)
            if (try? decoder.dechunk(body, limit: Int.max)) == true {
                var dechunked = WARCDigester()
                dechunked.update(decoder.dechunked.bytes)
                if dechunked.finalizeBytes() == expected { return nil }
            }
        }
        return "WARC-Payload-Digest \(declared) does not match the payload (\(digester.finalize()))"
    }
}
