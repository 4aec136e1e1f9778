import Foundation
import NewswireCore
import NewswirePipeline
import Testing

/// The daemon's schedule as a pure function: intervals, 304s, backoff, Retry-After,
/// feed hints, skipHours/skipDays and jitter bounds. No clock, no sleeps.
@Suite struct PollSchedulerTests {
    static let start = Date(timeIntervalSince1970: 1_780_000_000)

    /// A policy without jitter, so intervals can be compared exactly.
    static func policy(min: Double = 60, max: Double = 86_400, initial: Double = 900) -> PollPolicy {
        var policy = PollPolicy()
        policy.minInterval = min
        policy.maxInterval = max
        policy.initialInterval = initial
        policy.jitter = 0
        return policy
    }

    static func schedule(
        _ outcome: PollOutcome,
        policy: PollPolicy = policy(),
        random: Double = 0.5
    ) -> FeedState {
        Self.schedule(FeedState(url: "https://gazette.example/rss"), outcome, policy: policy, random: random)
    }

    static func schedule(
        _ state: FeedState,
        _ outcome: PollOutcome,
        policy: PollPolicy = policy(),
        random: Double = 0.5
    ) -> FeedState {
        var state = state
        PollScheduler.schedule(&state, after: outcome, policy: policy, random: random)
        return state
    }

    @Test func unchangedPollsGrowTheIntervalUpToTheMaximum() {
        var state = FeedState(url: "https://gazette.example/rss")
        var intervals: [Double] = []
        for _ in 0..<12 {
            state = Self.schedule(
                state,
                PollOutcome(result: .unchanged, at: Self.start),
                policy: Self.policy(max: 7200)
            )
            intervals.append(state.intervalSeconds ?? 0)
        }
        #expect(intervals[0] == 1350)
        #expect(intervals[1] == 2025)
        #expect(intervals.last == 7200)
        #expect(intervals == intervals.sorted())
        #expect(state.nextPollAt == Self.start.addingTimeInterval(7200))
    }

    @Test func theIntervalFollowsHowOftenTheFeedPublishes() {
        var outcome = PollOutcome(result: .changed(newItems: 3), at: Self.start)
        // Items every 20 minutes: polled every 10.
        outcome.itemDates = (0..<8).map { Self.start.addingTimeInterval(Double(-$0) * 1200) }
        let state = Self.schedule(outcome)
        #expect(state.intervalSeconds == 600)
        // A daily feed is polled twice a day, a feed publishing every minute no more
        // often than the minimum.
        outcome.itemDates = (0..<8).map { Self.start.addingTimeInterval(Double(-$0) * 86_400) }
        #expect(Self.schedule(outcome).intervalSeconds == 43_200)
        outcome.itemDates = (0..<8).map { Self.start.addingTimeInterval(Double(-$0) * 30) }
        #expect(Self.schedule(outcome).intervalSeconds == 60)
    }

    @Test func undatedItemsShrinkTheIntervalWhenNewAndGrowItWhenNot() {
        var state = FeedState(url: "https://gazette.example/rss")
        state.intervalSeconds = 1000
        #expect(Self.schedule(state, PollOutcome(result: .changed(newItems: 2), at: Self.start)).intervalSeconds == 500)
        #expect(
            Self.schedule(state, PollOutcome(result: .changed(newItems: 0), at: Self.start)).intervalSeconds == 1500
        )
    }

    @Test func theFeedsOwnHintsLengthenTheInterval() {
        var outcome = PollOutcome(result: .changed(newItems: 1), at: Self.start)
        outcome.itemDates = (0..<5).map { Self.start.addingTimeInterval(Double(-$0) * 240) }
        #expect(Self.schedule(outcome).intervalSeconds == 120)
        outcome.schedule.ttlMinutes = 30
        #expect(Self.schedule(outcome).intervalSeconds == 1800)
        outcome.schedule = FeedSchedule()
        outcome.schedule.updatePeriod = "hourly"
        outcome.schedule.updateFrequency = 2
        #expect(Self.schedule(outcome).intervalSeconds == 1800)
        outcome.schedule = FeedSchedule()
        outcome.cacheSeconds = 3000
        #expect(Self.schedule(outcome).intervalSeconds == 3000)
        // …but never past the maximum.
        outcome.cacheSeconds = 1_000_000
        #expect(Self.schedule(outcome, policy: Self.policy(max: 7200)).intervalSeconds == 7200)
    }

    @Test func cacheHeadersAreRead() {
        let at = Self.start
        func seconds(_ fields: [(String, String)]) -> Double? {
            var headers = HTTPHeaders()
            for (name, value) in fields { headers.add(name: name, value: value) }
            let document = FetchedDocument(requestedURL: "https://gazette.example/rss", headers: headers, body: [])
            return PollOutcome(result: .unchanged, document: document, at: at).cacheSeconds
        }
        #expect(seconds([("Cache-Control", "public, max-age=600")]) == 600)
        #expect(seconds([("Cache-Control", "no-cache")]) == 0)
        #expect(
            seconds([("Date", "Sun, 06 Nov 2033 08:49:37 GMT"), ("Expires", "Sun, 06 Nov 2033 09:49:37 GMT")]) == 3600
        )
        #expect(seconds([]) == nil)
    }

    @Test func failuresBackOffExponentiallyUpToTheCap() {
        var state = FeedState(url: "https://gazette.example/rss")
        state.intervalSeconds = 900
        var waits: [Double] = []
        for failures in 1...10 {
            state.consecutiveFailures = failures
            let next = Self.schedule(
                state,
                PollOutcome(result: .failed, at: Self.start),
                policy: Self.policy(max: 3600)
            )
            waits.append(next.nextPollAt!.timeIntervalSince(Self.start))
            // The learned interval is kept for when the feed recovers.
            #expect(next.intervalSeconds == 900)
        }
        #expect(Array(waits.prefix(4)) == [60, 120, 240, 480])
        #expect(waits.last == 3600)
    }

    @Test func retryAfterIsObeyed() {
        var state = FeedState(url: "https://gazette.example/rss")
        state.consecutiveFailures = 1
        var outcome = PollOutcome(result: .failed, at: Self.start)
        outcome.retryAfter = 7200
        let failed = Self.schedule(state, outcome, policy: Self.policy(max: 3600))
        #expect(failed.nextPollAt == Self.start.addingTimeInterval(7200))
        var unchanged = PollOutcome(result: .unchanged, at: Self.start)
        unchanged.retryAfter = 5000
        #expect(Self.schedule(unchanged).nextPollAt == Self.start.addingTimeInterval(5000))
    }

    @Test func goneFeedsArePolledAtTheLongestInterval() {
        let state = Self.schedule(PollOutcome(result: .gone, at: Self.start), policy: Self.policy(max: 5000))
        #expect(state.intervalSeconds == 5000)
    }

    @Test func jitterStaysWithinItsBounds() {
        var policy = Self.policy()
        policy.jitter = 0.1
        var seen: [Double] = []
        for step in 0...100 {
            let random = Double(step) / 100
            let next = Self.schedule(PollOutcome(result: .unchanged, at: Self.start), policy: policy, random: random)
            let wait = next.nextPollAt!.timeIntervalSince(Self.start)
            #expect(wait >= 1350 * 0.9 - 1e-6 && wait <= 1350 * 1.1 + 1e-6)
            seen.append(wait)
        }
        #expect(seen.first! < 1250 && seen.last! > 1450)
    }

    @Test func skipHoursAndSkipDaysMoveThePoll() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        // Wednesday 2026-12-02 01:40 UTC, hours 2 and 3 skipped: polled at 04:00.
        let at = try #require(calendar.date(from: DateComponents(year: 2026, month: 12, day: 2, hour: 1, minute: 40)))
        var outcome = PollOutcome(result: .unchanged, at: at)
        outcome.schedule.skipHours = [2, 3]
        let state = Self.schedule(
            FeedState(url: "https://gazette.example/rss"),
            outcome,
            policy: Self.policy(initial: 1200)
        )
        let expected = try #require(calendar.date(from: DateComponents(year: 2026, month: 12, day: 2, hour: 4)))
        #expect(state.nextPollAt == expected)
        // Thursday skipped: from Wednesday 23:50, the poll waits for Friday 00:00.
        let late = try #require(
            calendar.date(from: DateComponents(year: 2026, month: 12, day: 2, hour: 23, minute: 50))
        )
        var weekly = PollOutcome(result: .unchanged, at: late)
        weekly.schedule.skipDays = [5]
        let friday = try #require(calendar.date(from: DateComponents(year: 2026, month: 12, day: 4)))
        let skipped = Self.schedule(
            FeedState(url: "https://gazette.example/rss"),
            weekly,
            policy: Self.policy(initial: 1200)
        )
        #expect(skipped.nextPollAt == friday)
    }

    @Test func publishingIntervalNeedsThreeDatedItems() {
        #expect(PollScheduler.publishingInterval([Self.start, Self.start.addingTimeInterval(-60)]) == nil)
        let dates = [0, -100, -300, -600].map { Self.start.addingTimeInterval(Double($0)) }
        #expect(PollScheduler.publishingInterval(dates) == 200)
    }
}
