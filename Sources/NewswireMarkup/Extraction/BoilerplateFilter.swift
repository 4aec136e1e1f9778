import Foundation

/// Drops the paragraphs that are page furniture rather than story, once the region is chosen.
///
/// Works on short paragraphs only, by the phrases publishers use for share bars, "read
/// more" teasers, newsletter boxes, advertising labels and photo credits, in any site.
enum BoilerplateFilter {
    static func clean(_ paragraphs: [Paragraph], title: String?) -> [Paragraph] {
        var kept: [Paragraph] = []
        kept.reserveCapacity(paragraphs.count)
        let normalizedTitle = title.map { Self.normalize($0) }
        for paragraph in paragraphs {
            if Self.isBoilerplate(paragraph) { continue }
            if let normalizedTitle, !normalizedTitle.isEmpty, paragraph.characters < 300,
                Self.normalize(paragraph.text) == normalizedTitle
            {
                continue
            }
            kept.append(paragraph)
        }
        // Headings left with nothing after them introduced a block that was removed.
        while let last = kept.last, last.kind == .heading || (last.characters < 40 && last.kind != .body) {
            kept.removeLast()
        }
        return kept
    }

    static func isBoilerplate(_ paragraph: Paragraph) -> Bool {
        let characters = paragraph.characters
        guard characters < 200 else { return false }
        if characters > 0, Double(paragraph.linkCharacters) / Double(characters) > 0.8, characters < 120,
            paragraph.kind != .body || !paragraph.text.contains(". ")
        {
            return true
        }
        let lowered = paragraph.text.lowercased()
        if Self.exact.contains(lowered.trimmingCharacters(in: .punctuationCharacters.union(.whitespaces))) {
            return true
        }
        guard characters < 120 else { return false }
        for prefix in Self.prefixes where lowered.hasPrefix(prefix) { return true }
        return false
    }

    private static let exact: Set<String> = [
        "advertisement", "advertising", "ad", "sponsored", "sponsored content", "share", "share this", "tweet",
        "email", "print", "comments", "comment", "continue reading", "continue reading below", "read more",
        "read more below", "story continues below", "story continues below advertisement", "scroll to continue",
        "loading", "loading...", "close", "menu", "search", "skip to content", "skip to main content", "subscribe",
        "sign up", "log in", "login", "facebook", "twitter", "linkedin", "whatsapp", "pinterest", "reddit",
        "copy link", "link copied", "related", "related articles", "related stories", "more stories",
        "recommended", "you may also like", "you might also like", "most popular", "most read", "trending",
        "top stories", "back to top", "next article", "previous article", "image", "photo", "video",
    ]

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
    ]

    private static func normalize(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }
}
