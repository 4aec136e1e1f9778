import Foundation
import NewswireCore
import NewswireMarkup
import Testing

/// The kinds of failure seen on current templates of sites nobody tuned for: dates shown
/// only as text, mis-nested parse trees and pages that are not articles. Every page here
/// is invented for the test.
@Suite struct WebKindsTests {
    private static let plainURL = "https://harbour.example/stories/ferry-pier"

    private static func story(head: String = "", top: String = "", after: String = "") -> String {
        let paragraphs = ExtractionFixtures.storyParagraphs.map { "<p>\($0)</p>" }.joined(separator: "\n")
        return """
            <html lang="en"><head><title>Ferry pier to be rebuilt | Harbour Weekly</title>\(head)</head><body>
            <nav class="menu"><a href="/">Home</a> <a href="/news">News</a></nav>
            <article><h1>Ferry pier to be rebuilt</h1>\(top)
            <div class="entry-content">\(paragraphs)</div>\(after)</article>
            <footer><p>Harbour Weekly, Quay Street 4</p></footer></body></html>
            """
    }

    private static func day(_ page: ExtractedPage) -> String? {
        page.published.map { String(RFC3339.string(from: $0).prefix(10)) }
    }

    // MARK: Dates

    @Test func readsAHumanDateFromItempropOnAnyElement() throws {
        let html = Self.story(top: "<p class=\"meta\"><span itemprop=\"datePublished\">October 17, 2018</span></p>")
        #expect(Self.day(try ExtractionFixtures.extract(html, url: Self.plainURL)) == "2018-10-17")
    }

    @Test func readsTheDateShownUnderTheHeadline() throws {
        let html = Self.story(
            top: "<div class=\"post-info\"><span>By Tove Almqvist</span> · <span>17 March 2021</span></div>"
        )
        #expect(Self.day(try ExtractionFixtures.extract(html, url: Self.plainURL)) == "2021-03-17")
    }

    @Test func prefersTheOriginalPublicationToTheUpdate() throws {
        let shown = Self.story(
            top:
                "<div class=\"dates\"><span>Updated: November 18, 2025</span> <span>Published: March 3, 2021</span></div>"
        )
        #expect(Self.day(try ExtractionFixtures.extract(shown, url: Self.plainURL)) == "2021-03-03")
        // A shown "Updated" line does not override the declared publication date.
        let declared = Self.story(
            head: "<meta property=\"article:published_time\" content=\"2020-02-01T09:00:00Z\">",
            top: "<p class=\"byline-date\">Last updated on <span>November 18, 2025</span></p>"
        )
        #expect(Self.day(try ExtractionFixtures.extract(declared, url: Self.plainURL)) == "2020-02-01")
    }

    @Test func aShownTimeElementWinsOverADisagreeingDeclaredDate() throws {
        let html = Self.story(
            head:
                "<script type=\"application/ld+json\">{\"@type\": \"BlogPosting\", \"datePublished\": \"2019-01-05\"}</script>",
            top: "<div class=\"meta\"><time datetime=\"2024-06-02T08:00:00Z\">June 2, 2024</time></div>"
        )
        #expect(Self.day(try ExtractionFixtures.extract(html, url: Self.plainURL)) == "2024-06-02")
    }

    @Test func aTimeElementNamingOnlyAMonthGivesNoDay() throws {
        let html = Self.story(
            head:
                "<script type=\"application/ld+json\">{\"@type\": \"Article\", \"datePublished\": \"2019-01-05\"}</script>",
            top: "<div class=\"note\"><time datetime=\"2024-06\">June 2024</time></div>"
        )
        #expect(Self.day(try ExtractionFixtures.extract(html, url: Self.plainURL)) == "2019-01-05")
        let alone = Self.story(top: "<div class=\"note\"><time datetime=\"2024-06\">June 2024</time></div>")
        #expect(Self.day(try ExtractionFixtures.extract(alone, url: Self.plainURL)) == nil)
    }

    @Test func readsCitationDatesAndLeavesAmbiguousDatesOut() throws {
        let citation = Self.story(head: "<meta name=\"citation_publication_date\" content=\"2023 Jan 7\">")
        #expect(Self.day(try ExtractionFixtures.extract(citation, url: Self.plainURL)) == "2023-01-07")
        // 03/04/2021 is March 4 in one convention and April 3 in the other: no date rather than a wrong one.
        let ambiguous = Self.story(top: "<div class=\"date\">03/04/2021</div>")
        #expect(Self.day(try ExtractionFixtures.extract(ambiguous, url: Self.plainURL)) == nil)
        let unambiguous = Self.story(top: "<div class=\"date\">23/04/2021</div>")
        #expect(Self.day(try ExtractionFixtures.extract(unambiguous, url: Self.plainURL)) == "2021-04-23")
    }

    @Test func ignoresDatesInComments() throws {
        let html = Self.story(
            after: """
                <section class="comments"><div class="comment"><p>Ivar Lund</p><p>May 2, 2022</p>
                <p>Great news for the island.</p></div></section>
                """
        )
        #expect(Self.day(try ExtractionFixtures.extract(html, url: Self.plainURL)) == nil)
    }

    // MARK: Authors and titles

    @Test func readsTheShownBylineWithItsCoAuthors() throws {
        let html = Self.story(
            top: "<p class=\"byline\">By Tove Almqvist (with Ivar Lund and Orla Brennick)</p>",
            after: """
                <section class="comments"><div class="comment"><span itemprop="author">Karl Viken</span>
                <p>Great news for the island.</p></div></section>
                """
        )
        let page = try ExtractionFixtures.extract(html, url: Self.plainURL)
        #expect(page.authors == ["Tove Almqvist", "Ivar Lund", "Orla Brennick"])
    }

    @Test func readsABylineAfterTheDateOrALabel() throws {
        let afterDate = Self.story(
            top: "<p class=\"meta\"><time datetime=\"2024-06-02\">June 2, 2024</time> by Tove Almqvist</p>"
        )
        #expect(try ExtractionFixtures.extract(afterDate, url: Self.plainURL).authors == ["Tove Almqvist"])
        let labelled = Self.story(top: "<div><h2>Article by</h2><div>Ivar Lund</div></div>")
        #expect(try ExtractionFixtures.extract(labelled, url: Self.plainURL).authors == ["Ivar Lund"])
        // "by" continuing a sentence of the story is no byline.
        let sentence = Self.story(
            top: "<p>The ferry to <a href=\"/quay\">North Quay</a> by Harbour Lines runs twice a day in summer, "
                + "and the council wants a third crossing for the busy weeks of July and August.</p>"
        )
        #expect(try ExtractionFixtures.extract(sentence, url: Self.plainURL).authors.isEmpty)
    }

    @Test func commentersAreNotAuthors() throws {
        let html = Self.story(
            after: """
                <ol class="comment-list"><li class="comment"><div class="comment-author vcard">
                <span itemprop="author">Karl Viken</span> says:</div><p>Great news for the island.</p></li></ol>
                """
        )
        #expect(try ExtractionFixtures.extract(html, url: Self.plainURL).authors.isEmpty)
    }

    @Test func handlesStaffAndCredentialsAreNotNames() throws {
        let handle = Self.story(head: "<meta name=\"author\" content=\"@harbourfan\">")
        #expect(try ExtractionFixtures.extract(handle, url: Self.plainURL).authors.isEmpty)
        let staff = Self.story(head: "<meta name=\"author\" content=\"Staff\">")
        #expect(try ExtractionFixtures.extract(staff, url: Self.plainURL).authors.isEmpty)
        let credentials = Self.story(head: "<meta name=\"author\" content=\"Tove Almqvist RN, MD\">")
        #expect(try ExtractionFixtures.extract(credentials, url: Self.plainURL).authors == ["Tove Almqvist"])
    }

    @Test func theHeadlineShownWinsOverTheSearchTitle() throws {
        let html = Self.story(head: "<meta property=\"og:title\" content=\"Pier news: council vote explained\">")
        #expect(try ExtractionFixtures.extract(html, url: Self.plainURL).title == "Ferry pier to be rebuilt")
        // A short section label in the h1 sharing nothing with the declared title is not the headline.
        let label = html.replacingOccurrences(of: "<h1>Ferry pier to be rebuilt</h1>", with: "<h1>Local news</h1>")
        #expect(try ExtractionFixtures.extract(label, url: Self.plainURL).title == "Pier news: council vote explained")
    }

    // MARK: Body edges

    @Test func keepsTheDatelineAndDropsThePrintFooter() throws {
        let first = ExtractionFixtures.storyParagraphs[0]
        let html = Self.story(after: "<p>Order Reprints | Today's Paper | Subscribe</p>")
            .replacingOccurrences(
                of: "<p>\(first)</p>",
                with: "<p><span class=\"dateline\">LINDQVIST BAY —</span> \(first)</p>"
            )
        let page = try ExtractionFixtures.extract(html, url: Self.plainURL)
        #expect(page.text.hasPrefix("LINDQVIST BAY — The harbour council"))
        #expect(!page.text.contains("Order Reprints"))
    }

    // MARK: Mis-nested trees

    @Test func keepsTheStoryWhenMainIsInsideAnUnclosedButton() throws {
        let paragraphs = ExtractionFixtures.storyParagraphs.map { "<p>\($0)</p>" }.joined(separator: "\n")
        let html = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body>
            <header class="site-header"><div class="menu-top"><button class="menu-button" aria-label="Menu">
            <span class="icon"></span>
            <main id="main"><article><h1>Ferry pier to be rebuilt</h1>\(paragraphs)</article></main>
            <footer><p>Harbour Weekly</p></footer></body></html>
            """
        let page = try ExtractionFixtures.extract(html, url: Self.plainURL)
        #expect(page.pageStatus == .article)
        #expect(page.text.contains("Mayor Orla Brennick said the new pier"))
        #expect(page.text.contains("small levy on summer visitors"))
    }

    @Test func keepsTheStoryWhenMainIsInsideTheNavigation() throws {
        let paragraphs = ExtractionFixtures.storyParagraphs.map { "<p>\($0)</p>" }.joined(separator: "\n")
        let html = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body>
            <header class="site-header"><nav class="navbar"><div class="collapse" id="primary">
            <ul><li><a href="/">Home</a></li></ul>
            <main class="main"><div class="content"><h1>Ferry pier to be rebuilt</h1>\(paragraphs)</div></main>
            </div></nav></header></body></html>
            """
        let page = try ExtractionFixtures.extract(html, url: Self.plainURL)
        #expect(page.pageStatus == .article)
        #expect(page.text.contains("Fishermen, who had opposed earlier plans"))
    }

    // MARK: Page status

    @Test func callsAProductPageNotAnArticle() throws {
        let html = Self.story(
            head: """
                <script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product",
                "name": "Pier lantern", "offers": {"@type": "Offer", "price": "49.00"}}</script>
                """
        )
        #expect(try ExtractionFixtures.extract(html, url: Self.plainURL).pageStatus == .notArticle)
        let openGraph = Self.story(head: "<meta property=\"og:type\" content=\"product\">")
        #expect(try ExtractionFixtures.extract(openGraph, url: Self.plainURL).pageStatus == .notArticle)
    }

    @Test func callsAForumThreadNotAnArticle() throws {
        let html = Self.story(
            head: """
                <script type="application/ld+json">{"@type": ["DiscussionForumPosting"], "headline": "Pier noise",
                "author": {"@type": "Person", "name": "harbourfan"}}</script>
                """
        )
        #expect(try ExtractionFixtures.extract(html, url: Self.plainURL).pageStatus == .notArticle)
    }

    @Test func anArticleReviewingAProductStaysAnArticle() throws {
        let html = Self.story(
            head: """
                <script type="application/ld+json">[{"@type": "NewsArticle", "headline": "Ferry pier to be rebuilt"},
                {"@type": "Product", "name": "Pier lantern"}]</script>
                """
        )
        #expect(try ExtractionFixtures.extract(html, url: Self.plainURL).pageStatus == .article)
    }

    @Test func callsAGridOfCardsNotAnArticle() throws {
        let cards = (1...24).map { number in
            """
            <div class="card"><a href="/item/\(number)"><img src="/\(number).jpg"><h3>Harbour lantern model \(number)</h3></a>
            <span class="price">\(number * 3) crowns</span> <a href="/cart/\(number)">Add to basket</a></div>
            """
        }.joined(separator: "\n")
        let html = """
            <html><head><title>Lanterns | Harbour Shop</title></head><body>
            <nav><a href="/">Home</a> <a href="/shop">Shop</a></nav><h1>Lanterns</h1>
            <p>Our lanterns for quays and gardens.</p><div class="grid">\(cards)</div></body></html>
            """
        #expect(try ExtractionFixtures.extract(html, url: Self.plainURL).pageStatus == .notArticle)
    }

    // MARK: Page builders, utility classes, declared user names, documentation

    @Test func keepsTheStoryWhenPageBuilderWidgetsWrapEveryBlock() throws {
        let story = ExtractionFixtures.storyParagraphs
        let blocks = story.indices.map { index in
            let three = (0..<3).map { "<p>\(story[(index + $0) % story.count])</p>" }.joined()
            return "<div class=\"builder-widget\"><div class=\"widget-container\">\(three)</div></div>"
        }.joined(separator: "\n")
        let html = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body>
            <nav class="menu"><a href="/">Home</a></nav><h1>Ferry pier to be rebuilt</h1>
            <div class="layout-row">\(blocks)</div>
            <div class="widget"><p><a href="/a">Archive</a> <a href="/b">Events</a></p></div></body></html>
            """
        let page = try ExtractionFixtures.extract(html, url: Self.plainURL)
        for paragraph in ExtractionFixtures.storyParagraphs { #expect(page.text.contains(paragraph)) }
        #expect(!page.text.contains("Archive"))
    }

    @Test func keepsOneParagraphWidgetsWhenTheirClassWrapsTheStory() throws {
        // Each block of the story in its own widget, one short paragraph or a list each: not
        // prose by itself, yet the widget class holds most of the region's text.
        let story = ExtractionFixtures.storyParagraphs
        let widgets = story.map {
            "<div class=\"block block-widget\"><div class=\"widget-inner\"><p>\($0)</p></div></div>"
        }
        let list = """
            <div class="block block-widget"><div class="widget-inner"><ul><li>Timber from the old sawmill at \
            Kettle Point</li><li>Lighting that spares the spawning grounds</li><li>A shelter for the ferry \
            queue</li></ul></div></div>
            """
        let html = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body>
            <nav class="menu"><a href="/">Home</a></nav>
            <article><h1>Ferry pier to be rebuilt</h1><div class="builder">
            \(widgets[0])\(widgets[1])\(list)\(widgets[2])\(widgets[3])
            <div class="contact-card"><div class="contact-inner">Tips? <a href="/desk">Write to the desk</a></div></div>
            </div></article>
            <footer class="site-footer"><p>Harbour Weekly, Quay Street 4</p></footer></body></html>
            """
        let page = try ExtractionFixtures.extract(html, url: Self.plainURL)
        for paragraph in story { #expect(page.text.contains(paragraph)) }
        #expect(page.text.contains("Lighting that spares the spawning grounds"))
        #expect(!page.text.contains("Write to the desk"))
        #expect(page.pageStatus == .article)
    }

    @Test func keepsATableInAnOverflowScrollWrapper() throws {
        // "overflow-x-scroll" lets a wide table scroll on a phone; it is no carousel of teasers.
        let rows = ["Week 1|Three easy runs|12 km", "Week 2|Add hill repeats|16 km", "Week 3|First long run|21 km"]
            .map { row in "<tr>" + row.split(separator: "|").map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined()
        let table = """
            <div class="isolate md:overflow-x-scroll"><table class="w-full"><thead><tr><th>Week</th><th>Focus</th>\
            <th>Distance</th></tr></thead><tbody>\(rows)</tbody></table></div>
            <div class="scroller-teasers"><a href="/a">Ferry timetable</a> <a href="/b">Pier history</a></div>
            """
        let story = ExtractionFixtures.storyParagraphs.map { "<p>\($0)</p>" }
        let html = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body>
            <nav class="menu"><a href="/">Home</a></nav>
            <article><h1>Ferry pier to be rebuilt</h1><div class="entry-content">
            \(story[0])\(story[1])\(table)\(story[2])\(story[3])</div></article>
            <footer class="site-footer"><p>Harbour Weekly, Quay Street 4</p></footer></body></html>
            """
        let page = try ExtractionFixtures.extract(html, url: Self.plainURL)
        #expect(page.text.contains("Add hill repeats"))
        #expect(!page.text.contains("Pier history"))
        for paragraph in ExtractionFixtures.storyParagraphs { #expect(page.text.contains(paragraph)) }
    }

    @Test func keepsATableThatABlockEditorWrappedInAFigure() throws {
        // Block editors wrap every table in a <figure>; a figure of a picture still goes.
        let rows = ["Timber deck|1.9 million crowns", "Steel piles|1.6 million crowns", "Lighting|0.7 million crowns"]
            .map { row in "<tr>" + row.split(separator: "|").map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined()
        let story = ExtractionFixtures.storyParagraphs.map { "<p>\($0)</p>" }
        let html = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body>
            <nav class="menu"><a href="/">Home</a></nav>
            <article><h1>Ferry pier to be rebuilt</h1><div class="entry-content">
            \(story[0])\(story[1])
            <figure class="block-table"><table><tbody>\(rows)</tbody></table></figure>
            <figure class="block-image"><img src="/pier.jpg" alt=""><figcaption>The old pier at low tide, \
            seen from the harbour office.</figcaption></figure>
            \(story[2])\(story[3])</div></article>
            <footer class="site-footer"><p>Harbour Weekly, Quay Street 4</p></footer></body></html>
            """
        let page = try ExtractionFixtures.extract(html, url: Self.plainURL)
        #expect(page.text.contains("Steel piles"))
        #expect(page.text.contains("0.7 million crowns"))
        #expect(!page.text.contains("seen from the harbour office"))
        for paragraph in ExtractionFixtures.storyParagraphs { #expect(page.text.contains(paragraph)) }
    }

    @Test func keepsAChecklistWithAnIconByEveryItem() throws {
        // Items written in <div>s, two icons each: more pictures than paragraphs, yet each
        // picture comes with a long text of its own. A strip of thumbnails still goes.
        let items = [
            "Check the mooring lines every spring, since salt and sun wear the rope from the inside, "
                + "long before the outer braid shows any damage to the eye of the harbour master. A line "
                + "that has turned stiff or pale is replaced whole, not spliced, and the old one is cut up "
                + "so that nobody ties a boat with it again. Interval: every spring. Cost: 40 crowns a metre, "
                + "about 600 crowns for a berth of the usual size.",
            "Grease the winch of the gangway before the first frost, or the cable will stick, and "
                + "the morning ferry will wait at the quay while the crew frees it by hand. Use the marine "
                + "grease kept in the harbour office, work it into the drum with the cable slack, and run "
                + "the winch twice to spread it. Interval: every autumn. Cost: one tin, 85 crowns, lasts "
                + "for three seasons on the small gangway and two on the large one.",
        ].map { text in
            "<div class=\"checklist-row\"><div class=\"icon\"><img src=\"/tick.svg\" alt=\"\"></div>"
                + "<div class=\"note\"><img src=\"/wrench.svg\" alt=\"\">\(text)</div></div>"
        }.joined()
        let strip =
            "<div class=\"thumbs\"><img src=\"/a.jpg\" alt=\"\"><img src=\"/b.jpg\" alt=\"\">"
            + "<img src=\"/c.jpg\" alt=\"\"> More pictures of the pier</div>"
        let story = ExtractionFixtures.storyParagraphs.map { "<p>\($0)</p>" }
        let html = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body>
            <nav class="menu"><a href="/">Home</a></nav>
            <article><h1>Ferry pier to be rebuilt</h1><div class="entry-content">
            \(story[0])\(story[1])\(items)\(strip)\(story[2])\(story[3])</div></article>
            <footer class="site-footer"><p>Harbour Weekly, Quay Street 4</p></footer></body></html>
            """
        let page = try ExtractionFixtures.extract(html, url: Self.plainURL)
        #expect(page.text.contains("Check the mooring lines every spring"))
        #expect(page.text.contains("Grease the winch of the gangway"))
        #expect(!page.text.contains("More pictures of the pier"))
        for paragraph in ExtractionFixtures.storyParagraphs { #expect(page.text.contains(paragraph)) }
    }

    @Test func keepsTheStoryInsideALayoutWrapperNamedForItsSidebar() throws {
        let story = ExtractionFixtures.storyParagraphs + ExtractionFixtures.storyParagraphs.map { "Again: " + $0 }
        let paragraphs = story.map { "<p>\($0)</p>" }.joined(separator: "\n")
        // Short lines outside the wrapper: more than the first pass needs, yet not the page's prose.
        let blurb = (1...9).map { number in
            "<p>Harbour Weekly, on the island since 1952, prints its edition \(number) at dawn.</p>"
        }.joined()
        let html = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body>
            <nav class="menu"><a href="/">Home</a></nav>
            <div class="layout with-sidebar-container"><h1>Ferry pier to be rebuilt</h1>
            <div class="story-text">\(paragraphs)</div>
            <aside class="sidebar"><a href="/a">Tide tables</a> <a href="/b">Ferry times</a></aside></div>
            <div class="about-us">\(blurb)</div>
            <footer class="site-footer"><p>Harbour Weekly, Quay Street 4</p></footer></body></html>
            """
        let page = try ExtractionFixtures.extract(html, url: Self.plainURL)
        for paragraph in ExtractionFixtures.storyParagraphs { #expect(page.text.contains(paragraph)) }
        #expect(!page.text.contains("Tide tables"))
        #expect(!page.text.contains("since 1952"))
        // A footer holding most of the prose stays a footer.
        let legal = (1...3).map { number in
            "<p>This notice is not advice, and the council accepts no liability for any use of it, clause \(number).</p>"
        }.joined()
        let notice = """
            <html><head><title>Pier hours</title></head><body><h1>Pier hours</h1>
            <div class="entry"><p>The pier opens at six, and the ferry office at seven, every day of the week.</p></div>
            <footer class="site-footer">\(legal)</footer></body></html>
            """
        #expect(!(try ExtractionFixtures.extract(notice, url: Self.plainURL).text.contains("clause 1")))
    }

    @Test func readsAStorySplitIntoManyDeepSectionsOverALongerSingleBlock() throws {
        let story = ExtractionFixtures.storyParagraphs + ExtractionFixtures.storyParagraphs.map { "Again: " + $0 }
        let deep = String(repeating: "<div class=\"row\">", count: 7)
        let close = String(repeating: "</div>", count: 7)
        // Every level of the profile holds an icon too, so no level stands for its parent.
        let framed = String(repeating: "<div class=\"row\"><span class=\"icon\"></span>", count: 7)
        let sections = story.map { "<section class=\"block\">\(deep)<p>\($0)</p>\(close)</section>" }.joined(
            separator: "\n"
        )
        let profile =
            "Tove Almqvist, a pilot, sailor, writer, teacher, diver, painter, baker, fisher, and guide, "
            + "lives on the island, near the quay, with two cats."
        let html = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body>
            <nav class="menu"><a href="/">Home</a></nav><div class="page"><h1>Ferry pier to be rebuilt</h1>
            <div class="builder">\(sections)</div>
            <div class="profile">\(framed)<p>\(profile)</p>\(close)</div></div>
            <footer><p>Harbour Weekly, Quay Street 4</p></footer></body></html>
            """
        let page = try ExtractionFixtures.extract(html, url: Self.plainURL)
        for paragraph in story { #expect(page.text.contains(paragraph)) }
        #expect(!page.text.contains("two cats"))
    }

    @Test func aHiddenClassShownAgainOnWideScreensIsVisible() throws {
        let paragraphs = ExtractionFixtures.storyParagraphs.map { "<p>\($0)</p>" }.joined(separator: "\n")
        let html = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body>
            <h1>Ferry pier to be rebuilt</h1><div class="hidden md:block">\(paragraphs)</div>
            <div class="hidden"><p>This teaser text is never shown to readers of the page at any screen size.</p></div>
            </body></html>
            """
        let page = try ExtractionFixtures.extract(html, url: Self.plainURL)
        #expect(page.text.contains(ExtractionFixtures.storyParagraphs[2]))
        #expect(!page.text.contains("never shown"))
    }

    @Test func aDeclaredUserNameIsTheAuthorUnlessTheBylineNamesSomeone() throws {
        let declared = Self.story(head: "<meta name=\"author\" content=\"tove_almqvist\">")
        #expect(try ExtractionFixtures.extract(declared, url: Self.plainURL).authors == ["tove_almqvist"])
        let shown = Self.story(
            head: "<meta name=\"author\" content=\"tovea\">",
            top: "<p class=\"byline\">By Tove Almqvist</p>"
        )
        #expect(try ExtractionFixtures.extract(shown, url: Self.plainURL).authors == ["Tove Almqvist"])
        // Template variables, sites and labelled lists are not names.
        for value in ["page.meta.author", "harbour-weekly.net", "undefined", "design: Ivar Lund"] {
            let html = Self.story(head: "<meta name=\"author\" content=\"\(value)\">")
            #expect(try ExtractionFixtures.extract(html, url: Self.plainURL).authors.isEmpty)
        }
        // A team the site signs with is named as shown, but "the" alone is no name.
        let team = Self.story(top: "<p class=\"byline\">By the Harbour Weekly Team</p>")
        #expect(try ExtractionFixtures.extract(team, url: Self.plainURL).authors == ["the Harbour Weekly Team"])
        let article = Self.story(top: "<p class=\"byline\">By the</p>")
        #expect(try ExtractionFixtures.extract(article, url: Self.plainURL).authors.isEmpty)
        // Nor is a capitalised phrase with lower-case words.
        let phrase = Self.story(head: "<meta name=\"author\" content=\"Head of Pier Operations\">")
        #expect(try ExtractionFixtures.extract(phrase, url: Self.plainURL).authors.isEmpty)
    }

    @Test func callsDocumentationWithCodeAndAnchoredHeadingsNotAnArticle() throws {
        let sections = (1...12).map { number in
            """
            <h2 id="s\(number)"><a href="#s\(number)">Configuring the pier gate \(number)</a></h2>
            <p>Set <code>gate.\(number).open</code> to <code>true</code> before the first ferry of the day.</p>
            <pre><code>pier --gate \(number) --open</code></pre>
            """
        }.joined(separator: "\n")
        let html = """
            <html><head><title>Gate settings | Pier control manual</title></head><body>
            <nav><a href="/docs">Manual</a> <a href="/docs/gates">Gates</a></nav>
            <main><h1>Gate settings</h1>\(sections)</main></body></html>
            """
        #expect(try ExtractionFixtures.extract(html, url: Self.plainURL).pageStatus == .notArticle)
        // A dated and signed story that shows code stays an article.
        let story = Self.story(
            head: """
                <meta property="og:type" content="article"><meta name="author" content="Tove Almqvist">
                <meta property="article:published_time" content="2024-05-14T08:00:00Z">
                """,
            after: sections
        )
        #expect(try ExtractionFixtures.extract(story, url: Self.plainURL).pageStatus == .article)
    }
}
