import Foundation
import NewswireCore
import Testing

@Suite struct WebURLTests {
    @Test func splitsAnAbsoluteURL() throws {
        let url = try #require(WebURL("  HTTPS://User:Pw@WWW.Example.ORG.:8443/a/b?x=1&y#frag \n"))
        #expect(url.scheme == "https")
        #expect(url.userInfo == "User:Pw")
        #expect(url.host == "www.example.org")
        #expect(url.port == 8443)
        #expect(url.path == "/a/b")
        #expect(url.query == "x=1&y")
        #expect(url.fragment == "frag")
        #expect(url.site == "example.org")
        #expect(url.origin == "https://www.example.org:8443")
        #expect(url.isWeb)
    }

    @Test func dropsTheDefaultPortAndFillsThePath() throws {
        let url = try #require(WebURL("http://paper.test:80"))
        #expect(url.port == nil)
        #expect(url.path == "/")
        #expect(url.description == "http://paper.test/")
        #expect(WebURL("https://paper.test:443?q")?.description == "https://paper.test/?q")
    }

    @Test func readsIPv6Literals() throws {
        let url = try #require(WebURL("http://[::1]:8080/feed"))
        #expect(url.host == "[::1]")
        #expect(url.port == 8080)
        #expect(WebURL("http://[::1/feed") == nil)
    }

    @Test(arguments: [
        "", "paper.test/story", "://paper.test", "http:/paper.test", "http://", "http://a b/", "1http://x",
    ])
    func refusesWhatIsNotAnAbsoluteURL(_ text: String) {
        #expect(WebURL(text) == nil)
        #expect(!WebURL.isWeb(text))
    }

    @Test func tellsWebURLsFromOthers() {
        #expect(WebURL.isWeb("http://paper.test/story?id=4"))
        #expect(WebURL.isWeb("HTTPS://Paper.test"))
        #expect(WebURL.isWeb("https://user@paper.test/"))
        #expect(!WebURL.isWeb("ftp://paper.test/file"))
        #expect(!WebURL.isWeb("file:///tmp/page.html"))
        #expect(WebURL("file:///tmp/page.html")?.host == "")
        #expect(!WebURL.isWeb("http://paper.test:99999/"))
    }
}

@Suite struct ContentCheckTests {
    private func document(_ type: String?, _ body: [UInt8]) -> FetchedDocument {
        var headers = HTTPHeaders()
        if let type { headers.add(name: "Content-Type", value: type) }
        return FetchedDocument(requestedURL: "http://paper.test/x", headers: headers, body: body)
    }

    @Test func passesMarkupWhateverItsLabel() {
        let page = Array("<!doctype html><html><body><p>Harbour news</p></body></html>".utf8)
        #expect(ContentCheck.unsupportedReason(self.document("text/html; charset=utf-8", page)) == nil)
        #expect(ContentCheck.unsupportedReason(self.document("application/octet-stream", page)) == nil)
        #expect(ContentCheck.unsupportedReason(self.document(nil, page)) == nil)
        let utf16: [UInt8] = [0xFF, 0xFE] + Array("<html>".utf8).flatMap { [$0, 0] }
        #expect(ContentCheck.unsupportedReason(self.document("text/html", utf16)) == nil)
    }

    @Test func refusesMediaDocumentsAndBinaries() {
        #expect(ContentCheck.unsupportedReason(self.document("audio/mpeg", Array("ID3".utf8) + [3, 0])) != nil)
        #expect(ContentCheck.unsupportedReason(self.document("video/mp4", [])) == "not an HTML page: video/mp4")
        #expect(
            ContentCheck.unsupportedReason(self.document("application/pdf", Array("%PDF-1.7".utf8)))
                == "not an HTML page: PDF served as application/pdf"
        )
        #expect(
            ContentCheck.unsupportedReason(self.document("text/html", [0x89, 0x50, 0x4E, 0x47, 0, 0]))
                == "not an HTML page: PNG image served as text/html"
        )
        #expect(
            ContentCheck.unsupportedReason(self.document("text/html", [0x41, 0, 0x42, 0x01, 0x02, 0x03, 0x04])) != nil
        )
    }
}

@Suite struct FutureDateRuleTests {
    @Test func acceptsUpToADayAhead() {
        let now = Date(timeIntervalSince1970: 1_796_040_000)
        let rule = FutureDateRule.standard
        #expect(rule.trusted(now.addingTimeInterval(86_400), now: now) != nil)
        #expect(rule.trusted(now.addingTimeInterval(86_401), now: now) == nil)
        #expect(rule.trusted(now.addingTimeInterval(-10 * 86_400), now: now) != nil)
        #expect(rule.trusted(nil, now: now) == nil)
    }
}
