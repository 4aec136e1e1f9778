internal import CLibXML2

/// Finds the article body in an indexed page and renders it as paragraphs.
///
/// The method is Readability's (score paragraph-like blocks by length and commas, credit
/// their parent and grandparents, discount link-heavy regions, weigh class/id hints, then
/// take the best candidate with its related siblings), followed by a clean-up of the
/// chosen region that drops the boilerplate publishers put inside articles.
struct MainContent {
    let page: PageIndex
    private var scores: [Double]
    private var scored: [Bool]

    init(page: PageIndex) {
        self.page = page
        self.scores = [Double](repeating: 0, count: page.elements.count)
        self.scored = [Bool](repeating: false, count: page.elements.count)
    }

    /// The article body as paragraphs, or an empty list when the page has none.
    mutating func paragraphs() -> [Paragraph] {
        guard !self.page.elements.isEmpty else { return [] }
        var best: [Paragraph] = []
        var bestLength = 0
        for skipUnlikely in [true, false] {
            let (roots, narrower) = self.selectRoots(skipUnlikely: skipUnlikely)
            guard !roots.isEmpty else { continue }
            var renderer = Renderer(page: self.page, roots: Set(roots))
            var paragraphs = renderer.render(roots)
            var length = paragraphs.reduce(0) { $0 + $1.text.utf8.count }
            // A region widened far up is kept only when its clean-up leaves more than the
            // blocks it was widened from (page-builder wrappers can clean away whole sections).
            if let narrower {
                var narrowRenderer = Renderer(page: self.page, roots: Set(narrower))
                let narrowParagraphs = narrowRenderer.render(narrower)
                let narrowLength = narrowParagraphs.reduce(0) { $0 + $1.text.utf8.count }
                if narrowLength > length {
                    paragraphs = narrowParagraphs
                    length = narrowLength
                }
            }
            if length > bestLength {
                best = paragraphs
                bestLength = length
            }
            if length >= 500 { break }
        }
        return best
    }

    // MARK: Scoring

    /// The chosen blocks and, when they were widened more than four levels up, the blocks
    /// they were widened from.
    private mutating func selectRoots(skipUnlikely: Bool) -> ([Int], [Int]?) {
        let elements = self.page.elements
        for index in self.scores.indices {
            self.scores[index] = 0
            self.scored[index] = false
        }
        var candidates: [Int] = []
        for index in elements.indices {
            let element = elements[index]
            if element.hidden || (skipUnlikely && element.unlikely) { continue }
            switch element.tag {
            case .p, .pre, .td, .div, .section, .article, .main, .blockquote, .dd, .center, .other, .span, .font:
                break
            default:
                continue
            }
            let length = Int(element.inlineText - element.inlineLinkText)
            guard length >= 25 else { continue }
            let score = 1.0 + Double(element.inlineCommas) + Double(min(length / 100, 3))
            var ancestor: Int
            switch element.tag {
            case .p, .pre, .td, .blockquote, .span, .font: ancestor = Int(element.parent)
            default: ancestor = index
            }
            var level = 0
            while ancestor >= 0, level < 5 {
                let tag = elements[ancestor].tag
                if tag == .body || tag == .html { break }
                if !self.scored[ancestor] {
                    self.scored[ancestor] = true
                    self.scores[ancestor] = Self.initialScore(elements[ancestor])
                    candidates.append(ancestor)
                }
                let divider = level == 0 ? 1.0 : (level == 1 ? 2.0 : Double(level) * 3.0)
                self.scores[ancestor] += score / divider
                ancestor = Int(elements[ancestor].parent)
                level += 1
            }
        }
        guard !candidates.isEmpty else { return (self.page.body.map { [$0] } ?? [], nil) }
        for candidate in candidates {
            self.scores[candidate] *= 1.0 - self.linkDensity(candidate)
        }
        var top = candidates[0]
        for candidate in candidates where self.scores[candidate] > self.scores[top] { top = candidate }

        // Several near-best candidates under one ancestor: the article is that ancestor.
        let topScore = self.scores[top]
        let alternatives = candidates.filter { $0 != top && self.scores[$0] >= topScore * 0.75 }
        if alternatives.count >= 3 {
            var ancestor = Int(elements[top].parent)
            while ancestor >= 0, elements[ancestor].tag != .body {
                let holds = alternatives.filter { self.isAncestor(ancestor, of: $0) }.count
                if holds >= 3 {
                    top = ancestor
                    break
                }
                ancestor = Int(elements[ancestor].parent)
            }
        }
        if !self.scored[top] {
            self.scored[top] = true
            self.scores[top] = Self.initialScore(elements[top])
        }
        // Climb while a parent scores higher than the block below it.
        var lastScore = self.scores[top]
        let threshold = lastScore / 3
        var parent = Int(elements[top].parent)
        while parent >= 0, elements[parent].tag != .body {
            if !self.scored[parent] {
                parent = Int(elements[parent].parent)
                continue
            }
            let parentScore = self.scores[parent]
            if parentScore < threshold { break }
            if parentScore > lastScore {
                top = parent
                break
            }
            lastScore = parentScore
            parent = Int(elements[parent].parent)
        }
        // An only child stands for its parent.
        while true {
            let parent = Int(elements[top].parent)
            guard parent >= 0, elements[parent].tag != .body, self.elementChildCount(parent) == 1 else { break }
            top = parent
        }
        let roots = self.siblings(of: top)
        let (widened, far) = self.widened(roots, skipUnlikely: skipUnlikely)
        return (widened, far ? roots : nil)
    }

    /// Articles split into several sections under one ancestor: when the chosen blocks hold
    /// too little of the page's prose, take the nearest ancestor (up to six levels up; more
    /// than four is `far`) that holds nearly all of it. Prose is paragraph text of 80
    /// characters or more, with few links, outside hidden and unlikely regions.
    private func widened(_ roots: [Int], skipUnlikely: Bool) -> ([Int], far: Bool) {
        let elements = self.page.elements
        guard let first = roots.first else { return (roots, false) }
        var prose: [Int] = []
        var total = 0
        for index in elements.indices {
            let element = elements[index]
            guard element.tag == .p, !element.hidden, !(skipUnlikely && element.unlikely) else { continue }
            let length = Int(element.inlineText - element.inlineLinkText)
            guard length >= 80, element.inlineLinkText * 4 < element.inlineText else { continue }
            prose.append(index)
            total += length
        }
        guard total > 0 else { return (roots, false) }
        func proseInside(_ ancestors: [Int]) -> Int {
            var sum = 0
            for index in prose where ancestors.contains(where: { $0 == index || self.isAncestor($0, of: index) }) {
                sum += Int(elements[index].inlineText - elements[index].inlineLinkText)
            }
            return sum
        }
        let covered = proseInside(roots)
        guard Double(covered) < 0.8 * Double(total) else { return (roots, false) }
        var ancestor = Int(elements[first].parent)
        var level = 0
        while ancestor >= 0, level < 6, elements[ancestor].tag != .body, elements[ancestor].tag != .html {
            if Double(proseInside([ancestor])) >= 0.85 * Double(total) {
                return self.linkDensity(ancestor) < 0.35 ? ([ancestor], level >= 4) : (roots, false)
            }
            ancestor = Int(elements[ancestor].parent)
            level += 1
        }
        // A story split into many small builder sections can lose to one long block elsewhere
        // (an author box): when the choice holds under half of the prose, the smallest region
        // holding nearly all of it is the story, wherever it lies.
        guard covered * 2 < total, total >= 1000 else { return (roots, false) }
        var running = [0]
        running.reserveCapacity(prose.count + 1)
        for index in prose {
            running.append(
                running[running.count - 1] + Int(elements[index].inlineText - elements[index].inlineLinkText)
            )
        }
        var best: Int?
        for index in elements.indices {
            let element = elements[index]
            guard element.tag != .body, element.tag != .html, !element.hidden, !(skipUnlikely && element.unlikely)
            else { continue }
            let end = Int(element.end)
            if let current = best, end - index >= Int(elements[current].end) - current { continue }
            let lower = Self.firstIndex(in: prose, atLeast: index)
            let upper = Self.firstIndex(in: prose, atLeast: end)
            guard upper - lower >= 3 else { continue }
            let sum = running[upper] - running[lower]
            if Double(sum) >= 0.85 * Double(total), self.linkDensity(index) < 0.35 { best = index }
        }
        if let best, !roots.contains(best) { return ([best], true) }
        return (roots, false)
    }

    /// The position of the first value at least `value` in a sorted list.
    private static func firstIndex(in sorted: [Int], atLeast value: Int) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The top candidate plus the siblings that look like part of the same story.
    private func siblings(of top: Int) -> [Int] {
        let elements = self.page.elements
        let parent = Int(elements[top].parent)
        guard parent >= 0 else { return [top] }
        let topScore = self.scores[top]
        let threshold = max(10, topScore * 0.2)
        let topClass = PageIndex.attribute("class", of: elements[top].node)
        var roots: [Int] = []
        var child = parent + 1
        let end = Int(elements[parent].end)
        while child < end {
            defer { child = Int(elements[child].end) }
            if child == top {
                roots.append(child)
                continue
            }
            let sibling = elements[child]
            if sibling.hidden || sibling.tag.isNeverContent { continue }
            var bonus = 0.0
            if let topClass, !topClass.isEmpty, PageIndex.attribute("class", of: sibling.node) == topClass {
                bonus = topScore * 0.2
            }
            if self.scored[child], self.scores[child] + bonus >= threshold {
                roots.append(child)
            } else if sibling.tag == .p {
                let density = self.linkDensity(child)
                let length = Int(sibling.text)
                if length > 80 && density < 0.25 {
                    roots.append(child)
                } else if length > 0 && length <= 80 && density == 0,
                    let text = PageIndex.textContent(sibling.node), text.contains(". ") || text.hasSuffix(".")
                {
                    roots.append(child)
                }
            }
        }
        // A repaired `<main>` (taken out of the header it was mis-nested in) lies inside a
        // sibling's range, so the walk above steps over it.
        if !roots.contains(top) { roots.insert(top, at: 0) }
        return roots
    }

    private static func initialScore(_ element: IndexedElement) -> Double {
        var score = Double(element.hints.weight)
        switch element.tag {
        case .div: score += 5
        case .article, .main: score += 8
        case .section: score += 3
        case .pre, .td, .blockquote: score += 3
        case .address, .ol, .ul, .dl, .dd, .dt, .li, .form: score -= 3
        case .h1, .h2, .h3, .h4, .h5, .h6, .th: score -= 5
        default: break
        }
        return score
    }

    func linkDensity(_ index: Int) -> Double {
        let element = self.page.elements[index]
        guard element.text > 0 else { return 0 }
        return Double(element.linkText) / Double(element.text)
    }

    private func isAncestor(_ ancestor: Int, of index: Int) -> Bool {
        index > ancestor && index < Int(self.page.elements[ancestor].end)
    }

    private func elementChildCount(_ index: Int) -> Int {
        var count = 0
        var child = self.page.elements[index].node.pointee.children
        while let node = child {
            if node.pointee.type == XML_ELEMENT_NODE, PageIndex.index(of: node) != nil { count += 1 }
            if node.pointee.type == XML_TEXT_NODE, let content = node.pointee.content,
                PageIndex.measure(content).0 > 0
            {
                count += 1
            }
            child = node.pointee.next
        }
        return count
    }
}
