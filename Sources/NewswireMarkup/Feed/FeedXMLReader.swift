internal import CLibXML2
import Foundation
import NewswireCore

/// One streaming pass of libxml2's `xmlTextReader` over a repaired XML feed, filling a
/// ``ParsedFeed`` as elements go by.
///
/// Element names are compared as a namespace class plus the lower-cased local name (feed
/// readers treat `<Title>` as `<title>`); strings are built only for the fields that are
/// kept. Not thread-safe: one reader per parse, used by the calling thread.
struct FeedXMLReader {
    private(set) var feed = ParsedFeed()
    private let errors = FeedErrorCounter()
    /// Errors libxml2 reported (recovered from).
    var errorCount: Int {
        get { self.errors.count }
        nonmutating set { self.errors.count = newValue }
    }
    /// The root element was an HTML page.
    private(set) var sawHTMLRoot = false
    private(set) var sawRoot = false

    private var kind = DocumentKind.unknown
    /// The entry being read; meaningful only while `inEntry`. Not optional, so that field
    /// updates modify it in place instead of copying it.
    private var entry = FeedEntry()
    private var inEntry = false
    private var pending = EntryFallbacks()
    private var person: PersonScope?
    private var frames: [Frame] = []
    private var capture: Capture?
    private var buffer: [UInt8] = []
    private var namespaceCache: [UnsafeRawPointer: Namespace] = [:]
    /// Lower-cased local names (and the namespace of an undeclared prefix) by libxml2's
    /// interned name pointer.
    private var nameCache: [UnsafeRawPointer: (local: String, prefixNamespace: Namespace, element: ElementName)] = [:]
    /// The dispatch name of the element `name(of:)` read last.
    private var element = ElementName.other
    private var bases: [String?]
    /// An empty element inside captured markup was written whole (no end event to handle).
    private var closedEmptyMarkup = false
    /// Namespace URIs of the open elements of captured markup (`nil` for XHTML or none).
    private var markupNamespaces: [String?] = []
    /// The root element's default namespace (tells RSS 0.90 from RSS 1.0 in an empty feed).
    private var defaultNamespace: String?
    /// The reference for the future-date rule: when the feed was fetched.
    private let now: Date

    init(baseURL: String?, now: Date = Date()) {
        self.bases = [baseURL]
        self.now = now
    }

    // MARK: Types

    private enum DocumentKind {
        case unknown, rss, rdf, atom, cdf
    }

    enum Namespace {
        case none, rss, rss090, atom, dc, dcterms, content, media, itunes, xhtml, rdf, xml, syndication, other
    }

    /// What an open element means for the fields around it.
    private enum Role {
        case plain, entry, person, image, ignoredSubtree, capture, nested
        /// `skipHours` or `skipDays`: its `hour` or `day` children are captured.
        case skipList
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

    /// Values an entry takes only when it has nothing better, applied when it closes.
    private struct EntryFallbacks {
        var hasEnclosure = false
        var mediaEnclosures: [FeedEnclosure] = []
        var mediaTitle: String?
        var mediaDescription: String?
        var about: String?
    }

    enum Mode {
        /// Plain text; child elements turn it into HTML.
        case text
        /// Escaped HTML as text; child elements are serialized as markup.
        case html
        /// XHTML / XML children: serialized, the text escaped.
        case xhtml
        /// Base64-encoded content; `html` tells whether the decoded bytes are HTML.
        case base64(html: Bool)
    }

    private enum Field {
        case title, mediaTitle, link, guid, atomID, published, updated, author, creator, itunesAuthor
        case feedAuthor, description, summary, content, subtitle, category, comments, rights, language
        case generator, personName, personEmail, personURI, imageURL, itunesSummary, itunesSubtitle
        case dcTitle, dcSubject, dcDescription, mediaDescription, mediaCategory, keywords, tags, atomLinkText
        case ttl, skipHour, skipDay, updatePeriod, updateFrequency
    }

    private struct Capture {
        var field: Field
        var depth: Int
        var mode: Mode
        var attributes: [Attribute]
        /// Depth of open child markup inside the captured element.
        var childDepth = 0
        var sawChild = false
        var escapeText: Bool
        var skipWrapperDepth: Int?
        var base: String?
    }

    struct Attribute {
        var namespace: Namespace
        var name: String
        var value: String
    }

    /// The element names the reader dispatches on, so that one dictionary lookup per name
    /// (cached per document) replaces a chain of string comparisons per element.
    enum ElementName {
        case abstract, author, body, category, channel, comments, content, contributor, copyright, description,
            enclosure, entry, feed, fullitem, generator, guid, icon, id, image, info, issued, item, language,
            lastbuilddate, lastmod, link, logo, managingeditor, modified, pubdate, published, rdf, rights, rss,
            skipdays,
            skiphours, source, subtitle, summary, tagline, tags, textinput, title, ttl, updated
        case other

        static let byName: [String: ElementName] = [
            "abstract": .abstract, "author": .author, "body": .body, "category": .category, "channel": .channel,
            "comments": .comments, "content": .content, "contributor": .contributor, "copyright": .copyright,
            "description": .description, "enclosure": .enclosure, "entry": .entry, "feed": .feed, "fullitem": .fullitem,
            "generator": .generator, "guid": .guid, "icon": .icon, "id": .id, "image": .image, "info": .info,
            "issued": .issued, "item": .item, "language": .language, "lastbuilddate": .lastbuilddate,
            "lastmod": .lastmod, "link": .link, "logo": .logo, "managingeditor": .managingeditor, "modified": .modified,
            "pubdate": .pubdate, "published": .published, "rdf": .rdf, "rights": .rights, "rss": .rss,
            "skipdays": .skipdays, "skiphours": .skiphours, "source": .source, "ttl": .ttl, "subtitle": .subtitle,
            "summary": .summary, "tagline": .tagline, "tags": .tags,
            "textinput": .textinput, "title": .title, "updated": .updated,
        ]
    }

    // MARK: Walk

    /// Stop at the first error libxml2 reports (the caller then repairs the bytes and reads
    /// them again).
    private var stopAtFirstError = false

    /// Reads `bytes` (UTF-8) to the end, recovering from errors where libxml2 can; with
    /// `stopAtFirstError`, gives up at the first one instead (`errorCount > 0` afterwards).
    mutating func read(_ bytes: [UInt8], stopAtFirstError: Bool = false) {
        self.stopAtFirstError = stopAtFirstError
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return }
        // xmlParserOption(3): RECOVER keeps going after well-formedness errors; NONET forbids
        // network access; NOENT is never set, so entities are never substituted by libxml2;
        // IGNORE_ENC because the bytes were already converted to UTF-8 (see XMLCharset).
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
                let context = Unmanaged.passUnretained(self.errors).toOpaque()
                xmlTextReaderSetStructuredErrorHandler(reader, countError, context)
                self.walk(reader)
            }
        }
        if let capture = self.capture {
            // A truncated document: keep what the open field holds.
            self.capture = nil
            self.finishCapture(capture)
        }
        self.finishPerson()
        self.finishOpenEntry()
    }

    /// Reads `bytes` (UTF-8) through libxml2's tree parser in recover mode and walks the
    /// recovered tree with `xmlReaderWalker`.
    ///
    /// The streaming reader stops at the first chunk with a well-formedness error; the tree
    /// parser goes on past mismatched and unclosed tags. Used only for documents with errors.
    /// Returns `false` when libxml2 could build no tree at all.
    mutating func readRecoveringTree(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return false }
        // Same options as `read`; xmlReadMemory(3) builds the whole (small, broken) document.
        let options = Int32(
            XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
                | XML_PARSE_NOWARNING.rawValue | XML_PARSE_IGNORE_ENC.rawValue | XML_PARSE_NOCDATA.rawValue
                | XML_PARSE_COMPACT.rawValue
        )
        let walked: Bool = bytes.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { chars in
                guard let document = xmlReadMemory(chars.baseAddress, Int32(chars.count), nil, "UTF-8", options) else {
                    return false
                }
                defer { xmlFreeDoc(document) }
                guard let reader = xmlReaderWalker(document) else { return false }
                defer { xmlFreeTextReader(reader) }
                self.walk(reader)
                return true
            }
        }
        if let capture = self.capture {
            self.capture = nil
            self.finishCapture(capture)
        }
        self.finishPerson()
        self.finishOpenEntry()
        return walked
    }

    private mutating func walk(_ reader: xmlTextReaderPtr) {
        let stopAtFirstError = self.stopAtFirstError
        while xmlTextReaderRead(reader) == 1 {
            if stopAtFirstError && self.errorCount > 0 { return }
            switch xmlTextReaderNodeType(reader) {
            case 1:
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                if !self.startElement(reader) { return }
                if empty {
                    if self.closedEmptyMarkup {
                        self.closedEmptyMarkup = false
                    } else {
                        self.endElement(reader)
                    }
                }
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

    private mutating func namespace(of reader: xmlTextReaderPtr) -> Namespace {
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
        case "http://www.w3.org/1999/xhtml": return .xhtml
        case "http://www.w3.org/1999/02/22-rdf-syntax-ns#": return .rdf
        case "http://www.w3.org/xml/1998/namespace": return .xml
        case "http://my.netscape.com/rdf/simple/0.9/", "http://channel.netscape.com/rdf/simple/0.9/": return .rss090
        case "http://purl.org/rss/1.0/", "http://blogs.law.harvard.edu/tech/rss": return .rss
        case "http://purl.org/rss/1.0/modules/syndication/": return .syndication
        default:
            if lowered.hasPrefix("http://www.w3.org/2005/atom") || lowered.hasPrefix("http://purl.org/atom/") {
                return .atom
            }
            if lowered.hasPrefix("http://backend.userland.com/rss") { return .rss }
            if lowered.hasPrefix("http://www.itunes.com/dtds/podcast") || lowered.hasSuffix("/dtds/podcast-1.0.dtd") {
                return .itunes
            }
            return .other
        }
    }

    /// Namespace class of an undeclared prefix (`dc:creator` without `xmlns:dc`).
    private static func classify(prefix: Substring) -> Namespace {
        switch prefix.lowercased() {
        case "dc": return .dc
        case "dcterms": return .dcterms
        case "content": return .content
        case "media": return .media
        case "itunes": return .itunes
        case "atom", "atom10", "atom03": return .atom
        case "xhtml": return .xhtml
        case "rdf": return .rdf
        case "sy": return .syndication
        default: return .other
        }
    }

    private mutating func name(of reader: xmlTextReaderPtr) -> (Namespace, String) {
        let namespace = self.namespace(of: reader)
        guard let raw = xmlTextReaderConstLocalName(reader) else { return (namespace, "") }
        // The reader interns names in its dictionary, so one pointer is one name for the
        // whole document: lower-case and split each name once.
        let key = UnsafeRawPointer(raw)
        if let cached = self.nameCache[key] {
            self.element = cached.element
            return (namespace == .none ? cached.prefixNamespace : namespace, cached.local)
        }
        var local = Self.lowercasedName(raw)
        var prefixNamespace = Namespace.none
        if let colon = local.utf8.firstIndex(of: UInt8(ascii: ":")) {
            prefixNamespace = Self.classify(prefix: local[..<colon])
            local = String(local[local.utf8.index(after: colon)...])
        }
        let element = ElementName.byName[local] ?? .other
        self.nameCache[key] = (local, prefixNamespace, element)
        self.element = element
        return (namespace == .none ? prefixNamespace : namespace, local)
    }

    /// Element names compare case-insensitively, as feed readers do (`<Title>`, `<CHANNEL>`).
    private static func lowercasedName(_ raw: UnsafePointer<xmlChar>) -> String {
        var pointer = raw
        while pointer.pointee != 0 {
            if pointer.pointee >= 65 && pointer.pointee <= 90 { return String(cString: raw).lowercased() }
            pointer += 1
        }
        return String(cString: raw)
    }

    private mutating func attributes(of reader: xmlTextReaderPtr) -> [Attribute] {
        guard xmlTextReaderHasAttributes(reader) == 1 else { return [] }
        var result: [Attribute] = []
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            if xmlTextReaderIsNamespaceDecl(reader) == 1 { continue }
            let value = xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
            var namespace = self.namespace(of: reader)
            var local = xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
            if let prefix = xmlTextReaderConstPrefix(reader), String(cString: prefix) == "xml" {
                namespace = .xml
            } else if namespace == .none, let colon = local.utf8.firstIndex(of: UInt8(ascii: ":")) {
                namespace = local.hasPrefix("xml:") ? .xml : Self.classify(prefix: local[..<colon])
                local = String(local[local.utf8.index(after: colon)...])
            }
            result.append(Attribute(namespace: namespace, name: local, value: value))
        }
        xmlTextReaderMoveToElement(reader)
        return result
    }

    private static func value(_ attributes: [Attribute], _ name: String) -> String? {
        for attribute in attributes where attribute.namespace != .xml && attribute.name == name {
            return attribute.value
        }
        for attribute in attributes where attribute.namespace != .xml && Self.equalsIgnoringCase(attribute.name, name) {
            return attribute.value
        }
        return nil
    }

    /// ASCII case-insensitive comparison with a lower-case `key`, without allocating.
    private static func equalsIgnoringCase(_ name: String, _ key: String) -> Bool {
        guard name.utf8.count == key.utf8.count else { return false }
        for (a, b) in zip(name.utf8, key.utf8) where a != b && !(a >= 65 && a <= 90 && a + 32 == b) {
            return false
        }
        return true
    }

    // MARK: Elements

    /// Handles a start tag; returns `false` to stop reading (not a feed).
    private mutating func startElement(_ reader: xmlTextReaderPtr) -> Bool {
        if self.capture != nil {
            self.startChildMarkup(reader)
            return true
        }
        if !self.sawRoot, let uri = xmlTextReaderConstNamespaceUri(reader),
            Self.classify(String(cString: uri)) == .other
        {
            // A feed in a namespace of its own (an old draft, a typo): its vocabulary is the
            // feed's own, so read it as unqualified.
            self.namespaceCache[UnsafeRawPointer(uri)] = Namespace.none
        }
        let (namespace, local) = self.name(of: reader)
        let attributes = self.attributes(of: reader)
        var pushedBase = false
        for attribute in attributes where attribute.namespace == .xml {
            if attribute.name == "base" {
                self.bases.append(self.resolve(attribute.value.trimmingASCIIWhitespace()))
                pushedBase = true
            } else if attribute.name == "lang", self.feed.metadata.language == nil, !attribute.value.isEmpty,
                self.frames.isEmpty || (self.frames.count == 1 && local == "channel")
            {
                self.feed.metadata.language = attribute.value.replacingOccurrences("_", with: "-")
            }
        }
        if !self.sawRoot {
            self.sawRoot = true
            if let uri = xmlTextReaderLookupNamespace(reader, nil) {
                self.defaultNamespace = String(cString: uri)
                clibxml2_free(uri)
            }
            if !self.detectFormat(namespace, local, attributes) { return false }
        }
        let role = self.role(namespace, local, attributes, depth: self.frames.count)
        self.frames.append(Frame(role: role, pushedBase: pushedBase))
        return true
    }

    private mutating func endElement(_ reader: xmlTextReaderPtr) {
        if var capture = self.capture {
            if capture.childDepth > 0 {
                capture.childDepth -= 1
                _ = self.markupNamespaces.popLast()
                if capture.skipWrapperDepth == capture.childDepth {
                    capture.skipWrapperDepth = nil
                } else {
                    self.buffer.append(contentsOf: [UInt8(ascii: "<"), UInt8(ascii: "/")])
                    self.appendMarkupName(reader)
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
        case .entry: self.finishOpenEntry()
        case .person: self.finishPerson()
        default: break
        }
    }

    private mutating func detectFormat(_ namespace: Namespace, _ local: String, _ attributes: [Attribute]) -> Bool {
        switch local {
        case "rss":
            self.kind = .rss
            let version = Self.value(attributes, "version")?.trimmingASCIIWhitespace() ?? ""
            switch version {
            case "0.91": self.feed.format = "rss0.91"
            case "0.92": self.feed.format = "rss0.92"
            case "0.93": self.feed.format = "rss0.93"
            case "0.94": self.feed.format = "rss0.94"
            default: self.feed.format = version.hasPrefix("2") ? "rss2.0" : "rss"
            }
        case "rdf":
            self.kind = .rdf
            self.feed.format = self.defaultNamespace.map(Self.classify) == .rss090 ? "rss0.90" : "rss1.0"
        case "feed":
            self.kind = .atom
            let version = Self.value(attributes, "version")
            if let version, version.hasPrefix("0.") {
                self.feed.format = "atom0.3"
            } else if namespace == .atom || version == "1.0" {
                self.feed.format = "atom1.0"
            } else {
                self.feed.format = "atom"
            }
        case "channel":
            self.kind = .cdf
            self.feed.format = "cdf"
            self.cdfAttributes(attributes)
        case "html":
            self.sawHTMLRoot = true
            return false
        default:
            break
        }
        return true
    }

    /// CDF keeps the link and date of a channel or item in attributes.
    private mutating func cdfAttributes(_ attributes: [Attribute]) {
        let href = Self.value(attributes, "href").map { self.resolve($0.trimmingASCIIWhitespace()) }
        let date = Self.value(attributes, "lastmod").flatMap { self.date($0) }
        if self.inEntry {
            if let href {
                self.entry.link = href
                self.entry.links.append(FeedLink(href: href, rel: "alternate", type: "text/html"))
            }
            if let date { self.entry.updated = date }
        } else {
            if let href {
                self.feed.metadata.link = href
                self.feed.metadata.links.append(FeedLink(href: href, rel: "alternate", type: "text/html"))
            }
            if let date { self.feed.metadata.updated = date }
        }
    }

    private mutating func role(_ namespace: Namespace, _ local: String, _ attributes: [Attribute], depth: Int) -> Role {
        let element = self.element
        if let parent = self.frames.last, parent.role == .skipList {
            switch local.lowercased() {
            case "hour": self.begin(.skipHour, mode: .text, attributes)
            case "day": self.begin(.skipDay, mode: .text, attributes)
            default: return .ignoredSubtree
            }
            return .capture
        }
        if let parent = self.frames.last, parent.role == .ignoredSubtree || parent.role == .image {
            if parent.role == .image, local == "url" {
                self.begin(.imageURL, mode: .text, attributes)
                return .capture
            }
            return .ignoredSubtree
        }
        if self.person != nil {
            switch local {
            case "name": self.begin(.personName, mode: .text, attributes)
            case "email": self.begin(.personEmail, mode: .text, attributes)
            case "uri", "url", "homepage": self.begin(.personURI, mode: .text, attributes)
            default: return .ignoredSubtree
            }
            return .capture
        }
        let inEntry = self.inEntry
        let rssLike = namespace == .none || namespace == .rss || namespace == .rss090
        let atomLike = namespace == .atom || (namespace == .none && self.kind == .atom)
        switch namespace {
        case .dc, .dcterms:
            return self.dublinCoreRole(local, attributes, inEntry: inEntry)
        case .itunes:
            return self.itunesRole(local, attributes, inEntry: inEntry)
        case .media:
            return self.mediaRole(local, attributes, inEntry: inEntry)
        case .content:
            guard local == "encoded" else { return .ignoredSubtree }
            self.begin(.content, mode: .html, attributes)
            return .capture
        case .xhtml:
            guard local == "body" || local == "div", inEntry else { return .ignoredSubtree }
            self.begin(.content, mode: .xhtml, attributes)
            return .capture
        case .rdf, .xml:
            return .plain
        case .syndication:
            switch local {
            case "updateperiod" where !inEntry: self.begin(.updatePeriod, mode: .text, attributes)
            case "updatefrequency" where !inEntry: self.begin(.updateFrequency, mode: .text, attributes)
            default: return .ignoredSubtree
            }
            return .capture
        case .other:
            return depth == 0 ? .plain : .ignoredSubtree
        case .none, .rss, .rss090, .atom:
            break
        }
        if self.kind == .rdf, namespace == .rss090, local == "channel" || local == "item" {
            self.feed.format = "rss0.90"
        }
        switch element {
        case .item, .entry:
            // Items never nest: one that opens inside another means the other was not closed.
            self.finishOpenEntry()
            self.entry = FeedEntry()
            self.inEntry = true
            self.pending = EntryFallbacks()
            if self.kind == .cdf { self.cdfAttributes(attributes) }
            if let about = attributes.first(where: { $0.namespace == .rdf && $0.name == "about" })?.value {
                self.pending.about = about.trimmingASCIIWhitespace()
            }
            return .entry
        case .channel, .feed, .rss, .rdf:
            return .plain
        case .image where rssLike && !inEntry:
            return .image
        case .textinput, .source, .info:
            return .ignoredSubtree
        case .title:
            if self.kind == .cdf || !atomLike {
                self.begin(.title, mode: .text, attributes)
            } else {
                self.begin(.title, mode: Self.atomMode(attributes), attributes)
            }
            return .capture
        case .link:
            if atomLike, Self.value(attributes, "href") == nil {
                // `<link rel="alternate">http://…</link>`: the URL written as the content.
                self.begin(.atomLinkText, mode: .text, attributes)
                return .capture
            }
            if atomLike || Self.value(attributes, "href") != nil {
                self.atomLink(attributes)
                return .ignoredSubtree
            }
            self.begin(.link, mode: .text, attributes)
            return .capture
        case .guid:
            self.begin(.guid, mode: .text, attributes)
            return .capture
        case .id where atomLike:
            self.begin(.atomID, mode: .text, attributes)
            return .capture
        case .pubdate, .published, .issued:
            self.begin(.published, mode: .text, attributes)
            return .capture
        case .updated, .modified, .lastbuilddate, .lastmod:
            self.begin(.updated, mode: .text, attributes)
            return .capture
        case .description, .abstract:
            self.begin(.description, mode: .html, attributes)
            return .capture
        case .summary:
            self.begin(.summary, mode: atomLike ? Self.atomMode(attributes) : .html, attributes)
            return .capture
        case .subtitle, .tagline:
            self.begin(.subtitle, mode: Self.atomMode(attributes), attributes)
            return .capture
        case .content where atomLike:
            self.begin(.content, mode: Self.atomMode(attributes), attributes)
            return .capture
        case .body, .fullitem:
            self.begin(.content, mode: .html, attributes)
            return .capture
        case .author where atomLike:
            self.person = PersonScope(target: inEntry ? .entryAuthor : .feedAuthor)
            return .person
        case .contributor where atomLike:
            self.person = PersonScope(target: .ignored)
            return .person
        case .author:
            self.begin(.author, mode: .text, attributes)
            return .capture
        case .managingeditor where !inEntry:
            self.begin(.feedAuthor, mode: .text, attributes)
            return .capture
        case .category where atomLike:
            if let term = (Self.value(attributes, "term") ?? Self.value(attributes, "label")).flatMap(Self.nonEmpty) {
                self.addCategory(
                    FeedCategory(
                        term: term,
                        scheme: Self.value(attributes, "scheme").flatMap(Self.nonEmpty),
                        label: Self.value(attributes, "label").flatMap(Self.nonEmpty)
                    )
                )
            }
            return .ignoredSubtree
        case .category:
            self.begin(.category, mode: .text, attributes)
            return .capture
        case .tags where inEntry:
            self.begin(.tags, mode: .text, attributes)
            return .capture
        case .logo, .icon:
            if inEntry || (local == "icon" && self.feed.metadata.image != nil) { return .ignoredSubtree }
            self.feed.metadata.image = nil
            self.begin(.imageURL, mode: .text, attributes)
            return .capture
        case .enclosure where inEntry:
            if let url = Self.value(attributes, "url").flatMap(Self.nonEmpty) {
                let href = self.resolve(url)
                let type = Self.value(attributes, "type").flatMap(Self.nonEmpty)
                let length = Self.value(attributes, "length").flatMap { Int($0.trimmingASCIIWhitespace()) }
                self.entry.enclosures.append(FeedEnclosure(url: href, type: type, length: length))
                self.entry.links.append(FeedLink(href: href, rel: "enclosure", type: type))
                self.pending.hasEnclosure = true
            }
            return .ignoredSubtree
        case .comments where inEntry:
            self.begin(.comments, mode: .text, attributes)
            return .capture
        case .copyright, .rights:
            self.begin(.rights, mode: atomLike ? Self.atomMode(attributes) : .text, attributes)
            return .capture
        case .language:
            self.begin(.language, mode: .text, attributes)
            return .capture
        case .generator:
            self.begin(.generator, mode: .text, attributes)
            return .capture
        case .ttl where rssLike && !inEntry:
            self.begin(.ttl, mode: .text, attributes)
            return .capture
        case .skiphours where rssLike && !inEntry, .skipdays where rssLike && !inEntry:
            return .skipList
        default:
            return depth == 0 ? .plain : .ignoredSubtree
        }
    }

    private mutating func dublinCoreRole(_ local: String, _ attributes: [Attribute], inEntry: Bool) -> Role {
        switch local {
        case "title": self.begin(.dcTitle, mode: .text, attributes)
        case "creator", "author": self.begin(.creator, mode: .text, attributes)
        case "date", "modified": self.begin(.updated, mode: .text, attributes)
        case "issued", "created": self.begin(.published, mode: .text, attributes)
        case "description": self.begin(.dcDescription, mode: .html, attributes)
        case "subject": self.begin(.dcSubject, mode: .text, attributes)
        case "rights": self.begin(.rights, mode: .text, attributes)
        case "language": self.begin(.language, mode: .text, attributes)
        default: return .ignoredSubtree
        }
        return .capture
    }

    private mutating func itunesRole(_ local: String, _ attributes: [Attribute], inEntry: Bool) -> Role {
        switch local {
        case "author":
            self.begin(.itunesAuthor, mode: .text, attributes)
        case "summary":
            self.begin(.itunesSummary, mode: .text, attributes)
        case "subtitle":
            self.begin(.itunesSubtitle, mode: .text, attributes)
        case "keywords":
            self.begin(.keywords, mode: .text, attributes)
        case "category":
            if let text = Self.value(attributes, "text").flatMap(Self.nonEmpty) {
                self.addCategory(FeedCategory(term: text, scheme: "http://www.itunes.com/"))
            }
            return .nested
        case "image", "link":
            if local == "link", Self.value(attributes, "rel")?.lowercased() != "image" { return .ignoredSubtree }
            if !inEntry, self.feed.metadata.image == nil,
                let href = (Self.value(attributes, "href") ?? Self.value(attributes, "url")).flatMap(Self.nonEmpty)
            {
                self.feed.metadata.image = self.resolve(href)
            }
            return .ignoredSubtree
        default:
            return .ignoredSubtree
        }
        return .capture
    }

    private mutating func mediaRole(_ local: String, _ attributes: [Attribute], inEntry: Bool) -> Role {
        guard inEntry else { return local == "group" ? .nested : .ignoredSubtree }
        switch local {
        case "group":
            return .nested
        case "content":
            if let url = Self.value(attributes, "url").flatMap(Self.nonEmpty) {
                self.pending.mediaEnclosures.append(
                    FeedEnclosure(
                        url: self.resolve(url),
                        type: Self.value(attributes, "type").flatMap(Self.nonEmpty),
                        length: Self.value(attributes, "filesize").flatMap { Int($0.trimmingASCIIWhitespace()) }
                    )
                )
            }
            return .nested
        case "title":
            self.begin(.mediaTitle, mode: .text, attributes)
        case "description":
            self.begin(.mediaDescription, mode: .text, attributes)
        case "category":
            self.begin(.mediaCategory, mode: .text, attributes)
        default:
            return .ignoredSubtree
        }
        return .capture
    }

    static func atomMode(_ attributes: [Attribute]) -> Mode {
        guard !attributes.isEmpty else { return .text }
        let rawType = Self.value(attributes, "type") ?? "text"
        let modeAttribute = Self.value(attributes, "mode")
        // The common values first, without allocating.
        switch modeAttribute == nil ? rawType : "" {
        case "text": return .text
        case "html": return .html
        case "xhtml": return .xhtml
        default: break
        }
        let type = rawType.trimmingASCIIWhitespace().lowercased()
        let isHTML = type.hasSuffix("html")
        if let mode = modeAttribute?.lowercased() {
            if mode == "base64" { return .base64(html: isHTML || type.hasSuffix("xml")) }
            if mode == "escaped" { return isHTML ? .html : .text }
        }
        switch type {
        case "text", "text/plain", "": return .text
        case "html", "text/html": return .html
        case "xhtml", "application/xhtml+xml": return .xhtml
        default:
            if type.hasPrefix("text/") { return .text }
            if type.hasSuffix("xml") { return .xhtml }
            return .base64(html: false)
        }
    }

    private mutating func atomLink(_ attributes: [Attribute]) {
        let rel = Self.value(attributes, "rel")?.trimmingASCIIWhitespace().lowercased() ?? "alternate"
        let type = Self.value(attributes, "type").flatMap(Self.nonEmpty)
        let rawHref = (Self.value(attributes, "href") ?? Self.value(attributes, "url") ?? "").trimmingASCIIWhitespace()
        // A link without href points at its base (RFC 3986 §5.2 with an empty reference).
        guard !rawHref.isEmpty || self.bases.last != nil else { return }
        let href = self.resolve(rawHref)
        guard !href.isEmpty else { return }
        let title = Self.value(attributes, "title").flatMap(Self.nonEmpty)
        var link = FeedLink(href: href, rel: rel.isEmpty ? "alternate" : rel, type: type, title: title)
        if link.rel == "self" && link.type == nil { link.type = "application/atom+xml" }
        let lastWins = self.kind != .atom
        if self.inEntry {
            self.entry.links.append(link)
            if link.rel == "alternate", self.entry.link == nil || lastWins {
                self.entry.link = href
            } else if link.rel == "enclosure" {
                let length = Self.value(attributes, "length").flatMap { Int($0.trimmingASCIIWhitespace()) }
                self.entry.enclosures.append(FeedEnclosure(url: href, type: type, length: length))
                self.pending.hasEnclosure = true
            }
        } else {
            self.feed.metadata.links.append(link)
            if link.rel == "alternate", self.feed.metadata.link == nil || lastWins {
                self.feed.metadata.link = href
            }
        }
    }

    // MARK: Capture

    private mutating func begin(_ field: Field, mode: Mode, _ attributes: [Attribute]) {
        self.buffer.removeAll(keepingCapacity: true)
        self.markupNamespaces.removeAll(keepingCapacity: true)
        var escape = false
        if case .xhtml = mode { escape = true }
        self.capture = Capture(
            field: field,
            depth: self.frames.count,
            mode: mode,
            attributes: attributes,
            escapeText: escape,
            base: self.bases.last ?? nil
        )
    }

    private mutating func appendText(_ value: UnsafePointer<xmlChar>) {
        // Reads one flag rather than copying the whole capture for every text node.
        guard let escape = self.capture?.escapeText else { return }
        let length = strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self))
        let text = UnsafeBufferPointer(start: value, count: length)
        if escape {
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

    /// The element's name as markup: the local name for XHTML, the qualified name otherwise.
    private mutating func appendMarkupName(_ reader: xmlTextReaderPtr) {
        guard let name = xmlTextReaderConstLocalName(reader) else { return }
        self.buffer.append(
            contentsOf: UnsafeBufferPointer(
                start: name,
                count: strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))
            )
        )
    }

    private static let voidElements: Set<String> = [
        "br", "img", "hr", "input", "meta", "link", "area", "base", "col", "embed", "param", "source", "track", "wbr",
    ]

    /// The element's namespace URI when it is neither XHTML nor absent.
    private static func markupNamespace(of reader: xmlTextReaderPtr) -> String? {
        guard let uri = xmlTextReaderConstNamespaceUri(reader) else { return nil }
        let string = String(cString: uri)
        return string == "http://www.w3.org/1999/xhtml" ? nil : string
    }

    /// Attributes of an element inside captured markup, as they are written: qualified names,
    /// `xmlns` where the element enters a namespace other than XHTML, and an `xmlns:p` for
    /// each prefix its attributes use (the declarations may sit on an ancestor outside).
    private mutating func markupAttributes(of reader: xmlTextReaderPtr) -> [Attribute] {
        var result: [Attribute] = []
        if let namespace = Self.markupNamespace(of: reader), namespace != (self.markupNamespaces.last ?? nil) {
            result.append(Attribute(namespace: .other, name: "xmlns", value: namespace))
        }
        guard xmlTextReaderHasAttributes(reader) == 1 else { return result }
        var declared: Set<String> = []
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            if xmlTextReaderIsNamespaceDecl(reader) == 1 { continue }
            let name = xmlTextReaderConstName(reader).map { String(cString: $0) } ?? ""
            let value = xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
            result.append(Attribute(namespace: .none, name: name, value: value))
            if let prefix = xmlTextReaderConstPrefix(reader).map({ String(cString: $0) }), prefix != "xml",
                let uri = xmlTextReaderConstNamespaceUri(reader), declared.insert(prefix).inserted
            {
                result.append(Attribute(namespace: .other, name: "xmlns:" + prefix, value: String(cString: uri)))
            }
        }
        xmlTextReaderMoveToElement(reader)
        return result
    }

    private mutating func startChildMarkup(_ reader: xmlTextReaderPtr) {
        guard var capture = self.capture else { return }
        let empty = xmlTextReaderIsEmptyElement(reader) == 1
        let namespace = self.namespace(of: reader)
        let local = xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
        if capture.childDepth == 0, !capture.sawChild, !empty, local == "div",
            namespace == .xhtml || { if case .xhtml = capture.mode { return true } else { return false } }(),
            self.buffer.allSatisfy(XMLRepair.isSpace)
        {
            // Atom's xhtml wrapper div is not part of the content (RFC 4287 §3.1.1.3).
            capture.skipWrapperDepth = 0
            capture.childDepth += 1
            self.markupNamespaces.append(nil)
            capture.sawChild = true
            self.buffer.removeAll(keepingCapacity: true)
            self.capture = capture
            return
        }
        if !capture.sawChild, case .text = capture.mode {
            // Markup inside a text element: what came before was text, so escape it as HTML.
            let text = self.buffer
            self.buffer.removeAll(keepingCapacity: true)
            text.withUnsafeBufferPointer { Self.appendEscaped($0, to: &self.buffer) }
            capture.mode = .html
            capture.escapeText = true
        }
        capture.sawChild = true
        self.buffer.append(UInt8(ascii: "<"))
        self.appendMarkupName(reader)
        var attributes = self.markupAttributes(of: reader)
        if attributes.count > 1 { attributes.sort { $0.name < $1.name } }
        for attribute in attributes {
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
            if Self.voidElements.contains(local.lowercased()) {
                self.buffer.append(contentsOf: [32, 47, 62])
            } else {
                self.buffer.append(contentsOf: [62, 60, 47])
                self.appendMarkupName(reader)
                self.buffer.append(62)
            }
            self.closedEmptyMarkup = true
        } else {
            self.buffer.append(UInt8(ascii: ">"))
            capture.childDepth += 1
            self.markupNamespaces.append(Self.markupNamespace(of: reader))
        }
        self.capture = capture
    }

    private mutating func finishCapture(_ capture: Capture) {
        var isHTML = capture.sawChild
        var text: String
        switch capture.mode {
        case .base64(let html):
            isHTML = html
            let encoded = String(decoding: self.buffer, as: UTF8.self).filter { !$0.isWhitespace }
            if let data = Data(base64Encoded: encoded, options: [.ignoreUnknownCharacters]) {
                text = String(decoding: data, as: UTF8.self).trimmingASCIIWhitespace()
            } else {
                text = encoded
            }
        case .html, .xhtml:
            isHTML = true
            text = self.bufferText()
        case .text:
            text = self.bufferText()
        }
        if isHTML, let base = capture.base { text = FeedText.resolvingURLs(inHTML: text, base: base) }
        self.store(capture.field, text, capture: capture)
    }

    /// The captured bytes as a string, trimmed of ASCII white space, with mojibake repaired.
    private mutating func bufferText() -> String {
        self.buffer.withUnsafeBufferPointer { bytes in
            var start = 0
            var end = bytes.count
            while start < end, XMLRepair.isSpace(bytes[start]) || bytes[start] == 0x0C { start += 1 }
            while end > start, XMLRepair.isSpace(bytes[end - 1]) || bytes[end - 1] == 0x0C { end -= 1 }
            return FeedText.repairingMojibake(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }
    }

    private mutating func store(_ field: Field, _ text: String, capture: Capture) {
        let inEntry = self.inEntry
        let value: String? = text.isEmpty ? nil : text
        switch field {
        case .title, .dcTitle:
            if inEntry {
                if self.entry.title == nil || (field == .title && self.entry.title == "") { self.entry.title = text }
            } else if self.feed.metadata.title == nil || (field == .title && self.feed.metadata.title == "") {
                self.feed.metadata.title = text
            }
        case .atomLinkText:
            guard let value else { return }
            self.atomLink(capture.attributes + [Attribute(namespace: .none, name: "href", value: value)])
        case .mediaTitle:
            if self.pending.mediaTitle == nil { self.pending.mediaTitle = value }
        case .link:
            guard let value else { return }
            let href = self.resolve(value)
            if inEntry {
                self.entry.link = href
                self.entry.links.append(FeedLink(href: href, rel: "alternate", type: "text/html"))
            } else {
                self.feed.metadata.link = href
                self.feed.metadata.links.append(FeedLink(href: href, rel: "alternate", type: "text/html"))
            }
        case .guid:
            guard let value else { return }
            if inEntry {
                self.entry.id = value
                let permaLink = Self.value(capture.attributes, "ispermalink")?.lowercased() ?? "true"
                if permaLink != "false", self.entry.link == nil, FeedText.looksLikeURL(value) {
                    let href = self.resolve(value)
                    self.entry.link = href
                    self.entry.links.append(FeedLink(href: href, rel: "alternate", type: "text/html"))
                }
            } else if self.feed.metadata.id == nil {
                self.feed.metadata.id = value
            }
        case .atomID:
            guard let value else { return }
            let id = FeedText.hasScheme(value) ? value : self.resolve(value)
            if inEntry {
                if self.entry.id == nil { self.entry.id = id }
            } else if self.feed.metadata.id == nil {
                self.feed.metadata.id = id
            }
        case .published:
            guard let value, let date = self.date(value) else { return }
            if inEntry {
                self.entry.published = date
            } else {
                self.feed.metadata.published = date
            }
        case .updated:
            guard let value, let date = self.date(value) else { return }
            if inEntry {
                self.entry.updated = date
            } else {
                self.feed.metadata.updated = date
            }
        case .author, .creator, .itunesAuthor, .feedAuthor:
            guard let value else { return }
            self.addAuthor(value, weak: field == .itunesAuthor)
        case .description, .summary:
            if inEntry {
                // Whichever of description and summary comes first is the summary; the
                // other one is the content, when there is none.
                if self.entry.summary == nil {
                    self.entry.summary = text
                } else if self.entry.content == nil {
                    self.entry.content = text
                }
            } else if self.feed.metadata.subtitle == nil {
                self.feed.metadata.subtitle = text
            }
        case .dcDescription, .itunesSummary:
            if inEntry {
                if self.entry.summary == nil { self.entry.summary = value }
            } else if self.feed.metadata.subtitle == nil {
                self.feed.metadata.subtitle = value
            }
        case .mediaDescription:
            if self.pending.mediaDescription == nil { self.pending.mediaDescription = value }
        case .content:
            if inEntry, self.entry.content == nil { self.entry.content = text }
        case .subtitle, .itunesSubtitle:
            if !inEntry, self.feed.metadata.subtitle == nil {
                self.feed.metadata.subtitle = field == .subtitle ? text : value
            }
        case .category, .dcSubject:
            guard let value else { return }
            let scheme = Self.value(capture.attributes, "domain").flatMap(Self.nonEmpty)
            self.addCategory(FeedCategory(term: value, scheme: scheme))
        case .mediaCategory:
            guard let value else { return }
            let scheme =
                Self.value(capture.attributes, "scheme").flatMap(Self.nonEmpty)
                ?? "http://search.yahoo.com/mrss/category_schema"
            self.addCategory(
                FeedCategory(
                    term: value,
                    scheme: scheme,
                    label: Self.value(capture.attributes, "label").flatMap(Self.nonEmpty)
                )
            )
        case .keywords, .tags:
            guard let value else { return }
            let scheme: String? = field == .keywords ? "http://www.itunes.com/" : nil
            for keyword in value.split(separator: ",") {
                let term = String(keyword).trimmingASCIIWhitespace()
                guard !term.isEmpty else { continue }
                let category = FeedCategory(term: term, scheme: scheme)
                if inEntry {
                    if !self.entry.categories.contains(category) { self.addCategory(category) }
                } else if !self.feed.metadata.categories.contains(category) {
                    self.addCategory(category)
                }
            }
        case .comments:
            if inEntry, let value { self.entry.comments = self.resolve(value) }
        case .rights:
            if inEntry {
                if self.entry.rights == nil { self.entry.rights = text }
            } else if self.feed.metadata.rights == nil {
                self.feed.metadata.rights = text
            }
        case .language:
            if !inEntry, let value { self.feed.metadata.language = value }
        case .generator:
            if !inEntry, self.feed.metadata.generator == nil { self.feed.metadata.generator = value }
        case .personName:
            self.person?.person.name = value
        case .personEmail:
            self.person?.person.email = value
        case .personURI:
            let uri = value.map { self.resolve($0) }
            self.person?.person.uri = uri
        case .imageURL:
            if !inEntry, self.feed.metadata.image == nil, let value { self.feed.metadata.image = self.resolve(value) }
        case .ttl:
            if let minutes = value.flatMap({ Int($0) }), minutes > 0 {
                self.feed.metadata.schedule.ttlMinutes = minutes
            }
        case .skipHour:
            if let hour = value.flatMap({ Int($0) }), (0...24).contains(hour) {
                self.feed.metadata.schedule.skipHours.insert(hour % 24)
            }
        case .skipDay:
            if let day = value.flatMap(FeedSchedule.weekday(named:)) {
                self.feed.metadata.schedule.skipDays.insert(day)
            }
        case .updatePeriod:
            if let value { self.feed.metadata.schedule.updatePeriod = value.lowercased() }
        case .updateFrequency:
            if let frequency = value.flatMap({ Int($0) }), frequency > 0 {
                self.feed.metadata.schedule.updateFrequency = frequency
            }
        }
    }

    /// Adds an author string (`Jane Roe`, `jane@example.org (Jane Roe)`); a `weak` one
    /// (itunes:author) only when there is no other.
    private mutating func addAuthor(_ value: String, weak: Bool) {
        let person = FeedText.person(from: value)
        if self.inEntry {
            if weak, self.entry.author != nil { return }
            if self.entry.author == nil { self.entry.author = value }
            if !self.entry.authors.contains(person) { self.entry.authors.append(person) }
        } else {
            if weak, self.feed.metadata.author != nil { return }
            if self.feed.metadata.author == nil { self.feed.metadata.author = value }
            if !self.feed.metadata.authors.contains(person) { self.feed.metadata.authors.append(person) }
        }
    }

    private mutating func addCategory(_ category: FeedCategory) {
        if self.inEntry {
            self.entry.categories.append(category)
        } else {
            self.feed.metadata.categories.append(category)
        }
    }

    private mutating func finishPerson() {
        guard let scope = self.person else { return }
        self.person = nil
        let person = scope.person
        guard person.name != nil || person.email != nil || person.uri != nil else { return }
        let display = FeedText.display(person)
        switch scope.target {
        case .entryAuthor:
            guard self.inEntry else { return }
            self.entry.authors.append(person)
            if self.entry.author == nil { self.entry.author = display }
        case .feedAuthor:
            self.feed.metadata.authors.append(person)
            if self.feed.metadata.author == nil { self.feed.metadata.author = display }
        case .ignored:
            break
        }
    }

    private mutating func finishOpenEntry() {
        guard self.inEntry else { return }
        var entry = FeedEntry()
        swap(&entry, &self.entry)
        self.inEntry = false
        let pending = self.pending
        self.pending = EntryFallbacks()
        if !pending.hasEnclosure, !pending.mediaEnclosures.isEmpty { entry.enclosures = pending.mediaEnclosures }
        if entry.title == nil { entry.title = pending.mediaTitle }
        if entry.summary == nil { entry.summary = pending.mediaDescription }
        // As feed readers do, an entry with content but no summary gets the content as summary.
        if entry.summary == nil, let content = entry.content { entry.summary = content }
        if entry.id == nil, let about = pending.about, !about.isEmpty { entry.id = about }
        self.feed.entries.append(entry)
    }

    // MARK: Values

    private func date(_ text: String) -> Date? {
        guard let date = DateParser.parse(text) else { return nil }
        return FutureDateRule.standard.trusted(date, now: self.now)
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

/// Counts the errors libxml2 reports for one reader; a class, so the C callback can reach it
/// through its context pointer. Used by the one thread that runs the reader.
final class FeedErrorCounter {
    var count = 0
}

/// libxml2's structured error callback: counts errors on the reader that owns `context`.
let countError: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    if error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue {
        Unmanaged<FeedErrorCounter>.fromOpaque(context).takeUnretainedValue().count += 1
    }
}
