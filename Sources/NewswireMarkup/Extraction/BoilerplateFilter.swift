import Foundation

/// Drops the paragraphs that are page furniture rather than story, once the region is chosen.
///
/// Works on short paragraphs only, by the phrases publishers use for share bars, "read
/// more" teasers, newsletter boxes, advertising labels and photo credits, in any site.
enum BoilerplateFilter {
    static func clean(_ paragraphs: [Paragraph], title: String?) -> [Paragraph] {
        var kept: [Paragraph] = []
        kept.reserveCapacity(paragraphs.count)
        let titleKey = title.map(TextBytes.alphanumericKey) ?? []
        let titleLength = title?.count ?? 0
        for paragraph in paragraphs {
            if Self.isBoilerplate(paragraph) { continue }
            if !titleKey.isEmpty, abs(paragraph.characters - titleLength) < 20,
                TextBytes.alphanumericKey(paragraph.text) == titleKey
            {
                continue
            }
            kept.append(paragraph)
        }
        // Headings left with nothing after them introduced a block that was removed.
        while let last = kept.last,
            last.kind == .heading
                || (last.kind == .listItem && !last.introduced && last.linkCharacters * 2 > last.characters)
        {
            kept.removeLast()
        }
        return kept
    }

    static func isBoilerplate(_ paragraph: Paragraph) -> Bool {
        let characters = paragraph.characters
        guard characters < 200 else { return false }
        if characters > 0, !paragraph.introduced, Double(paragraph.linkCharacters) / Double(characters) > 0.8,
            characters < 120,
            paragraph.kind != .body || !paragraph.text.contains(". ")
        {
            return true
        }
        let folded = TextBytes.foldedASCII(paragraph.text)
        var start = 0
        var end = folded.count
        while start < end, Self.isTrimmable(folded[start]) { start += 1 }
        while end > start, Self.isTrimmable(folded[end - 1]) { end -= 1 }
        let trimmed = String(decoding: folded[start..<end], as: UTF8.self)
        if Self.exact.contains(trimmed) { return true }
        if folded[start..<end].contains(where: { $0 >= 48 && $0 <= 57 }), Self.isCounterLabel(trimmed) { return true }
        if Self.isSocialPlug(folded) || Self.isBylineLine(paragraph.text) || Self.isServiceBar(folded) { return true }
        // A bare URL, or a scrap with no letters or digits at all (a stray "/*" from an inline script).
        if !trimmed.contains(" ") && (trimmed.hasPrefix("http") || trimmed.hasPrefix("www.")) { return true }
        if start == end { return true }
        guard characters < 120 else { return false }
        guard let first = folded.first, let candidates = Self.prefixesByFirstByte[first] else { return false }
        for prefix in candidates where folded.starts(with: prefix) { return true }
        return false
    }

    /// "Image 2 of 5", "Photo 3/12", "12 comments": gallery counters and comment counts.
    private static func isCounterLabel(_ text: String) -> Bool {
        let words = text.split(separator: " ")
        guard (1...4).contains(words.count) else { return false }
        let numbers = words.filter { $0.allSatisfy(\.isNumber) || $0.contains("/") }.count
        guard numbers >= 1 else { return false }
        let others = words.filter { !($0.allSatisfy(\.isNumber) || $0.contains("/")) }.map(String.init)
        let labels: Set<String> = [
            "image", "photo", "picture", "slide", "of", "comments", "comment", "photos", "images",
        ]
        if others == ["of"] { return words.count == 3 && words[1] == "of" }
        return !others.isEmpty && others.allSatisfy { labels.contains($0) }
    }

    /// "Follow us on Facebook, Twitter and Instagram": a short line naming two or more networks.
    private static func isSocialPlug(_ folded: [UInt8]) -> Bool {
        guard folded.count < 160 else { return false }
        let networks = ["facebook", "twitter", "instagram", "youtube", "linkedin", "whatsapp", "pinterest", "tiktok"]
        return networks.filter { TextBytes.contains(folded, $0) }.count >= 2
    }

    /// "Order Reprints | Today's Paper | Subscribe": a bar of short service links, printed
    /// under stories by many papers; three or more short items between bars, one a service word.
    private static func isServiceBar(_ folded: [UInt8]) -> Bool {
        guard folded.count < 120 else { return false }
        let items = folded.split(separator: UInt8(ascii: "|"))
        guard items.count >= 3, items.allSatisfy({ $0.count <= 30 }) else { return false }
        let words = ["reprint", "subscribe", "today's paper", "print", "e-edition", "newsletter", "contact", "log in"]
        return words.contains { TextBytes.contains(folded, $0) }
    }

    /// "By Jane Roe -", "By Reuters": a short byline left in the body.
    private static func isBylineLine(_ text: String) -> Bool {
        guard text.utf8.count < 60, text.hasPrefix("By ") || text.hasPrefix("by ") else { return false }
        let words = text.split(separator: " ").dropFirst().filter { $0.first?.isLetter == true }
        guard (1...5).contains(words.count), !text.contains(where: \.isNumber) else { return false }
        return words.allSatisfy {
            $0.first?.isUppercase == true || ["and", "&", "de", "van", "von"].contains(String($0))
        }
    }

    private static let counterWords: Set<String> = [
        "image", "photo", "picture", "slide", "of", "comments", "comment", "photos", "images",
    ]

    private static func isTrimmable(_ byte: UInt8) -> Bool {
        switch byte {
        case 32, 33...47, 58...64, 91...96, 123...126: return true
        default: return false
        }
    }

    private static let exact: Set<String> = [
        "advertisement", "advertising", "ad", "advert", "adverts", "sponsored", "sponsored content", "share",
        "share this", "tweet",
        "email", "print", "comments", "comment", "continue reading", "continue reading below", "read more",
        "read more below", "story continues below", "story continues below advertisement", "scroll to continue",
        "loading", "loading...", "close", "menu", "search", "skip to content", "skip to main content", "subscribe",
        "sign up", "log in", "login", "facebook", "twitter", "linkedin", "whatsapp", "pinterest", "reddit",
        "copy link", "link copied", "related", "related articles", "related stories", "more stories",
        "recommended", "you may also like", "you might also like", "most popular", "most read", "trending",
        "top stories", "back to top", "next article", "previous article", "image", "photo", "video",
        "sharing is caring", "share this article", "share this story", "share this post", "like this",
        "like loading", "like loading...", "iklan", "anzeige", "werbung", "publicité", "publicidad", "pubblicità",
        "reklame", "реклама", "広告",
    ]

    /// The prefixes as bytes, bucketed by their first byte.
    private static let prefixesByFirstByte: [UInt8: [[UInt8]]] = Dictionary(
        grouping: Self.prefixes.map { Array($0.utf8) },
        by: { $0[0] }
    )

    private static let prefixes: [String] = [
        "advertisement", "read more:", "read more at", "read next", "read also", "also read", "related:",
        "related coverage", "related content", "see also:", "more from", "more:", "share this", "share on",
        "share via", "follow us", "follow @", "sign up for", "sign up to", "subscribe to", "subscribe now",
        "click here", "all rights reserved", "copyright ©", "© ", "(c) copyright", "photo:", "photo by",
        "photograph:", "image:", "image source", "image caption", "picture:", "credit:", "getty images",
        "(photo", "[photo", "watch:", "listen:", "listen to this", "you might also like", "you may also like",
        "recommended:", "don't miss", "don’t miss", "topics:", "tags:", "filed under", "posted in",
        "this story has been shared", "sponsored by", "get the latest", "newsletter", "join our",
        "download our app", "leave a comment", "comments are closed", "view comments", "show comments",
        "next article", "previous article", "back to top", "more on this", "explore more",
        "updated at", "updated on", "updated:", "last updated", "published on", "published:", "published at",
        "posted on", "posted at", "reading time", "tempo de leitura", "tiempo de lectura", "lesezeit",
        "temps de lecture", "like this story? share", "this site uses akismet", "this slideshow requires javascript",
        "[button", "[caption",
        "this post may contain affiliate", "this article contains affiliate",
    ]
}
