import NewswireCore
import NewswireMarkup
import Testing

@Suite struct PageStatusTests {
    @Test func recognisesAConsentWall() throws {
        let html = """
            <html><head><title>Before you continue</title></head><body>
            <div class="consent-dialog"><h1>We value your privacy</h1>
            <p>We and our partners use cookies to store and access information on your device, to measure audiences and to personalise content.</p>
            <button>Accept all</button> <button>Reject all</button> <a href="/prefs">Manage preferences</a></div>
            </body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        #expect(page.pageStatus == .consentWall)
        #expect(page.text.isEmpty)
    }

    @Test func recognisesAPaywallTeaser() throws {
        let html = """
            <html><head><title>Island budget in detail | Courier</title>
            <script type="application/ld+json">{"@type": "NewsArticle", "headline": "Island budget in detail",
            "isAccessibleForFree": false}</script></head><body><article>
            <p>The island's budget for next year holds several surprises for residents, and the council has yet to explain them.</p>
            <div class="paywall"><p>This article is for subscribers only. Subscribe to continue reading.</p>
            <a href="/login">Already a subscriber? Log in</a></div></article></body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        #expect(page.pageStatus == .paywall)
    }

    @Test func recognisesABlockedPage() throws {
        let html = """
            <html><head><title>Access denied</title></head><body><h1>Access denied</h1>
            <p>You don't have permission to access this page. Please complete the captcha below.</p></body></html>
            """
        #expect(try ExtractionFixtures.extract(html).pageStatus == .blocked)
    }

    @Test func recognisesAnErrorPage() throws {
        let html = """
            <html><head><title>Page not found – The Lindqvist Courier</title></head><body>
            <h1>Sorry, we couldn't find that page</h1><p>Try the search box or go back home.</p></body></html>
            """
        #expect(try ExtractionFixtures.extract(html).pageStatus == .errorPage)
        #expect(try ExtractionFixtures.extract(ExtractionFixtures.cluttered(), status: 404).pageStatus == .errorPage)
    }

    @Test func anArticleWithACookieBannerIsStillAnArticle() throws {
        let page = try ExtractionFixtures.extract(ExtractionFixtures.cluttered())
        #expect(page.pageStatus == .article)
        #expect(!page.text.isEmpty)
    }
}
