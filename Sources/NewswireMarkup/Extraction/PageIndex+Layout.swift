extension PageIndex {
    /// Clears `unlikely` from layout wrappers that hold the story.
    ///
    /// Class names such as "sidebar-container", "with-sidebar" or "banner-w980" mark a page
    /// layout that has a sidebar or a banner somewhere inside it, not the sidebar itself. An
    /// unlikely region that holds two thirds or more of the page's prose (paragraphs of 80+
    /// characters with few links) is such a wrapper: a real sidebar, banner or footer holds a
    /// minority of it, and the story has three such paragraphs or more. Footers, asides,
    /// navigation and comment sections are left as they are (a legal notice or a long
    /// discussion can outweigh a short story). Regions nested inside the wrapper keep their
    /// own class verdicts.
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
            guard element.unlikely, !parentUnlikely, !element.hints.contains(.discussion), !element.tag.isPageFrame
            else {
                index += 1
                continue
            }
            let end = Int(element.end)
            guard (prefix[end] - prefix[index]) * 3 >= total * 2, counts[end] - counts[index] >= 3 else {
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
