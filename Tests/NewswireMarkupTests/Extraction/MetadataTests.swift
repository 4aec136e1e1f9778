import Foundation
import NewswireCore
import NewswireMarkup
import Testing

@Suite struct MetadataTests {
    @Test func stripsTheSiteNameFromTheTitle() throws {
        let page = try ExtractionFixtures.extract(ExtractionFixtures.cluttered())
        #expect(page.title == "Ferry pier to be rebuilt after decade-long dispute")
        #expect(page.siteName == "The Lindqvist Courier")
    }

    @Test func resolvesTheCanonicalURL() throws {
        let page = try ExtractionFixtures.extract(
            ExtractionFixtures.cluttered(),
            url: "https://courier.example/news/12345?utm_source=feed"
        )
        #expect(page.canonicalURL == "https://courier.example/2024/05/14/ferry-pier-rebuilt")
    }

    @Test func readsLanguageFromTheMarkupThenFromTheText() throws {
        #expect(try ExtractionFixtures.extract(ExtractionFixtures.cluttered()).language == "en")
        let german = """
            <html><body><article><p>Der Gemeinderat hat am Dienstag beschlossen, dass die alte Brücke über den Fluss
            nicht abgerissen wird. Die Bürger hatten sich mit einer Petition für den Erhalt eingesetzt, und auch der
            Bürgermeister ist mit dem Ergebnis zufrieden, wie er sagte.</p><p>Die Arbeiten sollen im Frühjahr
            beginnen und werden von der Stadt und dem Land gemeinsam bezahlt, so die Verwaltung.</p></article></body></html>
            """
        #expect(try ExtractionFixtures.extract(german).language == "de")
    }

    @Test func readsAuthorsFromJSONLD() throws {
        let head = """
            <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
              {"@type": "WebPage", "name": "x"},
              {"@type": "NewsArticle", "headline": "Ferry pier to be rebuilt",
               "author": [{"@type": "Person", "name": "Tove Almqvist"}, {"@type": "Person", "name": "Ivar Lund"}],
               "datePublished": "2024-05-14T08:30:00+02:00", "dateModified": "2024-05-14T10:00:00+02:00",
               "articleSection": "Local", "keywords": ["harbour", "council"]}]}</script>
            """
        let page = try ExtractionFixtures.extract(ExtractionFixtures.cluttered(extraHead: head))
        #expect(page.authors == ["Tove Almqvist", "Ivar Lund"])
        #expect(page.published.map(RFC3339.string(from:)) == "2024-05-14T06:30:00Z")
        #expect(page.updated.map(RFC3339.string(from:)) == "2024-05-14T08:00:00Z")
        #expect(page.categories == ["Local", "harbour", "council"])
    }

    @Test func readsAuthorsFromMetaAndRejectsTimePhrases() throws {
        let head = """
            <meta name="author" content="By Tove Almqvist and Ivar Lund">
            """
        let page = try ExtractionFixtures.extract(ExtractionFixtures.cluttered(extraHead: head))
        #expect(page.authors == ["Tove Almqvist", "Ivar Lund"])
        let phrases = try ExtractionFixtures.extract(
            ExtractionFixtures.cluttered(extraHead: "<meta name=\"author\" content=\"5 hours ago\">")
        )
        // The time phrase is no name; the byline shown under the headline is read instead.
        #expect(phrases.authors == ["Tove Almqvist"])
    }

    @Test(arguments: [
        "<span itemprop=\"author\">By Marit Ekholm</span>",
        "<span itemprop=\"Creator\">By Marit Ekholm</span>",
        "<a rel=\"noopener AUTHOR\" href=\"/staff/ekholm\">Marit Ekholm</a>",
    ])
    func readsAuthorsFromBylineMarkup(byline: String) throws {
        let page = try ExtractionFixtures.extract(ExtractionFixtures.cluttered(byline: byline))
        #expect(page.authors == ["Marit Ekholm"])
    }

    @Test func bylineMarkupNeedsTheWholeItempropWord() throws {
        // One word, so only a whole-word itemprop="author" would make it a name.
        let byline = "<span itemprop=\"authorship\">Ekholm</span>"
        let page = try ExtractionFixtures.extract(ExtractionFixtures.cluttered(byline: byline))
        #expect(page.authors.isEmpty)
    }

    @Test(arguments: [
        ("<meta property=\"article:published_time\" content=\"2024-05-14T08:30:00Z\">", "2024-05-14T08:30:00Z"),
        ("<meta name=\"date\" content=\"Tue, 14 May 2024 10:30:00 +0200\">", "2024-05-14T08:30:00Z"),
        ("<meta itemprop=\"datePublished\" content=\"2024-05-14\">", "2024-05-14T00:00:00Z"),
    ])
    func readsPublishedDatesFromMeta(head: String, expected: String) throws {
        let page = try ExtractionFixtures.extract(ExtractionFixtures.cluttered(extraHead: head))
        #expect(page.published.map(RFC3339.string(from:)) == expected)
    }

    @Test func readsTimeElementsThenTheURL() throws {
        let timed = ExtractionFixtures.cluttered(byline: "<time datetime=\"2024-05-13T21:15:00-04:00\">May 13</time>")
        let page = try ExtractionFixtures.extract(timed)
        #expect(page.published.map(RFC3339.string(from:)) == "2024-05-14T01:15:00Z")
        let bare = try ExtractionFixtures.extract(
            ExtractionFixtures.cluttered(),
            url: "https://courier.example/2024/05/14/ferry-pier-rebuilt"
        )
        #expect(bare.published.map(RFC3339.string(from:)) == "2024-05-14T00:00:00Z")
    }

    @Test func rejectsFutureDates() throws {
        let future = RFC3339.string(from: Date().addingTimeInterval(10 * 24 * 3600))
        let head = """
            <meta property="article:published_time" content="\(future)">
            <meta property="article:modified_time" content="\(future)">
            """
        let page = try ExtractionFixtures.extract(
            ExtractionFixtures.cluttered(extraHead: head),
            url: "https://courier.example/news/ferry-pier-rebuilt"
        )
        // The future dates are dropped; the canonical URL's date is the last resort.
        #expect(page.published.map(RFC3339.string(from:)) == "2024-05-14T00:00:00Z")
        #expect(page.updated == nil)
    }

    @Test func readsDescriptionAndImage() throws {
        let head = """
            <meta property="og:description" content="The council ends a long dispute.">
            <meta property="og:image" content="/images/pier.jpg">
            """
        let page = try ExtractionFixtures.extract(ExtractionFixtures.cluttered(extraHead: head))
        #expect(page.description == "The council ends a long dispute.")
        #expect(page.image == "https://courier.example/images/pier.jpg")
    }
}

@Suite struct BylineCleaningTests {
    @Test func dropsJobTitlesAndPhrasesFromBylines() throws {
        let head = """
            <meta name="author" content="Tove Almqvist, Courier Staff Writer, and 3 minutes read">
            """
        let page = try ExtractionFixtures.extract(ExtractionFixtures.cluttered(extraHead: head))
        #expect(page.authors == ["Tove Almqvist"])
    }

    @Test func usesArticleBodyWhenTheMarkupHidesTheStory() throws {
        let story = ExtractionFixtures.storyParagraphs.joined(separator: "\\n")
        let html = """
            <html><head><title>Pier</title><script type="application/ld+json">
            {"@type": "NewsArticle", "headline": "Pier", "articleBody": "\(story)"}</script></head>
            <body><div id="app"><p>Loading the story, please wait a moment.</p></div></body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        #expect(page.text.contains(ExtractionFixtures.storyParagraphs[2]))
        #expect(
            page.text.contains(ExtractionFixtures.storyParagraphs[0] + "\n\n" + ExtractionFixtures.storyParagraphs[1])
        )
    }

    @Test func readsJSONLDWrappedInCommentsAndUnicodeSpaces() throws {
        // No-break and ideographic spaces around the block and its fields are trimmed like ASCII ones.
        let head = """
            <script type="application/ld+json">\u{A0}\u{3000}
            <!--{"@type": "NewsArticle", "headline": "Pier",
               "author": {"@type": "Person", "name": "\u{A0}Tove Almqvist\u{2003}"},
               "keywords": " harbour ,\u{A0}council\u{A0}, "}-->\u{3000}
            </script>
            """
        let page = try ExtractionFixtures.extract(ExtractionFixtures.cluttered(extraHead: head))
        #expect(page.authors == ["Tove Almqvist"])
        #expect(page.categories == ["harbour", "council"])
    }
}
