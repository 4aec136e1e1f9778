import Dispatch
import Foundation
import NewswireCore
import NewswireFetch
import NewswireTesting
import Synchronization
import Testing

/// Per-host limits, slowdowns and retries against real local servers that count what
/// reaches them. Delays are a few tens of milliseconds; the one `Retry-After` is 1 s.
@Suite struct PolitenessTests {
    init() {
        Fetcher.initializeGlobalState()
    }

    /// Options that retry fast, so the tests stay short.
    private static func options(connections: Int = 2, delay: Double = 0, attempts: Int = 3) -> FetchOptions {
        var options = FetchOptions(timeout: 5, connectTimeout: 2, maxConnectionsPerHost: connections)
        options.perHostDelay = delay
        options.maxAttempts = attempts
        options.retryBaseDelay = 0.05
        options.maxRetryWait = 5
        return options.allowingLoopback()
    }

    private func sites(_ count: Int) async throws -> [TestSite] {
        var sites: [TestSite] = []
        for _ in 0..<count {
            let site = try TestSite()
            try await site.start()
            sites.append(site)
        }
        return sites
    }

    @Test func concurrencyPerHostNeverExceedsTheLimitAndHostsRunSideBySide() async throws {
        let sites = try await self.sites(2)
        for site in sites {
            for index in 0..<10 {
                site.route("/p\(index)", .init(contentType: "text/html", body: "page \(index)", delay: 0.04))
            }
        }
        let fetcher = Fetcher(options: Self.options(connections: 2))
        let urls = (0..<10).flatMap { index in sites.map { "\($0.baseURL)/p\(index)" } }
        let started = ContinuousClock.now
        let results = try await runBlocking { fetchAll(fetcher, urls.map { FetchRequest(url: $0) }) }
        let elapsed = ContinuousClock.now - started
        fetcher.shutdown()
        for site in sites { await site.stop() }

        #expect(results.allSatisfy { (try? $0.get().status) == 200 })
        for site in sites {
            #expect(site.maxInFlight <= 2)
            #expect(site.maxInFlight == 2)  // the limit is used, not just respected
            #expect(site.requests.count == 10)
        }
        // Two hosts side by side, two at a time each: about 5 × 40 ms, not 10 × 40 ms.
        #expect(elapsed < .milliseconds(2000))
    }

    @Test func theMinimumDelayBetweenRequestsToOneHostIsRespected() async throws {
        let sites = try await self.sites(2)
        for site in sites {
            for index in 0..<4 { site.route("/p\(index)", .init(contentType: "text/plain", body: "\(index)")) }
        }
        let fetcher = Fetcher(options: Self.options(connections: 4, delay: 0.15))
        let urls = (0..<4).flatMap { index in sites.map { "\($0.baseURL)/p\(index)" } }
        let results = try await runBlocking { fetchAll(fetcher, urls.map { FetchRequest(url: $0) }) }
        fetcher.shutdown()
        for site in sites { await site.stop() }

        #expect(results.allSatisfy { (try? $0.get().status) == 200 })
        for site in sites {
            let times = site.arrivals.map(\.at)
            #expect(times.count == 4)
            // The fetcher spaces the starts 150 ms apart; arrivals add the jitter of a loaded
            // machine and the first request's connection set-up (without a delay they come
            // within a few milliseconds of each other).
            for (earlier, later) in zip(times, times.dropFirst()) {
                #expect(later - earlier >= .milliseconds(110), "\(later - earlier)")
            }
            #expect(times[3] - times[0] >= .milliseconds(420))
        }
        // The hosts were served side by side: the second host's first request came at once.
        let firsts = sites.map { $0.arrivals[0].at }
        #expect(abs((firsts[1] - firsts[0]) / .milliseconds(1)) < 100)
    }

    @Test func aTooManyRequestsAnswerPausesTheWholeHostForItsRetryAfter() async throws {
        let (busy, calm) = try await (self.sites(1)[0], self.sites(1)[0])
        busy.route(
            "/first",
            sequence: [
                .init(status: 429, headers: ["Retry-After": "1"], body: Array("slow down".utf8)),
                .init(contentType: "text/plain", body: "first"),
            ]
        )
        busy.route("/second", .init(contentType: "text/plain", body: "second"))
        calm.route("/other", .init(contentType: "text/plain", body: "other"))
        let fetcher = Fetcher(options: Self.options(connections: 1))
        let results = try await runBlocking {
            // The 429 first; then, while the host is paused, one more for it and one elsewhere.
            let first = Pending(fetcher, FetchRequest(url: busy.baseURL + "/first"))
            Thread.sleep(forTimeInterval: 0.1)
            return fetchAll(
                fetcher,
                [FetchRequest(url: busy.baseURL + "/second"), FetchRequest(url: calm.baseURL + "/other")]
            )
                + [first.wait()]
        }
        fetcher.shutdown()
        await busy.stop()
        await calm.stop()

        let first = try results[2].get()
        #expect(first.status == 200)
        #expect(first.attempt == 2)
        #expect(try results[0].get().attempt == 1)
        let arrivals = busy.arrivals
        #expect(
            arrivals.map(\.target) == ["/first", "/first", "/second"]
                || arrivals.map(\.target) == ["/first", "/second", "/first"]
        )
        let paused = arrivals[0].at
        // Nothing reached the busy host during its Retry-After; the calm host was not held up.
        #expect(arrivals.dropFirst().allSatisfy { $0.at - paused >= .milliseconds(950) })
        #expect(calm.arrivals[0].at - paused < .milliseconds(800))
    }

    @Test func aPauseLongerThanTheFetcherWaitsEndsTheRequestsOfTheHost() async throws {
        let site = try await self.sites(1)[0]
        site.route("/closed", .init(status: 503, headers: ["Retry-After": "3600"], body: Array("closed".utf8)))
        site.route("/queued", .init(contentType: "text/plain", body: "queued"))
        let fetcher = Fetcher(options: Self.options(connections: 1))
        let results = try await runBlocking {
            fetchAll(
                fetcher,
                [FetchRequest(url: site.baseURL + "/closed"), FetchRequest(url: site.baseURL + "/queued")]
            )
        }
        fetcher.shutdown()
        await site.stop()

        // The 503 comes back as it is (no retry an hour away); the queued request is never sent.
        let closed = try results[0].get()
        #expect(closed.status == 503 && closed.attempt == 1)
        guard case .failure(let error) = results[1] else {
            Issue.record("the queued request should fail")
            return
        }
        #expect(error.code == .hostBackoff)
        #expect(error.message.contains("Retry-After"))
        #expect(site.requests == ["/closed"])
    }

    @Test func transientFailuresAreRetriedWithBackoffAndCarryTheirAttempt() async throws {
        let site = try await self.sites(1)[0]
        site.route(
            "/flaky",
            sequence: [
                .init(status: 500, contentType: "text/plain", body: "oops"),
                .init(status: 502, contentType: "text/plain", body: "oops"),
                .init(contentType: "text/plain", body: "fine"),
            ]
        )
        site.route("/broken", .init(status: 500, contentType: "text/plain", body: "down"))
        site.route("/gone", .init(status: 404, contentType: "text/plain", body: "gone"))
        site.route("/slow", .init(contentType: "text/plain", body: "late", delay: 2))
        var options = Self.options(connections: 4)
        options.timeout = 0.3
        let fetcher = Fetcher(options: options)
        let results = try await runBlocking {
            fetchAll(
                fetcher,
                ["/flaky", "/broken", "/gone", "/slow"].map { FetchRequest(url: site.baseURL + $0) }
                    + [FetchRequest(url: "http://127.0.0.1:9/refused")]
            )
        }
        fetcher.shutdown()
        await site.stop()

        let flaky = try results[0].get()
        #expect(flaky.status == 200 && flaky.attempt == 3)
        let broken = try results[1].get()
        #expect(broken.status == 500 && broken.attempt == 3)
        let gone = try results[2].get()
        #expect(gone.status == 404 && gone.attempt == 1)
        for (result, code) in [(results[3], FetchError.Code.timeout), (results[4], .transport)] {
            guard case .failure(let error) = result else {
                Issue.record("expected a failure")
                continue
            }
            #expect(error.code == code)
            #expect(error.attempt == 3)
        }
        let counts = Dictionary(site.requests.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(counts == ["/flaky": 3, "/broken": 3, "/gone": 1, "/slow": 3])
        // The retries waited their backoff: at least 25 ms, then 50 ms (half of 50, 100).
        let flakyTimes = site.arrivals.filter { $0.target == "/flaky" }.map(\.at)
        #expect(flakyTimes[1] - flakyTimes[0] >= .milliseconds(25))
        #expect(flakyTimes[2] - flakyTimes[1] >= .milliseconds(50))
    }

    @Test func anErrorRecordCarriesTheAttemptInItsJSON() {
        var error = FetchError(code: .timeout, url: "http://a.test/", message: "timed out")
        error.attempt = 3
        let record = ErrorRecord(
            kind: error.code.errorKind,
            stage: .fetch,
            url: error.url,
            message: error.message,
            attempt: error.attempt,
            at: Date(timeIntervalSince1970: 0)
        )
        #expect(record.jsonLine.contains(#""attempt":3"#))
    }
}

/// One request in flight; `wait()` blocks until it ends.
final class Pending: Sendable {
    private let result = Mutex<Result<FetchedDocument, FetchError>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ fetcher: Fetcher, _ request: FetchRequest) {
        fetcher.submit(request) { outcome in
            self.result.withLock { $0 = outcome }
            self.done.signal()
        }
    }

    func wait() -> Result<FetchedDocument, FetchError> {
        self.done.wait()
        return self.result.withLock { $0! }
    }
}

/// Submits every request at once and waits for all of them; results in request order.
func fetchAll(_ fetcher: Fetcher, _ requests: [FetchRequest]) -> [Result<FetchedDocument, FetchError>] {
    let pending = requests.map { Pending(fetcher, $0) }
    return pending.map { $0.wait() }
}
