import Foundation
import NewswireCore
import NewswirePipeline
import Testing

/// The daemon's source with a manual clock: due order, one poll in flight per feed,
/// one cycle, SIGUSR1, reload and stop.
@Suite struct WatchSourceTests {
    static let start = Date(timeIntervalSince1970: 1_780_000_000)

    static func policy() -> PollPolicy {
        var policy = PollPolicy()
        policy.minInterval = 60
        policy.maxInterval = 3600
        policy.initialInterval = 600
        policy.jitter = 0
        return policy
    }

    static func feeds(_ names: [String]) -> [FeedTask] {
        names.map { FeedTask(url: "https://\($0).example/rss") }
    }

    static func url(_ item: WorkItem?) -> String? {
        if case .feed(let task)? = item { return task.url }
        return nil
    }

    /// Reports a 304 for `url`, as the engine does after a poll.
    static func finish(_ source: WatchSource, _ url: String, at: Date) -> FeedState {
        var state = FeedState(url: url)
        source.polled(FeedTask(url: url), outcome: PollOutcome(result: .unchanged, at: at), state: &state)
        return state
    }

    @Test func yieldsDueFeedsInOrderAndEachOnceWhileInFlight() {
        let clock = ManualClock(Self.start)
        var states: [String: FeedState] = [:]
        states["https://later.example/rss"] = FeedState(
            url: "https://later.example/rss",
            nextPollAt: Self.start.addingTimeInterval(100)
        )
        let source = WatchSource(
            feeds: Self.feeds(["alpha", "later", "beta"]),
            states: states,
            policy: Self.policy(),
            clock: clock,
            once: true,
            tick: 0.01
        )
        #expect(Self.url(source.next()) == "https://alpha.example/rss")
        #expect(Self.url(source.next()) == "https://beta.example/rss")
        // The cycle holds only what was due at the start.
        #expect(source.next() == nil)
    }

    @Test func aPolledFeedComesBackAfterItsInterval() {
        let clock = ManualClock(Self.start)
        let source = WatchSource(
            feeds: Self.feeds(["alpha"]),
            states: [:],
            policy: Self.policy(),
            clock: clock,
            tick: 0.01
        )
        #expect(Self.url(source.next()) == "https://alpha.example/rss")
        let state = Self.finish(source, "https://alpha.example/rss", at: Self.start)
        #expect(state.nextPollAt == Self.start.addingTimeInterval(900))
        #expect(source.counts().due == 0)
        clock.advance(by: 901)
        #expect(source.counts().due == 1)
        if case .feed(let task)? = source.next() {
            #expect(task.url == "https://alpha.example/rss")
        } else {
            Issue.record("the feed did not come back")
        }
        source.stop()
        #expect(source.next() == nil)
    }

    @Test func pollAllNowMakesEveryFeedDue() {
        let clock = ManualClock(Self.start)
        let source = WatchSource(
            feeds: Self.feeds(["alpha", "beta"]),
            states: [:],
            policy: Self.policy(),
            clock: clock,
            tick: 0.01
        )
        for _ in 0..<2 {
            guard let url = Self.url(source.next()) else {
                Issue.record("no feed")
                return
            }
            _ = Self.finish(source, url, at: Self.start)
        }
        #expect(source.counts().due == 0)
        source.pollAllNow()
        #expect(source.counts().due == 2)
        #expect(Self.url(source.next()) == "https://alpha.example/rss")
    }

    @Test func reloadAddsAndRemovesFeeds() {
        let clock = ManualClock(Self.start)
        let source = WatchSource(
            feeds: Self.feeds(["alpha", "beta"]),
            states: [:],
            policy: Self.policy(),
            clock: clock,
            tick: 0.01
        )
        source.reload(Self.feeds(["beta", "gamma"]), policy: Self.policy(), states: [:])
        #expect(source.counts().feeds == 2)
        var yielded: [String] = []
        for _ in 0..<2 { yielded.append(Self.url(source.next()) ?? "none") }
        #expect(yielded.sorted() == ["https://beta.example/rss", "https://gamma.example/rss"])
    }

    @Test func stopWakesAWaitingSource() async {
        let clock = ManualClock(Self.start)
        let source = WatchSource(
            feeds: Self.feeds(["alpha"]),
            states: ["https://alpha.example/rss": FeedState(url: "x", nextPollAt: Self.start.addingTimeInterval(3600))],
            policy: Self.policy(),
            clock: clock,
            tick: 0.05
        )
        // On a thread of its own, which notes when `next()` returned: the suite's other tests
        // can keep its shared pool (two threads here) busy for seconds, delaying this test's
        // own steps, but not the wake-up measured from the moment `stop()` is called.
        async let result: (item: WorkItem?, at: ContinuousClock.Instant) = withCheckedContinuation { continuation in
            Thread {
                let item = source.next()
                continuation.resume(returning: (item, ContinuousClock.now))
            }.start()
        }
        try? await Task.sleep(for: .milliseconds(100))
        let stopped = ContinuousClock.now
        source.stop()
        let (item, returned) = await result
        #expect(item == nil)
        #expect(returned >= stopped, "next() returned before stop()")
        #expect(returned - stopped < .seconds(5))
    }

    @Test func healthCountsFailingAndGoneFeeds() {
        let clock = ManualClock(Self.start)
        let source = WatchSource(
            feeds: Self.feeds(["alpha", "beta"]),
            states: [:],
            policy: Self.policy(),
            clock: clock,
            tick: 0.01
        )
        _ = source.next()
        var failing = FeedState(url: "https://alpha.example/rss", consecutiveFailures: 2)
        source.polled(
            FeedTask(url: "https://alpha.example/rss"),
            outcome: PollOutcome(result: .failed, at: Self.start),
            state: &failing
        )
        _ = source.next()
        var gone = FeedState(url: "https://beta.example/rss", consecutiveFailures: 1, goneAt: Self.start)
        source.polled(
            FeedTask(url: "https://beta.example/rss"),
            outcome: PollOutcome(result: .gone, at: Self.start),
            state: &gone
        )
        let counts = source.counts()
        #expect(counts.failing == 2)
        #expect(counts.gone == 1)
        #expect(counts.inFlight == 0)
        // Backoff after two failures: two minutes.
        #expect(failing.nextPollAt == Self.start.addingTimeInterval(120))
        #expect(gone.nextPollAt == Self.start.addingTimeInterval(3600))
    }

    @Test func aLeasedSourcePollsOnlyTheHostsItHolds() {
        let clock = ManualClock(Self.start)
        let one = "https://a.example/one"
        let two = "https://b.example:8080/two"
        let three = "https://A.example/three"
        let source = WatchSource(
            feeds: [one, two, three].map { FeedTask(url: $0) },
            states: [:],
            policy: Self.policy(),
            clock: clock,
            tick: 0.01,
            leased: true
        )
        #expect(source.leaseNames() == ["host:a.example", "host:b.example:8080"])
        #expect(source.counts().feeds == 0)
        source.hold(["host:a.example"], states: [:])
        #expect(source.counts().feeds == 2)
        #expect(Self.url(source.next()) == one)
        #expect(Self.url(source.next()) == three)
        #expect(source.counts().due == 0)
        // The second host comes with the schedule another worker left in the store.
        source.hold(
            ["host:a.example", "host:b.example:8080"],
            states: [two: FeedState(url: two, nextPollAt: Self.start.addingTimeInterval(50))]
        )
        #expect(source.counts().due == 0)
        clock.advance(by: 51)
        #expect(Self.url(source.next()) == two)
        // The first host goes to another worker while its feeds are in flight: they finish,
        // but this worker does not poll them again.
        source.hold(["host:b.example:8080"], states: [:])
        _ = Self.finish(source, one, at: clock.now())
        _ = Self.finish(source, three, at: clock.now())
        _ = Self.finish(source, two, at: clock.now())
        clock.advance(by: 10_000)
        #expect(source.counts().feeds == 1)
        #expect(Self.url(source.next()) == two)
        source.stop()
    }
}
