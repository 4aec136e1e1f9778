internal import CLibXML2
import Foundation
import NewswireCore

/// Reads the page's metadata: headline, authors, dates, language, canonical URL, site
/// name, description, lead image and the page's own section and tags.
///
/// Sources are tried from the most to the least deliberate: JSON-LD, OpenGraph and article
/// meta tags, then markup in the body (`<time datetime>`, bylines), then the URL.
struct Metadata {
    let page: PageIndex
    let jsonLD: JSONLD
    let pageURL: String
    /// Dates later than this are not trusted.
    let latestDate: Date

    init(page: PageIndex, pageURL: String, now: Date) {
        self.page = page
        self.jsonLD = JSONLD(scripts: page.head.jsonLD)
        self.pageURL = pageURL
        // The one future-date rule: nothing later than a day ahead of the fetch time.
        self.latestDate = now.addingTimeInterval(FutureDateRule.standard.tolerance)
    }

    private var head: PageHead { self.page.head }
    private var article: [String: Any]? { self.jsonLD.article }

    func fill(_ result: inout ExtractedPage) {
        result.siteName = self.siteName()
        result.title = self.title(siteName: result.siteName)
        result.authors = self.authors()
        result.published = self.published()
        result.updated = self.updated()
        if let published = result.published, let updated = result.updated, updated < published {
            result.updated = nil
        }
        result.language = self.declaredLanguage()
        result.canonicalURL = self.canonicalURL()
        result.description = self.description()
        result.image = self.image()
        result.categories = self.categories()
    }

    /// The `articleBody` of the page's JSON-LD article, if any.
    var articleBody: String? { JSONLD.string(self.article?["articleBody"]) }

    /// `isAccessibleForFree: false` in the JSON-LD article.
    var isMarkedPaywalled: Bool {
        guard let value = self.article?["isAccessibleForFree"] else { return false }
        if let flag = value as? Bool { return !flag }
        if let string = value as? String { return string.lowercased() == "false" }
        return false
    }

    // MARK: Title

    func title(siteName: String?) -> String? {
        let raw =
            self.head.meta("og:title") ?? JSONLD.string(self.article?["headline"]) ?? self.head.meta("twitter:title")
            ?? self.head.title
        let heading = self.firstHeading()
        guard let raw = raw.map(Self.collapse), !raw.isEmpty else { return heading }
        if let heading {
            // The headline readers see: the h1, unless it is a short label that shares nothing
            // with the declared title ("Contact us", a section name).
            let words = Self.wordCount(heading)
            if (2...30).contains(words), words >= 5 || Self.sharedWords(heading, raw) >= 2 { return heading }
            if heading.count >= 10, raw.localizedCaseInsensitiveContains(heading) { return heading }
        }
        return Self.stripSiteName(raw, siteName: siteName)
    }

    /// The first visible `h1` that is not a link or in the navigation (a logo).
    private func firstHeading() -> String? {
        for (index, element) in self.page.elements.enumerated() where element.tag == .h1 && !element.hidden {
            if self.isInLink(index) || self.hasAncestor(index, in: [.nav]) { continue }
            if let text = PageIndex.textContent(element.node).map(Self.collapse), !text.isEmpty { return text }
        }
        return nil
    }

    private func hasAncestor(_ index: Int, in tags: Set<HTMLTag>) -> Bool {
        var ancestor = Int(self.page.elements[index].parent)
        while ancestor >= 0 {
            if tags.contains(self.page.elements[ancestor].tag) { return true }
            ancestor = Int(self.page.elements[ancestor].parent)
        }
        return false
    }

    /// Words of four or more letters the two texts share, ignoring case.
    private static func sharedWords(_ first: String, _ second: String) -> Int {
        func words(_ text: String) -> Set<String> {
            Set(
                text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init).filter {
                    $0.count >= 4
                }
            )
        }
        return words(first).intersection(words(second)).count
    }

    /// Removes a trailing or leading `| Site`, `- Site` from a headline.
    static func stripSiteName(_ title: String, siteName: String?) -> String {
        let separators = [" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " // "]
        for separator in separators where title.contains(separator) {
            var parts = title.components(separatedBy: separator)
            if let siteName, !siteName.isEmpty {
                let site = siteName.lowercased()
                let filtered = parts.filter { part in
                    let lowered = part.lowercased().trimmingCharacters(in: .whitespaces)
                    let isSiteName =
                        lowered == site || site.contains(lowered)
                        || (lowered.contains(site) && Self.wordCount(lowered) <= Self.wordCount(site) + 2)
                    return !isSiteName
                }
                if filtered.count < parts.count, !filtered.isEmpty {
                    return filtered.joined(separator: separator).trimmingCharacters(in: .whitespaces)
                }
            }
            // No site name to match: drop a short last part after a long first one.
            if parts.count >= 2, let last = parts.last, Self.wordCount(last) <= 4,
                Self.wordCount(parts.dropLast().joined(separator: separator)) >= 4
            {
                parts.removeLast()
                return parts.joined(separator: separator).trimmingCharacters(in: .whitespaces)
            }
        }
        return title
    }

    private static func wordCount(_ text: String) -> Int {
        text.split(whereSeparator: { $0 == " " }).count
    }

    // MARK: Authors

    /// The authors: JSON-LD, then author meta tags, then the byline shown by the headline,
    /// then `itemprop`/`rel` author markup outside comments. A declared author that is only the
    /// site's own name gives way to a person named in the shown byline.
    func authors() -> [String] {
        var raw: [String] = []
        raw += JSONLD.names(self.article?["author"])
        raw += JSONLD.names(self.article?["creator"])
        if raw.isEmpty {
            for key in ["author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl"] {
                raw += self.head.metaValues(key)
            }
        }
        // What the page declares is taken as it is written: a lower-case user name is its
        // author, though such a text shown on the page is not trusted.
        var names = Self.cleanNames(raw, declared: true)
        let siteNames = [self.siteName(), JSONLD.string((self.article?["publisher"] as? [String: Any])?["name"])]
            .compactMap { $0?.lowercased() }
        let onlySite = !names.isEmpty && names.allSatisfy { siteNames.contains($0.lowercased()) }
        // A user name ("jdoe") gives way to the name the byline shows.
        let onlyHandles = !names.isEmpty && names.allSatisfy { !$0.contains(" ") && $0.lowercased() == $0 }
        if names.isEmpty || onlySite || onlyHandles {
            let shown = Self.cleanNames(self.shownByline())
            if !shown.isEmpty { names = shown }
        }
        // The "Written by" label and value of a page's share card.
        if names.isEmpty, let label = self.head.meta("twitter:label1")?.lowercased(),
            label.contains("written by") || label == "author", let value = self.head.meta("twitter:data1")
        {
            names = Self.cleanNames([value], declared: true)
        }
        if names.count > 1 {
            let persons = names.filter { !siteNames.contains($0.lowercased()) }
            if !persons.isEmpty { names = persons }
        }
        if names.isEmpty {
            var marked: [String] = []
            for index in self.page.head.authorElements.prefix(6) where !self.isInDiscussion(index) {
                let element = self.page.elements[index]
                if element.hidden { continue }
                if let text = PageIndex.textContent(element.node) { marked.append(text) }
            }
            names = Self.cleanNames(marked)
        }
        return Array(names.prefix(10))
    }

    private static func cleanNames(_ raw: [String], declared: Bool = false) -> [String] {
        var names: [String] = []
        var seen: Set<String> = []
        for entry in raw {
            for name in Self.splitNames(Self.decodeEntities(entry)) {
                guard let clean = Self.cleanName(name, declared: declared), seen.insert(clean.lowercased()).inserted
                else { continue }
                names.append(clean)
            }
        }
        return names
    }

    /// `&amp;` and the like, left in meta values and JSON-LD by some templates.
    private static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&#039;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&nbsp;", with: " ")
    }

    /// The byline shown by the headline: "By Name" lines, the text after a "By"/"Written by"/
    /// "Author" label, and short texts in byline-class elements or author-page links, in the
    /// window around the first `h1`, outside comments. The group nearest the headline wins.
    func shownByline() -> [String] {
        let elements = self.page.elements
        guard let body = self.page.body,
            let anchor = elements.indices.first(where: {
                elements[$0].tag == .h1 && !elements[$0].hidden && elements[$0].text > 0
            })
        else { return [] }
        let lower = max(body + 1, anchor - 40)
        let upper = min(elements.count, anchor + 200)
        guard lower < upper else { return [] }
        var found: [(index: Int, text: String)] = []
        var labelPending = false
        var skipNext = false
        var current: NodePointer? = elements[lower].node
        while let node = current {
            var descend = false
            if node.pointee.type == XML_ELEMENT_NODE {
                if let index = PageIndex.index(of: node), !elements[index].hidden {
                    if index >= upper { break }
                    descend = true
                }
            } else if node.pointee.type == XML_TEXT_NODE, let content = node.pointee.content,
                let parent = node.pointee.parent, let owner = PageIndex.index(of: parent), !elements[owner].hidden
            {
                // Screen on the bytes first: most text nodes are neither labels nor names.
                let (length, visible) = Self.measureShort(content, limit: 120)
                if skipNext && visible {
                    skipNext = false
                } else if visible && length <= 120 {
                    let short = length <= 40
                    var lead = 0
                    while content[lead] != 0, content[lead] <= 32 { lead += 1 }
                    // After white space, "by" may continue a sentence ("… station by Muni …"): only
                    // in a short element is it a byline ("<time>…</time> by Jane Roe").
                    let startsWithBy =
                        content[lead] | 0x20 == UInt8(ascii: "b") && content[lead + 1] | 0x20 == UInt8(ascii: "y")
                        && (content[lead + 2] == 32 || content[lead + 2] == UInt8(ascii: ":"))
                        && (lead == 0 || elements[owner].text <= 120)
                    let byClass = self.isBylineElement(owner, checkLinks: length <= 80)
                    let mayBeLabel = short && Self.mayBeLabel(content, length)
                    if labelPending || startsWithBy || byClass || mayBeLabel {
                        let text = Self.collapse(String(cString: content))
                        let lowered = text.lowercased()
                        let trimmed = lowered.trimmingCharacters(in: CharacterSet(charactersIn: " :|-–—"))
                        if Self.bylineLabels.contains(trimmed) {
                            labelPending = true
                        } else if Self.otherRoleLabels.contains(where: { lowered.contains($0) }) {
                            // "Reviewed by", "Fact checked by": the names that follow are not the authors.
                            skipNext = true
                            labelPending = false
                        } else {
                            var candidate: String?
                            if labelPending || lowered.hasPrefix("by ") || lowered.hasPrefix("by: ")
                                || lowered.hasPrefix("written by ")
                            {
                                candidate = text
                            } else if byClass, text.contains(" "), !Self.namesARole(lowered) {
                                candidate = text
                            }
                            labelPending = false
                            if let candidate, !self.isInDiscussion(owner), Self.cleanNames([candidate]).count > 0 {
                                found.append((owner, candidate))
                            }
                        }
                    } else {
                        labelPending = false
                    }
                } else if visible {
                    labelPending = false
                }
            }
            if descend, let child = node.pointee.children {
                current = child
                continue
            }
            var up: NodePointer? = node
            current = nil
            while let step = up {
                if let next = step.pointee.next {
                    current = next
                    break
                }
                up = step.pointee.parent
                if let up, up.pointee.type != XML_ELEMENT_NODE { break }
            }
        }
        // The group nearest the headline: after it if any, else the last one before it.
        guard let first = found.first(where: { $0.index > anchor }) ?? found.last else { return [] }
        // Co-authors sit in the same byline container: siblings or cousins of the first name.
        let container = self.ancestor(of: first.index, levels: 2)
        return found.filter { abs($0.index - first.index) <= 6 && self.ancestor(of: $0.index, levels: 2) == container }
            .map(\.text)
    }

    private func ancestor(of index: Int, levels: Int) -> Int {
        var ancestor = index
        for _ in 0..<levels where self.page.elements[ancestor].parent >= 0 {
            ancestor = Int(self.page.elements[ancestor].parent)
        }
        return ancestor
    }

    private static let otherRoleLabels = [
        "reviewed by", "fact checked", "fact-checked", "edited by", "checked by", "reviewer", "illustrated by",
        "photos by", "photography by",
    ]

    /// A job title or role rather than a name ("Marketing Director", "Home Security Expert").
    private static func namesARole(_ lowered: String) -> Bool {
        lowered.split(separator: " ").contains { Self.roleWords.contains(String($0)) }
    }

    private static let roleWords: Set<String> = [
        "expert", "reviewer", "director", "consultant", "founder", "co-founder", "manager", "editor", "writer",
        "executive", "specialist", "officer", "president", "ceo", "cto", "analyst", "guide", "certified", "senior",
        "lead", "head", "professor", "journalist", "journalism", "contributor", "correspondent", "reporter",
        "gardener", "astrologer", "author", "team", "staff", "marketing", "research", "development", "former",
    ]

    private static let bylineLabels: Set<String> = [
        "by", "written by", "author", "authors", "words by", "posted by", "published by", "story by", "article by",
        "von", "par",
        "por", "door",
    ]

    /// Bytes of a C string up to `limit + 1`, and whether any is not white space.
    private static func measureShort(_ content: UnsafePointer<UInt8>, limit: Int) -> (Int, Bool) {
        var length = 0
        var visible = false
        while content[length] != 0, length <= limit {
            if content[length] > 32 { visible = true }
            length += 1
        }
        return (length, visible)
    }

    /// Whether a short text may be a byline label ("By", "Written by", "Author:", "Reviewed by").
    private static func mayBeLabel(_ content: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        let bytes = (0..<length).map { content[$0] | 0x20 }
        return Self.labelHints.contains { TextBytes.lastIndex(of: $0, in: bytes) != nil }
    }

    private static let labelHints: [[UInt8]] = [
        "by", "uthor", "eview", "hecked", "dited", "von", "par", "por", "door", "llustrat", "hoto",
    ].map { Array($0.utf8) }

    /// Parts of the (lower-cased) address of a link to an author page.
    private static let authorLinkParts: [[UInt8]] = [
        "/author", "/authors/", "/writer", "/staff/", "/people/", "/profile/", "/contributor",
    ].map { Array($0.utf8) }

    /// A byline-class element (`author`, `byline`, `writer`) or a link to an author page.
    private func isBylineElement(_ index: Int, checkLinks: Bool = true) -> Bool {
        var ancestor = index
        var level = 0
        while ancestor >= 0, level < 3 {
            let element = self.page.elements[ancestor]
            if element.hints.contains(.byline) { return true }
            if checkLinks, element.tag == .a, let href = PageIndex.attribute("href", of: element.node)?.lowercased() {
                // Bytes, not `String.contains`, which goes through Foundation's `range(of:)` (a
                // few per cent of the replay): the parts are ASCII, so a byte match is a match.
                let bytes = Array(href.utf8)
                if Self.authorLinkParts.contains(where: { TextBytes.lastIndex(of: $0, in: bytes) != nil }) {
                    return true
                }
            }
            ancestor = Int(element.parent)
            level += 1
        }
        return false
    }

    private static func splitNames(_ text: String) -> [String] {
        // "Name (with Other Name and Third Name)": the parenthesis holds more authors.
        var unwrapped = Self.collapse(text)
        if unwrapped.contains("(with ") {
            unwrapped = unwrapped.replacingOccurrences(of: " (with ", with: ", ").replacingOccurrences(
                of: "(with ",
                with: ", "
            )
            .replacingOccurrences(of: ")", with: "")
        }
        var parts = [unwrapped]
        for separator in [" and ", " & ", ", ", " und ", " et ", " y ", ";", "|", " with "] {
            parts = parts.flatMap { $0.components(separatedBy: separator) }
        }
        return parts
    }

    /// A person's name, or `nil` for what is not one ("5 hours ago", a URL, a date).
    /// - Parameter declared: the name comes from the page's metadata, so a user name in lower
    ///   case ("jdoe") is accepted.
    static func cleanName(_ text: String, declared: Bool = false) -> String? {
        var name = Self.collapse(text)
        for prefix in [
            "by: ", "by ", "von ", "par ", "por ", "door ", "di ", "av ", "written by: ", "written by ", "posted by ",
            "author: ", "authors: ", "reviewed by: ", "reviewed by ",
        ]
        where name.lowercased().hasPrefix(prefix) {
            name = String(name.dropFirst(prefix.count))
        }
        // Credentials after a name ("Jane Roe RN", "Jane Roe MD"): short words in capitals.
        var tokens = name.split(separator: " ")
        while tokens.count > 2, let last = tokens.last, Self.isCredential(last) { tokens.removeLast() }
        if tokens.count == 1, let only = tokens.first, Self.isCredential(only) { return nil }
        name = tokens.joined(separator: " ")
        if name.hasPrefix("@") { return nil }  // a social handle
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: " ,.:;|-–—").union(.whitespacesAndNewlines))
        guard name.count >= 3, name.count <= 60 else { return nil }
        let lowered = name.lowercased()
        if lowered.hasPrefix("http") || lowered.contains("www.") || lowered.contains("@") || lowered.contains("/")
            || lowered.contains(":") || lowered.contains("{")
        {
            return nil
        }
        if name.contains(where: { $0.isNumber }) { return nil }
        let words = lowered.split(separator: " ")
        guard words.count <= 5 else { return nil }
        let timeWords: Set<String> = [
            "ago", "hour", "hours", "minute", "minutes", "day", "days", "week", "weeks", "month", "months", "year",
            "years", "updated", "published", "posted", "am", "pm", "yesterday", "today", "min", "mins", "read",
        ]
        if words.contains(where: { timeWords.contains(String($0)) }) { return nil }
        guard name.first?.isLetter == true else { return nil }
        if Self.notNames.contains(lowered) { return nil }
        if words.allSatisfy({ Self.nameParticles.contains(String($0)) }) { return nil }  // "the", "von"
        // Job titles that follow a name in bylines ("Jane Roe, AP Sports Writer").
        if let last = words.last, Self.jobTitles.contains(String(last)) { return nil }
        // Names are capitalised word by word (in scripts that have case), bar the usual particles.
        // A user name written in lower case is a name when the page declares it; a
        // capitalised text with lower-case words is a phrase ("Director of Operations").
        if declared, !name.contains(where: { $0.isUppercase }) {
            if !name.contains(" "), lowered.contains("author") || lowered.contains(".") && Self.endsInDomain(lowered) {
                return nil  // a template variable ("page.author") or a site ("example.net")
            }
            return name
        }
        for word in name.split(separator: " ") {
            guard let first = word.first, first.isLetter else { continue }
            if first.isLowercase && !Self.nameParticles.contains(word.lowercased()) { return nil }
        }
        return name
    }

    /// Whether a text ends like a host name (`.com`, `.net`, `.org`, `.io`, a country code).
    private static func endsInDomain(_ lowered: String) -> Bool {
        guard let dot = lowered.lastIndex(of: ".") else { return false }
        let suffix = lowered[lowered.index(after: dot)...]
        return ["com", "net", "org", "io", "co", "info", "biz"].contains(String(suffix))
            || (suffix.count == 2 && suffix.allSatisfy { $0.isLetter })
    }

    /// "MD", "RN", "FAND", "PhD": an all-capitals word of two to five letters, or a degree.
    private static func isCredential(_ word: Substring) -> Bool {
        let letters = word.filter { $0 != "." }
        if ["phd", "mph", "msc", "bsc", "mba"].contains(letters.lowercased()) { return true }
        return (2...5).contains(letters.count) && letters.allSatisfy { $0.isUppercase && $0.isLetter }
    }

    private static let notNames: Set<String> = [
        "admin", "administrator", "staff", "editor", "editors", "webmaster", "guest", "user", "anonymous",
        "unknown", "author", "redaktion", "rédaction", "redacción", "team", "editorial", "гость", "staff writer",
        "staff reporter", "editorial staff", "editorial team", "the editors", "news desk", "newsroom", "undefined",
        "null", "none",
    ]

    private static let jobTitles: Set<String> = [
        "writer", "correspondent", "editor", "reporter", "contributor", "columnist", "editor-at-large",
        "photographer", "producer", "analyst", "intern",
    ]

    private static let nameParticles: Set<String> = [
        "van", "von", "de", "der", "den", "da", "di", "del", "della", "le", "la", "du", "dos", "das", "bin", "al",
        "ibn", "ter", "ten", "y", "e", "zu", "the",
    ]

    // MARK: Dates

    /// The publication date, cross-checked between what the page declares (JSON-LD, meta
    /// tags, `itemprop`) and what it shows by the headline.
    ///
    /// On the same day, the declared instant is kept when it falls on the shown calendar day
    /// in UTC, else the shown day (a late-evening story whose UTC instant is the next day).
    /// When the two disagree, the declared date stands when another date shown near the
    /// headline confirms it, or when the URL's date sides with it. Otherwise the shown date
    /// wins when it is right by the headline (not "Updated", not a link, not the day the page
    /// declares as its last modification: the original publication over the update), or when
    /// it is a `<time>` or labelled "Published". A publication declared only out of sight
    /// (JSON-LD, `<meta itemprop>`) gives way to the date shown by the headline, even an
    /// "Updated" one. A page that declares nothing gets the shown
    /// date, preferring "Published" to an unlabelled date near the headline, then "Updated".
    func published() -> Date? {
        let (declared, outOfSight) = self.declaredPublished()
        if let candidates = self.shownDates(), let shown = Self.best(of: candidates) {
            guard let declared else {
                // A date shown only as "Updated" that the page also declares as its last
                // modification is that, not the publication: no date rather than a wrong one.
                if shown.label == .updated, let modified = self.updated(), Self.isSameDay(modified, shown.day) {
                    return nil
                }
                // A date far from the headline is often a teaser's; the address's own date wins.
                if shown.label == .none, shown.distance > 60, !shown.isMarked, let url = self.dateInURL() {
                    return url
                }
                return shown.exact ?? shown.day
            }
            if Self.isSameDay(declared, shown.day) {
                return Self.dayStart(of: declared) == shown.day ? declared : shown.exact ?? shown.day
            }
            let confirmed = candidates.contains {
                $0.label != .updated && !$0.isLinked && $0.distance <= 60 && Self.isSameDay(declared, $0.day)
            }
            if confirmed { return declared }
            if let url = self.dateInURL(), Self.isSameDay(url, Self.dayStart(of: declared)) { return declared }
            guard !shown.isLinked else { return declared }
            // The only date shown is an update by the headline, and the publication is declared
            // only out of sight (JSON-LD, a `<meta itemprop>`; often the date the record was
            // created or imported): the date the page states wins over one no reader sees.
            if shown.label == .updated {
                guard outOfSight, shown.distance <= 60 else { return declared }
                return shown.exact ?? shown.day
            }
            if shown.distance <= 20 {
                let isUpdate = self.updated().map { Self.isSameDay($0, shown.day) } ?? false
                if !isUpdate || outOfSight { return shown.exact ?? shown.day }
            }
            guard shown.isMarked, shown.distance <= 60 || (shown.label == .published && shown.exact != nil) else {
                return declared
            }
            return shown.exact ?? shown.day
        }
        if let declared { return declared }
        if let (_, value) = self.head.times.first, Self.namesADay(value), let date = self.trustedDate(value) {
            return date
        }
        return self.dateInURL()
    }

    /// The shown date that speaks for the story: "Published" first, then an unlabelled date
    /// near the headline (or in a `<time>`), then "Updated", then an unlabelled date further
    /// away (often a teaser card); the nearest of each kind.
    private static func best(of found: [ShownDate]) -> ShownDate? {
        let near = found.filter { $0.label == .none && ($0.distance <= 60 || $0.isMarked) }
        let far = found.filter { $0.label == .none && !($0.distance <= 60 || $0.isMarked) }
        for group in [found.filter { $0.label == .published }, near, found.filter { $0.label == .updated }, far] {
            if let best = group.min(by: { $0.distance < $1.distance }) { return best }
        }
        return nil
    }

    /// The first publication date the page declares in its metadata, and whether it is
    /// declared only out of sight: in JSON-LD or microdata on a `<meta itemprop>`, with no
    /// named meta tag and no shown `itemprop` element giving a date.
    private func declaredPublished() -> (Date?, outOfSight: Bool) {
        var candidates: [(value: String?, outOfSight: Bool)] = [(JSONLD.string(self.article?["datePublished"]), true)]
        for key in [
            "article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate",
            "publish-date", "publish_date", "publication_date", "article.published", "parsely-pub-date",
            "sailthru.date", "dc.date.issued", "dcterms.date", "dc.date", "dcterms.created", "dc.date.created",
            "date", "og:published_time", "citation_publication_date", "citation_date", "citation_online_date",
            "article_date_original", "original-publish-date", "published", "article:published",
        ] {
            // `datepublished` is schema.org microdata (`<meta itemprop>`), out of sight like JSON-LD.
            candidates.append((self.head.meta(key), key == "datepublished"))
        }
        // Other names of the same field ("w-published-date", "page.publishDate"); a "date"
        // before a "time", which some templates fill with the time the page was rendered.
        for word in ["date", "time"] {
            for (key, value) in self.head.metas where key.contains("publish") && key.contains(word) {
                if !key.contains("modif"), !key.contains("updat") {
                    candidates.append((value, key == "datepublished"))
                }
            }
        }
        for index in self.head.publishedElements.prefix(3) {
            let element = self.page.elements[index]
            let unseen = element.tag == .meta || element.hidden
            let node = element.node
            candidates.append(
                (PageIndex.attribute("content", of: node) ?? PageIndex.attribute("datetime", of: node), unseen)
            )
            candidates.append((PageIndex.textContent(node), unseen))
        }
        candidates.append((JSONLD.string(self.jsonLD.webPage?["datePublished"]), true))
        var found: Date?
        for candidate in candidates {
            guard let value = candidate.value, let date = self.trustedDate(value) else { continue }
            if found == nil { found = date }
            if !candidate.outOfSight { return (found, false) }
        }
        return (found, found != nil)
    }

    /// Whether a `datetime` value names a day: "2026-02" (a month) or "2026" (a year) does not.
    static func namesADay(_ value: String) -> Bool {
        let bytes = Array(TextBytes.trimmingWhitespace(value).utf8.prefix(10))
        guard bytes.count >= 5, bytes[0..<4].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return true }
        return bytes.count == 10 && bytes[4] == UInt8(ascii: "-") && bytes[7] == UInt8(ascii: "-")
    }

    /// A date shown near the headline: its day (midnight UTC) and, from a `<time datetime>`
    /// that agrees with it, the exact instant.
    struct ShownDate {
        var day: Date
        var exact: Date?
        var label: TextDates.Label
        var distance: Int
        /// Given by a `<time>` element or labelled "Published": meant as the story's date.
        var isMarked = false
        /// Inside a link (a teaser of another story, a pager).
        var isLinked = false
    }

    /// The dates shown with the headline: date lines within a window of elements around the
    /// first `h1` (or the first `article`/`main`), outside comments, read in document order
    /// so that a label before the date ("Last updated:") is seen whatever element holds it.
    func shownDates() -> [ShownDate]? {
        let elements = self.page.elements
        guard let body = self.page.body else { return nil }
        // A page hidden whole until its scripts run ("root hide") is read as shown.
        let anchor =
            elements.indices.first { elements[$0].tag == .h1 && !elements[$0].hidden && elements[$0].text > 0 }
            ?? elements.indices.first {
                (elements[$0].tag == .article || elements[$0].tag == .main) && !elements[$0].hidden
            }
            ?? elements.indices.first { elements[$0].tag == .h1 && elements[$0].text > 0 }
        guard let anchor else { return nil }
        let showsHidden = elements[anchor].hidden
        let lower = max(body + 1, anchor - 60)
        let upper = min(elements.count, anchor + 300)
        // Beyond the window, a date is read only when its text says "Published" (templates
        // that put the story's dates under long hero blocks or after the story).
        let labelledUpper = min(elements.count, anchor + 600)
        guard lower < upper else { return nil }
        var times: [Int: String] = [:]
        for (index, value) in self.head.times where index >= lower && index < upper { times[index] = value }
        var found: [ShownDate] = []
        var recent: [UInt8] = []  // the last bytes of text before the current node, for labels
        var text: [UInt8] = []
        var timesSeen: Set<Int> = []
        // Preorder walk of the nodes from the window's first element to its last.
        var current: NodePointer? = elements[lower].node
        while let node = current {
            var descend = false
            if node.pointee.type == XML_ELEMENT_NODE {
                if let index = PageIndex.index(of: node), showsHidden || !elements[index].hidden {
                    if index >= labelledUpper { break }
                    descend = true
                    if let value = times[index], timesSeen.insert(index).inserted, !self.isInDiscussion(index),
                        Self.namesADay(value), let instant = self.trustedDate(value)
                    {
                        // A <time datetime> is exact; its text and class say what it is.
                        let content = PageIndex.textContent(node).map { Array($0.utf8.prefix(200)) } ?? []
                        var label = TextDates.label(Self.folded(recent + content))
                        if label == .none { label = self.classLabel(index) }
                        found.append(self.shown(Self.dayStart(of: instant), instant, label, index, anchor, true))
                    }
                }
            } else if node.pointee.type == XML_TEXT_NODE, let content = node.pointee.content,
                let parent = node.pointee.parent, let owner = PageIndex.index(of: parent),
                showsHidden || !elements[owner].hidden
            {
                // Screen on the bytes first: copy only short texts that hold a year.
                let (length, visible, hasYear) = Self.screenForYear(content, limit: 200)
                text.removeAll(keepingCapacity: true)
                if visible, length <= 200 {
                    text.append(contentsOf: UnsafeBufferPointer(start: content, count: length))
                } else if visible {
                    text.append(contentsOf: UnsafeBufferPointer(start: content + length - 48, count: 48))
                }
                if length <= 200, hasYear, !self.isInTime(owner),
                    let date = TextDates.first(in: text), Self.isDateLine(text), !self.isInDiscussion(owner)
                {
                    let day = Date(
                        timeIntervalSince1970: Double(
                            RFC3339.epochSeconds(year: date.year, month: date.month, day: date.day)
                        )
                    )
                    // Only a label in the text marks the date as the story's; a class saying
                    // "published" is as common on teasers of other stories.
                    let textLabel = TextDates.label(Self.folded(recent + Array(text[..<date.start])))
                    let label = textLabel == .none ? self.classLabel(owner) : textLabel
                    if day <= self.latestDate, owner < upper || textLabel == .published {
                        let marked = elements[owner].tag == .time || textLabel == .published
                        found.append(self.shown(day, nil, label, owner, anchor, marked))
                    }
                }
                if visible {
                    recent.append(32)
                    recent.append(contentsOf: text.suffix(48))
                    if recent.count > 48 { recent.removeFirst(recent.count - 48) }
                }
            }
            // Next node in document order.
            if descend, let child = node.pointee.children {
                current = child
                continue
            }
            var up: NodePointer? = node
            current = nil
            while let step = up {
                if let next = step.pointee.next {
                    current = next
                    break
                }
                up = step.pointee.parent
                if let up, up.pointee.type != XML_ELEMENT_NODE { break }
            }
        }
        return found
    }

    /// Length of a C string, whether it has any visible byte, and whether it is at most
    /// `limit` bytes and holds a year from 1900 to 2099 as a run of exactly four digits.
    private static func screenForYear(_ content: UnsafePointer<UInt8>, limit: Int) -> (Int, Bool, Bool) {
        var length = 0
        var visible = false
        var hasYear = false
        var run = 0
        while content[length] != 0 {
            let byte = content[length]
            if byte > 32 { visible = true }
            if byte >= 48 && byte <= 57 {
                run += 1
            } else {
                if run == 4 && Self.isYearStart(content + length - 4) { hasYear = true }
                run = 0
            }
            length += 1
        }
        if run == 4 && Self.isYearStart(content + length - 4) { hasYear = true }
        return (length, visible, hasYear && length <= limit)
    }

    private static func isYearStart(_ digits: UnsafePointer<UInt8>) -> Bool {
        (digits[0] == UInt8(ascii: "1") && digits[1] == UInt8(ascii: "9"))
            || (digits[0] == UInt8(ascii: "2") && digits[1] == UInt8(ascii: "0"))
    }

    private func shown(
        _ day: Date,
        _ exact: Date?,
        _ label: TextDates.Label,
        _ index: Int,
        _ anchor: Int,
        _ isMarked: Bool
    )
        -> ShownDate
    {
        let distance = index >= anchor ? index - anchor : (anchor - index) * 2
        var shown = ShownDate(day: day, exact: exact, label: label, distance: distance)
        shown.isMarked = isMarked
        shown.isLinked = self.isInLink(index)
        return shown
    }

    /// Inside (or is) a `<time>` element with a `datetime` (read from the attribute instead).
    private func isInTime(_ index: Int) -> Bool {
        var ancestor = index
        var level = 0
        while ancestor >= 0, level < 3 {
            if self.page.elements[ancestor].tag == .time {
                return self.head.times.contains { $0.element == ancestor }
            }
            ancestor = Int(self.page.elements[ancestor].parent)
            level += 1
        }
        return false
    }

    /// A short line that is mostly the date ("Published on July 8, 2025 · 5 min read"), not a
    /// sentence of the story that mentions one.
    private static func isDateLine(_ text: [UInt8]) -> Bool {
        var words = 0
        var inWord = false
        for byte in text {
            let isSpace = byte == 32 || byte == 10 || byte == 9 || byte == 13
            if !isSpace && !inWord { words += 1 }
            inWord = !isSpace
        }
        return words <= 10
    }

    private static func folded(_ bytes: [UInt8]) -> [UInt8] {
        TextBytes.foldedASCII(String(decoding: bytes, as: UTF8.self))
    }

    /// "updated"/"modified" or "published" in the class or itemprop of an element or its parent.
    private func classLabel(_ index: Int) -> TextDates.Label {
        let element = self.page.elements[index]
        let own = Self.classLabel(element)
        guard own == .none, element.parent >= 0 else { return own }
        return Self.classLabel(self.page.elements[Int(element.parent)])
    }

    private static func classLabel(_ element: IndexedElement) -> TextDates.Label {
        let value =
            (PageIndex.attribute("class", of: element.node) ?? "") + " "
            + (PageIndex.attribute("itemprop", of: element.node) ?? "")
        let lowered = Array(value.lowercased().utf8)
        if TextBytes.contains(lowered, "modified") || TextBytes.contains(lowered, "updated")
            || TextBytes.contains(lowered, "changed")
        {
            return .updated
        }
        if TextBytes.contains(lowered, "publish") || TextBytes.contains(lowered, "posted") { return .published }
        return .none
    }

    /// Inside an `<a>` within four levels.
    private func isInLink(_ index: Int) -> Bool {
        var ancestor = index
        var level = 0
        while ancestor >= 0, level < 5 {
            if self.page.elements[ancestor].tag == .a { return true }
            ancestor = Int(self.page.elements[ancestor].parent)
            level += 1
        }
        return false
    }

    /// Inside comments or replies (dates there are readers' posts).
    private func isInDiscussion(_ index: Int) -> Bool {
        var ancestor = index
        while ancestor >= 0 {
            let element = self.page.elements[ancestor]
            if element.hints.contains(.discussion) { return true }
            ancestor = Int(element.parent)
        }
        return false
    }

    /// Whether `instant` falls on the calendar day starting at `day` in some time zone (UTC-12 to UTC+14).
    private static func isSameDay(_ instant: Date, _ day: Date) -> Bool {
        let offset = instant.timeIntervalSince(day)
        return offset >= -14 * 3600 && offset < 36 * 3600
    }

    private static func dayStart(of instant: Date) -> Date {
        let seconds = floor(instant.timeIntervalSince1970 / 86400) * 86400
        return Date(timeIntervalSince1970: seconds)
    }

    func updated() -> Date? {
        let candidates: [String?] = [
            JSONLD.string(self.article?["dateModified"]), self.head.meta("article:modified_time"),
            self.head.meta("og:updated_time"), self.head.meta("datemodified"), self.head.meta("last-modified"),
            self.head.meta("dcterms.modified"),
        ]
        for candidate in candidates {
            if let candidate, let date = self.trustedDate(candidate) { return date }
        }
        return nil
    }

    /// A parsed date that is not in the future (beyond a day of clock skew) nor before 1990.
    private func trustedDate(_ text: String) -> Date? {
        var parsed = DateParser.parse(text)
        if parsed == nil, text.utf8.count <= 80, let found = TextDates.first(in: Array(text.utf8)) {
            let seconds = RFC3339.epochSeconds(year: found.year, month: found.month, day: found.day)
            parsed = Date(timeIntervalSince1970: Double(seconds))
        }
        guard let date = parsed else { return nil }
        guard date <= self.latestDate, date.timeIntervalSince1970 >= 631_152_000 else { return nil }
        return date
    }

    /// `/2024/03/17/`, `/2024-03-17/` or `/2024/march/17/` in the page URL, the last resort.
    private func dateInURL() -> Date? {
        let url = self.canonicalURL() ?? self.pageURL
        let bytes = Array(url.utf8)
        if let date = Self.monthNameDate(in: bytes) { return date <= self.latestDate ? date : nil }
        var index = 0
        while index + 10 <= bytes.count {
            if bytes[index] == UInt8(ascii: "/"),
                let year = Self.number(bytes, index + 1, 4), (1990...2100).contains(year),
                index + 5 < bytes.count, bytes[index + 5] == UInt8(ascii: "/") || bytes[index + 5] == UInt8(ascii: "-"),
                let month = Self.number(bytes, index + 6, 2), (1...12).contains(month)
            {
                var day = 1
                if index + 11 < bytes.count, bytes[index + 8] == bytes[index + 5],
                    let found = Self.number(bytes, index + 9, 2), (1...31).contains(found)
                {
                    day = found
                } else {
                    index += 1
                    continue
                }
                let seconds = RFC3339.epochSeconds(year: year, month: month, day: day)
                let date = Date(timeIntervalSince1970: Double(seconds))
                return date <= self.latestDate ? date : nil
            }
            index += 1
        }
        return nil
    }

    private static let monthNames = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    ].map { Array($0.utf8) }

    /// `/2023/october/03/` (or `/2023/oct/3/`): a year, an English month name and a day as
    /// path segments.
    private static func monthNameDate(in bytes: [UInt8]) -> Date? {
        let segments = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map {
            Array($0).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        }
        guard segments.count >= 3 else { return nil }
        for index in 0..<segments.count - 2 {
            let yearBytes = segments[index]
            let dayBytes = segments[index + 2]
            guard yearBytes.count == 4, let year = Self.number(yearBytes, 0, 4), (1990...2100).contains(year),
                (1...2).contains(dayBytes.count), let day = Self.number(dayBytes, 0, dayBytes.count),
                (1...31).contains(day)
            else { continue }
            let word = segments[index + 1]
            guard
                let month = Self.monthNames.firstIndex(where: {
                    word == $0 || (word.count == 3 && $0.starts(with: word))
                })
            else { continue }
            let seconds = RFC3339.epochSeconds(year: year, month: month + 1, day: day)
            return Date(timeIntervalSince1970: Double(seconds))
        }
        return nil
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[start..<start + count] {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    // MARK: Other fields

    func declaredLanguage() -> String? {
        let candidates = [
            self.head.language, self.head.meta("content-language"), self.head.meta("og:locale"),
            JSONLD.string(self.article?["inLanguage"]), self.head.meta("language"), self.head.meta("dc.language"),
        ]
        for candidate in candidates {
            if let candidate, let code = Self.languageCode(candidate) { return code }
        }
        return nil
    }

    /// The primary subtag of a language tag, lower case (`en-GB` and `en_GB` give `en`).
    static func languageCode(_ tag: String) -> String? {
        let primary = TextBytes.trimmingWhitespace(tag).lowercased()
            .split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "," || $0 == " " }).first
        guard let primary, (2...3).contains(primary.count), primary.allSatisfy({ $0.isASCII && $0.isLetter })
        else { return nil }
        return String(primary)
    }

    func canonicalURL() -> String? {
        if let link = self.head.links.first(where: { $0.rel.split(separator: " ").contains("canonical") }),
            let url = self.resolve(link.href)
        {
            return url
        }
        return self.head.meta("og:url").flatMap(self.resolve)
    }

    func siteName() -> String? {
        let publisher = self.article?["publisher"] as? [String: Any]
        let candidates = [
            self.head.meta("og:site_name"), JSONLD.string(publisher?["name"]), self.head.meta("application-name"),
            self.head.meta("twitter:site").map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 },
        ]
        return candidates.lazy.compactMap { $0.map(Self.collapse) }.first { !$0.isEmpty }
    }

    func description() -> String? {
        let candidates = [
            self.head.meta("og:description"), self.head.meta("description"),
            JSONLD.string(self.article?["description"]), self.head.meta("twitter:description"),
        ]
        return candidates.lazy.compactMap { $0.map(Self.collapse) }.first { !$0.isEmpty }
    }

    func image() -> String? {
        let candidates = [
            self.head.meta("og:image"), self.head.meta("og:image:url"), self.head.meta("og:image:secure_url"),
            JSONLD.url(self.article?["image"]), self.head.meta("twitter:image"), self.head.meta("twitter:image:src"),
        ]
        return candidates.lazy.compactMap { $0.flatMap(self.resolve) }.first
    }

    func categories() -> [String] {
        var values: [String] = []
        values += self.head.metaValues("article:section")
        values += JSONLD.strings(self.article?["articleSection"])
        values += self.head.metaValues("article:tag")
        values += JSONLD.strings(self.article?["keywords"])
        values += self.head.metaValues("news_keywords").flatMap { $0.split(separator: ",").map(String.init) }
        var seen: Set<String> = []
        var result: [String] = []
        for value in values {
            let clean = Self.collapse(value)
            guard !clean.isEmpty, clean.count <= 80, seen.insert(clean.lowercased()).inserted else { continue }
            result.append(clean)
        }
        return Array(result.prefix(20))
    }

    /// `href` made absolute against the page URL; `nil` for what is not http(s).
    func resolve(_ href: String) -> String? {
        let trimmed = TextBytes.trimmingWhitespace(href)
        guard !trimmed.isEmpty else { return nil }
        guard let base = URL(string: self.pageURL), let url = URL(string: trimmed, relativeTo: base) else {
            return trimmed.hasPrefix("http") ? trimmed : nil
        }
        let absolute = url.absoluteString
        return absolute.hasPrefix("http://") || absolute.hasPrefix("https://") ? absolute : nil
    }

    /// Text with runs of white space collapsed to one space, trimmed.
    static func collapse(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
