import NewswireFetch
import Testing

@Suite struct RobotsTxtTests {
    private static let agent = "newswire/0.1 (+https://example.invalid/bot)"

    private func allowed(_ text: String, _ path: String, agent: String = Self.agent) -> Bool {
        RobotsTxt(Array(text.utf8)).verdict(for: path, userAgent: agent).allowed
    }

    @Test func theLongestMatchWinsAndAllowWinsATie() {
        let robots = """
            User-agent: *
            Disallow: /private
            Allow: /private/open
            Disallow: /tie
            Allow: /tie
            """
        #expect(self.allowed(robots, "/news/1.html"))
        #expect(!self.allowed(robots, "/private/plans.html"))
        #expect(self.allowed(robots, "/private/open/plans.html"))
        #expect(self.allowed(robots, "/tie/x"))
        let verdict = RobotsTxt(Array(robots.utf8)).verdict(for: "/private/a", userAgent: Self.agent)
        #expect(verdict.rule?.description == "Disallow: /private")
    }

    @Test func aGroupNamingTheProductTokenReplacesTheStarGroup() {
        let robots = """
            # comments and blank lines are ignored

            User-agent: *
            Disallow: /

            user-agent: OtherBot
            User-Agent: NEWSWIRE   # any case
            disallow: /drafts/
            """
        #expect(self.allowed(robots, "/news/1.html"))
        #expect(!self.allowed(robots, "/drafts/a.html"))
        #expect(!self.allowed(robots, "/news/1.html", agent: "somebot/2.0"))
        #expect(RobotsTxt.productToken(of: Self.agent) == "newswire")
    }

    @Test func groupsForTheSameAgentAreMerged() {
        let robots = """
            User-agent: newswire
            Disallow: /a/

            User-agent: other
            Disallow: /b/

            User-agent: newswire
            Disallow: /c/
            """
        #expect(!self.allowed(robots, "/a/1"))
        #expect(self.allowed(robots, "/b/1"))
        #expect(!self.allowed(robots, "/c/1"))
    }

    @Test func wildcardsAndEndAnchors() {
        let robots = """
            User-agent: *
            Disallow: /*.pdf$
            Disallow: /search*q=
            Disallow: /exact$
            """
        #expect(!self.allowed(robots, "/files/report.pdf"))
        #expect(self.allowed(robots, "/files/report.pdf?download=1"))
        #expect(!self.allowed(robots, "/search?lang=en&q=harbour"))
        #expect(self.allowed(robots, "/search?lang=en"))
        #expect(!self.allowed(robots, "/exact"))
        #expect(self.allowed(robots, "/exact/more"))
    }

    @Test func emptyDisallowAllowsAllAndRulesOutsideAGroupCountForNothing() {
        #expect(self.allowed("Disallow: /\nUser-agent: *\nDisallow:\n", "/anything"))
        #expect(self.allowed("", "/anything"))
        #expect(self.allowed("<html><body>Not a robots file</body></html>", "/anything"))
    }

    @Test func percentEncodingIsComparedNormalised() {
        let robots = "User-agent: *\nDisallow: /caf%c3%a9\nDisallow: /straße\n"
        #expect(!self.allowed(robots, "/café/menu"))
        #expect(!self.allowed(robots, "/caf%C3%A9/menu"))
        #expect(!self.allowed(robots, "/stra%C3%9Fe"))
    }

    @Test func robotsTxtItselfIsAlwaysAllowedAndAnUnreadableOneDisallowsTheRest() {
        #expect(self.allowed("User-agent: *\nDisallow: /\n", "/robots.txt"))
        #expect(!RobotsTxt.disallowsEverything.verdict(for: "/a", userAgent: Self.agent).allowed)
        #expect(RobotsTxt.allowsEverything.verdict(for: "/a", userAgent: Self.agent).allowed)
    }

    @Test func aRuleWithSeveralStarsDoesNotBacktrackForever() {
        let robots = "User-agent: *\nDisallow: /*a*a*a*a*a*a*a*b$\n"
        let path = "/" + String(repeating: "a", count: 5000)
        #expect(self.allowed(robots, path))
        #expect(!self.allowed(robots, path + "b"))
    }
}
