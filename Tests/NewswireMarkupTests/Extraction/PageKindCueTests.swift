import Foundation
import NewswireCore
import NewswireMarkup
import Testing

/// The cues that tell a page that is not a story by what it declares and how its site lists
/// it: customers' reviews of a shop item, item and service pages, online books, forum
/// threads signed in microdata, documentation in its own sidebar, and plain pages of the
/// site's menu. Every page here is invented for the test.
@Suite struct PageKindCueTests {
    private static let url = "https://gullhaven.example/care/dental-care-for-families"

    private static let paragraphs = [
        "Our clinic on Quay Street sees children and adults for check-ups, cleaning and fillings, and keeps two "
            + "chairs free every morning for patients in pain who need to be seen the same day.",
        "Every first visit starts with a full examination, an x-ray where it is needed and a written plan that "
            + "lists each treatment, what it costs and how long it will take before any work begins.",
        "Families who live on the outer islands can book their visits together, and the clinic boat calls at "
            + "the northern jetties once a month for those who cannot travel to the harbour.",
    ]

    /// A page of prose under `headline`, with `head` in its head and `menu` before it.
    private static func page(
        headline: String = "A calmer visit to the dentist for the whole family",
        head: String = "",
        menu: String = "",
        extra: String = ""
    ) -> String {
        let text = Self.paragraphs.map { "<p>\($0)</p>" }.joined(separator: "\n")
        return """
            <html lang="en"><head><title>\(headline) | Gullhaven Clinic</title>
            <link rel="canonical" href="\(Self.url)">\(head)</head><body>
            <header><a href="/">Gullhaven Clinic</a></header>\(menu)
            <main><h1>\(headline)</h1>\(text)\(extra)</main>
            <footer><p>Gullhaven Clinic, Quay Street 9</p></footer></body></html>
            """
    }

    private static func jsonLD(_ json: String) -> String {
        "<script type=\"application/ld+json\">\(json)</script>"
    }

    /// A site menu of eight or more entries; `listingThePage` adds the page's own address.
    private static func siteMenu(listingThePage: Bool) -> String {
        var items = (1...9).map { "<li><a href=\"/care/service-\($0)\">Service \($0)</a></li>" }
        if listingThePage {
            items.insert("<li><a href=\"/care/dental-care-for-families/\">Dental care</a></li>", at: 3)
        }
        return "<nav class=\"site-menu\"><ul>\(items.joined())</ul></nav>"
    }

    private static func status(_ html: String) throws -> PageStatus {
        try ExtractionFixtures.extract(html, url: Self.url).pageStatus
    }

    @Test func customersReviewsOfAShopItemDoNotMakeItAStory() throws {
        let shop = Self.jsonLD(
            """
            {"@type": "Product", "name": "Soft toothbrush", "offers": {"@type": "Offer", "price": "4.50"},
             "aggregateRating": {"@type": "AggregateRating", "ratingValue": "4.6", "reviewCount": "31"},
             "review": [{"@type": "Review", "reviewBody": "Gentle and lasts for months."}]}
            """
        )
        #expect(try Self.status(Self.page(head: shop)) == .notArticle)
        // A critic's review of a product is a story: no aggregate of buyers' ratings.
        let critic = Self.jsonLD(
            """
            {"@type": "Review", "itemReviewed": {"@type": "Product", "name": "Soft toothbrush"},
             "author": {"@type": "Person", "name": "Maren Holt"}, "datePublished": "2025-03-02"}
            """
        )
        #expect(try Self.status(Self.page(head: critic)) == .article)
    }

    @Test func anItemOrServicePageIsNotAStory() throws {
        for type in ["ItemPage", "Service"] {
            let head = Self.jsonLD("{\"@type\": \"\(type)\", \"name\": \"Dental care\"}")
            #expect(try Self.status(Self.page(head: head)) == .notArticle)
        }
    }

    @Test func aChapterOfAnOnlineBookIsNotAStory() throws {
        let book = Self.page(head: "<meta property=\"og:type\" content=\"book\">")
        #expect(try Self.status(book) == .notArticle)
        let story = Self.page(head: "<meta property=\"og:type\" content=\"article\">")
        #expect(try Self.status(story) == .article)
    }

    /// `count` posts, each signed by a member in microdata.
    private static func posts(_ count: Int) -> String {
        (1...count).map { number in
            """
            <div class="message" itemscope itemtype="https://schema.org/Comment">
            <span itemprop="author" itemscope itemtype="https://schema.org/Person">
            <span itemprop="name">member\(number)</span></span>
            <p>I had the same trouble with a loose filling last winter, reply \(number) of the thread.</p></div>
            """
        }.joined()
    }

    @Test func aForumThreadSignedByItsMembersIsNotAStory() throws {
        #expect(try Self.status(Self.page(extra: Self.posts(12))) == .notArticle)
        // Even when the forum software declares the thread an article, its own text is short.
        let declared = Self.jsonLD("{\"@type\": \"Article\", \"headline\": \"Loose filling\"}")
        let short = """
            <html><head><title>Loose filling</title>\(declared)</head><body><main><h1>Loose filling after a month</h1>
            <p>My filling came loose after a month, is that normal?</p>\(Self.posts(12))</main></body></html>
            """
        #expect(try Self.status(short) == .notArticle)
        // A story with a few signed comments stays a story.
        #expect(try Self.status(Self.page(extra: Self.posts(3))) == .article)
    }

    @Test func documentationInItsOwnSidebarIsNotAStory() throws {
        let samples = (1...5).map { "<pre>chair-booking --day \($0) --room north</pre>" }.joined()
        let listed = Self.page(menu: Self.siteMenu(listingThePage: true), extra: samples)
        #expect(try Self.status(listed) == .notArticle)
        let unlisted = Self.page(menu: Self.siteMenu(listingThePage: false), extra: samples)
        #expect(try Self.status(unlisted) == .article)
    }

    @Test func manyCodeSamplesWithoutAByline() throws {
        let samples = (1...50).map { "<code>room_\($0)</code>" }.joined(separator: " ")
        let head = """
            <meta property="og:type" content="article">
            <meta property="article:published_time" content="2025-04-02T08:00:00Z">
            """
        #expect(try Self.status(Self.page(head: head, extra: "<p>Rooms: \(samples)</p>")) == .notArticle)
        let signed = head + "<meta name=\"author\" content=\"Maren Holt\">"
        #expect(try Self.status(Self.page(head: signed, extra: "<p>Rooms: \(samples)</p>")) == .article)
    }

    @Test func aPlainPageOfTheMenuWithFrequentQuestionsIsNotAStory() throws {
        // A content system's page: a JSON-LD `WebPage` and no article, where `og:type`
        // "article" is the default. Its label of a title is one cue; the questions and the
        // menu entry make three.
        let plain = "<meta property=\"og:type\" content=\"article\">"
        let graph = Self.jsonLD("{\"@graph\": [{\"@type\": \"WebPage\"}, {\"@type\": \"FAQPage\"}]}")
        let webPage = Self.jsonLD("{\"@graph\": [{\"@type\": \"WebPage\"}]}")
        let listed = Self.siteMenu(listingThePage: true)
        let unlisted = Self.siteMenu(listingThePage: false)
        #expect(try Self.status(Self.page(headline: "Dental care", head: plain + graph, menu: listed)) == .notArticle)
        #expect(try Self.status(Self.page(headline: "Dental care", head: plain + graph, menu: unlisted)) == .article)
        #expect(try Self.status(Self.page(headline: "Dental care", head: plain + webPage, menu: listed)) == .article)
    }

    @Test func theWordsOfAShopAreACue() throws {
        let plain = Self.jsonLD("{\"@graph\": [{\"@type\": \"WebPage\"}]}")
        let listed = Self.siteMenu(listingThePage: true)
        let button = "<p><a class=\"btn\" href=\"/cart?add=7\">Add to cart</a></p>"
        #expect(
            try Self.status(Self.page(headline: "Dental care", head: plain, menu: listed, extra: button)) == .notArticle
        )
        #expect(try Self.status(Self.page(headline: "Dental care", head: plain, menu: listed)) == .article)
    }
}
