internal import CLibXML2

/// One block of the article body.
struct Paragraph {
    enum Kind {
        case body, heading, listItem, quote, preformatted
    }

    var text: String
    var kind: Kind
    /// Characters of the block that were link text.
    var linkCharacters: Int
    var characters: Int
    /// An item of a list the story introduced ("…sent for review:"): its links are story.
    var introduced = false
}

/// Renders the chosen region as plain-text paragraphs, leaving out boilerplate inside it.
struct Renderer {
    let page: PageIndex
    let roots: Set<Int>

    private var paragraphs: [Paragraph] = []
    private var buffer: [UInt8] = []
    private var bufferLinks = 0
    private var bufferCharacters = 0
    private var kind = Paragraph.Kind.body
    private var pendingSpace = false

    private let rootText: Int
    /// Negative classes that wrap most of the chosen text (computed on first need).
    private var structuralClasses: Set<String>?
    /// One past the last element of the latest list kept as introduced by a colon.
    private var introducedListEnd = 0
    /// The element being rendered, for marking the paragraphs of an introduced list.
    private var current = 0

    init(page: PageIndex, roots: Set<Int>) {
        self.page = page
        self.roots = roots
        self.rootText = roots.reduce(0) { $0 + Int(page.elements[$1].text) }
    }

    mutating func render(_ roots: [Int]) -> [Paragraph] {
        for root in roots {
            self.renderElement(
                self.page.elements[root].node,
                index: root,
                inLink: false,
                keptUnlikely: false,
                inCode: false
            )
            self.flush()
        }
        return self.paragraphs
    }

    /// - Parameters:
    ///   - keptUnlikely: an ancestor was unlikely but kept (an embed, a wrapper), so what it
    ///     holds is not dropped again for the class it inherited.
    ///   - inCode: inside a kept `<pre>`, where classes are a highlighter's token names
    ///     ("hljs-comment", "token comment") and only hidden elements are left out.
    private mutating func renderElement(
        _ node: NodePointer,
        index: Int,
        inLink: Bool,
        keptUnlikely: Bool,
        inCode: Bool
    ) {
        let element = self.page.elements[index]
        self.current = index
        if inCode {
            if element.hidden { return }
        } else if !self.roots.contains(index) && self.shouldDrop(index, keptUnlikely: keptUnlikely) {
            return
        }
        let keepsUnlikely =
            keptUnlikely || (element.unlikely && (element.tag == .blockquote || self.isQuoteWrapper(index)))
        let tag = element.tag
        let isBlock = !tag.isInline
        if tag == .br {
            self.appendNewline()
            return
        }
        if isBlock {
            self.flush()
            switch tag {
            case .h2, .h3, .h4, .h5, .h6: self.kind = .heading
            case .li, .dt, .dd: self.kind = .listItem
            case .blockquote: self.kind = .quote
            case .pre: self.kind = .preformatted
            default: break
            }
        }
        let linked = inLink || tag == .a
        var child = node.pointee.children
        while let current = child {
            child = current.pointee.next
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                if let childIndex = PageIndex.index(of: current) {
                    self.renderElement(
                        current,
                        index: childIndex,
                        inLink: linked,
                        keptUnlikely: keepsUnlikely,
                        inCode: inCode || tag == .pre
                    )
                }
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { self.appendText(content, linked: linked) }
            default:
                break
            }
        }
        if isBlock { self.flush() }
    }

    // MARK: Clean-up rules

    /// Whether the element at `index`, inside the chosen region, is boilerplate.
    private mutating func shouldDrop(_ index: Int, keptUnlikely: Bool) -> Bool {
        let element = self.page.elements[index]
        if element.hidden { return true }
        // A wrapper holding most of the chosen text is never boilerplate, whatever its class says.
        if Int(element.text) * 2 > self.rootText { return false }
        // Nor is an embedded post or quote (a blockquote making up most of its wrapper).
        if element.hints.contains(.negative) && self.isQuoteWrapper(index) { return false }
        switch element.tag {
        case .figure:
            // A figure holding a table (block editors wrap every table in one) is a table.
            return !self.holdsTable(index)
        case .nav, .aside, .footer, .form, .figcaption, .h1, .menu, .caption, .address:
            return true
        case .header:
            // A header inside the article holds its headline, byline and date.
            return element.paragraphs < 2 || element.text < 300
        default:
            break
        }
        let hints = element.hints
        if hints.contains(.boilerplate) && !hints.contains(.positive) { return true }
        if hints.contains(.caption) && element.text < 400 { return true }
        if (hints.contains(.byline) || hints.contains(.dateline)) && element.text < 250 {
            // A dateline opening a paragraph ("<p><span class=dateline>CAIRO —</span> The…") is story text.
            return !(hints.contains(.dateline) && self.opensParagraph(index))
        }
        // Author boxes: a short biography under a byline-ish class.
        if hints.contains(.byline) && !hints.contains(.positive) && element.text < 1000 && element.paragraphs <= 3 {
            return true
        }
        // Quotes and embedded posts are part of the story unless their class says otherwise.
        if false, element.tag == .blockquote { return element.hints.weight < 0 }
        if element.unlikely && !keptUnlikely && !self.isUnlikelyContext(index) && !self.isProseMarkedUnlikely(index) {
            return true
        }
        switch element.tag {
        case .blockquote:
            // Quotes and embedded posts are part of the story unless their class says otherwise.
            return element.hints.weight < 0
        case .div, .section, .ul, .ol, .dl, .table, .article, .center:
            return self.dropConditionally(index)
        case .span:
            // An inline cluster of links inside prose (hover cards, inline "related" widgets); when a
            // nested span is the cluster, only that one goes, so the linked name in the sentence stays.
            guard self.isLinkCluster(index) else { return false }
            var child = index + 1
            while child < Int(element.end) {
                let inner = self.page.elements[child]
                if inner.tag == .span && inner.text * 2 >= element.text && self.isLinkCluster(child) { return false }
                child += 1
            }
            return true
        case .other:
            // Unknown (custom) elements are judged like blocks only when they hold blocks.
            return element.paragraphs + element.listItems > 0 && self.dropConditionally(index)
        case .p, .li, .h2, .h3, .h4, .h5, .h6, .dd, .dt:
            // The items of a list the story introduced are its links, however linked.
            if index < self.introducedListEnd { return false }
            let density = self.linkDensity(element)
            return element.text > 0 && density > 0.6 && element.commas < 3 && element.text - element.linkText < 100
        default:
            return false
        }
    }

    /// Whether a table inside the element holds most of its text.
    private func holdsTable(_ index: Int) -> Bool {
        let element = self.page.elements[index]
        for inner in (index + 1)..<max(index + 1, Int(element.end)) where self.page.elements[inner].tag == .table {
            return self.page.elements[inner].text * 10 >= element.text * 7
        }
        return false
    }

    /// An inline element at the start of a paragraph that holds much more text than it.
    private func opensParagraph(_ index: Int) -> Bool {
        let element = self.page.elements[index]
        guard element.tag.isInline, element.parent >= 0 else { return false }
        let parent = self.page.elements[Int(element.parent)]
        guard parent.tag == .p, parent.text > element.text + 80 else { return false }
        var child = parent.node.pointee.children
        while let node = child {
            if node == element.node { return true }
            if node.pointee.type == XML_ELEMENT_NODE { return false }
            if node.pointee.type == XML_TEXT_NODE, let content = node.pointee.content, PageIndex.measure(content).0 > 0
            {
                return false
            }
            child = node.pointee.next
        }
        return false
    }

    /// Whether a blockquote holds most of the element's text (embedded posts are quoted in the story).
    private func isQuoteWrapper(_ index: Int) -> Bool {
        let element = self.page.elements[index]
        guard element.text > 0 else { return false }
        var child = index + 1
        while child < Int(element.end) {
            let candidate = self.page.elements[child]
            if candidate.tag == .blockquote && !candidate.hidden {
                return candidate.text * 10 >= element.text * 8
            }
            child += 1
        }
        return false
    }

    private func isLinkCluster(_ index: Int) -> Bool {
        let element = self.page.elements[index]
        return element.text >= 80 && element.linkText * 10 >= element.text * 9 && !self.isInsideLink(index)
    }

    private func isInsideLink(_ index: Int) -> Bool {
        var ancestor = Int(self.page.elements[index].parent)
        while ancestor >= 0 {
            let tag = self.page.elements[ancestor].tag
            if tag == .a { return true }
            if !tag.isInline { return false }
            ancestor = Int(self.page.elements[ancestor].parent)
        }
        return false
    }

    /// Whether the whole chosen region sits inside an unlikely region (then nothing is dropped for it).
    private func isUnlikelyContext(_ index: Int) -> Bool {
        self.roots.contains { self.page.elements[$0].unlikely }
    }

    /// Readability's conditional clean: a block with few commas goes when its links,
    /// pictures, list items or form fields outweigh its prose.
    private mutating func dropConditionally(_ index: Int) -> Bool {
        let element = self.page.elements[index]
        var weight = element.hints.weight
        // A negative class drops the block, unless it is plainly story prose or the class
        // wraps most of the chosen text: page builders wrap every block of text in "widget"
        // or "module" classes.
        if weight < 0 && !self.isProse(element) {
            guard self.hasStructuralClass(index) else { return true }
            weight = 0
        }
        if element.commas >= 10 { return false }
        let density = self.linkDensity(element)
        let paragraphs = Int(element.paragraphs)
        let images = Int(element.images)
        let items = Int(element.listItems)
        let isList = element.tag == .ul || element.tag == .ol
        if element.text == 0 { return false }
        if (isList || self.wrapsOneList(index)) && self.isIntroducedByColon(index) {
            self.introducedListEnd = max(self.introducedListEnd, Int(element.end))
            return false
        }
        if isList { return density > 0.5 }
        // Pictures outweighing the prose: a gallery, unless each picture comes with a long text
        // of its own (an icon by every item of a checklist written in `<div>`s).
        if images > 1 && Double(paragraphs) / Double(images) < 0.5 && Int(element.text) < images * 200 { return true }
        if items > paragraphs * 2 && density > 0.5 { return !self.holdsProseParagraph(index) }
        if Double(element.inputs) > Double(paragraphs) / 3 { return true }
        if density > (weight < 25 ? 0.33 : 0.5) {
            // A story section whose link list outweighs its prose: its paragraphs are judged
            // one by one (the list then goes on its own link density), not dropped with the list.
            return !self.holdsProseParagraph(index)
        }
        return false
    }

    /// Whether the element's only child element is a list (a list wrapper of a markup converter).
    private func wrapsOneList(_ index: Int) -> Bool {
        guard let only = self.onlyChildElement(index) else { return false }
        let tag = self.page.elements[only].tag
        return tag == .ul || tag == .ol
    }

    private func onlyChildElement(_ index: Int) -> Int? {
        var found: Int?
        var child = self.page.elements[index].node.pointee.children
        while let node = child {
            child = node.pointee.next
            if node.pointee.type == XML_ELEMENT_NODE, let inner = PageIndex.index(of: node) {
                if found != nil { return nil }
                found = inner
            }
        }
        return found
    }

    /// A list the story introduces: the paragraph just before it (or before its only wrapper)
    /// ends with a colon ("Many patches were sent for review:"). Its links are the story's.
    private func isIntroducedByColon(_ index: Int) -> Bool {
        var current = index
        for _ in 0..<2 {
            var previous = self.page.elements[current].node.pointee.prev
            while let node = previous, node.pointee.type != XML_ELEMENT_NODE { previous = node.pointee.prev }
            if let node = previous, let before = PageIndex.index(of: node) {
                var paragraph = before
                if self.page.elements[paragraph].tag != .p, let only = self.onlyChildElement(paragraph) {
                    paragraph = only
                }
                let element = self.page.elements[paragraph]
                guard element.tag == .p, element.text >= 20, element.linkText * 2 < element.text else { return false }
                return Self.lastVisibleByte(of: element.node) == UInt8(ascii: ":") && !Self.isCapitalized(element.node)
            }
            let parent = Int(self.page.elements[current].parent)
            guard previous == nil, parent >= 0, self.onlyChildElement(parent) == current else { return false }
            current = parent
        }
        return false
    }

    /// Whether the text below `node` is written in capitals only ("YOU MIGHT ALSO LIKE:"): a
    /// heading naming the block below (related posts), not a sentence leading into a list.
    private static func isCapitalized(_ node: NodePointer) -> Bool {
        guard let text = PageIndex.textContent(node) else { return false }
        return text.contains { $0.isUppercase } && !text.contains { $0.isLowercase }
    }

    /// The last byte of the text below `node` that is not white space.
    private static func lastVisibleByte(of node: NodePointer) -> UInt8? {
        var child = node.pointee.last
        while let current = child {
            child = current.pointee.prev
            switch current.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                guard let content = current.pointee.content else { continue }
                var last: UInt8?
                var offset = 0
                while content[offset] != 0 {
                    let byte = content[offset]
                    if byte != 32 && byte != 10 && byte != 9 && byte != 13 { last = byte }
                    offset += 1
                }
                if let last { return last }
            case XML_ELEMENT_NODE:
                if let last = Self.lastVisibleByte(of: current) { return last }
            default:
                break
            }
        }
        return nil
    }

    /// Whether a paragraph of 80+ characters outside links, under a quarter linked, lies
    /// inside the element, unless it is a teaser card: a linked headline over a summary, under
    /// 300 characters outside links.
    private func holdsProseParagraph(_ index: Int) -> Bool {
        let block = self.page.elements[index]
        let end = Int(block.end)
        let short = block.text - block.linkText < 300
        var prose = false
        for inner in (index + 1)..<max(index + 1, end) {
            let element = self.page.elements[inner]
            guard !element.hidden else { continue }
            switch element.tag {
            case .p:
                let own = element.inlineText - element.inlineLinkText
                if own >= 80 && element.inlineLinkText * 4 < element.inlineText { prose = true }
            case .h2, .h3, .h4, .h5, .h6:
                if short && element.linkText > 0 { return false }
            default:
                break
            }
        }
        return prose
    }

    /// Whether the element carries a negative class token ("widget", "module-foot") that three
    /// or more blocks of the chosen region share and that together hold half of its text: the
    /// page's building block, not boilerplate. Tokens that also mark boilerplate or unlikely
    /// regions (comments, related stories, sidebars) never count.
    private mutating func hasStructuralClass(_ index: Int) -> Bool {
        guard let value = PageIndex.attribute("class", of: self.page.elements[index].node) else { return false }
        if self.structuralClasses == nil { self.structuralClasses = self.tokensWrappingMostText() }
        guard let structural = self.structuralClasses, !structural.isEmpty else { return false }
        return Self.negativeTokens(value).contains { structural.contains($0) }
    }

    private func tokensWrappingMostText() -> Set<String> {
        var totals: [String: (text: Int, count: Int, end: Int)] = [:]
        for root in self.roots {
            let end = Int(self.page.elements[root].end)
            for index in (root + 1)..<max(root + 1, end) {
                let element = self.page.elements[index]
                guard element.hints.contains(.negative), !element.tag.isInline, element.text > 0,
                    let value = PageIndex.attribute("class", of: element.node)
                else { continue }
                for token in Self.negativeTokens(value) {
                    let current = totals[token] ?? (0, 0, 0)
                    // A block inside one already counted for the token is counted with it.
                    guard index >= current.end else { continue }
                    totals[token] = (current.text + Int(element.text), current.count + 1, Int(element.end))
                }
            }
        }
        return Set(totals.filter { $0.value.count >= 3 && $0.value.text * 2 >= self.rootText }.keys)
    }

    /// The class tokens that are negative on their own, and not boilerplate or unlikely.
    private static func negativeTokens(_ value: String) -> [String] {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { token in
            let hints = String(token).withCString { pointer in
                pointer.withMemoryRebound(to: UInt8.self, capacity: token.utf8.count + 1) { ClassHints.of($0) }
            }
            guard hints.contains(.negative), !hints.contains(.unlikely), !hints.contains(.boilerplate) else {
                return nil
            }
            return String(token)
        }
    }

    /// Several paragraphs of text with few links and some sentences (commas).
    /// Story prose whose wrapper's class happens to hold an unlikely word (the
    /// "pane-header-alignment" of a collapsible section): the outermost unlikely block above
    /// `index` is a plain block of prose, and no block on the way is comments or boilerplate.
    private func isProseMarkedUnlikely(_ index: Int) -> Bool {
        let elements = self.page.elements
        var top = index
        while true {
            let hints = elements[top].hints
            if hints.contains(.discussion) || hints.contains(.boilerplate) || hints.contains(.negative) {
                return false
            }
            let parent = Int(elements[top].parent)
            guard parent >= 0, elements[parent].unlikely else { break }
            top = parent
        }
        switch elements[top].tag {
        case .div, .section, .article, .other: return self.isProse(elements[top])
        default: return false
        }
    }

    private func isProse(_ element: IndexedElement) -> Bool {
        element.paragraphs >= 2 && element.text >= 400 && element.commas >= 3 && self.linkDensity(element) < 0.2
    }

    private func linkDensity(_ element: IndexedElement) -> Double {
        guard element.text > 0 else { return 0 }
        return Double(element.linkText) / Double(element.text)
    }

    // MARK: Text

    private mutating func appendText(_ content: UnsafePointer<UInt8>, linked: Bool) {
        var index = 0
        while true {
            let byte = content[index]
            if byte == 0 { break }
            index += 1
            if byte == 32 || byte == 10 || byte == 9 || byte == 13 || byte == 12 {
                self.pendingSpace = true
                continue
            }
            if self.pendingSpace {
                if let last = self.buffer.last, last != 10 {
                    self.buffer.append(32)
                    self.bufferCharacters += 1
                }
                self.pendingSpace = false
            }
            self.buffer.append(byte)
            if byte & 0xC0 != 0x80 {
                self.bufferCharacters += 1
                if linked { self.bufferLinks += 1 }
            }
        }
    }

    private mutating func appendNewline() {
        self.pendingSpace = false
        if !self.buffer.isEmpty, self.buffer.last != 10 { self.buffer.append(10) }
    }

    private mutating func flush() {
        while let last = self.buffer.last, last == 10 || last == 32 { self.buffer.removeLast() }
        if !self.buffer.isEmpty {
            self.paragraphs.append(
                Paragraph(
                    text: String(decoding: self.buffer, as: UTF8.self),
                    kind: self.kind,
                    linkCharacters: self.bufferLinks,
                    characters: self.bufferCharacters,
                    introduced: self.current < self.introducedListEnd
                )
            )
        }
        self.buffer.removeAll(keepingCapacity: true)
        self.bufferLinks = 0
        self.bufferCharacters = 0
        self.pendingSpace = false
        self.kind = .body
    }
}
