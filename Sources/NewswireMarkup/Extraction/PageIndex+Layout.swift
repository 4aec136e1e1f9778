extension PageIndex {
    /// Clears `unlikely` from layout wrappers that hold the story.
    ///
    /// Class names such as "sidebar-container", "with-sidebar" or "banner-w980" mark a page
    /// layout that has a sidebar or a banner somewhere inside it, not the sidebar itself. An
    /// unlikely region that holds two thirds or more of the page's prose (paragraphs of 80+
    /// characters with few links) is such a wrapper: a real sidebar, banner or footer holds a
    /// minority of it, and the story has three such paragraphs or more. Footers, asides and
    /// navigation are left as they are (a legal notice can outweigh a short story), and so are
    /// comment sections that mark comments inside them (a long discussion can too); a
    /// comment-classed wrapper with no comment inside is the story under an odd class name
    /// ("commentOnSelection"). Regions nested inside the wrapper keep their own class verdicts.
    static func exemptingLayoutWrappers(_ elements: inout [IndexedElement]) {
        guard elements.contains(where: \.unlikely) else { return }
        var prefix = [Int](repeating: 0, count: elements.count + 1)
        var counts = [Int32](repeating: 0, count: elements.count + 1)
        for index in elements.indices {
            let element = elements[index]
            var prose = 0
            if element.tag == .p, !element.hidden {
                let length = Int(element.inlineText - element.inlineLinkText)
                if length >= 80, element.inlineLinkText * 4 < element.inlineText { prose = length }
            }
            prefix[index + 1] = prefix[index] + prose
            counts[index + 1] = counts[index] + (prose > 0 ? 1 : 0)
        }
        let total = prefix[elements.count]
        guard total >= 1000 else { return }
        var index = 0
        while index < elements.count {
            let element = elements[index]
            let parentUnlikely = element.parent >= 0 && elements[Int(element.parent)].unlikely
            guard element.unlikely, !parentUnlikely, !element.tag.isPageFrame else {
                index += 1
                continue
            }
            let end = Int(element.end)
            // A comment section is a wrapper only when no comment is marked inside it: the story
            // under a class such as "comment-on-selection", not a discussion of many comments.
            guard !element.hints.contains(.discussion) || !Self.holdsDiscussion(elements, index + 1, end),
                (prefix[end] - prefix[index]) * 3 >= total * 2, counts[end] - counts[index] >= 3
            else {
                index = end
                continue
            }
            elements[index].unlikely = false
            for inner in (index + 1)..<end {
                let parent = Int(elements[inner].parent)
                elements[inner].unlikely =
                    elements[parent].unlikely || Self.isUnlikely(hints: elements[inner].hints, tag: elements[inner].tag)
            }
            index += 1
        }
    }

    private static func holdsDiscussion(_ elements: [IndexedElement], _ start: Int, _ end: Int) -> Bool {
        elements[start..<end].contains { $0.hints.contains(.discussion) }
    }

    /// The verdict of an element's own class and id: almost never the article.
    static func isUnlikely(hints: ClassHints, tag: HTMLTag) -> Bool {
        hints.contains(.unlikely) && !hints.contains(.maybe) && tag != .body && tag != .a && tag != .article
            && tag != .main
    }
}

extension HTMLTag {
    /// Elements that frame a page (footer, aside, navigation), never a layout wrapper of its story.
    fileprivate var isPageFrame: Bool {
        switch self {
        case .footer, .aside, .nav, .menu: return true
        default: return false
        }
    }
}
