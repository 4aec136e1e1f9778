internal import CLibXML2
import Foundation
import NewswireCore

/// One streaming pass of libxml2's `xmlTextReader` over a repaired XML feed, filling a
/// ``ParsedFeed`` as elements go by.
///
/// Element names are compared as namespace class plus local name; strings are built only for
/// the fields that are kept. Not thread-safe: one reader per parse, used by the calling thread.
final class FeedXMLReader {
    private(set) var feed = ParsedFeed()
    /// libxml2 reported at least one well-formedness error.
    var errorCount = 0
    /// The root element was an HTML page.
    private(set) var sawHTMLRoot = false
    private(set) var sawRoot = false

    private var kind = DocumentKind.unknown
    private var entry: FeedEntry?
    private var entryHasEnclosure = false
    private var mediaEnclosures: [FeedEnclosure] = []
    private var person: PersonScope?
    private var frames: [Frame] = []
    private var capture: Capture?
    private var buffer: [UInt8] = []
    private var namespaceCache: [UnsafeRawPointer: Namespace] = [:]
    private var bases: [String?]
    private let now = Date()

    init(baseURL: String?) {
        self.bases = [baseURL]
    }

    // MARK: Types

    private enum DocumentKind {
        case unknown, rss, rdf, atom, cdf
    }

    enum Namespace {
        case none, rss, atom, dc, dcterms, content, media, itunes, xhtml, rdf, xml, other
    }

    /// What an open element means for the fields around it.
    private enum Role {
        case plain
        case entry
        case person
        case image
        case ignoredSubtree
        case capture
        case itunesCategory
    }

    private struct Frame {
        var role: Role
        var pushedBase: Bool
    }

    private enum PersonTarget {
        case feedAuthor, entryAuthor, ignored
    }

    private struct PersonScope {
        var target: PersonTarget
        var person = FeedPerson()
    }

    enum Mode {
        /// Plain text; child elements are serialized as markup (HTML in an RSS element).
        case text
        /// Escaped HTML as text; child elements are serialized as markup.
        case html
        /// XHTML / XML children: serialized, the text escaped.
        case xhtml
        /// Base64-encoded content.
        case base64
    }

    private enum Field {
        case title, link, id, published, updated, author, creator, summary, content, subtitle
        case category, comments, rights, language, generator, personName, personEmail, personURI
        case imageURL, itunesSummary, itunesSubtitle, itunesAuthor, dcTitle, dcSubject, dcDescription
        case feedAuthor, feedPublished, atomID
    }

    private struct Capture {
        var field: Field
        var depth: Int
        var mode: Mode
        var attributes: [Attribute]
        /// Depth of open child markup inside the captured element.
        var childDepth = 0
        var sawChild = false
        var skipWrapperDepth: Int?
        var base: String?
    }

    struct Attribute {
        var namespace: Namespace
        var name: String
        var value: String
    }

    // MARK: Walk

    /// Reads `bytes` (UTF-8) to the end or to the first unrecoverable error.
    func read(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return }
        let options = Int32(
            XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
                | XML_PARSE_NOWARNING.rawValue | XML_PARSE_IGNORE_ENC.rawValue | XML_PARSE_NOCDATA.rawValue
                | XML_PARSE_COMPACT.rawValue
        )
        // xmlReaderForMemory(3) reads the buffer in place; the bytes outlive the reader.
        bytes.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { chars in
                guard let reader = xmlReaderForMemory(chars.baseAddress, Int32(chars.count), nil, "UTF-8", options)
                else { return }
                defer { xmlFreeTextReader(reader) }
                let context = Unmanaged.passUnretained(self).toOpaque()
                xmlTextReaderSetStructuredErrorHandler(reader, countError, context)
                self.walk(reader)
            }
        }
        self.finishOpenEntry()
    }

    private func walk(_ reader: xmlTextReaderPtr) {
        while xmlTextReaderRead(reader) == 1 {
            switch xmlTextReaderNodeType(reader) {
            case 1:
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                if !self.startElement(reader) { return }
                if empty { self.endElement(reader) }
            case 15:
                self.endElement(reader)
            case 3, 4, 13, 14:
                guard self.capture != nil, let value = xmlTextReaderConstValue(reader) else { continue }
                self.appendText(value)
            default:
                continue
            }
        }
    }

    // MARK: Names

    private func namespace(of reader: xmlTextReaderPtr) -> Namespace {
        guard let uri = xmlTextReaderConstNamespaceUri(reader) else { return .none }
        let key = UnsafeRawPointer(uri)
        if let cached = self.namespaceCache[key] { return cached }
        let namespace = Self.classify(String(cString: uri))
        self.namespaceCache[key] = namespace
        return namespace
    }

    static func classify(_ uri: String) -> Namespace {
        let lowered = uri.lowercased()
        switch lowered {
        case "http://www.w3.org/2005/atom", "http://purl.org/atom/ns#": return .atom
        case "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/elements/1.0/": return .dc
        case "http://purl.org/dc/terms/": return .dcterms
        case "http://purl.org/rss/1.0/modules/content/": return .content
        case "http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss": return .media
        case "http://www.itunes.com/dtds/podcast-1.0.dtd", "http://example.com/dtds/podcast-1.0.dtd": return .itunes
        case "http://www.w3.org/1999/xhtml": return .xhtml
        case "http://www.w3.org/1999/02/22-rdf-syntax-ns#": return .rdf
        case "http://www.w3.org/xml/1998/namespace": return .xml
        case "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/", "http://backend.userland.com/rss2",
            "http://backend.userland.com/rss", "http://blogs.law.harvard.edu/tech/rss",
            "http://channel.netscape.com/rdf/simple/0.9/":
            return .rss
        default:
            if lowered.hasPrefix("http://www.w3.org/2005/atom") || lowered.hasPrefix("http://purl.org/atom/") {
                return .atom
            }
            return .other
        }
    }

    /// Namespace class of an undeclared prefix (`dc:creator` without `xmlns:dc`).
    private static func classify(prefix: String) -> Namespace {
        switch prefix.lowercased() {
        case "dc": return .dc
        case "dcterms": return .dcterms
        case "content": return .content
        case "media": return .media
        case "itunes": return .itunes
        case "atom", "atom10", "atom03": return .atom
        case "xhtml": return .xhtml
        case "rdf": return .rdf
        default: return .other
        }
    }

    private func name(of reader: xmlTextReaderPtr) -> (Namespace, String) {
        var namespace = self.namespace(of: reader)
        var local = String(cString: xmlTextReaderConstLocalName(reader))
        if namespace == .none, let colon = local.firstIndex(of: ":") {
            namespace = Self.classify(prefix: String(local[..<colon]))
            local = String(local[local.index(after: colon)...])
        }
        return (namespace, local)
    }

    private func attributes(of reader: xmlTextReaderPtr) -> [Attribute] {
        guard xmlTextReaderHasAttributes(reader) == 1 else { return [] }
        var result: [Attribute] = []
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            if xmlTextReaderIsNamespaceDecl(reader) == 1 { continue }
            var (namespace, local) = self.name(of: reader)
            if namespace == .none, let prefix = xmlTextReaderConstPrefix(reader),
                String(cString: prefix) == "xml"
            {
                namespace = .xml
            }
            let value = xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
            result.append(Attribute(namespace: namespace, name: local, value: value))
        }
        xmlTextReaderMoveToElement(reader)
        return result
    }

    private static func value(_ attributes: [Attribute], _ name: String) -> String? {
        for attribute in attributes where attribute.name == name && attribute.namespace != .xml {
            return attribute.value
        }
        for attribute in attributes where attribute.name.lowercased() == name && attribute.namespace != .xml {
            return attribute.value
        }
        return nil
    }

    // MARK: Elements

    /// Handles a start tag; returns `false` to stop reading (not a feed).
    private func startElement(_ reader: xmlTextReaderPtr) -> Bool {
        if self.capture != nil {
            self.startChildMarkup(reader)
            return true
        }
        let (namespace, local) = self.name(of: reader)
        let attributes = self.attributes(of: reader)
        var pushedBase = false
        for attribute in attributes where attribute.namespace == .xml {
            if attribute.name == "base" {
                self.bases.append(self.resolve(attribute.value))
                pushedBase = true
            } else if attribute.name == "lang", self.frames.count <= 1, self.feed.metadata.language == nil,
                !attribute.value.isEmpty
            {
                self.feed.metadata.language = attribute.value
            }
        }
        if !self.sawRoot {
            self.sawRoot = true
            if !self.detectFormat(namespace, local, attributes) { return false }
        }
        let role = self.role(namespace, local, attributes, depth: self.frames.count)
        self.frames.append(Frame(role: role, pushedBase: pushedBase))
        return true
    }

    private func endElement(_ reader: xmlTextReaderPtr) {
        if var capture = self.capture {
            if capture.childDepth > 0 {
                capture.childDepth -= 1
                if capture.skipWrapperDepth == capture.childDepth {
                    capture.skipWrapperDepth = nil
                } else {
                    let (_, local) = self.name(of: reader)
                    self.buffer.append(contentsOf: [UInt8(ascii: "<"), UInt8(ascii: "/")])
                    self.buffer.append(contentsOf: local.utf8)
                    self.buffer.append(UInt8(ascii: ">"))
                }
                self.capture = capture
                return
            }
            self.capture = nil
            self.finishCapture(capture)
        }
        guard let frame = self.frames.popLast() else { return }
        if frame.pushedBase { self.bases.removeLast() }
        switch frame.role {
        case .entry:
            self.finishOpenEntry()
        case .person:
            self.finishPerson()
        default:
            break
        }
    }

    private func detectFormat(_ namespace: Namespace, _ local: String, _ attributes: [Attribute]) -> Bool {
        switch local.lowercased() {
        case "rss":
            self.kind = .rss
            let version = Self.value(attributes, "version")?.trimmingASCIIWhitespace() ?? ""
            switch version {
            case "0.91": self.feed.format = "rss0.91"
            case "0.92": self.feed.format = "rss0.92"
            case "0.93": self.feed.format = "rss0.93"
            case "0.94": self.feed.format = "rss0.94"
            case "2.0", "2", "2.00", "2.0.1", "2.01": self.feed.format = "rss2.0"
            default: self.feed.format = "rss"
            }
        case "rdf":
            self.kind = .rdf
            self.feed.format = "rss1.0"
        case "feed":
            self.kind = .atom
            let version = Self.value(attributes, "version")
            if namespace == .atom, version == nil {
                self.feed.format = "atom1.0"
            } else if let version, version.hasPrefix("0.") {
                self.feed.format = "atom0.3"
            } else if namespace == .atom {
                self.feed.format = "atom1.0"
            } else {
                self.feed.format = "atom"
            }
        case "channel":
            self.kind = .cdf
            self.feed.format = "cdf"
            if let href = Self.value(attributes, "href") { self.feed.metadata.link = self.resolve(href) }
        case "html":
            self.sawHTMLRoot = true
            return false
        default:
            break
        }
        return true
    }

    private var isAtomContext: Bool { self.kind == .atom }

    private func role(_ namespace: Namespace, _ local: String, _ attributes: [Attribute], depth: Int) -> Role {
        if let parent = self.frames.last, parent.role == .ignoredSubtree || parent.role == .image {
            if parent.role == .image, local == "url", self.feed.metadata.image == nil {
                self.begin(.imageURL, mode: .text, attributes)
                return .capture
            }
            return .ignoredSubtree
        }
        if let scope = self.person {
            _ = scope
            switch local {
            case "name": self.begin(.personName, mode: .text, attributes)
            case "email": self.begin(.personEmail, mode: .text, attributes)
            case "uri", "url", "homepage": self.begin(.personURI, mode: .text, attributes)
            default: return .ignoredSubtree
            }
            return .capture
        }
        let inEntry = self.entry != nil
        let rssLike = namespace == .none || namespace == .rss
        let atomLike = namespace == .atom || (namespace == .none && self.kind == .atom)
        switch (namespace, local) {
        case (_, "item") where rssLike, (_, "entry") where atomLike || rssLike:
            if inEntry { return .ignoredSubtree }
            self.finishOpenEntry()
            var entry = FeedEntry()
            if self.kind == .cdf, let href = Self.value(attributes, "href") {
                entry.link = self.resolve(href)
                entry.links.append(FeedLink(href: entry.link ?? href, rel: "alternate"))
            }
            if self.kind == .rdf, namespace == .none, self.feed.format == "rss1.0" { self.feed.format = "rss1.0" }
            self.entry = entry
            self.entryHasEnclosure = false
            self.mediaEnclosures = []
            return .entry
        case (.rss, "channel"):
            if self.kind == .rdf {
                self.feed.format = "rss1.0"
            }
            return .plain
        case (_, "image") where rssLike && !inEntry:
            return .image
        case (_, "textinput") where rssLike, (_, "textInput") where rssLike:
            return .ignoredSubtree
        case (.atom, "source"):
            return inEntry ? .ignoredSubtree : .plain
        case (_, "title") where rssLike || atomLike:
            self.begin(.title, mode: atomLike ? Self.atomMode(attributes) : .text, attributes)
            return .capture
        case (.dc, "title"):
            self.begin(.dcTitle, mode: .text, attributes)
            return .capture
        case (_, "link") where atomLike, (.atom, "link"):
            self.atomLink(attributes)
            return .ignoredSubtree
        case (_, "link") where rssLike:
            if let href = Self.value(attributes, "href") {
                // Atom-style link in an RSS element (seen in the wild).
                self.atomLink(attributes + [Attribute(namespace: .none, name: "href", value: href)])
                return .ignoredSubtree
            }
            self.begin(.link, mode: .text, attributes)
            return .capture
        case (_, "guid") where rssLike:
            self.begin(.id, mode: .text, attributes)
            return .capture
        case (_, "id") where atomLike:
            self.begin(.atomID, mode: .text, attributes)
            return .capture
        case (_, "pubDate") where rssLike, (_, "pubdate") where rssLike, (_, "published") where atomLike,
            (_, "issued") where atomLike, (.dcterms, "issued"), (.dcterms, "created"):
            self.begin(inEntry ? .published : .feedPublished, mode: .text, attributes)
            return .capture
        case (_, "updated") where atomLike, (_, "modified") where atomLike, (.dc, "date"), (.dcterms, "modified"),
            (_, "lastBuildDate") where rssLike:
            self.begin(.updated, mode: .text, attributes)
            return .capture
        case (_, "description") where rssLike:
            self.begin(inEntry ? .summary : .subtitle, mode: .html, attributes)
            return .capture
        case (_, "abstract") where self.kind == .cdf:
            self.begin(inEntry ? .summary : .subtitle, mode: .html, attributes)
            return .capture
        case (.dc, "description"):
            self.begin(.dcDescription, mode: .html, attributes)
            return .capture
        case (_, "summary") where atomLike:
            self.begin(.summary, mode: Self.atomMode(attributes), attributes)
            return .capture
        case (_, "subtitle") where atomLike, (_, "tagline") where atomLike, (_, "info") where atomLike && !inEntry:
            if local == "info" { return .ignoredSubtree }
            self.begin(.subtitle, mode: Self.atomMode(attributes), attributes)
            return .capture
        case (_, "content") where atomLike:
            self.begin(.content, mode: Self.atomMode(attributes), attributes)
            return .capture
        case (.content, "encoded"), (.none, "fullitem"), (.rss, "fullitem"):
            self.begin(.content, mode: .html, attributes)
            return .capture
        case (.xhtml, "body"), (.xhtml, "div"):
            self.begin(.content, mode: .xhtml, attributes)
            return .capture
        case (_, "author") where atomLike, (_, "author") where namespace == .atom:
            self.person = PersonScope(target: inEntry ? .entryAuthor : .feedAuthor)
            return .person
        case (_, "contributor") where atomLike:
            self.person = PersonScope(target: .ignored)
            return .person
        case (_, "author") where rssLike:
            self.begin(inEntry ? .author : .feedAuthor, mode: .text, attributes)
            return .capture
        case (_, "managingEditor") where rssLike && !inEntry:
            self.begin(.feedAuthor, mode: .text, attributes)
            return .capture
        case (.dc, "creator"), (.dc, "author"):
            self.begin(.creator, mode: .text, attributes)
            return .capture
        case (.itunes, "author"):
            self.begin(.itunesAuthor, mode: .text, attributes)
            return .capture
        case (_, "category") where rssLike:
            self.begin(.category, mode: .text, attributes)
            return .capture
        case (_, "category") where atomLike:
            if let term = Self.value(attributes, "term") ?? Self.value(attributes, "label"),
                !term.trimmingASCIIWhitespace().isEmpty
            {
                let category = FeedCategory(
                    term: term.trimmingASCIIWhitespace(),
                    scheme: Self.value(attributes, "scheme").flatMap(Self.nonEmpty),
                    label: Self.value(attributes, "label").flatMap(Self.nonEmpty)
                )
                self.addCategory(category)
            }
            return .ignoredSubtree
        case (.dc, "subject"):
            self.begin(.dcSubject, mode: .text, attributes)
            return .capture
        case (.itunes, "category"):
            if let text = Self.value(attributes, "text").flatMap(Self.nonEmpty) {
                self.addCategory(FeedCategory(term: text, scheme: "http://www.itunes.com/"))
            }
            return .itunesCategory
        case (.itunes, "image"):
            if let href = Self.value(attributes, "href") ?? Self.value(attributes, "url"), !inEntry,
                self.feed.metadata.image == nil
            {
                self.feed.metadata.image = self.resolve(href.trimmingASCIIWhitespace())
            }
            return .ignoredSubtree
        case (.itunes, "summary"):
            self.begin(.itunesSummary, mode: .text, attributes)
            return .capture
        case (.itunes, "subtitle"):
            self.begin(.itunesSubtitle, mode: .text, attributes)
            return .capture
        case (_, "logo") where atomLike, (_, "icon") where atomLike:
            if inEntry { return .ignoredSubtree }
            if local == "icon", self.feed.metadata.image != nil { return .ignoredSubtree }
            self.feed.metadata.image = nil
            self.begin(.imageURL, mode: .text, attributes)
            return .capture
        case (_, "enclosure") where rssLike:
            if let url = Self.value(attributes, "url").flatMap(Self.nonEmpty), inEntry {
                self.entry?.enclosures.append(
                    FeedEnclosure(
                        url: self.resolve(url),
                        type: Self.value(attributes, "type").flatMap(Self.nonEmpty),
                        length: Self.value(attributes, "length").flatMap { Int($0.trimmingASCIIWhitespace()) }
                    )
                )
                self.entry?.links.append(
                    FeedLink(
                        href: self.resolve(url),
                        rel: "enclosure",
                        type: Self.value(attributes, "type").flatMap(Self.nonEmpty)
                    )
                )
                self.entryHasEnclosure = true
            }
            return .ignoredSubtree
        case (.media, "content"):
            if inEntry, let url = Self.value(attributes, "url").flatMap(Self.nonEmpty) {
                self.mediaEnclosures.append(
                    FeedEnclosure(
                        url: self.resolve(url),
                        type: Self.value(attributes, "type").flatMap(Self.nonEmpty),
                        length: Self.value(attributes, "fileSize").flatMap { Int($0.trimmingASCIIWhitespace()) }
                    )
                )
            }
            return .plain
        case (.media, "group"):
            return .plain
        case (_, "comments") where rssLike:
            self.begin(.comments, mode: .text, attributes)
            return .capture
        case (_, "copyright") where rssLike || atomLike, (_, "rights") where atomLike, (.dc, "rights"):
            self.begin(.rights, mode: atomLike ? Self.atomMode(attributes) : .text, attributes)
            return .capture
        case (_, "language") where rssLike, (.dc, "language"):
            self.begin(.language, mode: .text, attributes)
            return .capture
        case (_, "generator") where rssLike || atomLike:
            self.begin(.generator, mode: .text, attributes)
            return .capture
        default:
            if depth == 0 { return .plain }
            if namespace == .rdf || local == "channel" || local == "feed" || local == "rss" { return .plain }
            return .ignoredSubtree
        }
    }

    static func atomMode(_ attributes: [Attribute]) -> Mode {
        let type = (Self.value(attributes, "type") ?? "text").trimmingASCIIWhitespace().lowercased()
        if let mode = Self.value(attributes, "mode")?.lowercased() {
            if mode == "base64" { return .base64 }
            if mode == "escaped" { return .html }
        }
        switch type {
        case "text", "text/plain", "": return .text
        case "html", "text/html": return .html
        case "xhtml", "application/xhtml+xml": return .xhtml
        default:
            if type.hasPrefix("text/") { return .text }
            if type.hasSuffix("xml") { return .xhtml }
            return .base64
        }
    }

    private func atomLink(_ attributes: [Attribute]) {
        let rel = Self.value(attributes, "rel")?.trimmingASCIIWhitespace().lowercased() ?? "alternate"
        let type = Self.value(attributes, "type").flatMap(Self.nonEmpty)
        guard let rawHref = Self.value(attributes, "href") ?? Self.value(attributes, "url") else {
            return
        }
        let href = self.resolve(rawHref.trimmingASCIIWhitespace())
        let title = Self.value(attributes, "title").flatMap(Self.nonEmpty)
        var link = FeedLink(href: href, rel: rel.isEmpty ? "alternate" : rel, type: type, title: title)
        if link.rel == "self" && link.type == nil { link.type = "application/atom+xml" }
        if self.entry != nil {
            self.entry?.links.append(link)
            if link.rel == "alternate", self.entry?.link == nil {
                self.entry?.link = href
            } else if link.rel == "enclosure" {
                let length = Self.value(attributes, "length").flatMap { Int($0.trimmingASCIIWhitespace()) }
                self.entry?.enclosures.append(FeedEnclosure(url: href, type: type, length: length))
                self.entryHasEnclosure = true
            }
        } else {
            self.feed.metadata.links.append(link)
            if link.rel == "alternate", self.feed.metadata.link == nil {
                self.feed.metadata.link = href
            }
        }
    }

    // MARK: Capture

    private func begin(_ field: Field, mode: Mode, _ attributes: [Attribute]) {
        self.buffer.removeAll(keepingCapacity: true)
        self.capture = Capture(
            field: field,
            depth: self.frames.count,
            mode: mode,
            attributes: attributes,
            base: self.bases.last ?? nil
        )
    }

    private func appendText(_ value: UnsafePointer<xmlChar>) {
        guard let capture = self.capture else { return }
        let length = strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self))
        let text = UnsafeBufferPointer(start: value, count: length)
        if capture.mode == .xhtml || capture.sawChild {
            Self.appendEscaped(text, to: &self.buffer)
        } else {
            self.buffer.append(contentsOf: text)
        }
    }

    private static func appendEscaped(_ text: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        for byte in text {
            switch byte {
            case UInt8(ascii: "&"): buffer.append(contentsOf: [38, 97, 109, 112, 59])
            case UInt8(ascii: "<"): buffer.append(contentsOf: [38, 108, 116, 59])
            case UInt8(ascii: ">"): buffer.append(contentsOf: [38, 103, 116, 59])
            default: buffer.append(byte)
            }
        }
    }

    private func startChildMarkup(_ reader: xmlTextReaderPtr) {
        guard var capture = self.capture else { return }
        let empty = xmlTextReaderIsEmptyElement(reader) == 1
        let (_, local) = self.name(of: reader)
        if capture.childDepth == 0, !capture.sawChild, capture.mode == .xhtml, local == "div", !empty,
            self.buffer.allSatisfy(XMLRepair.isSpace)
        {
            // Atom's xhtml wrapper div is not part of the content (RFC 4287 §3.1.1.3).
            capture.skipWrapperDepth = 0
            capture.childDepth += 1
            capture.sawChild = true
            self.buffer.removeAll(keepingCapacity: true)
            self.capture = capture
            return
        }
        if !capture.sawChild, capture.mode == .text || capture.mode == .html {
            // Markup inside an RSS text element: what came before was text, make it HTML.
            let text = self.buffer
            self.buffer.removeAll(keepingCapacity: true)
            if capture.mode == .text {
                text.withUnsafeBufferPointer { Self.appendEscaped($0, to: &self.buffer) }
            } else {
                self.buffer.append(contentsOf: text)
            }
            if capture.mode == .text { capture.mode = .html }
        }
        capture.sawChild = true
        self.buffer.append(UInt8(ascii: "<"))
        self.buffer.append(contentsOf: local.utf8)
        for attribute in self.attributes(of: reader) {
            self.buffer.append(UInt8(ascii: " "))
            self.buffer.append(contentsOf: attribute.name.utf8)
            self.buffer.append(contentsOf: [61, 34])
            for byte in attribute.value.utf8 {
                switch byte {
                case UInt8(ascii: "&"): self.buffer.append(contentsOf: [38, 97, 109, 112, 59])
                case UInt8(ascii: "\""): self.buffer.append(contentsOf: [38, 113, 117, 111, 116, 59])
                case UInt8(ascii: "<"): self.buffer.append(contentsOf: [38, 108, 116, 59])
                default: self.buffer.append(byte)
                }
            }
            self.buffer.append(34)
        }
        if empty {
            self.buffer.append(contentsOf: [32, 47, 62])
        } else {
            self.buffer.append(UInt8(ascii: ">"))
            capture.childDepth += 1
        }
        self.capture = capture
    }

    private func finishCapture(_ capture: Capture) {
        var bytes = self.buffer
        if capture.mode == .base64 {
            let text = String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }
            if let data = Data(base64Encoded: text, options: [.ignoreUnknownCharacters]) {
                bytes = [UInt8](data)
            }
        }
        let raw = String(decoding: bytes, as: UTF8.self)
        let text = raw.trimmingASCIIWhitespace()
        let isHTML = capture.mode == .html || capture.mode == .xhtml || capture.sawChild
        let value: String? = text.isEmpty ? nil : text
        self.store(capture.field, value, isHTML: isHTML, capture: capture)
    }

    private func htmlValue(_ value: String?, isHTML: Bool, base: String?) -> String? {
        guard let value, isHTML, let base else { return value }
        return FeedText.resolvingURLs(inHTML: value, base: base)
    }

    private func store(_ field: Field, _ value: String?, isHTML: Bool, capture: Capture) {
        let inEntry = self.entry != nil
        switch field {
        case .title:
            if inEntry {
                if self.entry?.title == nil { self.entry?.title = value }
            } else if self.feed.metadata.title == nil {
                self.feed.metadata.title = value
            }
        case .dcTitle:
            if inEntry {
                if self.entry?.title == nil { self.entry?.title = value }
            } else if self.feed.metadata.title == nil {
                self.feed.metadata.title = value
            }
        case .link:
            guard let value else { return }
            let href = self.resolve(value)
            if inEntry {
                if self.entry?.link == nil { self.entry?.link = href }
                self.entry?.links.append(FeedLink(href: href, rel: "alternate", type: "text/html"))
            } else {
                if self.feed.metadata.link == nil { self.feed.metadata.link = href }
                self.feed.metadata.links.append(FeedLink(href: href, rel: "alternate", type: "text/html"))
            }
        case .id:
            guard let value else { return }
            if inEntry {
                self.entry?.id = value
                let permaLink = Self.value(capture.attributes, "isPermaLink")?.lowercased() ?? "true"
                if permaLink != "false", self.entry?.link == nil, FeedText.looksLikeURL(value) {
                    self.entry?.link = self.resolve(value)
                    self.entry?.links.append(FeedLink(href: self.resolve(value), rel: "alternate", type: "text/html"))
                }
            } else if self.feed.metadata.id == nil {
                self.feed.metadata.id = value
            }
        case .atomID:
            if inEntry {
                if self.entry?.id == nil { self.entry?.id = value }
            } else if self.feed.metadata.id == nil {
                self.feed.metadata.id = value
            }
        case .published, .feedPublished:
            let date = value.flatMap(self.date)
            if inEntry {
                if self.entry?.published == nil { self.entry?.published = date }
            } else if self.feed.metadata.published == nil {
                self.feed.metadata.published = date
            }
        case .updated:
            let date = value.flatMap(self.date)
            if inEntry {
                if self.entry?.updated == nil { self.entry?.updated = date }
            } else if self.feed.metadata.updated == nil {
                self.feed.metadata.updated = date
            }
        case .author, .creator, .itunesAuthor:
            guard let value else { return }
            let person = FeedText.person(from: value)
            if inEntry {
                if field == .itunesAuthor, self.entry?.author != nil { return }
                if self.entry?.author == nil { self.entry?.author = value }
                if !(self.entry?.authors.contains(person) ?? true) { self.entry?.authors.append(person) }
            } else {
                if field == .itunesAuthor, self.feed.metadata.author != nil { return }
                if self.feed.metadata.author == nil { self.feed.metadata.author = value }
                if !self.feed.metadata.authors.contains(person) { self.feed.metadata.authors.append(person) }
            }
        case .feedAuthor:
            guard let value else { return }
            let person = FeedText.person(from: value)
            if inEntry {
                if self.entry?.author == nil { self.entry?.author = value }
                self.entry?.authors.append(person)
            } else {
                if self.feed.metadata.author == nil { self.feed.metadata.author = value }
                if !self.feed.metadata.authors.contains(person) { self.feed.metadata.authors.append(person) }
            }
        case .summary:
            let html = self.htmlValue(value, isHTML: isHTML, base: capture.base)
            if inEntry {
                if self.entry?.summary == nil { self.entry?.summary = html }
            } else if self.feed.metadata.subtitle == nil {
                self.feed.metadata.subtitle = html
            }
        case .dcDescription, .itunesSummary:
            let html = self.htmlValue(value, isHTML: isHTML, base: capture.base)
            if inEntry {
                if self.entry?.summary == nil { self.entry?.summary = html }
            } else if self.feed.metadata.subtitle == nil {
                self.feed.metadata.subtitle = html
            }
        case .content:
            let html = self.htmlValue(value, isHTML: isHTML, base: capture.base)
            if inEntry {
                if self.entry?.content == nil { self.entry?.content = html }
            }
        case .subtitle, .itunesSubtitle:
            if !inEntry, self.feed.metadata.subtitle == nil {
                self.feed.metadata.subtitle = self.htmlValue(value, isHTML: isHTML, base: capture.base)
            }
        case .category, .dcSubject:
            guard let value else { return }
            let scheme = Self.value(capture.attributes, "domain").flatMap(Self.nonEmpty)
            self.addCategory(FeedCategory(term: value, scheme: scheme))
        case .comments:
            if inEntry, let value { self.entry?.comments = self.resolve(value) }
        case .rights:
            if inEntry {
                if self.entry?.rights == nil { self.entry?.rights = value }
            } else if self.feed.metadata.rights == nil {
                self.feed.metadata.rights = value
            }
        case .language:
            if !inEntry, self.feed.metadata.language == nil || capture.depth <= 2 {
                if let value { self.feed.metadata.language = value }
            }
        case .generator:
            if !inEntry, self.feed.metadata.generator == nil { self.feed.metadata.generator = value }
        case .personName:
            self.person?.person.name = value
        case .personEmail:
            self.person?.person.email = value
        case .personURI:
            self.person?.person.uri = value.map(self.resolve)
        case .imageURL:
            if !inEntry, self.feed.metadata.image == nil, let value { self.feed.metadata.image = self.resolve(value) }
        }
    }

    private func addCategory(_ category: FeedCategory) {
        if self.entry != nil {
            self.entry?.categories.append(category)
        } else {
            self.feed.metadata.categories.append(category)
        }
    }

    private func finishPerson() {
        guard let scope = self.person else { return }
        self.person = nil
        let person = scope.person
        guard person.name != nil || person.email != nil || person.uri != nil else { return }
        let display = FeedText.display(person)
        switch scope.target {
        case .entryAuthor:
            guard self.entry != nil else { return }
            self.entry?.authors.append(person)
            if self.entry?.author == nil { self.entry?.author = display }
        case .feedAuthor:
            self.feed.metadata.authors.append(person)
            if self.feed.metadata.author == nil { self.feed.metadata.author = display }
        case .ignored:
            break
        }
    }

    private func finishOpenEntry() {
        guard var entry = self.entry else { return }
        self.entry = nil
        if !self.entryHasEnclosure, !self.mediaEnclosures.isEmpty {
            entry.enclosures = self.mediaEnclosures
        }
        self.mediaEnclosures = []
        self.feed.entries.append(entry)
    }

    // MARK: Values

    private func date(_ text: String) -> Date? {
        guard let date = DateParser.parse(text) else { return nil }
        // Dates more than a day ahead are not trusted (DESIGN.md).
        return date.timeIntervalSince(self.now) > 86_400 ? nil : date
    }

    private func resolve(_ reference: String) -> String {
        guard let base = self.bases.last ?? nil else { return reference }
        return FeedText.resolve(reference, against: base)
    }

    private static func nonEmpty(_ value: String) -> String? {
        let trimmed = value.trimmingASCIIWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// libxml2's structured error callback: counts errors on the reader that owns `context`.
private let countError: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    if error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue {
        Unmanaged<FeedXMLReader>.fromOpaque(context).takeUnretainedValue().errorCount += 1
    }
}
