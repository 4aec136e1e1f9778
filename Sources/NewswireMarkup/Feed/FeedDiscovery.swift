internal import CLibXML2
import NewswireCore

/// Finds the feeds an HTML page announces with
/// `<link rel="alternate" type="application/rss+xml|atom+xml|feed+json" href="…">`, so a
/// pipeline may name a site's home page instead of its feed.
///
/// Reads the page with libxml2's HTML parser (tag soup welcome, no network). Stateless and
/// thread-safe; each call owns its parser.
public enum FeedDiscovery {
    /// The feed links of the page, absolute (resolved against `<base href>` and `baseURL`),
    /// in document order, without duplicates. `type` is the announced media type.
    public static func feedLinks(inHTML bytes: [UInt8], baseURL: String?) -> [FeedLink] {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return [] }
        // htmlReadMemory(3) with HTML_PARSE_NONET: recovering, silent, never fetching.
        let options = Int32(
            HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
                | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_COMPACT.rawValue
        )
        var found: [(href: String, type: String, title: String?)] = []
        var base = baseURL
        bytes.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { chars in
                guard let document = htmlReadMemory(chars.baseAddress, Int32(chars.count), nil, nil, options) else {
                    return
                }
                defer { xmlFreeDoc(document) }
                guard let reader = xmlReaderWalker(document) else { return }
                defer { xmlFreeTextReader(reader) }
                while xmlTextReaderRead(reader) == 1 {
                    guard xmlTextReaderNodeType(reader) == 1,
                        let rawName = xmlTextReaderConstLocalName(reader)
                    else { continue }
                    let name = String(cString: rawName).lowercased()
                    if name == "body" { break }
                    if name == "base", let href = Self.attribute(reader, "href"), !href.isEmpty {
                        base = base.map { FeedText.resolve(href, against: $0) } ?? href
                        continue
                    }
                    guard name == "link",
                        let rel = Self.attribute(reader, "rel")?.lowercased(),
                        rel.split(separator: " ").contains("alternate"),
                        let type = Self.attribute(reader, "type")?.lowercased().trimmingASCIIWhitespace(),
                        Self.feedTypes.contains(type),
                        let href = Self.attribute(reader, "href")?.trimmingASCIIWhitespace(), !href.isEmpty
                    else { continue }
                    found.append((href, type, Self.attribute(reader, "title")))
                }
            }
        }
        var seen: Set<String> = []
        var links: [FeedLink] = []
        for item in found {
            let href = base.map { FeedText.resolve(item.href, against: $0) } ?? item.href
            guard seen.insert(href).inserted else { continue }
            links.append(FeedLink(href: href, rel: "alternate", type: item.type, title: item.title))
        }
        return links
    }

    private static let feedTypes: Set<String> = [
        "application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml",
        "application/x.atom+xml", "application/x-atom+xml", "application/json", "text/xml",
    ]

    private static func attribute(_ reader: xmlTextReaderPtr, _ name: String) -> String? {
        guard let value = xmlTextReaderGetAttribute(reader, name) else { return nil }
        defer { clibxml2_free(value) }
        return String(cString: value)
    }
}
