import Foundation
import NewswireCore
import NewswireMarkup
import Testing

/// How the declared publication date is cross-checked with the dates a page shows. Every
/// page here is invented for the test.
@Suite struct DateEvidenceTests {
    private static let url = "https://lakeside.example/notes/boathouse-repairs"

    private static func page(head: String = "", top: String = "", after: String = "") -> String {
        let paragraphs = ExtractionFixtures.storyParagraphs.map { "<p>\($0)</p>" }.joined(separator: "\n")
        return """
            <html lang="en"><head><title>Boathouse repairs begin | Lakeside Notes</title>\(head)</head><body>
            <nav class="menu"><a href="/">Home</a> <a href="/notes">Notes</a></nav>
            <article><h1>Boathouse repairs begin</h1>\(top)
            <div class="entry-content">\(paragraphs)</div>\(after)</article>
            <footer><p>Lakeside Notes, Pier Road 2</p></footer></body></html>
            """
    }

    private static func jsonLD(published: String, modified: String) -> String {
        """
        <script type="application/ld+json">{"@type": "BlogPosting", "headline": "Boathouse repairs begin",
        "datePublished": "\(published)", "dateModified": "\(modified)"}</script>
        """
    }

    private static func published(_ html: String) throws -> String? {
        try ExtractionFixtures.extract(html, url: Self.url).published.map(RFC3339.string(from:))
    }

    @Test func theShownCalendarDayWinsOverTheNextDayInUTC() throws {
        // 21:30 at UTC-5 is 02:30 UTC the next day; the page shows the local day.
        let evening = Self.page(
            head: "<meta property=\"article:published_time\" content=\"2025-06-25T21:30:00-05:00\">",
            top: "<p class=\"meta\">June 25, 2025</p>"
        )
        #expect(try Self.published(evening)?.prefix(10) == "2025-06-25")
        // When the UTC instant falls on the shown day, the exact instant is kept.
        let morning = Self.page(
            head: "<meta property=\"article:published_time\" content=\"2025-06-25T09:30:00-05:00\">",
            top: "<p class=\"meta\">June 25, 2025</p>"
        )
        #expect(try Self.published(morning) == "2025-06-25T14:30:00Z")
    }

    @Test func aDateShownByTheHeadlineWinsOverARestampedDeclaredDate() throws {
        // The template stamps both declared dates with its last rebuild; the story shows its own day.
        let html = Self.page(
            head: Self.jsonLD(published: "2025-06-24", modified: "2025-06-24"),
            top: "<div class=\"meta\"><span>Mira Castellane</span> <span>August 25, 2024</span></div>"
        )
        #expect(try Self.published(html)?.prefix(10) == "2024-08-25")
    }

    @Test func theShownDayOfTheLastModificationIsNotThePublication() throws {
        let top = "<div class=\"meta\"><span>Mira Castellane</span> <span>November 18, 2025</span></div>"
        let html = Self.page(
            head: "<meta property=\"article:published_time\" content=\"2020-02-01T09:00:00Z\">"
                + Self.jsonLD(published: "2020-02-01T09:00:00Z", modified: "2025-11-18T10:00:00Z"),
            top: top
        )
        #expect(try Self.published(html)?.prefix(10) == "2020-02-01")
        // Declared only in JSON-LD, the publication is a date no reader sees: the shown day stands.
        let unseen = Self.page(
            head: Self.jsonLD(published: "2020-02-01T09:00:00Z", modified: "2025-11-18T10:00:00Z"),
            top: top
        )
        #expect(try Self.published(unseen)?.prefix(10) == "2025-11-18")
    }

    @Test func aShownUpdateWinsOverAPublicationDeclaredOnlyOutOfSight() throws {
        let top = "<p class=\"byline-date\">Last updated on <span>November 18, 2025</span></p>"
        // JSON-LD alone declares the publication; the page shows only the update.
        let scripted = Self.page(
            head: Self.jsonLD(published: "2020-02-01T09:00:00Z", modified: "2025-11-18T10:00:00Z"),
            top: top
        )
        #expect(try Self.published(scripted)?.prefix(10) == "2025-11-18")
        // Microdata on a `<meta>` is as unseen as JSON-LD.
        let microdata = Self.page(top: "<meta itemprop=\"datePublished\" content=\"2020-02-01\">" + top)
        #expect(try Self.published(microdata)?.prefix(10) == "2025-11-18")
        // A named meta tag declares the publication openly: the original publication stands.
        let named = Self.page(
            head: "<meta property=\"article:published_time\" content=\"2020-02-01T09:00:00Z\">"
                + Self.jsonLD(published: "2020-02-01T09:00:00Z", modified: "2025-11-18T10:00:00Z"),
            top: top
        )
        #expect(try Self.published(named)?.prefix(10) == "2020-02-01")
        // An update far below the headline (a teaser's) does not count.
        let filler = (1...70).map { "<p class=\"aside\">Dock note \($0)</p>" }.joined()
        let far = Self.page(
            head: Self.jsonLD(published: "2020-02-01T09:00:00Z", modified: "2020-02-01T09:00:00Z"),
            after: "<div class=\"more\">\(filler)\(top)</div>"
        )
        #expect(try Self.published(far)?.prefix(10) == "2020-02-01")
    }

    @Test func aPublishedTimeElementBelowTheStoryWinsOverADisagreeingDeclaredDate() throws {
        // The template shows its dates under the story, far from the headline.
        let filler = (1...70).map { "<p class=\"aside\">Dock note \($0)</p>" }.joined()
        let html = Self.page(
            head: Self.jsonLD(published: "2025-11-29T12:00:00Z", modified: "2025-11-29T12:00:00Z"),
            after: """
                <div class="more">\(filler)</div>
                <p class="post-published">Published <time datetime="2025-08-13">August 13, 2025</time></p>
                """
        )
        #expect(try Self.published(html)?.prefix(10) == "2025-08-13")
        // Without the label, a date that far down may be anything's.
        let unlabelled = Self.page(
            head: Self.jsonLD(published: "2025-11-29T12:00:00Z", modified: "2025-11-29T12:00:00Z"),
            after: """
                <div class="more">\(filler)</div>
                <p class="note"><time datetime="2025-08-13">August 13, 2025</time></p>
                """
        )
        #expect(try Self.published(unlabelled)?.prefix(10) == "2025-11-29")
    }

    @Test func aDeclaredDateConfirmedByAnotherShownDateStands() throws {
        // The first shown date is the club letter's, the second the story's own.
        let html = Self.page(
            head: Self.jsonLD(published: "2019-06-25", modified: "2019-06-25"),
            top: """
                <p class="event">First published in the club letter on <time datetime="2019-04-04">April 4, 2019</time></p>
                <p class="meta">June 25, 2019</p>
                """
        )
        #expect(try Self.published(html)?.prefix(10) == "2019-06-25")
    }

    @Test func anUpdateLineByTheHeadlineBeatsATeaserDateFarBelow() throws {
        let teasers = (1...40).map { "<li><span>Dock note \($0)</span></li>" }.joined()
        let html = Self.page(
            top: "<p class=\"note\">Last Modified: August 8, 2023</p>",
            after: "<ul class=\"more\">\(teasers)</ul><div class=\"card\"><p>March 5, 2024</p><h3>Oar club</h3></div>"
        )
        #expect(try Self.published(html)?.prefix(10) == "2023-08-08")
    }

    @Test func readsOtherNamesOfThePublishedMetaField() throws {
        let named = Self.page(head: "<meta name=\"w-published-date\" content=\"2025-05-27T06:03:43Z\">")
        #expect(try Self.published(named) == "2025-05-27T06:03:43Z")
        // A "time" field that holds the rendering time gives way to the "date" one.
        let both = Self.page(
            head: """
                <meta name="published-time" content="2026-03-09T08:45:32Z">
                <meta name="published-date" content="2021-02-16">
                """
        )
        #expect(try Self.published(both)?.prefix(10) == "2021-02-16")
        // A modification field is not a publication.
        let modified = Self.page(head: "<meta name=\"published-modified-date\" content=\"2025-05-27\">")
        #expect(try Self.published(modified) == nil)
    }

    @Test func readsTheDateOfAPageHiddenWholeUntilItsScriptsRun() throws {
        let paragraphs = ExtractionFixtures.storyParagraphs.map { "<p>\($0)</p>" }.joined(separator: "\n")
        let html = """
            <html><head><title>Boathouse repairs begin</title></head><body><div class="root hide">
            <header><span class="post-date">December 17, 2025</span><h1>Boathouse repairs begin</h1></header>
            <div class="entry-content">\(paragraphs)</div></div></body></html>
            """
        #expect(try Self.published(html)?.prefix(10) == "2025-12-17")
    }

    @Test func anUpdateThePageAlsoDeclaresAsItsModificationIsNoPublication() throws {
        let declared = """
            <script type="application/ld+json">{"@type": "BlogPosting", "headline": "Boathouse repairs begin",
            "dateModified": "2026-01-12T09:00:00Z"}</script>
            """
        let top = "<p class=\"note\">Last updated: January 12, 2026</p>"
        #expect(try Self.published(Self.page(head: declared, top: top)) == nil)
        // Without the declared modification the shown update is all there is.
        #expect(try Self.published(Self.page(top: top))?.prefix(10) == "2026-01-12")
    }

    @Test func aDateInTheAddressWithAMonthNameBeatsATeaserDateFarBelow() throws {
        let teasers = (1...40).map { "<li><span>Dock note \($0)</span></li>" }.joined()
        let html = Self.page(
            after: "<ul class=\"more\">\(teasers)</ul><div class=\"card\"><p>March 5, 2024</p><h3>Oar club</h3></div>"
        )
        let dated = "https://lakeside.example/notes/2023/october/03/boathouse-repairs"
        let page = try ExtractionFixtures.extract(html, url: dated)
        #expect(page.published.map { String(RFC3339.string(from: $0).prefix(10)) } == "2023-10-03")
        #expect(try Self.published(html)?.prefix(10) == "2024-03-05")
    }

    @Test func aPublishedLineFarBelowTheHeadlineIsRead() throws {
        let hero = (1...180).map { "<div><span>Slide \($0)</span></div>" }.joined()
        let labelled = Self.page(after: "\(hero)<p><span>Published On: 15 August 2025</span></p>")
        #expect(try Self.published(labelled)?.prefix(10) == "2025-08-15")
        // An unlabelled date that far down is not the story's.
        let plain = Self.page(after: "\(hero)<p><span>15 August 2025</span></p>")
        #expect(try Self.published(plain) == nil)
    }
}
