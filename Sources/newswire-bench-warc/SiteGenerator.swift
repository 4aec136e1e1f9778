import NewswireArchive
import NewswireCore

import struct Foundation.Date

/// Invented pages of a news site, deterministic for a seed: markup of realistic shape
/// around paragraphs of made-up words with a Zipf-like frequency (so they compress about
/// as well as real text).
struct SiteGenerator {
    private var state: UInt64
    private let words: [[UInt8]]
    private let cumulative: [Double]

    init(seed: UInt64) {
        self.state = seed | 1
        var words: [[UInt8]] = []
        let onsets = [
            "b", "br", "c", "ch", "d", "f", "g", "gr", "h", "k", "l", "m", "n", "p", "pr", "r", "s", "st", "t", "tr",
            "v", "w", "z",
        ]
        let vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
        let codas = ["", "", "n", "r", "s", "t", "l", "nd", "st", "m"]
        var generator = SeededGenerator(seed: seed ^ 0x5EED)
        for _ in 0..<6000 {
            var word = ""
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                word += onsets[Int(generator.next() % UInt64(onsets.count))]
                word += vowels[Int(generator.next() % UInt64(vowels.count))]
                word += codas[Int(generator.next() % UInt64(codas.count))]
            }
            words.append(Array(word.utf8))
        }
        self.words = words
        var total = 0.0
        self.cumulative = (1...words.count).map { rank in
            total += 1.0 / Double(rank)
            return total
        }
    }

    private mutating func random() -> UInt64 {
        // xorshift64*
        self.state ^= self.state >> 12
        self.state ^= self.state << 25
        self.state ^= self.state >> 27
        return self.state &* 2_685_821_657_736_338_717
    }

    private mutating func word() -> [UInt8] {
        let target = Double(self.random() % 1_000_000) / 1_000_000 * self.cumulative[self.cumulative.count - 1]
        var low = 0
        var high = self.cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if self.cumulative[mid] < target { low = mid + 1 } else { high = mid }
        }
        return self.words[low]
    }

    private mutating func sentence(into out: inout [UInt8], words count: Int) {
        for index in 0..<count {
            var word = self.word()
            if index == 0, let first = word.first, first >= 97 { word[0] = first - 32 }
            out.append(contentsOf: word)
            out.append(index == count - 1 ? UInt8(ascii: ".") : UInt8(ascii: " "))
        }
    }

    mutating func headline() -> String {
        var out: [UInt8] = []
        self.sentence(into: &out, words: 6 + Int(self.random() % 5))
        out.removeLast()
        return String(decoding: out, as: UTF8.self)
    }

    /// An article page of about `size` bytes: with `words` 0, text fills the page; otherwise
    /// the story has about that many words and page furniture fills the rest, as on a news
    /// site (lists of other stories, an inline script, comments).
    mutating func page(index: Int, title: String, date: String, size: Int, words: Int = 0) -> [UInt8] {
        var html: [UInt8] = []
        html.reserveCapacity(size + 4096)
        func add(_ text: String) { html.append(contentsOf: text.utf8) }
        add(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>\(title) | The Velmora Courier</title>\n"
        )
        add("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        add("<meta property=\"og:title\" content=\"\(title)\">\n<meta property=\"og:type\" content=\"article\">\n")
        add("<meta property=\"article:published_time\" content=\"\(date)\">\n")
        add("<link rel=\"canonical\" href=\"https://courier.example/news/\(index)\">\n")
        add("<link rel=\"stylesheet\" href=\"/static/site.css?v=41\">\n")
        add(
            "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",\"headline\":\"\(title)\",\"datePublished\":\"\(date)\"}</script>\n"
        )
        add(
            "</head>\n<body class=\"article-page\">\n<header class=\"site-header\"><div class=\"masthead\"><a href=\"/\">The Velmora Courier</a></div>\n<nav class=\"primary-nav\"><ul>\n"
        )
        for section in [
            "Home", "Local", "Region", "Business", "Harbour", "Culture", "Sport", "Weather", "Opinion", "Letters",
        ] {
            add(
                "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/section/\(section.lowercased())\">\(section)</a></li>\n"
            )
        }
        add(
            "</ul></nav></header>\n<main id=\"content\">\n<article class=\"story\" itemscope itemtype=\"https://schema.org/NewsArticle\">\n"
        )
        add("<h1 class=\"story-headline\" itemprop=\"headline\">\(title)</h1>\n")
        add(
            "<p class=\"byline\">By <span itemprop=\"author\">Staff Reporter \(index % 37)</span> · <time datetime=\"\(date)\">\(date)</time></p>\n<div class=\"story-body\" itemprop=\"articleBody\">\n"
        )
        let bodyTarget = size - 2600
        var paragraph = 0
        var written = 0
        while words > 0 ? written < words : html.count < bodyTarget {
            add("<p>")
            for _ in 0..<(3 + Int(self.random() % 4)) {
                let count = 8 + Int(self.random() % 14)
                written += count
                self.sentence(into: &html, words: count)
                html.append(UInt8(ascii: " "))
            }
            add("</p>\n")
            paragraph += 1
            if paragraph % 6 == 0 {
                add(
                    "<figure class=\"inline-media\"><img src=\"/media/\(index)-\(paragraph).jpg\" alt=\"\" loading=\"lazy\" width=\"800\" height=\"450\"><figcaption>"
                )
                self.sentence(into: &html, words: 9)
                add("</figcaption></figure>\n<div class=\"ad-slot\" data-slot=\"mid-\(paragraph)\"></div>\n")
            }
        }
        add("</div>\n</article>\n")
        if words > 0 { self.furniture(into: &html, index: index, until: size - 1400) }
        add("<aside class=\"related\"><h2>Related</h2><ul>\n")
        for related in 1...8 {
            add("<li><a href=\"/news/\(max(0, index - related))\">Story \(max(0, index - related))</a></li>\n")
        }
        add(
            "</ul></aside>\n</main>\n<footer class=\"site-footer\"><p>© The Velmora Courier. An invented newspaper.</p></footer>\n"
        )
        add("<script src=\"/static/site.js?v=41\" defer></script>\n</body>\n</html>\n")
        return html
    }

    /// Page furniture up to `size` bytes: an inline analytics script, "most read" and "latest"
    /// lists of other headlines, and reader comments.
    private mutating func furniture(into html: inout [UInt8], index: Int, until size: Int) {
        func add(_ text: String) { html.append(contentsOf: text.utf8) }
        add("<script>window.__courier = {\"page\":\(index),\"slots\":[")
        for slot in 0..<120 {
            add(
                "{\"id\":\"slot-\(slot)\",\"sizes\":[[300,250],[728,90]],\"targeting\":{\"section\":\"local\",\"pos\":\(slot)}},"
            )
        }
        add("{}]};</script>\n")
        var list = 0
        while html.count < size {
            add("<section class=\"rail\" id=\"rail-\(list)\"><h3>\(list % 2 == 0 ? "Most read" : "Latest")</h3><ol>\n")
            for item in 0..<10 {
                add(
                    "<li class=\"rail-item\"><a href=\"/news/\(max(0, index - list * 10 - item))\">\(self.headline())</a>"
                )
                add("<span class=\"rail-time\">\(item + 1)h ago</span></li>\n")
            }
            add("</ol></section>\n")
            if list % 3 == 2 {
                add("<div class=\"comment\"><p class=\"comment-author\">Reader \(list)</p><p>")
                self.sentence(into: &html, words: 12)
                add("</p></div>\n")
            }
            list += 1
        }
    }

    /// An RSS 2.0 feed announcing `items` (index, title, date).
    func feed(items: [(Int, String, String)]) -> [UInt8] {
        var xml =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>The Velmora Courier</title><link>https://courier.example/</link><description>Latest news</description>\n"
        for (index, title, date) in items {
            xml +=
                "<item><title>\(title)</title><link>https://courier.example/news/\(index)</link><guid>https://courier.example/news/\(index)</guid><pubDate>\(date)</pubDate></item>\n"
        }
        xml += "</channel></rss>\n"
        return Array(xml.utf8)
    }
}
