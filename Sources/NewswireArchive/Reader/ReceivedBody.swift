public import NewswireCore

/// Decodes a body kept as received (``RawExchange``): the same de-chunking and inflating
/// the reader applies to archived payloads, so a crawl that archives reads the bytes a
/// replay will.
public enum ReceivedBody {
    /// `body` de-chunked (`Transfer-Encoding: chunked`) and inflated (`Content-Encoding:
    /// gzip`, `x-gzip`, `deflate`), with the headers that no longer apply removed; other
    /// content codings are left as they are.
    ///
    /// - Returns: nil when the framing or the compressed stream is broken, or the decoded
    ///   body is over `limit` bytes.
    public static func decode(
        _ body: [UInt8],
        headers: HTTPHeaders,
        limit: Int
    ) -> (body: [UInt8], headers: HTTPHeaders)? {
        let decoder = PayloadDecoder(fastMembers: true)
        var fields = headers.fields
        var payload = body
        do {
            if headers["Transfer-Encoding"]?.lowercased().contains("chunked") == true {
                let dechunked = try body.withUnsafeBytes { bytes in
                    try decoder.dechunk(bytes, limit: limit)
                }
                if dechunked { payload = [UInt8](decoder.dechunked.bytes) }
                fields.removeAll { asciiCaseInsensitiveEquals($0.name, "Transfer-Encoding") }
            }
            let encoding = headers["Content-Encoding"]?.lowercased().filter { $0 != " " }
            if let encoding, !payload.isEmpty, encoding == "gzip" || encoding == "x-gzip" || encoding == "deflate" {
                try payload.withUnsafeBytes { bytes in
                    try decoder.inflate(bytes, gzipFormat: encoding != "deflate", limit: limit)
                }
                payload = [UInt8](decoder.inflated.bytes)
                fields.removeAll {
                    asciiCaseInsensitiveEquals($0.name, "Content-Encoding")
                        || asciiCaseInsensitiveEquals($0.name, "Content-Length")
                }
            }
        } catch {
            return nil
        }
        guard payload.count <= limit else { return nil }
        return (payload, HTTPHeaders(fields))
    }
}
