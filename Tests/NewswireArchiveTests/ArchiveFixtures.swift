import Foundation
import NewswireArchive

/// Builds small WARC files byte by byte, so each test states the exact bytes it reads.
enum ArchiveFixtures {
    /// A fresh folder under the system's temporary folder.
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "newswire-archive-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ bytes: [UInt8], to name: String, in directory: String) -> String {
        let path = directory + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// One record: version line, fields, `Content-Length` (the block's unless given), the
    /// block and the trailer.
    static func record(
        version: String = "WARC/1.1",
        type: String,
        uri: String? = nil,
        date: String = "2026-11-02T08:30:00Z",
        fields: [(String, String)] = [],
        contentType: String? = nil,
        block: [UInt8],
        contentLength: Int? = nil,
        trailer: String = "\r\n\r\n",
        id: String = UUID().uuidString.lowercased()
    ) -> [UInt8] {
        var header = "\(version)\r\nWARC-Type: \(type)\r\nWARC-Record-ID: <urn:uuid:\(id)>\r\n"
        header += "WARC-Date: \(date)\r\n"
        if let uri { header += "WARC-Target-URI: \(uri)\r\n" }
        for (name, value) in fields { header += "\(name): \(value)\r\n" }
        if let contentType { header += "Content-Type: \(contentType)\r\n" }
        header += "Content-Length: \(contentLength ?? block.count)\r\n\r\n"
        return Array(header.utf8) + block + Array(trailer.utf8)
    }

    /// An HTTP response record around `body`.
    static func response(
        version: String = "WARC/1.1",
        uri: String,
        status: String = "200 OK",
        headers: [(String, String)] = [("Content-Type", "text/html; charset=utf-8")],
        body: [UInt8],
        fields: [(String, String)] = [],
        contentLength: Int? = nil,
        id: String = UUID().uuidString.lowercased()
    ) -> [UInt8] {
        var head = "HTTP/1.1 \(status)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        return record(
            version: version,
            type: "response",
            uri: uri,
            fields: fields,
            contentType: "application/http; msgtype=response",
            block: Array(head.utf8) + body,
            contentLength: contentLength,
            id: id
        )
    }

    static func warcinfo() -> [UInt8] {
        record(type: "warcinfo", contentType: "application/warc-fields", block: Array("software: fixture\r\n".utf8))
    }

    /// An invented article page.
    static func page(_ title: String, paragraphs: Int = 3) -> [UInt8] {
        var html = "<html><head><title>\(title)</title></head><body><article><h1>\(title)</h1>"
        for index in 0..<paragraphs {
            html += "<p>Paragraph \(index) of the report from the Orland valley on \(title.lowercased()).</p>"
        }
        return Array((html + "</article></body></html>").utf8)
    }

    static func chunked(_ body: [UInt8], size: Int) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < body.count {
            let take = Swift.min(size, body.count - index)
            out += Array((String(take, radix: 16) + "\r\n").utf8) + body[index..<(index + take)] + Array("\r\n".utf8)
            index += take
        }
        return out + Array("0\r\n\r\n".utf8)
    }

    /// Reads every item of a file.
    static func readAll(
        _ path: String,
        options: WARCReader.Options = WARCReader.Options()
    ) throws -> (records: [WARCRecord], errors: [WARCError]) {
        var records: [WARCRecord] = []
        var errors: [WARCError] = []
        for item in try WARCReader(path: path, options: options) {
            switch item {
            case .success(let record): records.append(record)
            case .failure(let error): errors.append(error)
            }
        }
        return (records, errors)
    }
}
