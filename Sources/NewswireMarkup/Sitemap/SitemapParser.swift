internal import CLibXML2
import NewswireCore

#if canImport(Glibc)
import Glibc
#endif

/// Parses sitemaps as a stream: `sitemapindex`, `urlset` with the news and image extensions,
/// and plain-text sitemaps (one URL a line), gzip-compressed or not, whatever their name.
///
/// XML is read by one libxml2 `xmlTextReader` pass that hands each entry on as its element
/// closes, so memory does not grow with the number of entries. A document libxml2 reports an
/// error in (or one not declared as UTF-8, or with a DOCTYPE) goes through the feed parser's
/// charset decoding and byte-level repair and is read again; entries the first pass handed
/// on are not handed on twice. No network access, no external entities; reading stops at
/// ``SitemapLimits``. Stateless: call it from any thread.
public struct SitemapParser: Sendable {
    public var limits: SitemapLimits

    public init(limits: SitemapLimits = SitemapLimits()) {
        self.limits = limits
    }

    /// Parses a sitemap's bytes; relative `loc`s resolve against `url`.
    public func parse(
        _ body: [UInt8],
        url: String?,
        contentType: String? = nil,
        each: (SitemapEntry) -> Void
    ) -> SitemapSummary {
        var summary = SitemapSummary()
        var bytes = body
        if Self.isGzip(bytes) {
            summary.compressed = true
            guard let inflated = Self.inflate(bytes, limit: self.limits.maxBytes) else {
                summary.wellFormed = false
                summary.error = "cannot inflate the gzip data"
                return summary
            }
            bytes = inflated.bytes
            summary.truncated = inflated.truncated
        }
        if bytes.count > self.limits.maxBytes {
            bytes.removeLast(bytes.count - self.limits.maxBytes)
            summary.truncated = true
        }
        if Self.isPlainText(bytes) {
            self.parseText(bytes, into: &summary, each: each)
            return summary
        }
        withoutActuallyEscaping(each) { deliver in
            var delivered = 0
            if XMLCharset.isDeclaredUTF8(bytes, contentType: contentType), XMLRepair.mayReadDirectly(bytes) {
                var reader = SitemapXMLReader(base: url, limits: self.limits, skip: 0, deliver: deliver)
                bytes.withUnsafeBufferPointer { reader.read($0, stopAtFirstError: true) }
                if reader.errorCount == 0 {
                    reader.finish()
                    Self.summarize(reader, into: &summary)
                    return
                }
                delivered = reader.delivered
            }
            self.readRepaired(bytes, url: url, contentType: contentType, skip: delivered, into: &summary, deliver)
        }
        return summary
    }

    /// Parses the sitemap file at `path` (gzip-compressed or not) as libxml2 streams it;
    /// relative `loc`s resolve against `base`.
    public func parseFile(_ path: String, base: String?, each: (SitemapEntry) -> Void) -> SitemapSummary {
        var summary = SitemapSummary()
        guard let head = Self.readInflated(path: path, limit: 4096) else {
            summary.error = "cannot open the file"
            return summary
        }
        summary.compressed = Self.startsWithGzipMagic(path: path)
        guard !Self.isPlainText(head.bytes), XMLCharset.isDeclaredUTF8(head.bytes, contentType: nil),
            XMLRepair.mayReadDirectly(head.bytes)
        else {
            return self.parseWhole(path: path, base: base, compressed: summary.compressed, each: each)
        }
        var failed = false
        var delivered = 0
        withoutActuallyEscaping(each) { deliver in
            var reader = SitemapXMLReader(base: base, limits: self.limits, skip: 0, deliver: deliver)
            reader.read(path: path)
            if reader.errorCount == 0 {
                reader.finish()
                Self.summarize(reader, into: &summary)
            } else {
                failed = true
                delivered = reader.delivered
            }
        }
        guard failed else { return summary }
        guard let whole = Self.readInflated(path: path, limit: self.limits.maxBytes) else {
            summary.error = "cannot read the file"
            return summary
        }
        summary.truncated = whole.truncated
        withoutActuallyEscaping(each) { deliver in
            self.readRepaired(whole.bytes, url: base, contentType: nil, skip: delivered, into: &summary, deliver)
        }
        return summary
    }

    private func parseWhole(
        path: String,
        base: String?,
        compressed: Bool,
        each: (SitemapEntry) -> Void
    ) -> SitemapSummary {
        guard let whole = Self.readInflated(path: path, limit: self.limits.maxBytes) else {
            var summary = SitemapSummary()
            summary.error = "cannot read the file"
            return summary
        }
        var summary = self.parse(whole.bytes, url: base, each: each)
        summary.compressed = compressed
        summary.truncated = summary.truncated || whole.truncated
        return summary
    }

    /// Decodes and repairs `bytes`, then reads them through, skipping the first `skip` entries.
    private func readRepaired(
        _ bytes: [UInt8],
        url: String?,
        contentType: String?,
        skip: Int,
        into summary: inout SitemapSummary,
        _ deliver: @escaping (SitemapEntry) -> Void
    ) {
        let decoded = XMLCharset.decode(bytes, contentType: contentType)
        var repair = XMLRepair(decoded.utf8)
        // A cut-off document: keep it up to its last complete `<loc>`, so that recovery does
        // not close a URL cut in the middle into an entry.
        if let end = Self.endOfLastLocation(inTruncated: repair.bytes) {
            repair.bytes.removeLast(repair.bytes.count - end)
        }
        var reader = SitemapXMLReader(base: url, limits: self.limits, skip: skip, deliver: deliver)
        repair.bytes.withUnsafeBufferPointer { reader.read($0, stopAtFirstError: false) }
        let handedOn = max(skip, reader.delivered)
        if reader.errorCount > 0 {
            // The tree parser recovers more of a broken or truncated document; it hands on
            // only the entries after those already handed on.
            var recovered = SitemapXMLReader(
                base: url,
                limits: self.limits,
                skip: handedOn,
                deliver: deliver
            )
            repair.bytes.withUnsafeBufferPointer { recovered.readRecoveringTree($0) }
            if recovered.delivered > handedOn {
                recovered.finish()
                Self.summarize(recovered, into: &summary)
                summary.wellFormed = false
                return
            }
        }
        reader.finish()
        Self.summarize(reader, into: &summary)
        summary.wellFormed = !repair.repaired && !decoded.overruled && reader.errorCount == 0
    }

    /// When `bytes` do not end with the root's end tag, the offset just after the last
    /// `</loc>`; `nil` for a complete document.
    static func endOfLastLocation(inTruncated bytes: [UInt8]) -> Int? {
        let tail = String(decoding: bytes.suffix(512), as: UTF8.self).lowercased()
        if tail.contains("</urlset") || tail.contains("</sitemapindex") { return nil }
        let closing = Array("</loc>".utf8)
        var index = bytes.count - closing.count
        while index >= 0 {
            if bytes[index] == UInt8(ascii: "<"), bytes[index..<(index + closing.count)].elementsEqual(closing) {
                return index + closing.count
            }
            index -= 1
        }
        return nil
    }

    private static func summarize(_ reader: SitemapXMLReader, into summary: inout SitemapSummary) {
        summary.kind = reader.kind
        summary.entries = reader.delivered
        summary.skipped = reader.skipped
        summary.truncated = summary.truncated || reader.truncated
        summary.wellFormed = reader.errorCount == 0
        if !reader.sawRoot {
            summary.wellFormed = false
            summary.error = "not a sitemap: no XML element found"
        } else if reader.kind == nil {
            summary.wellFormed = false
            summary.error = "not a sitemap: the root element is neither urlset nor sitemapindex"
        }
    }

    // MARK: Plain text

    private func parseText(_ bytes: [UInt8], into summary: inout SitemapSummary, each: (SitemapEntry) -> Void) {
        summary.kind = .text
        let text = String(
            decoding: bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...],
            as: UTF8.self
        )
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let candidate = String(line).trimmingASCIIWhitespace()
            guard !candidate.isEmpty else { continue }
            guard WebURL.isWeb(candidate) else {
                summary.skipped += 1
                continue
            }
            guard summary.entries < self.limits.maxEntries else {
                summary.truncated = true
                return
            }
            summary.entries += 1
            each(SitemapEntry(url: candidate))
        }
    }

    /// Whether the first character that is not white space (after a UTF-8 BOM) is not `<`,
    /// and the bytes are not UTF-16 or UTF-32: a plain-text sitemap.
    static func isPlainText(_ bytes: [UInt8]) -> Bool {
        var index = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { return false }
        while index < bytes.count, XMLRepair.isSpace(bytes[index]) { index += 1 }
        guard index < bytes.count else { return false }
        if index + 1 < bytes.count, bytes[index + 1] == 0 || bytes[index] == 0 { return false }
        return bytes[index] != UInt8(ascii: "<")
    }

    // MARK: Gzip

    /// Gzip's magic bytes, whatever the name or Content-Type says.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    private static func startsWithGzipMagic(path: String) -> Bool {
        guard let file = fopen(path, "rb") else { return false }
        defer { fclose(file) }
        var magic: [UInt8] = [0, 0]
        return fread(&magic, 1, 2, file) == 2 && Self.isGzip(magic)
    }

    /// Inflates gzip `bytes` through libxml2's input layer (built with zlib): the bytes go to
    /// an unlinked temporary file that libxml2 opens by name. At most `limit` bytes are kept.
    static func inflate(_ bytes: [UInt8], limit: Int) -> (bytes: [UInt8], truncated: Bool)? {
        let folder = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((folder + "/newswire-sitemap-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { return nil }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer {
            close(descriptor)
            unlink(path)
        }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            guard result > 0 else { return nil }
            written += result
        }
        return Self.readInflated(path: path, limit: limit)
    }

    /// The bytes of the file at `path`, inflated if it is gzip-compressed, up to `limit`.
    static func readInflated(path: String, limit: Int) -> (bytes: [UInt8], truncated: Bool)? {
        guard let input = xmlParserInputBufferCreateFilename(path, XML_CHAR_ENCODING_NONE) else { return nil }
        defer { xmlFreeParserInputBuffer(input) }
        var truncated = false
        while true {
            let read = xmlParserInputBufferRead(input, 1 << 18)
            if read < 0 { return nil }
            if read == 0 { break }
            if let buffer = input.pointee.buffer, xmlBufUse(buffer) > limit {
                truncated = true
                break
            }
        }
        guard let buffer = input.pointee.buffer else { return ([], false) }
        let count = min(xmlBufUse(buffer), limit)
        guard count > 0, let content = xmlBufContent(buffer) else { return ([], truncated) }
        return (Array(UnsafeBufferPointer(start: content, count: count)), truncated)
    }

    // MARK: Scope

    /// Whether `url` belongs to the site of the sitemap at `sitemap` (the same host, give or
    /// take `www.`): the protocol has a sitemap list only its own site's URLs.
    public static func isSameSite(_ url: String, as sitemap: String) -> Bool {
        guard let page = WebURL(url), let source = WebURL(sitemap) else { return false }
        return page.site.lowercased() == source.site.lowercased()
    }
}
