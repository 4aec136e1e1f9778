import Foundation
import NewswireCore
import NewswireFetch
import NewswireTesting
import Synchronization
import Testing

@Suite struct FetcherTests {
    init() {
        Fetcher.initializeGlobalState()
    }

    private func withSite(
        _ routes: [String: TestSite.Response],
        options: FetchOptions = FetchOptions(),
        _ body: @escaping @Sendable (String, Fetcher) throws -> Void
    ) async throws {
        let site = try TestSite()
        for (path, response) in routes { site.route(path, response) }
        let base = try await site.start()
        let fetcher = Fetcher(options: options.allowingLoopback())
        defer { fetcher.shutdown() }
        try await runBlocking { try body(base, fetcher) }
        await site.stop()
    }

    @Test func fetchesBodyStatusAndHeaders() async throws {
        try await self.withSite([
            "/feed.xml": .init(contentType: "application/rss+xml; charset=utf-8", body: "<rss/>")
        ]) { base, fetcher in
            let document = try fetcher.fetch(FetchRequest(url: base + "/feed.xml")).get()
            #expect(document.status == 200)
            #expect(document.body == Array("<rss/>".utf8))
            #expect(document.contentType == "application/rss+xml; charset=utf-8")
            #expect(document.finalURL == base + "/feed.xml")
            #expect((document.duration ?? -1) >= 0)
            let timings = try #require(document.timings)
            #expect(timings.httpVersion == "1.1")
            #expect(timings.connect <= timings.firstByte)
            #expect(timings.firstByte <= timings.total)
        }
    }

    @Test func anHTTPErrorIsAResponseNotAFailure() async throws {
        try await self.withSite([:]) { base, fetcher in
            let document = try fetcher.fetch(FetchRequest(url: base + "/missing.html")).get()
            #expect(document.status == 404)
        }
    }

    @Test func followsRedirectsAndKeepsTheFinalURL() async throws {
        try await self.withSite([
            "/a": .redirect(to: "/b"),
            "/b": .redirect(to: "/c", status: 302),
            "/c": .init(contentType: "text/plain", body: "landed"),
        ]) { base, fetcher in
            let document = try fetcher.fetch(FetchRequest(url: base + "/a")).get()
            #expect(document.finalURL == base + "/c")
            #expect(document.requestedURL == base + "/a")
            #expect(String(decoding: document.body, as: UTF8.self) == "landed")
        }
    }

    @Test func stopsAfterTheRedirectLimit() async throws {
        let chain = Dictionary(
            uniqueKeysWithValues: (0..<5).map { ("/r\($0)", TestSite.Response.redirect(to: "/r\($0 + 1)")) }
        )
        try await self.withSite(chain, options: FetchOptions(maxRedirects: 2)) { base, fetcher in
            let result = fetcher.fetch(FetchRequest(url: base + "/r0"))
            guard case .failure(let error) = result else {
                Issue.record("expected a redirect failure")
                return
            }
            #expect(error.code == .transport)
            #expect(error.message.lowercased().contains("redirect"))
        }
    }

    @Test func decodesGzipContentEncoding() async throws {
        let gzipped: [UInt8] = [
            0x1f, 0x8b, 0x8, 0x0, 0x0, 0x0, 0x0, 0x0, 0x2, 0xff, 0x4b, 0xce, 0xcf, 0x2d, 0x28, 0x4a, 0x2d, 0x2e, 0x4e,
            0x4d, 0x51, 0x48, 0xca, 0x4f, 0xa9, 0x54, 0x48, 0xcb, 0x2f, 0x52, 0xc8, 0x4b, 0x2d, 0x2f, 0x2e, 0xcf, 0x2c,
            0x4a, 0x5, 0x0, 0xfc, 0x6f, 0xcf, 0x91, 0x1c, 0x0, 0x0, 0x0,
        ]
        try await self.withSite([
            "/z": .init(headers: ["Content-Type": "text/plain", "Content-Encoding": "gzip"], body: gzipped)
        ]) { base, fetcher in
            let document = try fetcher.fetch(FetchRequest(url: base + "/z")).get()
            #expect(String(decoding: document.body, as: UTF8.self) == "compressed body for newswire")
        }
    }

    @Test func aSlowServerTimesOut() async throws {
        try await self.withSite(
            ["/slow": .init(contentType: "text/plain", body: "late", delay: 3)],
            options: FetchOptions(timeout: 0.5)
        ) { base, fetcher in
            let result = fetcher.fetch(FetchRequest(url: base + "/slow"))
            guard case .failure(let error) = result else {
                Issue.record("expected a timeout")
                return
            }
            #expect(error.code == .timeout)
        }
    }

    @Test func aBodyOverTheLimitIsRefused() async throws {
        try await self.withSite(
            ["/big": .init(headers: ["Content-Type": "text/plain"], body: Array(repeating: 65, count: 5000))],
            options: FetchOptions(maxBodyBytes: 1000)
        ) { base, fetcher in
            let result = fetcher.fetch(FetchRequest(url: base + "/big"))
            guard case .failure(let error) = result else {
                Issue.record("expected too_large")
                return
            }
            #expect(error.code == .tooLarge)
            #expect(error.code.errorKind == .tooLarge)
        }
    }

    @Test func aRefusedConnectionIsATransportError() async throws {
        // Port 9 (discard) on loopback: nothing listens there in the test environment.
        let fetcher = Fetcher(options: FetchOptions(connectTimeout: 2).allowingLoopback())
        defer { fetcher.shutdown() }
        let result = try await runBlocking { fetcher.fetch(FetchRequest(url: "http://127.0.0.1:9/")) }
        guard case .failure(let error) = result else {
            Issue.record("expected a transport error")
            return
        }
        #expect(error.code == .transport)
        #expect(!error.message.isEmpty)
    }

    @Test func refusesSchemesOtherThanHTTP() async throws {
        let fetcher = Fetcher()
        defer { fetcher.shutdown() }
        let result = try await runBlocking { fetcher.fetch(FetchRequest(url: "file:///etc/passwd")) }
        guard case .failure(let error) = result else {
            Issue.record("file:// must be refused")
            return
        }
        #expect(error.code == .invalidRequest)
    }

    @Test func carriesManyTransfersAtOnce() async throws {
        let pages = Dictionary(
            uniqueKeysWithValues: (0..<40).map {
                ("/p\($0)", TestSite.Response(contentType: "text/plain", body: "page \($0)", delay: 0.05))
            }
        )
        try await self.withSite(pages) { base, fetcher in
            let done = DispatchGroup()
            let results = Mutex<[Int: String]>([:])
            for index in 0..<40 {
                done.enter()
                fetcher.submit(FetchRequest(url: base + "/p\(index)")) { result in
                    if case .success(let document) = result {
                        results.withLock { $0[index] = String(decoding: document.body, as: UTF8.self) }
                    }
                    done.leave()
                }
            }
            done.wait()
            let bodies = results.withLock { $0 }
            #expect(bodies.count == 40)
            #expect(bodies[17] == "page 17")
        }
    }

    @Test func sendsRequestHeaders() async throws {
        let site = try TestSite()
        let base = try await site.start()
        let fetcher = Fetcher(options: FetchOptions(userAgent: "newswire-test/1").allowingLoopback())
        defer { fetcher.shutdown() }
        _ = try await runBlocking { fetcher.fetch(FetchRequest(url: base + "/x", headers: ["X-Probe: 1"])) }
        #expect(site.requests == ["/x"])
        #expect(site.requestHeaders.first?["x-probe"] == "1")
        #expect(site.requestHeaders.first?["user-agent"] == "newswire-test/1")
        #expect(site.requestHeaders.first?["accept-encoding"]?.contains("gzip") == true)
        await site.stop()
    }
}

extension FetchOptions {
    /// These options with 127.0.0.0/8 opened, as the tests' local servers need.
    func allowingLoopback() -> FetchOptions {
        var options = self
        options.networkPolicy = NetworkPolicy(allowing: [CIDR("127.0.0.0/8")!])
        return options
    }
}
