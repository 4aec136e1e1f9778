import NewswireCore

/// Parses the head of an HTTP/1.x message stored in a WARC block.
enum HTTPMessageParser {
    /// The head of the message at the start of `block`, and where its body starts.
    ///
    /// A block that ends inside the head (a revisit that stores the headers without the blank
    /// line after them) counts as a head with an empty body. Nil when the first line is neither
    /// a status line nor a request line.
    static func parseHead(_ block: UnsafeRawBufferPointer) -> (head: HTTPMessageHead, bodyStart: Int)? {
        let headEnd = ByteScanning.headerEnd(in: block, from: 0, to: block.count) ?? block.count
        let firstNewline = ByteScanning.find(UInt8(ascii: "\n"), in: block, from: 0, to: headEnd) ?? headEnd
        var firstEnd = firstNewline
        if firstEnd > 0 && block[firstEnd - 1] == UInt8(ascii: "\r") { firstEnd -= 1 }
        guard let startLine = Self.parseStartLine(block, to: firstEnd) else { return nil }
        let fields = ByteScanning.fields(in: block, from: min(firstNewline + 1, headEnd), to: headEnd)
        let head = HTTPMessageHead(version: startLine.version, startLine: startLine.line, headers: HTTPHeaders(fields))
        return (head, headEnd)
    }

    private static func parseStartLine(
        _ block: UnsafeRawBufferPointer,
        to end: Int
    ) -> (version: String, line: HTTPMessageHead.StartLine)? {
        let space = UInt8(ascii: " ")
        if ByteScanning.hasPrefix("HTTP/", in: block, at: 0) {
            // HTTP/1.1 200 OK (RFC 9112 §4); the reason phrase may be empty or missing.
            guard let firstSpace = ByteScanning.find(space, in: block, from: 0, to: end) else { return nil }
            var index = firstSpace
            while index < end && block[index] == space { index += 1 }
            var status = 0
            var digits = 0
            while index < end, block[index] >= UInt8(ascii: "0"), block[index] <= UInt8(ascii: "9"), digits < 3 {
                status = status * 10 + Int(block[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            guard digits == 3 else { return nil }
            let version = ByteScanning.trimmedString(block, 0, firstSpace)
            let reason = ByteScanning.trimmedString(block, index, end)
            return (version, .response(status: status, reason: reason))
        }
        // GET /path HTTP/1.1 (RFC 9112 §3)
        guard let firstSpace = ByteScanning.find(space, in: block, from: 0, to: end), firstSpace > 0 else {
            return nil
        }
        var lastSpace = end - 1
        while lastSpace > firstSpace && block[lastSpace] != space { lastSpace -= 1 }
        guard lastSpace > firstSpace, ByteScanning.hasPrefix("HTTP/", in: block, at: lastSpace + 1) else { return nil }
        let method = ByteScanning.trimmedString(block, 0, firstSpace)
        let target = ByteScanning.trimmedString(block, firstSpace + 1, lastSpace)
        let version = ByteScanning.trimmedString(block, lastSpace + 1, end)
        return (version, .request(method: method, target: target))
    }
}
