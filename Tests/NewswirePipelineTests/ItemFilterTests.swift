import Foundation
import NewswireMarkup
import Testing

@testable import NewswirePipeline

@Suite struct ItemFilterTests {
    @Test func wordsMatchWholeWordsInAnyCase() throws {
        let harbour = try ItemFilter.Pattern("Harbour")
        #expect(harbour.matches("New HARBOUR cranes"))
        #expect(harbour.matches("harbour"))
        #expect(harbour.matches("(harbour)"))
        #expect(!harbour.matches("harbours reopen"))
        #expect(!harbour.matches("Greenharbour council"))
        let phrase = try ItemFilter.Pattern("paid post")
        #expect(phrase.matches("A PAID POST from a sponsor"))
        #expect(!phrase.matches("unpaid posts"))
        #expect(try ItemFilter.Pattern("Köln").matches("News from köln today"))
        #expect(!(try ItemFilter.Pattern("öln").matches("News from köln today")))
    }

    @Test func slashesMakeARegularExpression() throws {
        let watch = try ItemFilter.Pattern("/^Watch:/")
        #expect(watch.matches("watch: the launch"))
        #expect(!watch.matches("Before you watch: the launch"))
        #expect(throws: ItemFilterError.self) { try ItemFilter.Pattern("/([/") }
        #expect(throws: ItemFilterError.self) { try ItemFilter.Pattern("  ") }
    }

    /// Plain-text expressions are matched on bytes: they must agree with the expression.
    @Test(arguments: [
        "/^Watch:/", "/html$/", "/\\/ads\\//", "/story/", "/^$/", "/^Exact title$/", "/UTM_Campaign/",
    ])
    func plainExpressionsMatchAsRegularExpressionsDo(_ source: String) throws {
        let pattern = try ItemFilter.Pattern(source)
        let expression = try NSRegularExpression(
            pattern: String(source.dropFirst().dropLast()),
            options: [.caseInsensitive]
        )
        let subjects = [
            "", "Watch: the launch", "before watch: it", "https://paper.test/ads/1.html", "page.HTML",
            "page.html\n", "a story here", "exact TITLE", "Exact title\n", "x?utm_campaign=1", "ads/", "/ads/",
        ]
        for subject in subjects {
            let expected = expression.firstMatch(in: subject, range: NSRange(subject.startIndex..., in: subject)) != nil
            #expect(pattern.matches(subject) == expected, "\(source) on '\(subject)'")
        }
    }

    /// Titles without markup or white space to collapse are taken as they are; the rest go
    /// through HTMLText: both must give what HTMLText gives.
    @Test(arguments: [
        "Harbour cranes return", "", " leading", "trailing ", "two  spaces", "tab\there", "line\nbreak",
        "Fish &amp; chips", "<b>Bold</b> claim", "no\u{00A0}break", "à la carte", "naïve café", "x > y", "crlf\r\n",
        "   ", "Ünïcödé title",
    ])
    func plainTitlesAgreeWithHTMLText(_ title: String) {
        #expect(ItemProcessor.plainTitle(title) == HTMLText.plainText(fromFragment: title))
    }

    @Test func keepNeedsEveryFieldAndDropAnyPattern() throws {
        var filter = ItemFilter()
        filter.keep[.title] = [try .init("harbour"), try .init("port")]
        filter.keep[.categories] = [try .init("Local")]
        filter.drop[.url] = [try .init("sponsored")]
        #expect(filter.rejection(.init(title: "Port fees rise", categories: ["local"])) == nil)
        #expect(
            filter.rejection(.init(title: "Port fees rise", categories: ["World"])) == "categories matches no keep rule"
        )
        #expect(filter.rejection(.init(title: "Tram news")) == "title matches no keep rule")
        #expect(
            filter.rejection(.init(title: "Harbour", url: "https://paper.test/sponsored/1"))
                == "url matches drop rule sponsored"
        )
        // Fields not known yet are not judged.
        #expect(filter.rejection(.init(url: "https://paper.test/news/1")) == nil)
    }
}

@Suite struct SiteDiscoveryTests {
    @Test func readsSitemapLinesOfRobotsTxt() {
        let robots = """
            User-agent: *
            Disallow: /private
            SITEMAP: https://paper.test/sitemap_index.xml
            sitemap:https://paper.test/news.xml
            Sitemap: /relative.xml
            Sitemap: https://paper.test/news.xml
            """
        #expect(
            SiteDiscovery.sitemapLines(Array(robots.utf8)) == [
                "https://paper.test/sitemap_index.xml", "https://paper.test/news.xml",
            ]
        )
    }
}
