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
        self.latestDate = now.addingTimeInterval(24 * 3600)
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
        if let heading, heading.count >= 10, raw.localizedCaseInsensitiveContains(heading) { return heading }
        return Self.stripSiteName(raw, siteName: siteName)
    }

    private func firstHeading() -> String? {
        for element in self.page.elements where element.tag == .h1 && !element.hidden {
            if let text = PageIndex.textContent(element.node).map(Self.collapse), !text.isEmpty { return text }
        }
        return nil
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

    func authors() -> [String] {
        var raw: [String] = []
        raw += JSONLD.names(self.article?["author"])
        raw += JSONLD.names(self.article?["creator"])
        if raw.isEmpty {
            for key in ["author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl"] {
                raw += self.head.metaValues(key)
            }
        }
        if raw.isEmpty {
            for index in self.page.head.authorElements.prefix(6) {
                let element = self.page.elements[index]
                if let text = PageIndex.textContent(element.node) { raw.append(text) }
            }
        }
        var names: [String] = []
        var seen: Set<String> = []
        for entry in raw {
            for name in Self.splitNames(entry) {
                guard let clean = Self.cleanName(name), seen.insert(clean.lowercased()).inserted else { continue }
                names.append(clean)
            }
        }
        return Array(names.prefix(10))
    }

    private static func splitNames(_ text: String) -> [String] {
        var parts = [Self.collapse(text)]
        for separator in [" and ", " & ", ", ", " und ", " et ", " y ", ";", "|"] {
            parts = parts.flatMap { $0.components(separatedBy: separator) }
        }
        return parts
    }

    /// A person's name, or `nil` for what is not one ("5 hours ago", a URL, a date).
    static func cleanName(_ text: String) -> String? {
        var name = Self.collapse(text)
        for prefix in ["by ", "von ", "par ", "por ", "door ", "di ", "av ", "written by ", "posted by "]
        where name.lowercased().hasPrefix(prefix) {
            name = String(name.dropFirst(prefix.count))
        }
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: " ,.:;|-–—").union(.whitespacesAndNewlines))
        guard name.count >= 3, name.count <= 60 else { return nil }
        let lowered = name.lowercased()
        if lowered.hasPrefix("http") || lowered.contains("www.") || lowered.contains("@") || lowered.contains("/") {
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
        // Job titles that follow a name in bylines ("Jane Roe, AP Sports Writer").
        if let last = words.last, Self.jobTitles.contains(String(last)) { return nil }
        // Names are capitalised word by word (in scripts that have case), bar the usual particles.
        for word in name.split(separator: " ") {
            guard let first = word.first, first.isLetter else { continue }
            if first.isLowercase && !Self.nameParticles.contains(word.lowercased()) { return nil }
        }
        return name
    }

    private static let notNames: Set<String> = [
        "admin", "administrator", "staff", "editor", "editors", "webmaster", "guest", "user", "anonymous",
        "unknown", "author", "redaktion", "rédaction", "redacción", "team", "editorial", "гость",
    ]

    private static let jobTitles: Set<String> = [
        "writer", "correspondent", "editor", "reporter", "contributor", "columnist", "editor-at-large",
        "photographer", "producer", "analyst", "intern",
    ]

    private static let nameParticles: Set<String> = [
        "van", "von", "de", "der", "den", "da", "di", "del", "della", "le", "la", "du", "dos", "das", "bin", "al",
        "ibn", "ter", "ten", "y", "e", "zu",
    ]

    // MARK: Dates

    func published() -> Date? {
        var candidates: [String?] = [JSONLD.string(self.article?["datePublished"])]
        for key in [
            "article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate",
            "publish-date", "publish_date", "article.published", "parsely-pub-date", "sailthru.date",
            "dc.date.issued", "dcterms.date", "dc.date", "date", "og:published_time", "citation_publication_date",
            "article_date_original", "original-publish-date",
        ] {
            candidates.append(self.head.meta(key))
        }
        candidates.append(JSONLD.string(self.jsonLD.webPage?["datePublished"]))
        for candidate in candidates {
            if let candidate, let date = self.trustedDate(candidate) { return date }
        }
        for (_, value) in self.head.times {
            if let date = self.trustedDate(value) { return date }
        }
        return self.dateInURL()
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
        guard let date = DateParser.parse(text) else { return nil }
        guard date <= self.latestDate, date.timeIntervalSince1970 >= 631_152_000 else { return nil }
        return date
    }

    /// `/2024/03/17/` or `/2024-03-17/` in the page URL, the last resort.
    private func dateInURL() -> Date? {
        let url = self.canonicalURL() ?? self.pageURL
        let bytes = Array(url.utf8)
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
