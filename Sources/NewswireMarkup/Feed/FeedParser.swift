import NewswireCore

import struct Foundation.Date

/// Parses RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF and JSON Feed documents into ``ParsedFeed``.
///
/// The format is detected from the content, never from the URL or Content-Type. XML goes
/// through ``Charset`` (BOM, HTTP charset, XML declaration, mislabelled bytes), a byte-level
/// repair pass (undeclared HTML entities, bare `&`, control characters, DOCTYPE removal) and
/// one streaming libxml2 `xmlTextReader` pass in recover mode, with no network access and no
/// external entities. A document that had to be repaired or recovered is marked
/// `wellFormed == false`; one with nothing usable gets `error` set and no entries.
///
/// A stateless value: call it from any thread; each call owns its libxml2 reader.
public struct FeedParser: FeedParsing, Sendable {
    public init() {}

    /// Parses `document`'s body; relative URLs resolve against `Content-Location`, then the
    /// document's final URL, then `xml:base`.
    public func parseFeed(_ document: FetchedDocument) -> ParsedFeed {
        let body = document.body
        var base: String? = document.finalURL.isEmpty ? nil : document.finalURL
        if let location = document.headers["Content-Location"]?.trimmingASCIIWhitespace(), !location.isEmpty {
            base = base.map { FeedText.resolve(location, against: $0) } ?? location
        }
        if base.map({ !FeedText.hasScheme($0) }) ?? false { base = nil }
        if JSONFeedParser.looksLikeJSON(body) {
            var parsed = JSONFeedParser.parse(body, base: base, now: document.fetchedAt)
            if let language = document.headers["Content-Language"], parsed.metadata.language == nil {
                parsed.metadata.language = Self.firstLanguage(language)
            }
            return parsed
        }
        return self.parseXML(
            body,
            contentType: document.contentType,
            base: base,
            headers: document.headers,
            now: document.fetchedAt
        )
    }

    private func parseXML(
        _ body: [UInt8],
        contentType: String?,
        base: String?,
        headers: HTTPHeaders,
        now: Date
    ) -> ParsedFeed {
        // Most feeds are UTF-8 and well-formed: libxml2 reads them as they are. Only when it
        // reports an error (bad UTF-8, an undeclared entity, a bare `&`…), or the document
        // needs decoding or has a DOCTYPE, do the bytes go through XMLCharset and XMLRepair
        // and get read again.
        var reader = FeedXMLReader(baseURL: base, now: now)
        var wellFormed = true
        var encoding = "utf-8"
        var overruled = false
        var expansionLimit: String?
        if XMLCharset.isDeclaredUTF8(body, contentType: contentType), XMLRepair.mayReadDirectly(body) {
            reader.read(body, stopAtFirstError: true)
        } else {
            reader.errorCount = 1
        }
        if reader.errorCount > 0 {
            let decoded = XMLCharset.decode(body, contentType: contentType)
            encoding = decoded.encoding
            overruled = decoded.overruled
            let repair = XMLRepair(decoded.utf8)
            expansionLimit = Self.expansionLimitMessage(repair)
            reader = FeedXMLReader(baseURL: base, now: now)
            reader.read(repair.bytes)
            wellFormed = !repair.repaired && reader.errorCount == 0
            if reader.errorCount > 0 {
                // libxml2's streaming reader stops at a broken chunk: let its tree parser
                // recover the document instead, and keep whichever found more.
                var recovered = FeedXMLReader(baseURL: base, now: now)
                if recovered.readRecoveringTree(repair.bytes), recovered.sawRoot,
                    !reader.sawRoot || recovered.feed.entries.count >= reader.feed.entries.count
                {
                    reader = recovered
                }
            }
        }
        var feed = reader.feed
        if let limit = expansionLimit { feed.error = limit }
        feed.encoding = encoding
        feed.wellFormed = wellFormed && reader.sawRoot && !overruled
        if let language = headers["Content-Language"], feed.metadata.language == nil {
            feed.metadata.language = Self.firstLanguage(language)
        }
        if reader.sawHTMLRoot || (!reader.sawRoot && Self.looksLikeHTML(body)) {
            feed.wellFormed = false
            feed.entries = []
            // The page may announce its feeds: hand them on as alternate links.
            feed.metadata.links = FeedDiscovery.feedLinks(inHTML: body, baseURL: base)
            feed.error =
                feed.metadata.links.isEmpty
                ? "not a feed: the document is an HTML page"
                : "not a feed: the document is an HTML page announcing \(feed.metadata.links.count) feed(s)"

        } else if !reader.sawRoot {
            feed.wellFormed = false
            feed.error = body.isEmpty ? "empty document" : "not a feed: no XML element found"
        } else if feed.format == nil && feed.entries.isEmpty && feed.metadata.title == nil {
            feed.wellFormed = false
            feed.error = "not a feed: no RSS, Atom or JSON Feed root element"
        }
        return feed
    }

    /// The note for a feed whose entities would have expanded past the repair budget.
    private static func expansionLimitMessage(_ repair: XMLRepair) -> String? {
        guard repair.unexpandedReferences > 0 else { return nil }
        return "limit: internal entities would expand past \(repair.expansionBudget) bytes; "
            + "\(repair.unexpandedReferences) references left unexpanded"
    }

    /// An HTML page: `<!DOCTYPE html` or `<html` near the start.
    private static func looksLikeHTML(_ body: [UInt8]) -> Bool {
        let head = String(decoding: body.prefix(1024), as: UTF8.self).lowercased()
        return head.contains("<!doctype html") || head.contains("<html")
    }

    private static func firstLanguage(_ header: String) -> String? {
        let first = header.split(separator: ",").first.map { String($0).trimmingASCIIWhitespace() } ?? ""
        return first.isEmpty ? nil : first
    }
}
