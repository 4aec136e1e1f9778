import NewswireCore
import Testing

@testable import NewswireFetch

/// The politeness state machine on a fake clock: times are plain seconds passed in.
@Suite struct HostQueuesTests {
    private func queues(connections: Int = 2, delay: Double = 0, step: Double = 1, maxWait: Double = 60) -> HostQueues {
        var options = FetchOptions(maxConnectionsPerHost: connections)
        options.perHostDelay = delay
        options.retryBaseDelay = step
        options.maxRetryWait = maxWait
        return HostQueues(limits: HostQueues.Limits(options))
    }

    private func submission(_ url: String) -> Submission {
        Submission(request: FetchRequest(url: url), completion: { _ in }, host: HostQueues.key(for: url))
    }

    private func started(_ actions: [HostQueues.Action]) -> [String] {
        actions.compactMap { if case .start(let submission) = $0 { submission.request.url } else { nil } }
    }

    @Test func theKeyIsHostAndPort() {
        #expect(HostQueues.key(for: "https://News.Example/a") == "news.example:443")
        #expect(HostQueues.key(for: "http://news.example/b?c") == "news.example:80")
        #expect(HostQueues.key(for: "http://news.example:8080/") == "news.example:8080")
    }

    private func starts(_ actions: [HostQueues.Action]) -> [Submission] {
        actions.compactMap { if case .start(let submission) = $0 { submission } else { nil } }
    }

    @Test func atMostTheLimitOfAHostRunsAndOtherHostsAreNotHeldUp() {
        let queues = self.queues(connections: 2)
        var running: [Submission] = []
        for index in 0..<5 {
            running += self.starts(queues.enqueue(self.submission("http://a.test/\(index)"), now: 0))
        }
        running += self.starts(queues.enqueue(self.submission("http://b.test/0"), now: 0))
        #expect(running.map(\.request.url) == ["http://a.test/0", "http://a.test/1", "http://b.test/0"])
        #expect(queues.counts.active == 3 && queues.counts.waiting == 3)
        // One of a.test ends: exactly one more of it starts, in order.
        #expect(self.started(queues.finished(running[0], .healthy, now: 0.1)) == ["http://a.test/2"])
    }

    @Test func startsOnOneHostAreSpacedByTheDelay() {
        let queues = self.queues(connections: 4, delay: 0.5)
        #expect(self.started(queues.enqueue(self.submission("http://a.test/0"), now: 10)).count == 1)
        #expect(self.started(queues.enqueue(self.submission("http://a.test/1"), now: 10.1)).isEmpty)
        #expect(queues.nextDeadline == 10.5)
        #expect(self.started(queues.fireTimers(now: 10.4)).isEmpty)
        #expect(self.started(queues.fireTimers(now: 10.5)) == ["http://a.test/1"])
        // Another host is not delayed by a.test.
        #expect(self.started(queues.enqueue(self.submission("http://b.test/0"), now: 10.6)).count == 1)
    }

    @Test func anOverloadedHostSlowsDownPausesAndRecovers() {
        let queues = self.queues(connections: 4, step: 1)
        var running: [Submission] = []
        for index in 0...3 { running += self.starts(queues.enqueue(self.submission("http://a.test/\(index)"), now: 0)) }
        #expect(running.count == 4)
        // The first answers 429 with Retry-After: 5.
        #expect(self.started(queues.finished(running[0], .overloaded(retryAfter: 5), now: 1)).isEmpty)
        _ = queues.enqueue(self.submission("http://a.test/4"), now: 1)
        // Answers to requests sent before the 429 do not ease the slowdown; the host is
        // paused until 6, then runs one request at a time, 1 s apart.
        for submission in running.dropFirst() { #expect(queues.finished(submission, .healthy, now: 2).isEmpty) }
        #expect(self.started(queues.fireTimers(now: 5.9)).isEmpty)
        let fourth = self.starts(queues.fireTimers(now: 6))
        #expect(fourth.map(\.request.url) == ["http://a.test/4"])
        // Each success of a request sent since halves the slowdown (1 s, 0.5 s) until it ends.
        _ = queues.finished(fourth[0], .healthy, now: 6.1)
        var started: [Submission] = []
        for index in 5..<8 {
            started += self.starts(queues.enqueue(self.submission("http://a.test/\(index)"), now: 6.2))
        }
        #expect(started.isEmpty)  // 0.5 s after the start at 6
        let fifth = self.starts(queues.fireTimers(now: 6.5))
        #expect(fifth.map(\.request.url) == ["http://a.test/5"])
        // 0.25 s is under half a step: recovered, four at once again.
        #expect(self.started(queues.finished(fifth[0], .healthy, now: 6.6)) == ["http://a.test/6", "http://a.test/7"])
    }

    @Test func aPauseLongerThanTheFetcherWaitsFailsTheQueueAtOnce() {
        let queues = self.queues(connections: 1, maxWait: 30)
        let first = self.starts(queues.enqueue(self.submission("http://a.test/0"), now: 0))
        _ = queues.enqueue(self.submission("http://a.test/1"), now: 0)
        let actions = queues.finished(first[0], .overloaded(retryAfter: 3600), now: 1)
        guard case .fail(let submission, let error)? = actions.first else {
            Issue.record("expected the queued request to fail")
            return
        }
        #expect(submission.request.url == "http://a.test/1")
        #expect(error.code == .hostBackoff)
        #expect(error.code.errorKind == .policy)
        #expect(error.message.contains("3600 s"))
    }

    @Test func retriesRejoinTheirHostFirstWhenDue() {
        let queues = self.queues(connections: 1)
        let first = self.starts(queues.enqueue(self.submission("http://a.test/0"), now: 0))
        _ = queues.enqueue(self.submission("http://a.test/1"), now: 0)
        var again = first[0]
        again.attempt = 2
        queues.retry(again, after: 2, now: 0.5)
        let second = self.starts(queues.finished(first[0], .neutral, now: 0.5))
        #expect(second.map(\.request.url) == ["http://a.test/1"])
        #expect(queues.nextDeadline == 2.5)
        _ = queues.finished(second[0], .healthy, now: 1)
        let retried = self.starts(queues.fireTimers(now: 2.5))
        #expect(retried.map(\.request.url) == ["http://a.test/0"])
        #expect(retried.map(\.attempt) == [2])
    }

    @Test func idleHostsAreForgotten() {
        let queues = self.queues(connections: 2, delay: 1)
        var running: [Submission] = []
        for index in 0..<50 {
            running += self.starts(queues.enqueue(self.submission("http://h\(index).test/"), now: 0))
        }
        for submission in running { _ = queues.finished(submission, .healthy, now: 0.2) }
        queues.sweep(now: 0.5)
        #expect(queues.hostCount == 50)  // within the delay of their last start: remembered
        queues.sweep(now: 1)
        #expect(queues.hostCount == 0)
    }

    @Test func backoffGrowsExponentiallyWithinItsJitterBounds() {
        for attempt in 1...5 {
            let ceiling = 0.5 * Double(1 << (attempt - 1))
            #expect(RetryPolicy.backoff(attempt: attempt, base: 0.5, unit: 0) == ceiling / 2)
            #expect(RetryPolicy.backoff(attempt: attempt, base: 0.5, unit: 0.999) < ceiling)
            #expect(RetryPolicy.backoff(attempt: attempt, base: 0.5, unit: 0.5) == ceiling * 0.75)
        }
    }

    @Test func onlyTransientOutcomesAreRetriedAndRetryAfterIsHonoured() {
        var options = FetchOptions()
        options.maxAttempts = 3
        options.retryBaseDelay = 0.5
        options.maxRetryWait = 60
        let policy = RetryPolicy(options)
        func response(_ status: Int, _ headers: [(String, String)] = []) -> Result<FetchedDocument, FetchError> {
            var fields = HTTPHeaders()
            for (name, value) in headers { fields.add(name: name, value: value) }
            return .success(FetchedDocument(requestedURL: "http://a.test/", status: status, headers: fields, body: []))
        }
        for status in [408, 429, 500, 502, 503, 504] {
            #expect(policy.delay(after: response(status), attempt: 1, unit: 0) == 0.25, "\(status)")
        }
        for status in [200, 304, 404, 410, 501] {
            #expect(policy.delay(after: response(status), attempt: 1, unit: 0) == nil, "\(status)")
        }
        #expect(policy.delay(after: response(503), attempt: 3, unit: 0) == nil)
        #expect(policy.delay(after: response(429, [("Retry-After", "7")]), attempt: 1, unit: 0) == 7)
        #expect(policy.delay(after: response(429, [("Retry-After", "600")]), attempt: 1, unit: 0) == nil)
        let timeout = FetchError(code: .timeout, url: "http://a.test/", message: "timed out")
        #expect(policy.delay(after: .failure(timeout), attempt: 2, unit: 0) == 0.5)
        let refused = FetchError(code: .transport, url: "http://a.test/", message: "refused", curlCode: 7)
        #expect(policy.delay(after: .failure(refused), attempt: 1, unit: 0) != nil)
        let dns = FetchError(code: .transport, url: "http://a.test/", message: "no such host", curlCode: 6)
        #expect(policy.delay(after: .failure(dns), attempt: 1, unit: 0) == nil)
        let policyError = FetchError(code: .policy, url: "http://a.test/", message: "refused address")
        #expect(policy.delay(after: .failure(policyError), attempt: 1, unit: 0) == nil)
    }
}
