import NewswireCore
import Testing

@testable import NewswireArchive

/// `ReceivedBody.decode`: what the crawl reads of a body it archives as received.
@Suite struct ReceivedBodyTests {
    private let page = ArchiveFixtures.page("Tallow Bridge closes for repairs", paragraphs: 6)

    @Test func dechunksAndInflatesAndDropsTheHeadersThatNoLongerApply() throws {
        let received = ArchiveFixtures.chunked(Gzip.compress(self.page), size: 700)
        let headers: HTTPHeaders = [
            "Content-Type": "text/html", "Content-Encoding": "gzip", "Transfer-Encoding": "chunked",
        ]
        let decoded = try #require(ReceivedBody.decode(received, headers: headers, limit: 1 << 20))
        #expect(decoded.body == self.page)
        #expect(decoded.headers["Content-Type"] == "text/html")
        #expect(decoded.headers["Content-Encoding"] == nil)
        #expect(decoded.headers["Transfer-Encoding"] == nil)
    }

    @Test func leavesAPlainBodyAsItIs() throws {
        let decoded = try #require(
            ReceivedBody.decode(self.page, headers: ["Content-Type": "text/html"], limit: 1 << 20)
        )
        #expect(decoded.body == self.page)
    }

    @Test func refusesBrokenCompressionAndBodiesOverTheLimit() {
        let broken =
            Array(Gzip.compress(self.page).prefix(40)) + [0xFF, 0xFE, 0x00, 0x13] + Array(repeating: 0x55, count: 64)
        #expect(ReceivedBody.decode(broken, headers: ["Content-Encoding": "gzip"], limit: 1 << 20) == nil)
        #expect(ReceivedBody.decode(Gzip.compress(self.page), headers: ["Content-Encoding": "gzip"], limit: 100) == nil)
    }
}
