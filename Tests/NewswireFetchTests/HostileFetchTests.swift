import Foundation
import NewswireCore
import NewswireFetch
import NewswireTesting
import Testing

/// The fetcher against ``HostileServer``: the network policy (counted in accepted
/// connections) and transport errors reported as what they are.
@Suite struct HostileFetchTests {
    init() {
        Fetcher.initializeGlobalState()
    }

    private static let onlyFirstLoopback: NetworkPolicy = NetworkPolicy(allowing: ["127.0.0.1/32"])!

    private func fetch(_ url: String, _ options: FetchOptions) async throws -> Result<FetchedDocument, FetchError> {
        let fetcher = Fetcher(options: options)
        defer { fetcher.shutdown() }
        return try await runBlocking { fetcher.fetch(FetchRequest(url: url)) }
    }

    private func failure(_ url: String, _ options: FetchOptions) async throws -> FetchError {
        let result = try await self.fetch(url, options)
        guard case .failure(let error) = result else {
            Issue.record("expected a failure for \(url)")
            throw StageError(.internal, "no failure")
        }
        return error
    }

    private func options(timeout: Double = 10, maxBodyBytes: Int = 1_000_000) -> FetchOptions {
        var options = FetchOptions(timeout: timeout, connectTimeout: 2, maxBodyBytes: maxBodyBytes, maxRedirects: 5)
        options.networkPolicy = Self.onlyFirstLoopback
        return options
    }

    // MARK: network policy

    @Test func aRefusedAddressGetsNoConnectionAtAll() async throws {
        let inside = try HostileServer(host: "127.0.0.2")
        defer { inside.stop() }
        inside.route("/secret", .response(status: 200, headers: [:], body: Array("internal".utf8)))
        let error = try await self.failure(inside.baseURL + "/secret", self.options())
        #expect(error.code == .policy)
        #expect(error.code.errorKind == .policy)
        #expect(error.message.contains("127.0.0.2"))
        #expect(error.message.contains("loopback 127.0.0.0/8"))
        // The decimal spelling of the same address ends at the same check.
        let decimal = try await self.failure("http://2130706434:\(inside.port)/secret", self.options())
        #expect(decimal.code == .policy)
        #expect(inside.acceptedConnections == 0)
    }

    @Test func theDefaultPolicyRefusesLoopback() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        let error = try await self.failure(server.baseURL + "/", FetchOptions(connectTimeout: 2))
        #expect(error.code == .policy)
        #expect(server.acceptedConnections == 0)
    }

    @Test func everyRedirectHopIsChecked() async throws {
        let inside = try HostileServer(host: "127.0.0.2")
        defer { inside.stop() }
        let outside = try HostileServer()
        defer { outside.stop() }
        outside.route("/go", .response(status: 302, headers: ["Location": inside.baseURL + "/secret"], body: []))
        let error = try await self.failure(outside.baseURL + "/go", self.options())
        #expect(error.code == .policy)
        #expect(error.message.contains("127.0.0.2"))
        #expect(outside.acceptedConnections == 1)
        #expect(inside.acceptedConnections == 0)
    }

    @Test func anAllowedAddressIsFetched() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        server.route("/ok", .response(status: 200, headers: ["Content-Type": "text/plain"], body: Array("fine".utf8)))
        let document = try await self.fetch(server.baseURL + "/ok", self.options()).get()
        #expect(document.body == Array("fine".utf8))
    }

    // MARK: honest transport errors

    @Test func aBodyShorterThanItsContentLengthIsTruncated() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        server.route(
            "/short",
            .wrongLength(head: "HTTP/1.1 200 OK", body: Array(repeating: 65, count: 100), announced: 500)
        )
        let error = try await self.failure(server.baseURL + "/short", self.options())
        #expect(error.code == .truncated)
        #expect(error.message.contains("100 of 500"))
    }

    @Test func aBodyLongerThanItsContentLengthIsTruncated() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        server.route(
            "/long",
            .wrongLength(head: "HTTP/1.1 200 OK", body: Array(repeating: 65, count: 500), announced: 100)
        )
        let error = try await self.failure(server.baseURL + "/long", self.options())
        #expect(error.code == .truncated)
    }

    @Test func aStrayLineEndAfterTheBodyIsForgiven() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        let body = Array(repeating: UInt8(65), count: 100)
        server.route("/crlf", .wrongLength(head: "HTTP/1.1 200 OK", body: body + [13, 10], announced: 100))
        let document = try await self.fetch(server.baseURL + "/crlf", self.options()).get()
        #expect(document.body == body)
    }

    @Test func aResetIsReportedAsAReset() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        let head = Array("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".utf8)
        server.route("/reset", .reset(prefix: head + Array(repeating: 66, count: 1000)))
        let error = try await self.failure(server.baseURL + "/reset", self.options())
        #expect(error.code == .transport || error.code == .truncated)
        #expect(error.message.contains("reset") || error.message.contains("cut short"), "\(error)")
    }

    @Test func aHugeHeaderIsTooLargeNotOutOfMemory() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        let header = "HTTP/1.1 200 OK\r\nX-Padding: " + String(repeating: "p", count: 1_000_000) + "\r\n\r\n"
        server.route("/header", .raw(Array(header.utf8)))
        let error = try await self.failure(server.baseURL + "/header", self.options())
        #expect(error.code == .tooLarge, "\(error)")
        #expect(error.message.contains("header"))
    }

    @Test func aGzipBodyCutShortIsTruncated() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        let gzip = HostileContent.gzipStored(Array(repeating: 67, count: 4000))
        let cut = Array(gzip.prefix(gzip.count / 2))
        server.route(
            "/cut.gz",
            .wrongLength(head: "HTTP/1.1 200 OK\r\nContent-Encoding: gzip", body: cut, announced: gzip.count)
        )
        let error = try await self.failure(server.baseURL + "/cut.gz", self.options())
        #expect(error.code == .truncated, "\(error)")
        // The intact member decodes (the generator is right).
        server.route("/whole.gz", .response(status: 200, headers: ["Content-Encoding": "gzip"], body: gzip))
        let document = try await self.fetch(server.baseURL + "/whole.gz", self.options()).get()
        #expect(document.body == Array(repeating: 67, count: 4000))
    }

    @Test func aGzipBombStopsAtTheBodyLimit() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        let bomb = HostileContent.gzipBomb(matches: 40_000)  // about 10 MB inflated from 65 KB
        server.route("/bomb.gz", .response(status: 200, headers: ["Content-Encoding": "gzip"], body: bomb))
        let error = try await self.failure(server.baseURL + "/bomb.gz", self.options(maxBodyBytes: 1_000_000))
        #expect(error.code == .tooLarge, "\(error)")
    }

    @Test func anEndlessBodyStopsAtTheBodyLimit() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        server.route("/endless", .endless(head: "HTTP/1.1 200 OK\r\nContent-Type: text/plain", repeating: [68]))
        let error = try await self.failure(server.baseURL + "/endless", self.options(maxBodyBytes: 500_000))
        #expect(error.code == .tooLarge)
    }

    @Test func aDrippingServerTimesOut() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".utf8) + Array(repeating: 69, count: 1000)
        server.route("/drip", .drip(response: response, chunk: 1, interval: 0.1))
        let started = ContinuousClock.now
        var options = self.options(timeout: 1)
        // The low-speed limit out of the way: only the 1 s timeout can end this transfer early.
        options.lowSpeedSeconds = 600
        let error = try await self.failure(server.baseURL + "/drip", options)
        #expect(error.code == .timeout)
        // The drip lasts 100 s; slack for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func aRedirectLoopEnds() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        server.route("/a", .response(status: 302, headers: ["Location": "/b"], body: []))
        server.route("/b", .response(status: 302, headers: ["Location": "/a"], body: []))
        let error = try await self.failure(server.baseURL + "/a", self.options())
        #expect(error.code == .transport)
        #expect(error.message.lowercased().contains("redirect"))
        #expect(server.requests.count == 6)
    }

    @Test func retryAfterIsRead() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        server.route("/busy", .response(status: 503, headers: ["Retry-After": "120"], body: []))
        server.route(
            "/later",
            .response(status: 429, headers: ["Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"], body: [])
        )
        let busy = try await self.fetch(server.baseURL + "/busy", self.options()).get()
        #expect(busy.status == 503)
        #expect(busy.retryAfter == 120)
        let later = try await self.fetch(server.baseURL + "/later", self.options()).get()
        #expect((later.retryAfter ?? 0) > 86_400)
    }
}
