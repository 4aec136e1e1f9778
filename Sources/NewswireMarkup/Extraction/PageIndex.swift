internal import CLibXML2
import Foundation
import NewswireCore

typealias NodePointer = UnsafeMutablePointer<xmlNode>

/// One element of the page with the counts the scorer needs, in document order.
///
/// Counts are in characters of whitespace-collapsed text; `text`, `linkText` and
/// `commas` cover the whole subtree, the `inline` counts only the text that flows
/// directly in this block (its text nodes and its inline children, not nested blocks).
struct IndexedElement {
    var node: NodePointer
    var parent: Int32
    /// One past the index of the last descendant: the subtree is `index..<end`.
    var end: Int32
    var tag: HTMLTag
    var hints: ClassHints
    /// Inside (or is) a region whose class or id says it is almost never the article.
    var unlikely: Bool
    /// Hidden with the `hidden` attribute, `display:none` or a screen-reader class.
    var hidden: Bool
    var text: Int32 = 0
    var linkText: Int32 = 0
    var commas: Int32 = 0
    var inlineText: Int32 = 0
    var inlineLinkText: Int32 = 0
    var inlineCommas: Int32 = 0
    var paragraphs: Int32 = 0
    var listItems: Int32 = 0
    var images: Int32 = 0
    var inputs: Int32 = 0
}

/// What the `<head>` (and metadata elements anywhere) say about the page.
struct PageHead {
    /// `<meta>` name/property/itemprop (lower case) and content, in document order.
    var metas: [(key: String, value: String)] = []
    /// `<link rel>` (lower case) and absolute-or-relative `href`.
    var links: [(rel: String, href: String)] = []
    var title: String?
    var language: String?
    /// The raw text of each `<script type="application/ld+json">`.
    var jsonLD: [String] = []
    /// Indexes of `<time>` elements and their `datetime` attributes.
    var times: [(element: Int, value: String)] = []
    /// Indexes of elements marked `itemprop="author"` or `rel="author"`.
    var authorElements: [Int] = []
    /// Indexes of body elements marked `itemprop="datePublished"` (a `<meta>` one is in `metas`).
    var publishedElements: [Int] = []
    /// Elements with a microdata `itemtype` and the type's last path segment ("Product" of
    /// "https://schema.org/Product").
    var microdata: [(element: Int, type: String)] = []

    func meta(_ key: String) -> String? {
        self.metas.first { $0.key == key && !$0.value.isEmpty }?.value
    }

    func metaValues(_ key: String) -> [String] {
        self.metas.compactMap { $0.key == key && !$0.value.isEmpty ? $0.value : nil }
    }
}

/// The parsed page: libxml2's tree plus a flat index of its elements.
///
/// Owns the libxml2 document and frees it on deinit. Confined to the thread that built it.
final class PageIndex {
    let document: htmlDocPtr
    var elements: [IndexedElement] = []
    /// The tree's depth when it is deeper than ``maxDepth``; the page is then not indexed.
    private(set) var tooDeep: Int?
    var head = PageHead()
    /// Index of `<body>`, if the page has one.
    var body: Int?

    /// Parses UTF-8 HTML.
    ///
    /// Options: htmlReadMemory(3) with NONET (no network), RECOVER (keep going on broken
    /// markup), NOERROR/NOWARNING (no reports to stderr), IGNORE_ENC, because the bytes
    /// were already decoded to UTF-8 and a `<meta charset>` must not switch the decoder again,
    /// and COMPACT: libxml2 stores text nodes shorter than two pointers (mostly the white space
    /// between tags) inside the node instead of a malloc'd string. The tree must then not be
    /// modified, and nothing here does; text nodes' `properties` hold text, so only elements'
    /// attributes are ever read. HUGE lifts libxml2's nesting limit of 256 levels, past which
    /// it silently stops reading the page (text deeper and everything after it were lost);
    /// ``maxDepth`` then bounds the depth instead, with a `limit` error the extractor reports.
    init?(utf8 bytes: [UInt8], url: String?) {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return nil }
        let options =
            HTML_PARSE_NONET.rawValue | HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_IGNORE_ENC.rawValue | HTML_PARSE_COMPACT.rawValue
            | XML_PARSE_HUGE.rawValue
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                htmlReadMemory($0, Int32(buffer.count), url, "UTF-8", Int32(bitPattern: options))
            }
        }
        guard let parsed else { return nil }
        self.document = parsed
        if let depth = Self.depthExceeding(Self.maxDepth, in: parsed) {
            self.tooDeep = depth
            return
        }
        Self.placingStreamedSegments(in: parsed, bytes: bytes)
        var builder = IndexBuilder()
        builder.elements.reserveCapacity(bytes.count / 60)
        var child = parsed.pointee.children
        while let node = child {
            if node.pointee.type == XML_ELEMENT_NODE { builder.visit(node, parent: -1, inLink: false, block: -1) }
            child = node.pointee.next
        }
        builder.aggregate()
        Self.exemptingLayoutWrappers(&builder.elements)
        self.elements = builder.elements
        self.head = builder.head
        self.body = builder.body
    }

    deinit {
        xmlFreeDoc(self.document)
    }

    // MARK: Helpers

    enum AttributeKind {
        case classOrID, hidden, style, lang, itemprop, itemtype, rel, datetime, other
    }

    static func attributeKind(_ name: UnsafePointer<UInt8>) -> AttributeKind {
        switch (name[0] | 0x20, name[1] | 0x20) {
        case (UInt8(ascii: "c"), UInt8(ascii: "l")): return Self.equals(name, "class") ? .classOrID : .other
        case (UInt8(ascii: "i"), UInt8(ascii: "d")):
            return name[2] == 0 ? .classOrID : (Self.equals(name, "itemprop") ? .other : .other)
        case (UInt8(ascii: "i"), UInt8(ascii: "t")):
            return Self.equals(name, "itemprop") ? .itemprop : (Self.equals(name, "itemtype") ? .itemtype : .other)
        case (UInt8(ascii: "h"), UInt8(ascii: "i")): return Self.equals(name, "hidden") ? .hidden : .other
        case (UInt8(ascii: "s"), UInt8(ascii: "t")): return Self.equals(name, "style") ? .style : .other
        case (UInt8(ascii: "l"), UInt8(ascii: "a")): return Self.equals(name, "lang") ? .lang : .other
        case (UInt8(ascii: "r"), UInt8(ascii: "e")): return Self.equals(name, "rel") ? .rel : .other
        case (UInt8(ascii: "d"), UInt8(ascii: "a")): return Self.equals(name, "datetime") ? .datetime : .other
        default: return .other
        }
    }

    static func equals(_ pointer: UnsafePointer<UInt8>, _ literal: StaticString) -> Bool {
        let bytes = literal.utf8Start
        for offset in 0..<literal.utf8CodeUnitCount where pointer[offset] | 0x20 != bytes[offset] {
            return false
        }
        return pointer[literal.utf8CodeUnitCount] == 0
    }

    /// Whether the C string `value` contains `literal` (lower-case ASCII), ignoring ASCII case.
    static func contains(_ value: UnsafePointer<UInt8>, _ literal: StaticString) -> Bool {
        let pattern = literal.utf8Start
        let count = literal.utf8CodeUnitCount
        var start = 0
        while value[start] != 0 {
            var offset = 0
            while offset < count {
                let byte = value[start + offset]
                let lowered = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
                if lowered != pattern[offset] { break }
                offset += 1
            }
            if offset == count { return true }
            start += 1
        }
        return false
    }

    /// `display:none` or `visibility:hidden` in a `style` attribute.
    static func hidesElement(_ style: UnsafePointer<UInt8>) -> Bool {
        // Most inline styles hide nothing: look for "none" or "hidden" before parsing anything.
        var index = 0
        var hint = false
        while style[index] != 0 {
            let byte = style[index] | 0x20
            if (byte == UInt8(ascii: "n") && style[index + 1] | 0x20 == UInt8(ascii: "o"))
                || (byte == UInt8(ascii: "h") && style[index + 1] | 0x20 == UInt8(ascii: "i"))
            {
                hint = true
                break
            }
            index += 1
        }
        guard hint else { return false }
        var compact: [UInt8] = []
        index = 0
        while style[index] != 0, compact.count < 400 {
            let byte = style[index]
            if byte != 32 && byte != 9 && byte != 10 && byte != 13 { compact.append(byte | 0x20) }
            index += 1
        }
        return TextBytes.contains(compact, "display:none") || TextBytes.contains(compact, "visibility:hidden")
    }

    /// Characters of `content` with white space runs counted once, and its commas.
    static func measure(_ content: UnsafePointer<UInt8>) -> (Int32, Int32) {
        var chars: Int32 = 0
        var commas: Int32 = 0
        var pendingSpace = false
        var index = 0
        while true {
            let byte = content[index]
            if byte == 0 { break }
            index += 1
            if byte == 32 || byte == 10 || byte == 9 || byte == 13 || byte == 12 {
                pendingSpace = true
                continue
            }
            if byte & 0xC0 == 0x80 { continue }
            if pendingSpace && chars > 0 { chars += 1 }
            pendingSpace = false
            chars += 1
            if byte == UInt8(ascii: ",") {
                commas += 1
            } else if byte == 0xEF, content[index] == 0xBC, content[index + 1] == 0x8C {
                commas += 1  // U+FF0C FULLWIDTH COMMA
            } else if byte == 0xE3, content[index] == 0x80, content[index + 1] == 0x81 {
                commas += 1  // U+3001 IDEOGRAPHIC COMMA
            }
        }
        return (chars, commas)
    }

    /// All text below `node`, as libxml2's xmlNodeGetContent gives it.
    static func textContent(_ node: NodePointer) -> String? {
        guard let content = xmlNodeGetContent(node) else { return nil }
        defer { clibxml2_free(content) }
        return String(cString: content)
    }

    /// The value of attribute `name` of `node`.
    static func attribute(_ name: String, of node: NodePointer) -> String? {
        guard let value = xmlGetProp(node, name) else { return nil }
        defer { clibxml2_free(value) }
        return String(cString: value)
    }

    /// The element index stored in a node's `_private` field, if it was indexed.
    static func index(of node: NodePointer) -> Int? {
        guard let raw = node.pointee._private else { return nil }
        return Int(bitPattern: raw) - 1
    }
}

/// Builds the element index in one depth-first walk of libxml2's tree.
///
/// A value type so that the hot loop updates its arrays without the exclusivity checks
/// a class property would pay on every access.
private struct IndexBuilder {
    var elements: [IndexedElement] = []
    var head = PageHead()
    var body: Int?

    mutating func visit(_ node: NodePointer, parent givenParent: Int32, inLink givenInLink: Bool, block: Int32) {
        let tag = node.pointee.name.map { HTMLTag.lookup($0) } ?? .other
        var parent = givenParent
        var inLink = givenInLink
        switch tag {
        case .head:
            self.visitHead(node)
            return
        case .meta, .link:
            self.readMetadata(node, tag: tag, index: nil)
            return
        case .script:
            self.readScript(node)
            return
        case .title:
            if self.head.title == nil { self.head.title = PageIndex.textContent(node) }
            return
        case .button:
            // libxml2's HTML parser is not an HTML5 tree builder: a button left open in the
            // header swallows the rest of the page, `<main>` included. Such a button is
            // transparent: its children are indexed as its parent's.
            guard Self.holdsMainContent(node) else { return }
            var child = node.pointee.children
            while let current = child {
                if current.pointee.type == XML_ELEMENT_NODE {
                    self.visit(current, parent: parent, inLink: inLink, block: block)
                }
                child = current.pointee.next
            }
            return
        case .main, .article:
            // The same mis-nesting puts `<main>` inside a header, nav or link: it is repaired by
            // taking the element out to `<body>`, so it inherits neither their class nor hiding.
            if let body = self.body, self.isMisnested(under: parent) {
                parent = Int32(body)
                inLink = false
            }
        default:
            if tag.isNeverContent { return }
        }
        let index = Int32(self.elements.count)
        var hints = ClassHints()
        var hidden = false
        var attribute = node.pointee.properties
        while let attr = attribute {
            attribute = attr.pointee.next
            guard let name = attr.pointee.name, let value = attr.pointee.children?.pointee.content else { continue }
            switch PageIndex.attributeKind(name) {
            case .classOrID: hints.formUnion(ClassHints.of(value))
            case .hidden: hidden = true
            case .style: if PageIndex.hidesElement(value) { hidden = true }
            case .lang:
                if tag == .html, self.head.language == nil { self.head.language = String(cString: value) }
            case .itemprop:
                if PageIndex.equals(value, "author") || PageIndex.equals(value, "creator") {
                    self.head.authorElements.append(Int(index))
                } else if PageIndex.equals(value, "datepublished") {
                    self.head.publishedElements.append(Int(index))
                }
            case .itemtype:
                let type = String(cString: value)
                if let last = type.split(separator: "/").last {
                    self.head.microdata.append((Int(index), String(last.prefix(40))))
                }
            case .rel:
                if tag == .a, PageIndex.contains(value, "author") {
                    self.head.authorElements.append(Int(index))
                }
            case .datetime:
                if tag == .time { self.head.times.append((Int(index), String(cString: value))) }
            case .other: break
            }
        }
        if tag == .body || tag == .html { hidden = false }
        // A wrapper that hides the whole page until its scripts run ("root hide", streamed
        // React segments), or a header left open by the parser with the story inside, holds
        // `<main>` or the `h1` with most of the text: a page does not hide its main content.
        // The headline with most of the text counts only under a hiding class: a `display:none`
        // style or `hidden` attribute also hides whole next stories loaded ahead.
        if hidden || hints.contains(.hidden), tag != .main, !(parent >= 0 && self.elements[Int(parent)].hidden),
            Self.holdsThePage(node, byHeadline: !hidden)
        {
            hints.remove(.hidden)
            hidden = false
        }
        // A section folded away in an accordion (a `display:none` or `hidden` pane the reader
        // opens) is part of the page; a hiding class still hides.
        if hidden, !hints.contains(.hidden),
            hints.contains(.collapsible)
                || (parent >= 0 && self.elements[Int(parent)].hints.contains(.collapsible))
        {
            hidden = false
        }
        if hints.contains(.hidden) { hidden = true }
        let parentUnlikely = parent >= 0 ? self.elements[Int(parent)].unlikely : false
        let selfUnlikely = PageIndex.isUnlikely(hints: hints, tag: tag)
        if tag == .body, self.body == nil { self.body = Int(index) }
        self.elements.append(
            IndexedElement(
                node: node,
                parent: parent,
                end: index + 1,
                tag: tag,
                hints: hints,
                unlikely: parentUnlikely || selfUnlikely,
                hidden: hidden || (parent >= 0 && self.elements[Int(parent)].hidden)
            )
        )
        node.pointee._private = UnsafeMutableRawPointer(bitPattern: Int(index) + 1)
        switch tag {
        case .p: self.elements[Int(index)].paragraphs = 1
        case .li: self.elements[Int(index)].listItems = 1
        case .img: self.elements[Int(index)].images = 1
        case .input, .textarea, .select: self.elements[Int(index)].inputs = 1
        default: break
        }
        let ownBlock = tag.isInline && block >= 0 ? block : index
        let linked = inLink || tag == .a
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                self.visit(current, parent: index, inLink: linked, block: ownBlock)
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content {
                    let (chars, commas) = PageIndex.measure(content)
                    if chars > 0 {
                        self.elements[Int(index)].text += chars
                        self.elements[Int(index)].commas += commas
                        self.elements[Int(ownBlock)].inlineText += chars
                        self.elements[Int(ownBlock)].inlineCommas += commas
                        if linked {
                            self.elements[Int(index)].linkText += chars
                            self.elements[Int(ownBlock)].inlineLinkText += chars
                        }
                    }
                }
            default:
                break
            }
            child = current.pointee.next
        }
        self.elements[Int(index)].end = Int32(self.elements.count)
    }

    /// Whether an ancestor (from `parent` up) is an element that never holds a page's main content.
    private func isMisnested(under parent: Int32) -> Bool {
        var ancestor = parent
        while ancestor >= 0 {
            switch self.elements[Int(ancestor)].tag {
            case .header, .nav, .footer, .aside, .a, .form, .menu, .label: return true
            case .body: return false
            default: ancestor = self.elements[Int(ancestor)].parent
            }
        }
        return false
    }

    /// Whether `node` holds the page: a `<main>`, or the `h1` with 3,000+ bytes of text outside
    /// links (a bounded search).
    private static func holdsThePage(_ node: NodePointer, byHeadline: Bool) -> Bool {
        var stack: [(NodePointer, Bool)] = []
        var child = node.pointee.children
        var inLink = false
        var visited = 0
        var headline = false
        var text = 0
        while true {
            while let current = child {
                child = current.pointee.next
                if current.pointee.type == XML_TEXT_NODE, !inLink, let content = current.pointee.content {
                    text += strlen(content)
                    if headline && text >= 3000 { return true }
                    continue
                }
                guard current.pointee.type == XML_ELEMENT_NODE, let name = current.pointee.name else { continue }
                visited += 1
                let tag = HTMLTag.lookup(name)
                if tag == .main { return true }
                if tag == .h1, byHeadline { headline = true }
                if visited > 20000 || tag.isNeverContent { continue }
                stack.append((current, inLink || tag == .a))
            }
            guard let (next, linked) = stack.popLast() else { return headline && text >= 3000 }
            child = next.pointee.children
            inLink = linked
        }
    }

    /// Whether a `<main>` or `<article>` element lies below `node` (a bounded search).
    private static func holdsMainContent(_ node: NodePointer) -> Bool {
        var stack: [NodePointer] = []
        var child = node.pointee.children
        var visited = 0
        while true {
            while let current = child {
                child = current.pointee.next
                guard current.pointee.type == XML_ELEMENT_NODE, let name = current.pointee.name else { continue }
                visited += 1
                let tag = HTMLTag.lookup(name)
                if tag == .main || tag == .article { return true }
                if visited > 5000 { return false }
                stack.append(current)
            }
            guard let next = stack.popLast() else { return false }
            child = next.pointee.children
        }
    }

    /// Adds every element's counts to its parent's, children first.
    mutating func aggregate() {
        var index = self.elements.count - 1
        while index > 0 {
            let element = self.elements[index]
            let parent = Int(element.parent)
            if parent >= 0 {
                self.elements[parent].text += element.text
                self.elements[parent].linkText += element.linkText
                self.elements[parent].commas += element.commas
                self.elements[parent].paragraphs += element.paragraphs
                self.elements[parent].listItems += element.listItems
                self.elements[parent].images += element.images
                self.elements[parent].inputs += element.inputs
            }
            index -= 1
        }
    }

    mutating func visitHead(_ node: NodePointer) {
        var child = node.pointee.children
        while let current = child {
            child = current.pointee.next
            guard current.pointee.type == XML_ELEMENT_NODE, let name = current.pointee.name else { continue }
            let tag = HTMLTag.lookup(name)
            switch tag {
            case .meta, .link: self.readMetadata(current, tag: tag, index: nil)
            case .title: if self.head.title == nil { self.head.title = PageIndex.textContent(current) }
            case .script: self.readScript(current)
            case .noscript, .style, .template: break
            default: self.visitHead(current)
            }
        }
    }

    mutating func readMetadata(_ node: NodePointer, tag: HTMLTag, index: Int?) {
        var key: String?
        var content: String?
        var rel: String?
        var href: String?
        var attribute = node.pointee.properties
        while let attr = attribute {
            attribute = attr.pointee.next
            guard let name = attr.pointee.name, let value = attr.pointee.children?.pointee.content else { continue }
            if PageIndex.equals(name, "content") {
                content = String(cString: value)
            } else if PageIndex.equals(name, "name") || PageIndex.equals(name, "property")
                || PageIndex.equals(name, "itemprop")
                || PageIndex.equals(name, "http-equiv")
            {
                if key == nil { key = String(cString: value).lowercased() }
            } else if PageIndex.equals(name, "rel") {
                rel = String(cString: value).lowercased()
            } else if PageIndex.equals(name, "href") {
                href = String(cString: value)
            }
        }
        if tag == .meta, let key, let content {
            self.head.metas.append((key, content.trimmingASCIIWhitespace()))
        } else if tag == .link, let rel, let href {
            self.head.links.append((rel, href.trimmingASCIIWhitespace()))
        }
    }

    mutating func readScript(_ node: NodePointer) {
        var attribute = node.pointee.properties
        while let attr = attribute {
            attribute = attr.pointee.next
            guard let name = attr.pointee.name, let value = attr.pointee.children?.pointee.content else { continue }
            if PageIndex.equals(name, "type"), PageIndex.contains(value, "ld+json"),
                let text = PageIndex.textContent(node)
            {
                self.head.jsonLD.append(text)
            }
        }
    }
}
