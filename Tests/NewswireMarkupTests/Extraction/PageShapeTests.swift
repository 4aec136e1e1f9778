import Foundation
import NewswireCore
import NewswireMarkup
import Testing

/// Pages that are not stories though they are mostly text (service pages, reference
/// documentation), and a story hidden whole until its scripts run. Every page here is
/// invented for the test.
@Suite struct PageShapeTests {
    private static let service = [
        "Our yard hauls out dinghies, skiffs and small sailing boats from March to October, with a crane for hulls of up to four tonnes.",
        "Every repair starts with a survey of the hull, the keel and the rigging, and a written estimate before any work begins.",
        "Winter storage is indoors in the old rope hall, where boats stay dry and are checked every fortnight by the yard crew.",
    ]

    /// A page of service prose between long menus; `slug` and `headline` name it.
    private static func servicePage(slug: String, headline: String) -> String {
        let menu = (1...30).map { "<li><a href=\"/m\($0)\">Harbour menu \($0)</a></li>" }.joined()
        let footer = (1...20).map { "<a href=\"/f\($0)\">Quay link \($0)</a>" }.joined(separator: " ")
        let paragraphs = Self.service.map { "<p>\($0)</p>" }.joined()
        return """
            <html lang="en"><head><title>\(headline) | Pier Road Boatyard</title>
            <link rel="canonical" href="https://boatyard.example/\(slug)"></head><body>
            <nav><ul>\(menu)</ul></nav><main><h1>\(headline)</h1>\(paragraphs)</main>
            <footer><p>\(footer)</p></footer></body></html>
            """
    }

    @Test func aServicePageNamedByALabelIsNotAnArticle() throws {
        let page = try ExtractionFixtures.extract(
            Self.servicePage(slug: "services/boat-repairs/", headline: "Boat repairs")
        )
        #expect(page.pageStatus == .notArticle)
    }

    @Test func theSameTextUnderAStoryHeadlineAndAddressStaysAnArticle() throws {
        let html = Self.servicePage(
            slug: "news/yard-opens-its-rope-hall-for-winter-storage",
            headline: "Boatyard opens its old rope hall for winter storage"
        )
        #expect(try ExtractionFixtures.extract(html).pageStatus == .article)
    }

    @Test func aDatedOrNumberedAddressIsAStorysEvenWithFewWords() throws {
        for slug in ["2024/05/storage", "yard/1488296-storage"] {
            let html = Self.servicePage(slug: slug, headline: "Boat repairs")
            #expect(try ExtractionFixtures.extract(html).pageStatus == .article)
        }
        // A file extension does not count as a word.
        let html = Self.servicePage(slug: "yard/storage.html", headline: "Boat repairs")
        #expect(try ExtractionFixtures.extract(html).pageStatus == .notArticle)
    }

    /// A page whose microdata item of `type` holds the headline and the prose, or only a box
    /// below them.
    private static func microdataPage(type: String, aroundHeadline: Bool) -> String {
        let paragraphs = Self.service.map { "<p>\($0)</p>" }.joined()
        let headline = "<h1>How do I store a wooden skiff over the winter months?</h1>"
        let item = "<div itemscope itemtype=\"https://schema.org/\(type)\">"
        let body =
            aroundHeadline
            ? "\(item)\(headline)\(paragraphs)</div>" : "\(headline)\(paragraphs)\(item)<p>Skiff cover</p></div>"
        return """
            <html lang="en"><head><title>Winter storage | Pier Road Boatyard</title>
            <link rel="canonical" href="https://boatyard.example/yard/how-do-i-store-a-wooden-skiff-over-winter">
            </head><body><main>\(body)</main></body></html>
            """
    }

    @Test func aMicrodataItemHoldingTheHeadlineSaysWhatThePageIs() throws {
        // A question page or a product page wraps its headline in its QAPage or Product item.
        for type in ["QAPage", "Product"] {
            let html = Self.microdataPage(type: type, aroundHeadline: true)
            #expect(try ExtractionFixtures.extract(html).pageStatus == .notArticle)
        }
        // A product box inside a story holds no headline; an article item is a story.
        let box = Self.microdataPage(type: "Product", aroundHeadline: false)
        #expect(try ExtractionFixtures.extract(box).pageStatus == .article)
        let story = Self.microdataPage(type: "BlogPosting", aroundHeadline: true)
        #expect(try ExtractionFixtures.extract(story).pageStatus == .article)
    }

    @Test func referenceDocumentationWithDozensOfCodeSamplesIsNotAnArticle() throws {
        let sections = (1...16).map { number in
            """
            <h2 id="s\(number)">Option \(number)</h2><p>Set <code>tide_\(number)</code> to the height in metres; \
            <code>tide_\(number)_unit</code> may be <code>m</code> or <code>ft</code>, and the default follows \
            the chart datum of the harbour where the gauge stands.</p>
            """
        }.joined()
        func page(_ head: String) -> String {
            """
            <html><head><title>Tide gauge options</title>\(head)</head><body><nav><a href="/">Docs home</a></nav>
            <main><h1>Tide gauge configuration options</h1>\(sections)</main></body></html>
            """
        }
        let reference = page("<meta name=\"author\" content=\"Orla Brennick\">")
        let url = "https://docs.example/gauge/configuration-options"
        #expect(try ExtractionFixtures.extract(reference, url: url).pageStatus == .notArticle)
        // A technical story that is dated and signed keeps its status.
        let story = page(
            """
            <meta name="author" content="Orla Brennick">
            <meta property="article:published_time" content="2025-04-02T08:00:00Z">
            <meta property="og:type" content="article">
            """
        )
        #expect(try ExtractionFixtures.extract(story, url: url).pageStatus == .article)
    }

    @Test func aStoryHiddenWholeUntilItsScriptsRunIsRead() throws {
        let paragraphs = ExtractionFixtures.storyParagraphs.map { "<p>\($0)</p>" }.joined(separator: "\n")
        let html = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body><div class="root hide">
            <div class="mobile-menu hidden"><p>Menu entry that stays hidden on every screen</p></div>
            <main><h1>Ferry pier to be rebuilt</h1>\(paragraphs)</main></div></body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        #expect(page.pageStatus == .article)
        for paragraph in ExtractionFixtures.storyParagraphs { #expect(page.text.contains(paragraph)) }
        #expect(!page.text.contains("Menu entry"))
    }

    @Test func aStorySplitIntoDeeplyNestedSectionsIsReadWhole() throws {
        let later = [
            "The harbour master added that ferries would use the north quay while the old pier is taken down, "
                + "and that timetables would change by no more than ten minutes.",
            "Shopkeepers on Quay Street expect fewer visitors in June, but most said a sturdier pier would "
                + "bring more day trips from the mainland once it opens next spring.",
            "The council will publish the builder's plans in the library, where residents can leave comments "
                + "until the end of the month, before the final vote in August.",
        ]
        func section(_ paragraphs: [String]) -> String {
            let text = paragraphs.map { "<p>\($0)</p>" }.joined()
            // A small label beside each wrapper, so that no wrapper is an only child.
            let label = "<span class=\"label\">Pier</span>"
            return "<section>\(label)<div class=\"wrap\">\(label)<div class=\"row\">\(label)<div class=\"col\">"
                + "\(label)<div class=\"text\">" + text + "</div></div></div></div></section>"
        }
        let sections =
            section(ExtractionFixtures.storyParagraphs + [later[0]]) + later.dropFirst().map { section([$0]) }.joined()
        let html = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body><nav><a href="/">Home</a></nav>
            <main><h1>Ferry pier to be rebuilt</h1><div class="sections">\(sections)</div></main></body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        for paragraph in ExtractionFixtures.storyParagraphs + later { #expect(page.text.contains(paragraph)) }
    }

    @Test func aStoryInsideAHeaderHiddenByClassIsReadButAHiddenNextStoryIsNot() throws {
        let paragraphs = (1...5).flatMap { round in
            ExtractionFixtures.storyParagraphs.map { "<p>\($0) (Part \(round).)</p>" }
        }.joined(separator: "\n")
        // The parser leaves the menu open, so the headline and the story end up inside it.
        let swallowed = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body>
            <div class="menu hidden grow"><a href="/">Home</a> <a href="/news">News</a>
            <div class="story"><h1>Ferry pier to be rebuilt</h1>\(paragraphs)</div></div></body></html>
            """
        let page = try ExtractionFixtures.extract(swallowed)
        #expect(page.pageStatus == .article)
        #expect(page.text.contains(ExtractionFixtures.storyParagraphs[0] + " (Part 5.)"))
        // A next story loaded ahead and hidden by its style stays out of the text.
        let ahead = """
            <html><head><title>Ferry pier to be rebuilt</title></head><body>
            <main><h1>Ferry pier to be rebuilt</h1>\(ExtractionFixtures.storyParagraphs.map { "<p>\($0)</p>" }.joined())</main>
            <div class="next" style="display: none"><h1>Lighthouse keeper retires</h1>\(paragraphs)</div></body></html>
            """
        let shown = try ExtractionFixtures.extract(ahead)
        #expect(!shown.text.contains("(Part 1.)"))
        for paragraph in ExtractionFixtures.storyParagraphs { #expect(shown.text.contains(paragraph)) }
    }
}
