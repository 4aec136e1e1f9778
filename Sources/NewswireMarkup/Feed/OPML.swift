internal import CLibXML2
import NewswireCore

/// Reads and writes OPML subscription lists (OPML 1.0 and 2.0 `outline` elements with an
/// `xmlUrl`). Stateless and thread-safe.
public enum OPML {
    /// One subscription.
    public struct Subscription: Sendable, Hashable {
        /// The feed URL (`xmlUrl`).
        public var feedURL: String
        /// The outline's `title`, else its `text`.
        public var title: String?
        /// The site (`htmlUrl`).
        public var siteURL: String?
        /// The outline's `category` attribute (comma-separated, slashes trimmed) and the
        /// titles of the folders it sits in, outermost first: the feed's tags.
        public var categories: [String]

        public init(feedURL: String, title: String? = nil, siteURL: String? = nil, categories: [String] = []) {
            self.feedURL = feedURL
            self.title = title
            self.siteURL = siteURL
            self.categories = categories
        }
    }

    /// The subscriptions of an OPML document, in document order, nested outlines included.
    ///
    /// Broken documents are read as far as libxml2's recover mode gets; no network access.
    public static func subscriptions(in bytes: [UInt8]) -> [Subscription] {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return [] }
        let repaired = XMLRepair(bytes).bytes
        let options = Int32(
            XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
                | XML_PARSE_NOWARNING.rawValue
        )
        var result: [Subscription] = []
        repaired.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { chars in
                guard let document = xmlReadMemory(chars.baseAddress, Int32(chars.count), nil, nil, options) else {
                    return
                }
                defer { xmlFreeDoc(document) }
                guard let reader = xmlReaderWalker(document) else { return }
                defer { xmlFreeTextReader(reader) }
                // Folders (outlines without a feed URL that hold others), with their depth.
                var folders: [(depth: Int32, title: String)] = []
                while xmlTextReaderRead(reader) == 1 {
                    guard xmlTextReaderNodeType(reader) == 1, let name = xmlTextReaderConstLocalName(reader),
                        String(cString: name).lowercased() == "outline"
                    else { continue }
                    let depth = xmlTextReaderDepth(reader)
                    let isEmpty = xmlTextReaderIsEmptyElement(reader) == 1
                    while let last = folders.last, last.depth >= depth { folders.removeLast() }
                    var attributes: [String: String] = [:]
                    while xmlTextReaderMoveToNextAttribute(reader) == 1 {
                        guard let key = xmlTextReaderConstLocalName(reader), let value = xmlTextReaderConstValue(reader)
                        else { continue }
                        attributes[String(cString: key).lowercased()] = String(cString: value)
                    }
                    xmlTextReaderMoveToElement(reader)
                    let title = (attributes["title"] ?? attributes["text"])?.trimmingASCIIWhitespace()
                    guard let url = attributes["xmlurl"]?.trimmingASCIIWhitespace(), !url.isEmpty else {
                        if !isEmpty, let title, !title.isEmpty { folders.append((depth, title)) }
                        continue
                    }
                    var categories = folders.map(\.title)
                    for category in (attributes["category"] ?? "").split(separator: ",") {
                        var trimmed = Substring(String(category).trimmingASCIIWhitespace())
                        while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
                        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
                        if !trimmed.isEmpty && !categories.contains(String(trimmed)) {
                            categories.append(String(trimmed))
                        }
                    }
                    result.append(
                        Subscription(
                            feedURL: url,
                            title: title?.isEmpty == false ? title : nil,
                            siteURL: attributes["htmlurl"].flatMap { $0.isEmpty ? nil : $0 },
                            categories: categories
                        )
                    )
                }
            }
        }
        return result
    }

    /// An OPML 2.0 document listing `subscriptions`.
    public static func document(title: String, subscriptions: [Subscription]) -> String {
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<opml version=\"2.0\">",
            "  <head><title>\(Self.escaped(title))</title></head>",
            "  <body>",
        ]
        for subscription in subscriptions {
            let text = Self.escaped(subscription.title ?? subscription.feedURL)
            var line = "    <outline type=\"rss\" text=\"\(text)\" title=\"\(text)\""
            line += " xmlUrl=\"\(Self.escaped(subscription.feedURL))\""
            if let site = subscription.siteURL { line += " htmlUrl=\"\(Self.escaped(site))\"" }
            lines.append(line + "/>")
        }
        lines += ["  </body>", "</opml>", ""]
        return lines.joined(separator: "\n")
    }

    private static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
