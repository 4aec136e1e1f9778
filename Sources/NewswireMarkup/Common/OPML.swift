internal import CLibXML2
import NewswireCore

/// Reads the feed list of an OPML file, the format every feed reader exports.
public enum OPML {
    /// One subscription: an `<outline>` with an `xmlUrl`.
    public struct Subscription: Sendable, Hashable {
        public var url: String
        public var title: String?

        public init(url: String, title: String?) {
            self.url = url
            self.title = title
        }
    }

    /// The subscriptions of an OPML document, in document order, nested folders included.
    ///
    /// - Throws: ``StageError`` (kind `parse`) when the bytes hold no XML at all.
    public static func subscriptions(in bytes: [UInt8]) throws -> [Subscription] {
        guard bytes.count < Int(Int32.max) else { throw StageError(.limit, "OPML file too large") }
        // XML_PARSE_NONET: no network; no XML_PARSE_NOENT and no DTD loading, so no external
        // entities are read (the libxml2 defaults for xmlReadMemory).
        let options =
            Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue)
            | Int32(XML_PARSE_NOWARNING.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlReadMemory($0, Int32(buffer.count), nil, nil, options)
            }
        }
        guard let document else { throw StageError(.parse, "not an OPML document: no XML found") }
        defer { xmlFreeDoc(document) }
        var result: [Subscription] = []
        func visit(_ node: xmlNodePtr?) {
            var current = node
            while let element = current {
                if element.pointee.type == XML_ELEMENT_NODE {
                    let name = String(cString: element.pointee.name)
                    if name.lowercased() == "outline",
                        let url = self.attribute(element, "xmlUrl") ?? self.attribute(element, "xmlurl"),
                        !url.isEmpty
                    {
                        result.append(
                            Subscription(
                                url: url,
                                title: self.attribute(element, "title") ?? self.attribute(element, "text")
                            )
                        )
                    }
                    visit(element.pointee.children)
                }
                current = element.pointee.next
            }
        }
        visit(xmlDocGetRootElement(document))
        return result
    }

    private static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
        guard let value = xmlGetProp(node, name) else { return nil }
        defer { clibxml2_free(value) }
        let text = String(cString: value).trimmingASCIIWhitespace()
        return text.isEmpty ? nil : text
    }
}
