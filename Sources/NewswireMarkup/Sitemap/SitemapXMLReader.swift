internal import CLibXML2
import NewswireCore

import struct Foundation.Date

#if canImport(Glibc)
import Glibc
#endif

/// One streaming pass of libxml2's `xmlTextReader` over a sitemap (`urlset` or
/// `sitemapindex`), handing each entry to `deliver` as its element closes.
///
/// Names are classified once per interned name pointer: the default namespace (or none) is
/// the sitemap protocol's, whatever its URI says (old and misspelt URIs abound); the `news`,
/// `image` and `video` extensions are told apart by their URI, or by their prefix when it is
/// undeclared. Only what is kept becomes a string. A value with no dynamic exclusivity checks on its fields (a class's cost a tenth of the
/// parse). Not thread-safe: one reader per parse.
struct SitemapXMLReader {
    private(set) var kind: SitemapKind?
    private(set) var sawRoot = false
    private(set) var delivered = 0
    private(set) var skipped = 0
    private(set) var truncated = false
    private let errors = FeedErrorCounter()
    var errorCount: Int { self.errors.count }

    private let base: String?
    private let limits: SitemapLimits
    /// Entries a previous, failed pass already delivered: counted again, not delivered again.
    private var skip: Int
    private let deliver: (SitemapEntry) -> Void

    private var entry = SitemapEntry(url: "")
    private var entryDepth: Int?
    private var imageDepth: Int?
    private var imageLoc: String?
    private var field: Tag?
    private var fieldDepth = 0
    private var text: [UInt8] = []
    /// The tag of the open element at each depth.
    private var open: [Tag] = []
    /// Tags by libxml2's interned name and namespace pointers; a sitemap has a dozen names,
    /// so a linear scan of pointers beats hashing.
    private var names: [(key: UnsafeRawPointer, tag: Tag)] = []

    init(base: String?, limits: SitemapLimits, skip: Int, deliver: @escaping (SitemapEntry) -> Void) {
        self.base = base
        self.limits = limits
        self.skip = skip
        self.deliver = deliver
    }

    enum Tag {
        case urlset, sitemapindex, url, sitemap, loc, lastmod, changefreq, priority
        case newsTitle, newsName, newsLanguage, newsDate, newsKeywords, image, imageLoc
        case other
    }

    private enum Extension {
        case sitemap, news, image, video, other
    }

    /// xmlParserOption(3): RECOVER goes on after errors; NONET forbids network access; NOENT
    /// is never set, so no entity is substituted and no external entity is loaded.
    static let options = Int32(
        XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
            | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue
    )

    /// Reads UTF-8 `bytes`; with `stopAtFirstError`, gives up at libxml2's first error.
    mutating func read(_ bytes: UnsafeBufferPointer<UInt8>, stopAtFirstError: Bool) {
        guard let start = bytes.baseAddress, !bytes.isEmpty, bytes.count < Int(Int32.max) else { return }
        start.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
            guard
                let reader = xmlReaderForMemory(
                    chars,
                    Int32(bytes.count),
                    nil,
                    "UTF-8",
                    Self.options | Int32(XML_PARSE_IGNORE_ENC.rawValue)
                )
            else { return }
            defer { xmlFreeTextReader(reader) }
            self.walk(reader, stopAtFirstError: stopAtFirstError)
        }
    }

    /// Reads UTF-8 `bytes` through libxml2's tree parser in recover mode and walks the tree:
    /// the streaming reader stops at a broken chunk, the tree parser goes on past mismatched
    /// and unclosed tags. Only for documents with errors.
    mutating func readRecoveringTree(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress, !bytes.isEmpty, bytes.count < Int(Int32.max) else { return }
        start.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
            let options = Self.options | Int32(XML_PARSE_IGNORE_ENC.rawValue)
            guard let document = xmlReadMemory(chars, Int32(bytes.count), nil, "UTF-8", options) else { return }
            defer { xmlFreeDoc(document) }
            guard let reader = xmlReaderWalker(document) else { return }
            defer { xmlFreeTextReader(reader) }
            // A walker has no parser context to report errors through.
            self.walk(reader, stopAtFirstError: false, countErrors: false)
        }
    }

    /// Reads the file at `path` as libxml2 streams it (inflating gzip), stopping at the
    /// first error and at the byte limit.
    mutating func read(path: String) {
        guard let reader = xmlReaderForFile(path, nil, Self.options) else {
            self.errors.count += 1
            return
        }
        defer { xmlFreeTextReader(reader) }
        self.walk(reader, stopAtFirstError: true)
    }

    private mutating func walk(_ reader: xmlTextReaderPtr, stopAtFirstError: Bool, countErrors: Bool = true) {
        if countErrors {
            let context = Unmanaged.passUnretained(self.errors).toOpaque()
            xmlTextReaderSetStructuredErrorHandler(reader, countError, context)
        }
        var nodes = 0
        while xmlTextReaderRead(reader) == 1 {
            if stopAtFirstError && self.errors.count > 0 { return }
            switch xmlTextReaderNodeType(reader) {
            case 1:
                let depth = Int(xmlTextReaderDepth(reader))
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                let tag = self.tag(reader)
                self.start(tag, depth: depth)
                if empty {
                    self.end(tag, depth: depth)
                } else {
                    // The end tag is told by its depth: no name lookup for it.
                    if depth >= self.open.count {
                        self.open.append(contentsOf: repeatElement(.other, count: depth + 1 - self.open.count))
                    }
                    self.open[depth] = tag
                }
            case 15:
                let depth = Int(xmlTextReaderDepth(reader))
                self.end(depth < self.open.count ? self.open[depth] : .other, depth: depth)
            case 3, 4:
                guard self.field != nil, let value = xmlTextReaderConstValue(reader) else { continue }
                self.text.append(contentsOf: UnsafeBufferPointer(start: value, count: strlen(value)))
            default:
                break
            }
            if self.delivered >= self.limits.maxEntries {
                self.truncated = true
                return
            }
            nodes += 1
            if countErrors, nodes & 0xFFF == 0, Int(xmlTextReaderByteConsumed(reader)) > self.limits.maxBytes {
                self.truncated = true
                return
            }
        }
    }

    /// Delivers the entry open at the end of a truncated document, if it has its URL.
    mutating func finish() {
        if self.entryDepth != nil, !self.entry.url.isEmpty { self.emit() }
        self.entryDepth = nil
    }

    // MARK: Names

    private mutating func tag(_ reader: xmlTextReaderPtr) -> Tag {
        guard let name = xmlTextReaderConstName(reader) else { return .other }
        // Keyed by the interned qualified name alone: a document binds its prefixes once, at
        // the root, so looking the namespace up again for every element (xmlSearchNs) buys
        // nothing but time.
        let key = UnsafeRawPointer(name)
        for cached in self.names where cached.key == key { return cached.tag }
        let uri = xmlTextReaderConstNamespaceUri(reader)
        let qualified = String(cString: name).lowercased()
        var prefix: Substring?
        var local = Substring(qualified)
        if let colon = qualified.firstIndex(of: ":") {
            prefix = qualified[..<colon]
            local = qualified[qualified.index(after: colon)...]
        }
        let tag = Self.classify(local: local, in: Self.namespace(uri: uri.map { String(cString: $0) }, prefix: prefix))
        // A hostile document could invent names without end: cache the first few only.
        if self.names.count < 64 { self.names.append((key, tag)) }
        return tag
    }

    private static func namespace(uri: String?, prefix: Substring?) -> Extension {
        if let uri = uri?.lowercased() {
            if uri.contains("sitemap-news") { return .news }
            if uri.contains("sitemap-image") { return .image }
            if uri.contains("sitemap-video") { return .video }
            if prefix == nil || uri.contains("sitemaps.org") || uri.contains("/schemas/sitemap/") { return .sitemap }
        }
        switch prefix {
        case nil: return .sitemap
        case "news": return .news
        case "image": return .image
        case "video": return .video
        default: return .other
        }
    }

    private static func classify(local: Substring, in namespace: Extension) -> Tag {
        switch namespace {
        case .sitemap:
            switch local {
            case "urlset": return .urlset
            case "sitemapindex": return .sitemapindex
            case "url": return .url
            case "sitemap": return .sitemap
            case "loc": return .loc
            case "lastmod": return .lastmod
            case "changefreq": return .changefreq
            case "priority": return .priority
            default: return .other
            }
        case .news:
            switch local {
            case "title": return .newsTitle
            case "name": return .newsName
            case "language": return .newsLanguage
            case "publication_date": return .newsDate
            case "keywords": return .newsKeywords
            default: return .other
            }
        case .image:
            switch local {
            case "image": return .image
            case "loc": return .imageLoc
            default: return .other
            }
        case .video, .other:
            return .other
        }
    }

    // MARK: Events

    private mutating func start(_ tag: Tag, depth: Int) {
        if !self.sawRoot {
            self.sawRoot = true
            switch tag {
            case .urlset: self.kind = .urlset
            case .sitemapindex: self.kind = .index
            default: break
            }
            return
        }
        switch tag {
        case .url, .sitemap:
            if self.entryDepth != nil { self.finish() }
            if self.kind == nil { self.kind = tag == .sitemap ? .index : .urlset }
            self.entry = SitemapEntry(url: "")
            self.entry.isSitemap = tag == .sitemap
            self.entryDepth = depth
        case .image where self.entryDepth != nil:
            self.imageDepth = depth
            self.imageLoc = nil
        case .loc, .lastmod, .changefreq, .priority:
            // Only the entry's own children: an extension's `loc` is not the page's.
            guard let entryDepth = self.entryDepth, depth == entryDepth + 1 else { return }
            self.open(tag, depth: depth)
        case .imageLoc:
            guard self.imageDepth != nil else { return }
            self.open(tag, depth: depth)
        case .newsTitle, .newsName, .newsLanguage, .newsDate, .newsKeywords:
            guard self.entryDepth != nil else { return }
            self.open(tag, depth: depth)
        default:
            break
        }
    }

    private mutating func open(_ tag: Tag, depth: Int) {
        self.field = tag
        self.fieldDepth = depth
        self.text.removeAll(keepingCapacity: true)
    }

    private mutating func end(_ tag: Tag, depth: Int) {
        if let field = self.field, depth == self.fieldDepth {
            self.field = nil
            self.close(field)
            return
        }
        switch tag {
        case .image where depth == self.imageDepth:
            if let loc = self.imageLoc { self.entry.images.append(loc) }
            self.imageDepth = nil
        case .url where depth == self.entryDepth, .sitemap where depth == self.entryDepth:
            self.emit()
            self.entryDepth = nil
        default:
            break
        }
    }

    private mutating func close(_ field: Tag) {
        // Trimmed as bytes: the common field is short ASCII, and Character-level trimming
        // would cost more than the rest of the parse.
        var start = 0
        var end = self.text.count
        while start < end, XMLRepair.isSpace(self.text[start]) { start += 1 }
        while end > start, XMLRepair.isSpace(self.text[end - 1]) { end -= 1 }
        guard start < end else { return }
        let value = String(decoding: self.text[start..<end], as: UTF8.self)
        switch field {
        case .loc: self.entry.url = value
        case .lastmod: self.entry.lastModified = DateParser.parse(value)
        case .changefreq: self.entry.changeFrequency = value.lowercased()
        case .priority: self.entry.priority = Double(value)
        case .newsTitle: self.entry.title = value
        case .newsName: self.entry.publicationName = value
        case .newsLanguage: self.entry.language = value
        case .newsDate: self.entry.published = DateParser.parse(value)
        case .newsKeywords:
            self.entry.keywords = self.keywords(self.text[start..<end])
        case .imageLoc: self.imageLoc = self.absolute(value)
        default: break
        }
    }

    /// Comma-separated keywords, each trimmed (as bytes), empty ones left out.
    private func keywords(_ bytes: ArraySlice<UInt8>) -> [String] {
        var result: [String] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            var end = index
            while end < bytes.endIndex, bytes[end] != UInt8(ascii: ",") { end += 1 }
            var low = index
            var high = end
            while low < high, XMLRepair.isSpace(bytes[low]) { low += 1 }
            while high > low, XMLRepair.isSpace(bytes[high - 1]) { high -= 1 }
            if low < high { result.append(String(decoding: bytes[low..<high], as: UTF8.self)) }
            index = end + 1
        }
        return result
    }

    private mutating func emit() {
        guard let url = self.absolute(self.entry.url) else {
            self.skipped += 1
            return
        }
        self.entry.url = url
        self.delivered += 1
        if self.skip > 0 {
            self.skip -= 1
            return
        }
        self.deliver(self.entry)
    }

    /// `reference` as an absolute `http(s)` URL, resolved against the sitemap's URL.
    private func absolute(_ reference: String) -> String? {
        if Self.isPlainAbsolute(reference) || WebURL.isWeb(reference) { return reference }
        guard let base = self.base, !reference.isEmpty else { return nil }
        let resolved = FeedText.resolve(reference, against: base)
        return WebURL.isWeb(resolved) ? resolved : nil
    }

    /// The common case decided without parsing: a lower-case `http://` or `https://`, a host
    /// that starts with a letter or digit, and no space or control character. Anything else
    /// goes to ``WebURL``.
    static func isPlainAbsolute(_ text: String) -> Bool {
        let utf8 = text.utf8
        return utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.count > 8, bytes[0] == 0x68, bytes[1] == 0x74, bytes[2] == 0x74, bytes[3] == 0x70 else {
                return false
            }
            let prefix: Int
            if bytes[4] == UInt8(ascii: "s"), bytes[5] == UInt8(ascii: ":"), bytes[6] == 0x2F, bytes[7] == 0x2F {
                prefix = 8
            } else if bytes[4] == UInt8(ascii: ":"), bytes[5] == 0x2F, bytes[6] == 0x2F {
                prefix = 7
            } else {
                return false
            }
            guard bytes.count > prefix else { return false }
            let first = bytes[prefix]
            guard (first >= 0x30 && first <= 0x39) || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A) else {
                return false
            }
            for byte in bytes where byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "\\") { return false }
            return true
        } ?? false
    }
}
