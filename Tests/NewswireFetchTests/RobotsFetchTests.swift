import Foundation
import NewswireCore
import NewswireFetch
import NewswireTesting
import Testing

/// robots.txt as the fetcher obeys it: fetched once per host with the fetcher's user agent,
/// cached until it expires on the fetcher's clock (a manual one here), applied to pages only.
@Suite struct RobotsFetchTests {
    init() {
        Fetcher.initializeGlobalState()
    }

    private static let userAgent = "newswire-test/1.0 (+https://example.invalid/bot)"

    private static func options(robots: Bool = true) -> FetchOptions {
        var options = FetchOptions(userAgent: Self.userAgent, timeout: 5, connectTimeout: 2)
        options.maxAttempts = 1
        options.obeysRobots = robots
        return options.allowingLoopback()
    }

    private static func page(_ site: TestSite, _ path: String) -> FetchRequest {
        var request = FetchRequest(url: site.baseURL + path)
        request.purpose = .page
        return request
    }

    private func site(robots: TestSite.Response?) async throws -> TestSite {
        let site = try TestSite()
        if let robots { site.route("/robots.txt", robots) }
        for path in ["/news/a.html", "/private/b.html", "/private/open/c.html", "/private/feed.xml"] {
            site.route(path, .init(contentType: "text/html", body: "<p>\(path)</p>"))
        }
        try await site.start()
        return site
    }

    private static let rules = TestSite.Response(
        contentType: "text/plain",
        body: """
            User-agent: *
            Disallow: /

            User-agent: newswire-test
            Disallow: /private/
            Allow: /private/open/
            """
    )

    @Test func pagesObeyTheRulesForOurAgentAndFeedsDoNot() async throws {
        let site = try await self.site(robots: Self.rules)
        let fetcher = Fetcher(options: Self.options())
        var feed = FetchRequest(url: site.baseURL + "/private/feed.xml")
        feed.purpose = .feed
        let requests = ["/news/a.html", "/private/b.html", "/private/open/c.html"].map { Self.page(site, $0) } + [feed]
        let results = try await runBlocking { fetchAll(fetcher, requests) }
        fetcher.shutdown()
        await site.stop()

        #expect(try results[0].get().status == 200)
        #expect(try results[2].get().status == 200)
        #expect(try results[3].get().status == 200)
        guard case .failure(let error) = results[1] else {
            Issue.record("a disallowed page must not be fetched")
            return
        }
        #expect(error.code == .robotsDisallowed)
        #expect(error.code.errorKind == .robotsDisallowed)
        #expect(error.message.contains("disallows /private/b.html for newswire-test"), "\(error.message)")
        #expect(error.message.contains("Disallow: /private/"))
        // robots.txt once, before any page, with our user agent; the disallowed page never.
        // (The feed does not wait for it, so it may arrive first.)
        let arrived = site.requests
        #expect(arrived.filter { $0 == "/robots.txt" }.count == 1)
        let robots = try #require(arrived.firstIndex(of: "/robots.txt"))
        for page in ["/news/a.html", "/private/open/c.html"] {
            #expect(arrived.firstIndex(of: page).map { $0 > robots } == true, "\(arrived)")
        }
        #expect(site.requestHeaders[robots]["user-agent"] == Self.userAgent)
        #expect(!arrived.contains("/private/b.html"))
    }

    @Test func theCachedRobotsTxtIsAskedAgainOnceItExpires() async throws {
        var rules = Self.rules
        rules.headers["Cache-Control"] = "public, max-age=600"
        let site = try await self.site(robots: rules)
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let fetcher = Fetcher(options: Self.options(), clock: clock)
        let robotsFetches: @Sendable () -> Int = { site.requests.filter { $0 == "/robots.txt" }.count }
        let page = Self.page(site, "/news/a.html")
        let counts = try await runBlocking {
            var counts: [Int] = []
            _ = fetcher.fetch(page)
            counts.append(robotsFetches())
            clock.advance(by: 590)
            _ = fetcher.fetch(page)
            counts.append(robotsFetches())  // still fresh (max-age 600)
            clock.advance(by: 20)
            _ = fetcher.fetch(page)
            counts.append(robotsFetches())  // expired: asked again
            return counts
        }
        fetcher.shutdown()
        await site.stop()
        #expect(counts == [1, 1, 2])
    }

    @Test func withoutCacheControlItHoldsForADay() async throws {
        let site = try await self.site(robots: Self.rules)
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let fetcher = Fetcher(options: Self.options(), clock: clock)
        let page = Self.page(site, "/news/a.html")
        try await runBlocking {
            _ = fetcher.fetch(page)
            clock.advance(by: 23 * 3600)
            _ = fetcher.fetch(page)
            clock.advance(by: 2 * 3600)
            _ = fetcher.fetch(page)
        }
        fetcher.shutdown()
        await site.stop()
        #expect(site.requests.filter { $0 == "/robots.txt" }.count == 2)
    }

    @Test func aMissingRobotsTxtAllowsEverything() async throws {
        let site = try await self.site(robots: nil)  // 404
        let fetcher = Fetcher(options: Self.options())
        let result = try await runBlocking { fetcher.fetch(Self.page(site, "/private/b.html")) }
        fetcher.shutdown()
        await site.stop()
        #expect(try result.get().status == 200)
        #expect(site.requests == ["/robots.txt", "/private/b.html"])
    }

    @Test func anUnreachableRobotsTxtDisallowsForAWhile() async throws {
        let site = try await self.site(robots: .init(status: 503, contentType: "text/plain", body: "down"))
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let fetcher = Fetcher(options: Self.options(), clock: clock)
        let (first, later) = try await runBlocking {
            let first = fetcher.fetch(Self.page(site, "/news/a.html"))
            site.route("/robots.txt", .init(contentType: "text/plain", body: "User-agent: *\nAllow: /\n"))
            clock.advance(by: 11 * 60)
            return (first, fetcher.fetch(Self.page(site, "/news/a.html")))
        }
        fetcher.shutdown()
        await site.stop()
        guard case .failure(let error) = first else {
            Issue.record("pages wait while robots.txt answers 503")
            return
        }
        #expect(error.code == .robotsDisallowed)
        #expect(error.message.contains("robots.txt unreachable (HTTP 503)"), "\(error.message)")
        #expect(try later.get().status == 200)
        #expect(site.requests == ["/robots.txt", "/robots.txt", "/news/a.html"])
    }

    @Test func aPageOnARefusedAddressKeepsThePolicyError() async throws {
        let site = try await self.site(robots: Self.rules)
        var options = FetchOptions(userAgent: Self.userAgent, timeout: 5, connectTimeout: 2)
        options.maxAttempts = 1  // loopback stays refused: the default network policy
        let fetcher = Fetcher(options: options)
        let result = try await runBlocking { fetcher.fetch(Self.page(site, "/news/a.html")) }
        fetcher.shutdown()
        await site.stop()
        guard case .failure(let error) = result else {
            Issue.record("a refused address must stay refused")
            return
        }
        #expect(error.code == .policy)
        #expect(error.url == site.baseURL + "/news/a.html")
        #expect(site.requests.isEmpty)
    }

    @Test func robotsCanBeTurnedOff() async throws {
        let site = try await self.site(robots: Self.rules)
        let fetcher = Fetcher(options: Self.options(robots: false))
        let result = try await runBlocking { fetcher.fetch(Self.page(site, "/private/b.html")) }
        fetcher.shutdown()
        await site.stop()
        #expect(try result.get().status == 200)
        #expect(site.requests == ["/private/b.html"])
    }
}
