// Feed parsing benchmark: generates a realistic corpus in memory (RSS 2.0 and Atom 1.0 feeds
// with HTML content) and reports MB/s and items/s of FeedParser on one core, next to
// libxml2's bare xmlTextReader walking the same bytes in the same run.
//
// Usage: newswire-bench-feeds [--feeds N] [--items N] [--rounds N]

import Foundation
import NewswireCore
import NewswireMarkup

struct Options {
    var feeds = 1000
    var items = 50
    var rounds = 3

    init(_ arguments: [String]) {
        var index = 1
        while index + 1 < arguments.count {
            let value = Int(arguments[index + 1]) ?? 0
            switch arguments[index] {
            case "--feeds": self.feeds = max(1, value)
            case "--items": self.items = max(1, value)
            case "--rounds": self.rounds = max(1, value)
            default: break
            }
            index += 2
        }
    }
}

extension SeededGenerator {
    mutating func pick<T>(_ values: [T]) -> T { values[self.below(values.count)] }
}

let words = [
    "council", "harbour", "minister", "river", "festival", "budget", "station", "report", "market", "school",
    "weather", "election", "bridge", "museum", "players", "season", "research", "hospital", "village", "energy",
    "announced", "reported", "agreed", "opened", "warned", "expected", "planned", "delayed", "approved", "said",
    "the", "a", "of", "and", "in", "to", "for", "on", "with", "after", "before", "during", "new", "local", "first",
]
let places = ["Oakridge", "Port Elswick", "Marrowby", "Lindenfeld", "Caraway Bay", "Northam Vale"]
let people = ["Ada Quill", "Tomas Reyne", "Mirela Stoan", "Jon Farrow", "Ines Baldo", "Kofi Mensel"]
let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

func sentence(_ random: inout SeededGenerator, _ count: Int) -> String {
    var parts: [String] = []
    for _ in 0..<count { parts.append(random.pick(words)) }
    if random.next() % 3 == 0 { parts.insert(random.pick(places), at: Int(random.next() % UInt64(parts.count))) }
    return parts.joined(separator: " ")
}

/// About 2 KB of article HTML: paragraphs, a link, emphasis, an image.
func articleHTML(_ random: inout SeededGenerator, _ feed: Int, _ item: Int) -> String {
    var html = ""
    while html.utf8.count < 1900 {
        html += "<p>\(sentence(&random, 14)) <a href=\"https://news\(feed).example.com/tag/\(random.pick(words))\">"
        html += "\(random.pick(places))</a> \(sentence(&random, 10)), <em>\(random.pick(people))</em> said.</p>\n"
        if random.next() % 4 == 0 {
            html += "<p><img src=\"https://cdn.example.com/\(feed)/\(item).jpg\" alt=\"\(random.pick(words))\"></p>\n"
        }
    }
    return html
}

func escaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count + text.utf8.count / 8)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(character)
        }
    }
    return out
}

func rssFeed(_ random: inout SeededGenerator, _ feed: Int, items: Int) -> String {
    var xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" \
        xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
        <channel>
        <title>\(random.pick(places)) Gazette \(feed)</title>
        <link>https://news\(feed).example.com/</link>
        <atom:link href="https://news\(feed).example.com/rss.xml" rel="self" type="application/rss+xml"/>
        <description>Local news from \(random.pick(places))</description>
        <language>en-gb</language>

        """
    for item in 0..<items {
        let day = 1 + Int(random.next() % 28)
        xml += """
            <item>
            <title>\(escaped(sentence(&random, 8)))</title>
            <link>https://news\(feed).example.com/\(2024)/\(item)/story.html</link>
            <guid isPermaLink="false">news\(feed)-\(item)</guid>
            <pubDate>\(random.pick(days)), \(day) \(random.pick(months)) 2024 \(10 + item % 10):\(10 + item % 50):00 +0100</pubDate>
            <dc:creator>\(random.pick(people))</dc:creator>
            <category>\(random.pick(words))</category>
            <description>\(escaped(sentence(&random, 30)))</description>

            """
        let html = articleHTML(&random, feed, item)
        if item % 2 == 0 {
            xml += "<content:encoded><![CDATA[\(html)]]></content:encoded>\n</item>\n"
        } else {
            xml += "<content:encoded>\(escaped(html))</content:encoded>\n</item>\n"
        }
    }
    xml += "</channel>\n</rss>\n"
    return xml
}

func atomFeed(_ random: inout SeededGenerator, _ feed: Int, items: Int) -> String {
    var xml = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
        <title>\(random.pick(places)) Courier \(feed)</title>
        <link rel="alternate" type="text/html" href="https://courier\(feed).example.org/"/>
        <link rel="self" href="https://courier\(feed).example.org/atom.xml"/>
        <id>tag:courier\(feed).example.org,2024:feed</id>
        <updated>2024-05-01T12:00:00Z</updated>

        """
    for item in 0..<items {
        xml += """
            <entry>
            <title type="html">\(escaped(sentence(&random, 8)))</title>
            <link rel="alternate" type="text/html" href="https://courier\(feed).example.org/a/\(item)"/>
            <id>tag:courier\(feed).example.org,2024:\(item)</id>
            <published>2024-04-\(10 + item % 19)T0\(item % 10):15:00+02:00</published>
            <updated>2024-04-\(10 + item % 19)T0\(item % 10):45:30Z</updated>
            <author><name>\(random.pick(people))</name><email>desk@courier\(feed).example.org</email></author>
            <category term="\(random.pick(words))"/>
            <summary type="text">\(escaped(sentence(&random, 30)))</summary>
            <content type="html">\(escaped(articleHTML(&random, feed, item)))</content>
            </entry>

            """
    }
    xml += "</feed>\n"
    return xml
}

let options = Options(CommandLine.arguments)
LibXML2.initialize()
var random = SeededGenerator(seed: 20_240_501)
var corpus: [[UInt8]] = []
corpus.reserveCapacity(options.feeds)
for feed in 0..<options.feeds {
    let xml =
        feed % 2 == 0 ? rssFeed(&random, feed, items: options.items) : atomFeed(&random, feed, items: options.items)
    corpus.append(Array(xml.utf8))
}
let totalBytes = corpus.reduce(0) { $0 + $1.count }
let megabytes = Double(totalBytes) / 1_000_000
print(
    "corpus: \(options.feeds) feeds (RSS 2.0 + Atom 1.0), \(options.items) items each, "
        + String(format: "%.1f MB", megabytes)
)

func measure(_ body: () -> Int) -> (seconds: Double, result: Int) {
    let start = DispatchTime.now().uptimeNanoseconds
    let result = body()
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, result)
}

let parser = FeedParser()
var bestParser = Double.infinity
var bestReader = Double.infinity
var items = 0
for round in 1...options.rounds {
    let reader = measure { corpus.reduce(0) { $0 + FeedBenchmarkSupport.walkWithBareReader($1) } }
    let parsed = measure {
        corpus.reduce(0) { count, bytes in
            count
                + parser.parseFeed(FetchedDocument(requestedURL: "https://example.com/feed", body: bytes)).entries.count
        }
    }
    items = parsed.result
    bestReader = min(bestReader, reader.seconds)
    bestParser = min(bestParser, parsed.seconds)
    print(
        String(
            format: "round %d: FeedParser %.3f s, bare xmlTextReader %.3f s",
            round,
            parsed.seconds,
            reader.seconds
        )
    )
}
// Where the time goes: each stage of FeedParser alone on the same bytes.
var stageSeconds: [Double] = []
for stage in 0...2 {
    stageSeconds.append(measure { corpus.reduce(0) { $0 + FeedBenchmarkSupport.runStage(stage, $1) } }.seconds)
}
print(
    String(
        format:
            "stages: reader + fields %.3f s; run only on non-UTF-8 or malformed input: charset decoding %.3f s, repair %.3f s",
        stageSeconds[2],
        stageSeconds[0],
        stageSeconds[1]
    )
)
let expected = options.feeds * options.items
if items != expected { print("warning: parsed \(items) items, expected \(expected)") }
print(
    String(
        format: "FeedParser:         %7.1f MB/s  %9.0f items/s  (best of %d, one core)",
        megabytes / bestParser,
        Double(items) / bestParser,
        options.rounds
    )
)
print(String(format: "libxml2 bare reader: %7.1f MB/s  (same bytes, same run)", megabytes / bestReader))
print(String(format: "ratio (parser time / bare reader time): %.2fx", bestParser / bestReader))
