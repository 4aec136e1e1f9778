import Foundation
import NewswireCore

/// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), read leniently: numbers where
/// strings belong, a bare `"1.1"` version and 1.0's single `author` are all accepted.
enum JSONFeedParser {
    /// `true` when the first non-space byte (after a UTF-8 BOM) is `{`.
    static func looksLikeJSON(_ bytes: [UInt8]) -> Bool {
        var index = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        while index < bytes.count, XMLRepair.isSpace(bytes[index]) { index += 1 }
        return index < bytes.count && bytes[index] == UInt8(ascii: "{")
    }

    static func parse(_ bytes: [UInt8], base: String?, now: Date = Date()) -> ParsedFeed {
        var feed = ParsedFeed(encoding: "utf-8")
        var body = bytes
        if body.count >= 3, body[0] == 0xEF, body[1] == 0xBB, body[2] == 0xBF { body.removeFirst(3) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]),
            let root = object as? [String: Any]
        else {
            feed.wellFormed = false
            feed.error = "not a feed: invalid JSON"
            return feed
        }
        let version = Self.string(root["version"]) ?? ""
        if version.hasSuffix("/1.1") || version == "1.1" {
            feed.format = "json1.1"
        } else if version.hasSuffix("/1") || version == "1" || version == "1.0" {
            feed.format = "json1.0"
        } else {
            feed.format = "json1.1"
        }
        func resolve(_ value: String?) -> String? {
            guard let value else { return nil }
            guard let base else { return value }
            return FeedText.resolve(value, against: base)
        }
        var metadata = FeedMetadata()
        metadata.title = Self.string(root["title"])
        metadata.link = resolve(Self.string(root["home_page_url"]))
        if let link = metadata.link { metadata.links.append(FeedLink(href: link, rel: "alternate", type: "text/html")) }
        if let feedURL = resolve(Self.string(root["feed_url"])) {
            metadata.links.append(FeedLink(href: feedURL, rel: "self", type: "application/feed+json"))
        }
        metadata.subtitle = Self.string(root["description"])
        metadata.language = Self.string(root["language"])
        metadata.image = resolve(Self.string(root["icon"]) ?? Self.string(root["favicon"]))
        metadata.authors = Self.people(root)
        metadata.author = metadata.authors.first.flatMap(FeedText.display)
        feed.metadata = metadata
        for case let item as [String: Any] in (root["items"] as? [Any]) ?? [] {
            var entry = FeedEntry()
            entry.id = Self.string(item["id"])
            entry.link = resolve(Self.string(item["url"]))
            if let link = entry.link { entry.links.append(FeedLink(href: link, rel: "alternate", type: "text/html")) }
            if let external = resolve(Self.string(item["external_url"])) {
                entry.links.append(FeedLink(href: external, rel: "related"))
                if entry.link == nil { entry.link = external }
            }
            entry.title = Self.string(item["title"])
            entry.content = Self.string(item["content_html"]) ?? Self.string(item["content_text"])
            entry.summary = Self.string(item["summary"])
            // The one future-date rule, as for RSS and Atom.
            entry.published = FutureDateRule.standard.trusted(
                Self.string(item["date_published"]).flatMap(DateParser.parse),
                now: now
            )
            entry.updated = FutureDateRule.standard.trusted(
                Self.string(item["date_modified"]).flatMap(DateParser.parse),
                now: now
            )
            entry.authors = Self.people(item)
            // JSON Feed 1.1: an item without authors has the feed's.
            if entry.authors.isEmpty { entry.authors = feed.metadata.authors }
            entry.author = entry.authors.first.flatMap(FeedText.display)
            for case let tag as String in (item["tags"] as? [Any]) ?? [] where !tag.isEmpty {
                entry.categories.append(FeedCategory(term: tag))
            }
            for case let attachment as [String: Any] in (item["attachments"] as? [Any]) ?? [] {
                guard let url = resolve(Self.string(attachment["url"])) else { continue }
                let length = (attachment["size_in_bytes"] as? NSNumber)?.intValue
                let type = Self.string(attachment["mime_type"])
                entry.enclosures.append(FeedEnclosure(url: url, type: type, length: length))
                entry.links.append(FeedLink(href: url, rel: "enclosure", type: type))
            }
            feed.entries.append(entry)
        }
        // JSON Feed has no feed-level date: the newest item date stands for it.
        let dates = feed.entries.compactMap { $0.updated ?? $0.published }
        feed.metadata.updated = dates.max()
        feed.metadata.published = feed.entries.compactMap { $0.published }.max()
        return feed
    }

    private static func people(_ object: [String: Any]) -> [FeedPerson] {
        var result: [FeedPerson] = []
        var list = (object["authors"] as? [Any]) ?? []
        if list.isEmpty, let single = object["author"] { list = [single] }
        for case let author as [String: Any] in list {
            let person = FeedPerson(name: Self.string(author["name"]), uri: Self.string(author["url"]))
            if person.name != nil || person.uri != nil { result.append(person) }
        }
        return result
    }

    /// A string value, or a number written as a string; empty strings count as absent.
    private static func string(_ value: Any?) -> String? {
        switch value {
        case let string as String:
            let trimmed = string.trimmingASCIIWhitespace()
            return trimmed.isEmpty ? nil : trimmed
        case let number as NSNumber:
            return number.stringValue
        default:
            return nil
        }
    }
}
